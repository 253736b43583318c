package compile

import (
	"slices"

	"github.com/seccompctl/seccompctl/profile"
)

// Searches over the values of one argument word. libseccomp lists the
// values of rules on the same word one after the other: Docker's
// personality rule is five "jeq" on args[0].lo in a row, each returning
// ALLOW and falling through to the next on a mismatch. From a node on a
// word, the walk (through that word's tests, and tests whose outcome the
// path already knows) ends in an outcome that depends on the word alone:
// an action, or a place to continue at (a test on something else, or the
// end of the tree). That outcome is constant on a few intervals of the
// word's values. When every interval but those of one outcome is a single
// value, a search over those values decides the same in fewer compares:
// jge splits the values in halves, chains of at most three jeq test them
// (personality: four compares at most instead of five, two for
// personality(0); socket's {38, 40}: two instead of three).

// runOutcome is what a value of the word gets: an action (has), or
// continuing at a frame (nil: the fallthrough block).
type runOutcome struct {
	act profile.Action
	has bool
	at  *frame
}

// span is a run of values of the word with one outcome.
type span struct {
	lo, hi uint32
	out    runOutcome
}

// runPoint is a value whose outcome differs from the default one.
type runPoint struct {
	v   uint32
	out runOutcome
}

// maxCuts and maxSteps bound the work of one value search (the spans
// it looks at, the tree nodes it walks in all), and budgetPerNode the
// steps all the searches of one tree may take: a tree with thousands of
// values on one word (ioctl allowlists), or many tests each tried as the
// start of a search, is coded node by node as before, in time linear in
// the tree.
const (
	maxCuts       = 128
	maxSteps      = 4096
	budgetPerNode = 16
)

// maxChain is how many jeq a leaf of the value search tests in a row
// before a jge split pays off.
const maxChain = 3

// plainOp reports whether n is a compare of the whole word with a
// constant (jeq, jgt, jge).
func plainOp(n *profile.Node) bool {
	switch n.Op {
	case profile.CmpEQ, profile.CmpGT, profile.CmpGE:
		return true
	case profile.CmpMaskedEQ:
		return n.Mask == 0xffffffff
	}
	return false
}

// wordKey names one argument word.
type wordKey struct {
	arg int
	hi  bool
}

// walkWord follows the tree from fr for word value v, knowing facts for
// the other words: tests on the word are evaluated, tests whose outcome
// facts decide are followed, and the walk stops at any other test. It
// returns the outcome and the compares the node-by-node code would make
// on the way (which narrows the word's range as it goes).
//
// The walk's place is a frame value: only the frames it returns or
// continues below (the up of a sub-level) are interned, not every node it
// passes.
func (g *argGen) walkWord(fr *frame, facts wordRanges, w wordKey, v uint32, steps *int) (runOutcome, int) {
	r := facts[w.arg][b2i(w.hi)]
	compares := 0
	cur := *fr
	for ; *steps < min(maxSteps, g.budget); *steps++ {
		for cur.i == len(cur.lvl.Nodes) {
			if cur.up == nil {
				return runOutcome{}, compares
			}
			cur = *cur.up
		}
		n := cur.lvl.Nodes[cur.i]
		var m bool
		if n.Arg == w.arg && n.Hi == w.hi {
			if !plainOp(n) {
				return runOutcome{at: g.frame(cur.lvl, cur.i, cur.up)}, compares
			}
			m, _ = knownOutcome(n, wordRange{v, v}) // a single value: always known
			if _, known := knownOutcome(n, r); !known {
				compares++
			}
			r = narrowRange(n, r, m)
		} else {
			result, known := knownOutcome(n, facts[n.Arg][word(n)])
			if !known {
				return runOutcome{at: g.frame(cur.lvl, cur.i, cur.up)}, compares
			}
			m = result
		}
		sub, act, has := n.False, n.ActF, n.HasActF
		if m {
			sub, act, has = n.True, n.ActT, n.HasActT
		}
		switch {
		case sub != nil:
			cur = frame{sub, 0, g.frame(cur.lvl, cur.i+1, cur.up)}
		case has:
			return runOutcome{act: act, has: true}, compares
		default:
			cur.i++
		}
	}
	return runOutcome{}, -1
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// wordCuts returns the values where a plain test on w anywhere in the
// tree changes outcome, sorted. The first call of a tree collects them for
// every word in one pass, and sets the tree's budget of walk steps.
func (g *argGen) wordCuts(w wordKey) []uint64 {
	if !g.cutsDone {
		g.cutsDone = true
		nodes := 0
		var visit func(l *profile.Level)
		visit = func(l *profile.Level) {
			for _, n := range l.Nodes {
				nodes++
				if plainOp(n) {
					c := &g.cuts[wordIndex(wordKey{n.Arg, n.Hi})]
					d := uint64(n.Datum)
					switch n.Op {
					case profile.CmpGT:
						*c = append(*c, d+1)
					case profile.CmpGE:
						*c = append(*c, d)
					default:
						*c = append(*c, d, d+1)
					}
				}
				if n.True != nil {
					visit(n.True)
				}
				if n.False != nil {
					visit(n.False)
				}
			}
		}
		visit(g.root)
		for i, c := range g.cuts {
			slices.Sort(c)
			g.cuts[i] = slices.Compact(c)
		}
		g.budget = budgetPerNode*nodes + maxSteps
	}
	return g.cuts[wordIndex(w)]
}

// wordIndex numbers the argument words 0 to 11 (g.cuts).
func wordIndex(w wordKey) int { return 2*w.arg + b2i(w.hi) }

// valueSearch returns the code for the walk from fr over the word fr's
// node tests as a search over the values with an exceptional outcome, or
// nil when that would not take fewer compares than testing node by node.
func (g *argGen) valueSearch(fr *frame, facts wordRanges) *block {
	first := fr.lvl.Nodes[fr.i]
	if !plainOp(first) {
		return nil
	}
	w := wordKey{first.Arg, first.Hi}
	r := facts[w.arg][word(first)]
	if _, known := knownOutcome(first, r); known {
		return nil
	}
	// spans and points live in the generator's scratch stacks until this
	// search is built: the searches it continues into push theirs above.
	spanMark, pointMark := len(g.spans), len(g.points)
	defer func() { g.spans, g.points = g.spans[:spanMark], g.points[:pointMark] }()
	seqWorst := 0
	cuts := g.wordCuts(w)
	k, _ := slices.BinarySearch(cuts, uint64(r.lo))
	if end, _ := slices.BinarySearch(cuts, uint64(r.hi)+1); end-k > maxCuts || g.budget <= 0 {
		return nil
	}
	steps := 0
	for start := uint64(r.lo); start <= uint64(r.hi); {
		// The first cut after start ends the span.
		for k < len(cuts) && cuts[k] <= start {
			k++
		}
		hi := uint64(r.hi)
		if k < len(cuts) && cuts[k]-1 < hi {
			hi = cuts[k] - 1
		}
		out, compares := g.walkWord(fr, facts, w, uint32(start), &steps)
		if compares < 0 {
			g.budget -= steps
			return nil // too much work
		}
		seqWorst = max(seqWorst, compares)
		if n := len(g.spans); n > spanMark && g.spans[n-1].out == out {
			g.spans[n-1].hi = uint32(hi)
		} else {
			g.spans = append(g.spans, span{uint32(start), uint32(hi), out})
		}
		start = hi + 1
	}
	spans := g.spans[spanMark:]
	g.budget -= steps
	// The default outcome is that of the spans wider than one value; they
	// must all agree. With only single values, the first one's.
	def := spans[0].out
	for _, s := range spans {
		if s.lo != s.hi {
			def = s.out
			break
		}
	}
	for _, s := range spans {
		switch {
		case s.out == def:
		case s.lo != s.hi:
			return nil
		default:
			g.points = append(g.points, runPoint{s.lo, s.out})
		}
	}
	points := g.points[pointMark:]
	if len(points) == 0 || searchDepth(len(points)) >= seqWorst {
		return nil
	}
	// Where the walk stops at another test, the code continues there
	// knowing the word lies in the hull of the values that got there.
	conts := map[*frame]*block{}
	outBlock := func(o runOutcome) *block {
		switch {
		case o.has:
			return g.c.g.ret(uint32(o.act))
		case o.at == nil:
			return g.fall
		}
		if b, ok := conts[o.at]; ok {
			return b
		}
		hull, any := wordRange{}, false
		for _, s := range spans {
			if s.out != o {
				continue
			}
			if !any {
				hull, any = wordRange{s.lo, s.hi}, true
			}
			hull.hi = s.hi
		}
		f := facts
		f[w.arg][word(first)] = hull
		b := g.gen(o.at, f)
		conts[o.at] = b
		return b
	}
	off := argOffset(g.a, w.arg, w.hi)
	var build func(ps []runPoint) *block
	build = func(ps []runPoint) *block {
		if len(ps) > maxChain {
			mid := len(ps) / 2
			right := build(ps[mid:])
			left := build(ps[:mid])
			return g.c.g.condLd(off, opJgeK, ps[mid].v, right, left)
		}
		// A chain of jeq, zero first: the value calls pass most often and
		// the one the zero-argument cost tables count. The others keep
		// their order. Built back to front.
		b := outBlock(def)
		zero := -1
		for k := len(ps) - 1; k >= 0; k-- {
			if ps[k].v == 0 {
				zero = k
				continue
			}
			b = g.c.g.condLd(off, opJeqK, ps[k].v, outBlock(ps[k].out), b)
		}
		if zero >= 0 {
			b = g.c.g.condLd(off, opJeqK, 0, outBlock(ps[zero].out), b)
		}
		return b
	}
	return build(points)
}

// searchDepth is the most compares the value search makes over k values.
func searchDepth(k int) int {
	if k <= maxChain {
		return k
	}
	mid := k / 2
	return 1 + max(searchDepth(mid), searchDepth(k-mid))
}
