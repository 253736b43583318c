package compile

import (
	"math"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
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
	// Arch dispatch, built back to front: the last test falls through to
	// the bad-arch action.
	next := c.g.ret(uint32(c.pol.BadArch))
	for i := len(groups) - 1; i >= 0; i-- {
		g := groups[i]
		body := c.archBody(g.arches)
		next = c.g.cond(nil, opJeqK, g.audit, body, next)
	}
	// The first block loads the arch.
	next.insns = append([]bpfInsn{ldAbs(offArch)}, next.insns...)
	return next
}

// archBody is the code for one audit value: load the number, search.
func (c *codegen) archBody(arches []arch.Arch) *block {
	ivs := intervals(c.pol, arches)
	c.intervals[arches[0]] = len(ivs)
	weight := c.leafWeights(ivs, arches[0] == c.pol.Arches[0])
	entry := c.searchTree(ivs, weight, func(iv interval) *block {
		if iv.d.sys == nil {
			return c.g.ret(uint32(iv.d.action))
		}
		return c.argTree(iv.d.sys.Tree, iv.d.arch, c.g.ret(uint32(c.pol.Default)))
	})
	if entry.kind == termRet {
		// One interval: no search; the return needs no load.
		return entry
	}
	// Load the number in front of the search. The root block of the
	// search has no instructions of its own.
	root := c.g.add(&block{insns: []bpfInsn{ldAbs(offNr)}, kind: termJump, succT: entry})
	return root
}

// argTree lowers one level of libseccomp's argument tree. Nodes are tried
// in order; a branch without a deeper level or an action falls through to
// the next node, the last node to fall (gen_bpf.c _gen_bpf_chain).
func (c *codegen) argTree(lvl *profile.Level, a arch.Arch, fall *block) *block {
	next := fall
	for i := len(lvl.Nodes) - 1; i >= 0; i-- {
		n := lvl.Nodes[i]
		target := func(sub *profile.Level, act profile.Action, has bool) *block {
			switch {
			case sub != nil:
				return c.argTree(sub, a, next)
			case has:
				return c.g.ret(uint32(act))
			}
			return next
		}
		t := target(n.True, n.ActT, n.HasActT)
		f := target(n.False, n.ActF, n.HasActF)
		if n.Op == profile.CmpMaskedEQ && n.Mask == 0 {
			// (A & 0) == 0 always holds: libseccomp still emits the test.
			next = t
			continue
		}
		insns := []bpfInsn{ldAbs(argOffset(a, n.Arg, n.Hi))}
		op := opJeqK
		switch n.Op {
		case profile.CmpGT:
			op = opJgtK
		case profile.CmpGE:
			op = opJgeK
		case profile.CmpMaskedEQ:
			if n.Mask != 0xffffffff {
				insns = append(insns, andK(n.Mask))
			}
		}
		next = c.g.cond(insns, op, n.Datum, t, f)
	}
	return next
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

// leafWeights returns the weights the search tree is built for, or nil for
// a tree balanced by interval count.
//
// With user weights (Options.Weights, native architecture only), an
// interval weighs what its syscalls weigh. Otherwise the tree is balanced
// by cost: an interval weighs 2^(instructions its leaf runs with zero
// arguments), which puts argument-filtered syscalls higher in the tree so
// that every path costs about the same and the longest path is short.
func (c *codegen) leafWeights(ivs []interval, native bool) func(int) float64 {
	switch {
	case c.opts.Balanced:
		return nil
	case c.opts.Weights != nil && native:
		return func(i int) float64 {
			lo := uint64(ivs[i].lo)
			hi := uint64(0x100000000)
			if i+1 < len(ivs) {
				hi = uint64(ivs[i+1].lo)
			}
			w := 0.0
			for nr, f := range c.opts.Weights {
				if u := uint64(uint32(nr)); u >= lo && u < hi {
					w += f
				}
			}
			return w
		}
	}
	return func(i int) float64 {
		cost := 1
		if sp := ivs[i].d.sys; sp != nil {
			cost = zeroArgCost(sp.Tree)
		}
		w := math.Pow(costBase, float64(cost))
		if !native || (ivs[i].lo >= arch.X32SyscallBit && c.pol.Arches[0] != arch.X32) {
			// Calls of a secondary ABI (x32 next to x86_64) are rare.
			w *= secondaryABIWeight
		}
		return w
	}
}

// costBase and secondaryABIWeight tune the cost-balanced tree: a base
// near 1 approaches a tree balanced by count (best mean), a base of 2 one
// balanced by cost (best worst case). Measured on Docker's default profile
// (bench/): 1.3 gives both a short mean and a short worst path.
const (
	costBase           = 1.3
	secondaryABIWeight = 1.0 / 16
)

// zeroArgCost estimates the instructions an argument tree runs when every
// argument is zero: a load and a jump per node visited, and the return.
func zeroArgCost(lvl *profile.Level) int {
	var args [6]uint64
	cost := 0
	var walk func(l *profile.Level) bool
	walk = func(l *profile.Level) bool {
		for _, n := range l.Nodes {
			cost += 2
			next, has := n.False, n.HasActF
			if n.Matches(args) {
				next, has = n.True, n.HasActT
			}
			if next != nil {
				if walk(next) {
					return true
				}
			} else if has {
				return true
			}
		}
		return false
	}
	walk(lvl)
	return cost + 1
}
