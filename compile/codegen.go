package compile

import (
	"cmp"
	"math"
	"slices"
	"sync"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/syscalls"
)

// seccomp_data offsets.
const (
	offNr   = 0
	offArch = 4
	offArgs = 16
)

type codegen struct {
	g    *graph
	pol  *profile.Policy
	opts Options
	// intervals per architecture group, for Stats
	intervals map[arch.Arch]int
	args      *argGen // argTree's generator, made on first use
	// ivs and leaves hold the intervals of the audit value archBody works
	// on and their leaves; the next audit value reuses them (nothing keeps
	// either past archBody).
	ivs    []interval
	leaves []*block
}

// generate builds the whole program graph and returns its entry block.
func (c *codegen) generate() *block {
	// Group the policy's architectures by audit value, keeping the
	// policy's order (native first).
	type group struct {
		audit  uint32
		arches []arch.Arch
	}
	var groups []*group
	for _, a := range c.pol.Arches {
		var found *group
		for _, g := range groups {
			if g.audit == a.Audit() {
				found = g
			}
		}
		if found == nil {
			found = &group{audit: a.Audit()}
			groups = append(groups, found)
		}
		found.arches = append(found.arches, a)
	}
	// Room for the intervals of the audit value that may have the most.
	hint := 0
	for _, g := range groups {
		hint = max(hint, intervalsHint(c.pol, g.arches))
	}
	c.ivs = make([]interval, 0, hint)
	c.leaves = make([]*block, 0, hint)
	// Arch dispatch, built back to front: the last test falls through to
	// the bad-arch action.
	next := c.g.ret(uint32(c.pol.BadArch))
	for i := len(groups) - 1; i >= 0; i-- {
		g := groups[i]
		body := c.archBody(g.arches)
		next = c.g.cond(nil, opJeqK, g.audit, body, next)
	}
	// The first block loads the arch.
	c.g.prepend(next, ldAbs(offArch))
	return next
}

// archBody is the code for one audit value: load the number, search.
func (c *codegen) archBody(arches []arch.Arch) *block {
	ivs := appendIntervals(c.ivs[:0], c.pol, arches)
	c.ivs = ivs
	c.intervals[arches[0]] = len(ivs)
	// The leaves come first: how much each one runs weighs in the tree.
	leaves := slices.Grow(c.leaves[:0], len(ivs))[:len(ivs)]
	c.leaves = leaves
	for i, iv := range ivs {
		if iv.d.sys == nil {
			leaves[i] = c.g.ret(uint32(iv.d.action))
		} else {
			leaves[i] = c.argTree(iv.d.sys.Tree, iv.d.arch, c.g.ret(uint32(c.pol.Default)))
		}
	}
	entry := c.searchTree(ivs, c.leafWeights(ivs, arches, leaves), leaves)
	if entry.kind == termRet {
		// One interval: no search; the return needs no load.
		return entry
	}
	// Load the number in front of the search. The root block of the
	// search has no instructions of its own.
	root := c.g.newBlock()
	c.g.setCode(root, []bpfInsn{ldAbs(offNr)})
	root.kind, root.succT = termJump, entry
	return root
}

// argTree lowers libseccomp's argument tree. Nodes of a level are tried
// in order; a branch without a deeper level or an action falls through to
// the next node, the last node of a level to what follows the level
// (gen_bpf.c _gen_bpf_chain), finally to fall.
//
// Code is generated per path with what the path has already learned about
// each argument word (a range of values): a comparison whose outcome is
// known is not emitted. libseccomp's trees test the same high word again
// after a fallthrough (for instance "hi == 0" for an EQ rule, then "hi > 0"
// and "hi == 0" again for an LT rule on the same argument); here the later
// tests vanish. Continuations are memoized per (level, node, knowledge), so
// the work stays proportional to the tree.
func (c *codegen) argTree(lvl *profile.Level, a arch.Arch, fall *block) *block {
	// One generator serves every tree of the program; its tables are
	// emptied, not reallocated, between trees.
	g := c.args
	if g == nil {
		// Room for the value searches of common trees (Docker's
		// personality rule: 11 spans, 5 points) without growing.
		g = &argGen{c: c, memo: map[argKey]*block{}, frames: map[frame]*frame{},
			spans: make([]span, 0, 32), points: make([]runPoint, 0, 16)}
		c.args = g
	}
	g.a, g.fall, g.root = a, fall, lvl
	// No frame of the last tree is referred to any more (the tables are
	// emptied below): its slab is reused.
	g.slab = g.slab[:0]
	clear(g.memo)
	clear(g.frames)
	for i := range g.cuts {
		g.cuts[i] = g.cuts[i][:0]
	}
	g.cutsDone, g.budget = false, 0
	return g.gen(g.frame(lvl, 0, nil), fullRanges())
}

// wordRange is what a path knows about one 32-bit argument word: its value
// lies in [lo, hi].
type wordRange struct{ lo, hi uint32 }

// wordRanges is the knowledge for every word: [arg][0 low, 1 high].
type wordRanges [6][2]wordRange

func fullRanges() wordRanges {
	var w wordRanges
	for i := range w {
		w[i] = [2]wordRange{{0, 0xffffffff}, {0, 0xffffffff}}
	}
	return w
}

// frame is a place to continue: node i of lvl, and after that level, up
// (nil: the fallthrough block). Frames are interned, so equal frames are
// the same pointer.
type frame struct {
	lvl *profile.Level
	i   int
	up  *frame
}

type argKey struct {
	at    *frame
	facts wordRanges
}

type argGen struct {
	c      *codegen
	a      arch.Arch
	fall   *block
	root   *profile.Level
	memo   map[argKey]*block
	frames map[frame]*frame
	slab   []frame // where new frames are allocated
	// valueSearch: per word, where tests change (all words, once cutsDone),
	// and the walk steps the tree's searches may still take.
	cuts     [2 * len(wordRanges{})][]uint64 // by wordIndex
	cutsDone bool
	budget   int
	// valueSearch's scratch stacks: each search pushes its spans and
	// points, and pops them when its code is built.
	spans  []span
	points []runPoint
}

func (g *argGen) frame(lvl *profile.Level, i int, up *frame) *frame {
	k := frame{lvl, i, up}
	if f, ok := g.frames[k]; ok {
		return f
	}
	if len(g.slab) == cap(g.slab) {
		g.slab = make([]frame, 0, 64)
	}
	g.slab = append(g.slab, k)
	f := &g.slab[len(g.slab)-1]
	g.frames[k] = f
	return f
}

func word(n *profile.Node) int {
	if n.Hi {
		return 1
	}
	return 0
}

// knownOutcome reports whether node n's test is known to be true or false
// for every value in r (known=false: it depends).
func knownOutcome(n *profile.Node, r wordRange) (result, known bool) {
	switch n.Op {
	case profile.CmpEQ:
		if r.lo == r.hi {
			return r.lo == n.Datum, true
		}
		if n.Datum < r.lo || n.Datum > r.hi {
			return false, true
		}
	case profile.CmpGT:
		if r.lo > n.Datum {
			return true, true
		}
		if r.hi <= n.Datum {
			return false, true
		}
	case profile.CmpGE:
		if r.lo >= n.Datum {
			return true, true
		}
		if r.hi < n.Datum {
			return false, true
		}
	case profile.CmpMaskedEQ:
		if r.lo == r.hi {
			return r.lo&n.Mask == n.Datum, true
		}
		if n.Mask == 0 {
			return n.Datum == 0, true
		}
	}
	return false, false
}

// narrowRange returns r restricted by node n's test having the given
// result.
func narrowRange(n *profile.Node, r wordRange, result bool) wordRange {
	switch {
	case n.Op == profile.CmpEQ && result:
		return wordRange{n.Datum, n.Datum}
	case n.Op == profile.CmpEQ && n.Datum == r.lo && r.lo < r.hi:
		return wordRange{r.lo + 1, r.hi}
	case n.Op == profile.CmpEQ && n.Datum == r.hi && r.lo < r.hi:
		return wordRange{r.lo, r.hi - 1}
	case n.Op == profile.CmpGT && result:
		return wordRange{max(r.lo, n.Datum+1), r.hi}
	case n.Op == profile.CmpGT:
		return wordRange{r.lo, min(r.hi, n.Datum)}
	case n.Op == profile.CmpGE && result:
		return wordRange{max(r.lo, n.Datum), r.hi}
	case n.Op == profile.CmpGE && n.Datum > 0:
		return wordRange{r.lo, min(r.hi, n.Datum-1)}
	case n.Op == profile.CmpMaskedEQ && result && n.Mask == 0xffffffff:
		return wordRange{n.Datum, n.Datum}
	}
	return r
}

// gen generates the code that continues at fr, knowing facts.
func (g *argGen) gen(fr *frame, facts wordRanges) *block {
	for fr != nil && fr.i == len(fr.lvl.Nodes) {
		fr = fr.up
	}
	if fr == nil {
		return g.fall
	}
	key := argKey{fr, facts}
	if b, ok := g.memo[key]; ok {
		return b
	}
	if b := g.valueSearch(fr, facts); b != nil {
		g.memo[key] = b
		return b
	}
	n := fr.lvl.Nodes[fr.i]
	next := g.frame(fr.lvl, fr.i+1, fr.up)
	branch := func(result bool) *block {
		f := facts
		f[n.Arg][word(n)] = narrowRange(n, facts[n.Arg][word(n)], result)
		sub, act, has := n.False, n.ActF, n.HasActF
		if result {
			sub, act, has = n.True, n.ActT, n.HasActT
		}
		switch {
		case sub != nil:
			return g.gen(g.frame(sub, 0, next), f)
		case has:
			return g.c.g.ret(uint32(act))
		}
		return g.gen(next, f)
	}
	var b *block
	if result, known := knownOutcome(n, facts[n.Arg][word(n)]); known {
		b = branch(result)
	} else {
		t, f := branch(true), branch(false)
		code := [maxBlockInsns]bpfInsn{ldAbs(argOffset(g.a, n.Arg, n.Hi))}
		nc := 1
		op, k := opJeqK, n.Datum
		switch n.Op {
		case profile.CmpGT:
			op = opJgtK
		case profile.CmpGE:
			op = opJgeK
		case profile.CmpMaskedEQ:
			switch {
			case n.Mask == 0xffffffff:
			case n.Datum == 0:
				// No bit of the mask set: jset with the branches
				// swapped, one instruction less than "and; jeq #0",
				// and A keeps the word.
				op, k, t, f = opJsetK, n.Mask, f, t
			case n.Datum == n.Mask && n.Mask&(n.Mask-1) == 0:
				// The one bit of the mask set.
				op = opJsetK
			default:
				code[1], nc = andK(n.Mask), 2
			}
		}
		b = g.c.g.cond(code[:nc], op, k, t, f)
	}
	g.memo[key] = b
	return b
}

// argOffset is the offset of one 32-bit word of argument i: the high word
// of a 64-bit argument is at +4 on little-endian and +0 on big-endian
// architectures; 32-bit architectures compare the low word only.
func argOffset(a arch.Arch, i int, hi bool) uint32 {
	off := uint32(offArgs + 8*i)
	if hi != a.BigEndian() {
		off += 4
	}
	return off
}

// treeWeights are what the search tree of one audit value is built for.
type treeWeights struct {
	// cost weighs each interval by what its syscalls cost: one per
	// syscall the architecture's table has in it, times costBase^(the
	// instructions its leaf runs with zero arguments). Alone, that
	// balances the tree by cost: argument-filtered syscalls sit higher,
	// every path costs about the same and the longest one is short.
	cost []float64
	// freq is the call frequency of each interval (Options.Weights, else
	// DefaultMix), for the native architecture only (nil otherwise).
	freq []float64
	// path is the instructions each leaf runs with zero arguments.
	path []int
}

// leafWeights returns the weights the search tree is built for, or nil for
// a tree balanced by interval count (Options.Balanced). cost and freq each
// sum to 1 (freq is nil when no call is known).
func (c *codegen) leafWeights(ivs []interval, arches []arch.Arch, leaves []*block) *treeWeights {
	if c.opts.Balanced {
		return nil
	}
	native := arches[0] == c.pol.Arches[0]
	tw := &treeWeights{cost: make([]float64, len(ivs)), path: make([]int, len(ivs))}
	ws := tw.cost
	for _, a := range arches {
		addPerInterval(ivs, tableNumbers(a), nil, nil, ws)
	}
	costTotal := 0.0
	for i := range ws {
		tw.path[i] = zeroArgPath(leaves[i])
		w := max(ws[i], holeWeight) * math.Pow(costBase, float64(tw.path[i]))
		if !native || (ivs[i].lo >= arch.X32SyscallBit && c.pol.Arches[0] != arch.X32) {
			// Calls of a secondary ABI (x32 next to x86_64) are rare.
			w *= secondaryABIWeight
		}
		ws[i] = w
		costTotal += w
	}
	for i := range ws {
		ws[i] /= costTotal
	}
	if !native {
		return tw
	}
	freq := make([]float64, len(ivs))
	nrs, w := c.callWeights()
	var skip func(i int, u uint32) bool
	if c.opts.UncachedOnly {
		skip = cachedCall(leaves, c.pol.Arches[0])
	}
	addPerInterval(ivs, nrs, w, skip, freq)
	freqTotal := 0.0
	for i, f := range freq {
		freq[i] = max(f, 0)
		freqTotal += freq[i]
	}
	if freqTotal > 0 {
		for i := range freq {
			freq[i] /= freqTotal
		}
		tw.freq = freq
	}
	return tw
}

// callWeights returns the call frequencies the native architecture's tree
// is weighted by (Options.Weights, else DefaultMix), by ascending number.
func (c *codegen) callWeights() ([]uint32, []float64) {
	if c.opts.Weights != nil {
		return sortedWeights(c.opts.Weights)
	}
	m := defaultMixNumbers(c.pol.Arches[0])
	return m.nrs, m.w
}

// cachedCall returns, for an UncachedOnly tree, whether the kernel's
// action cache (Linux ≥ 5.11) answers the calls of number u, which falls in
// interval i: its leaf allows without reading anything (the search above
// it reads only nr and arch, see ConstAllow), and u is in the native
// ABI's bitmap (KernelCaches; not x32's numbers on x86_64 nor arm's
// private calls, which lie past it, see defaultCacheLimit). Nil when the
// ABI has no bitmap.
func cachedCall(leaves []*block, native arch.Arch) func(i int, u uint32) bool {
	if !KernelCaches(native) {
		return nil
	}
	bit, limit := uint64(native.Info().SyscallBit), uint64(defaultCacheLimit(native))
	return func(i int, u uint32) bool {
		b := leaves[i]
		return uint64(u) >= bit && uint64(u)-bit < limit &&
			b.kind == termRet && b.nIns == 0 && profile.Action(b.k) == profile.ActAllow
	}
}

// costBase, mixShare, maxRegret and secondaryABIWeight tune the search
// tree. Alone, a base near 1 approaches a tree balanced by count (best
// mean over all syscalls), a base of 2 one balanced by cost (best worst
// case); mixShare is how much the call frequencies count against that,
// as long as the longest path stays within maxRegret instructions of the
// tree balanced by cost alone (else the share is halved, down to 0). Chosen on Docker's
// and containers-common's profiles with the recorded mixes (bench/README.md):
// 2 and 0.8 keep the longest x86_64 path at 15 and the mean over all
// syscalls under 10.5, and give most of what a tree weighted by the mixes
// alone saves per call (a larger share brings the longest path back to 16
// and more, for a few hundredths of an instruction).
const (
	costBase           = 2.0
	mixShare           = 0.8
	maxRegret          = 1
	secondaryABIWeight = 1.0 / 16
)

const holeWeight = 0.5 // an interval with no known syscall in it

// zeroArgPath counts the instructions a leaf runs when every argument is
// zero: the loads, ALU instructions and compares on its path and the
// return.
func zeroArgPath(b *block) int {
	n := 0
	for b != nil {
		n += int(b.nIns)
		switch b.kind {
		case termRet:
			return n + 1
		case termJump:
			b = b.succT
			continue
		}
		n++
		// Every word a leaf loads is zero, and so is any AND of it: jeq
		// and jge are taken for #0 only, jgt and jset never.
		taken := (b.op == opJeqK || b.op == opJgeK) && b.k == 0
		if taken {
			b = b.succT
		} else {
			b = b.succF
		}
	}
	return n
}

// sortedWeights returns the numbers of a weight map in ascending order
// (as uint32, the order of the intervals) with their weights.
func sortedWeights(m map[int]float64) ([]uint32, []float64) {
	type weighted struct {
		nr uint32
		w  float64
	}
	ws := make([]weighted, 0, len(m))
	for nr, w := range m {
		ws = append(ws, weighted{uint32(nr), w})
	}
	slices.SortFunc(ws, func(a, b weighted) int { return cmp.Compare(a.nr, b.nr) })
	nrs := make([]uint32, len(ws))
	w := make([]float64, len(ws))
	for k := range ws {
		nrs[k], w[k] = ws[k].nr, ws[k].w
	}
	return nrs, w
}

type numberWeights struct {
	nrs []uint32
	w   []float64
}

var defaultMixCache sync.Map // arch.Arch → numberWeights

// defaultMixNumbers is DefaultMix(a) sorted by number, computed once per
// architecture.
func defaultMixNumbers(a arch.Arch) numberWeights {
	if v, ok := defaultMixCache.Load(a); ok {
		return v.(numberWeights)
	}
	nrs, w := sortedWeights(DefaultMix(a))
	m := numberWeights{nrs, w}
	defaultMixCache.Store(a, m)
	return m
}

// addPerInterval adds weight[k] (nil: 1) of each number nrs[k] (sorted
// ascending) to the interval of ivs (sorted, the first starting at 0) that
// holds it, in one merge-like pass; skip, if not nil, leaves some out.
func addPerInterval(ivs []interval, nrs []uint32, weight []float64, skip func(i int, u uint32) bool, out []float64) {
	i := 0
	for k, u := range nrs {
		for i+1 < len(ivs) && ivs[i+1].lo <= u {
			i++
		}
		switch {
		case skip != nil && skip(i, u):
		case weight == nil:
			out[i]++
		default:
			out[i] += weight[k]
		}
	}
}

var tableNumbersCache sync.Map // arch.Arch → []uint32

// tableNumbers returns the sorted syscall numbers of a's table, computed
// once per architecture.
func tableNumbers(a arch.Arch) []uint32 {
	if v, ok := tableNumbersCache.Load(a); ok {
		return v.([]uint32)
	}
	t := syscalls.Table(a) // sorted by number, none negative
	nrs := make([]uint32, len(t))
	for i, s := range t {
		nrs[i] = uint32(s.Nr)
	}
	tableNumbersCache.Store(a, nrs)
	return nrs
}

// weightedSplits plans the tree of the native architecture: the dynamic
// program, with chains, over its intervals. Where x32 shares the tree (abi
// is its first interval, else -1), all the intervals from abi on count as
// one leaf of the program, whose subtree is bisected by weight: x32 calls
// are rare, and the program's O(n^2) then runs on x86_64's 65 intervals
// instead of 160.
func (c *codegen) weightedSplits(ivs []interval, weight []float64, abi int) func(lo, hi int) int {
	n, top := len(ivs), len(ivs)
	if abi > 0 {
		top = abi + 1
	}
	dpWeight := weight[:top]
	if abi > 0 {
		rest := 0.0
		for _, w := range weight[abi:] {
			rest += w
		}
		dpWeight = append(weight[:abi:abi], rest)
	}
	plan := optimalPlan(dpWeight, func(lo, hi int) (float64, bool) {
		if abi > 0 && hi > abi {
			return 0, false
		}
		_, cost := chainOf(ivs, lo, hi, weight)
		return cost, cost >= 0
	})
	if abi <= 0 {
		return plan
	}
	bisect := balancedByWeight(weight)
	return func(lo, hi int) int {
		switch {
		case lo >= abi:
			return bisect(lo, hi)
		case hi == n:
			return plan(lo, top)
		}
		return plan(lo, hi)
	}
}
