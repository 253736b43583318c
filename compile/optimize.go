package compile

// Optimizations on the block graph. All of them keep every path's result:
// they only remove tests whose outcome does not matter, share identical
// code, and drop loads of a value the accumulator already holds.

// thread replaces references to a block that tests but goes to the same
// place either way, and to empty unconditional jumps, by their target.
func thread(b *block) *block {
	for {
		switch {
		case b.kind == termCond && b.succT == b.succF && b.nIns == 0:
			b = b.succT
		case b.kind == termJump && b.nIns == 0:
			b = b.succT
		default:
			return b
		}
	}
}

// share merges structurally identical blocks (same instructions, same
// terminator, same successors after merging), bottom-up, and threads
// trivial jumps. It returns the new entry.
//
// The generator makes every block after its successors, so g's blocks in
// the order they were made are already bottom-up: one pass over the slabs
// shares them, reading memory in order. Should a block come before one
// of its successors, the pass stops and a depth-first walk from the entry
// finishes the job (the same result: blocks already shared stay so).
func share(g *graph, entry *block) *block {
	canon := newBlockSet(int(g.n))
	if !canon.addInOrder(g) {
		return shareFrom(entry, &canon)
	}
	return entry.shared
}

// addInOrder shares g's blocks in the order they were made, and reports
// whether it could: false when a block comes before one of its
// successors (it stops there).
func (s *blockSet) addInOrder(g *graph) bool {
	left := int(g.n)
	for _, slab := range g.slabs {
		slab = slab[:min(cap(slab), left)]
		left -= len(slab)
		for i := range slab {
			b := &slab[i]
			if b.succT != nil && b.succT.shared == nil || b.succF != nil && b.succF.shared == nil {
				return false
			}
			s.add(b)
		}
	}
	return true
}

// shareFrom shares the blocks reachable from entry depth-first.
func shareFrom(entry *block, canon *blockSet) *block {
	var visit func(b *block) *block
	visit = func(b *block) *block {
		if b.shared != nil {
			return b.shared
		}
		if b.succT != nil {
			b.succT = visit(b.succT)
		}
		if b.succF != nil {
			b.succF = visit(b.succF)
		}
		canon.add(b)
		return b.shared
	}
	return visit(entry)
}

// add shares b, whose successors are shared: they become their canonical
// blocks, then b becomes the block it jumps to if it is trivial, else
// the canonical block with its content.
func (s *blockSet) add(b *block) {
	if b.succT != nil {
		b.succT = b.succT.shared
	}
	if b.succF != nil {
		b.succF = b.succF.shared
	}
	if t := thread(b); t != b {
		// t is a successor, shared and not trivial.
		b.shared = t.shared
		return
	}
	b.shared = s.findOrAdd(b)
}

// blockSet is a hash set of canonical blocks by content (sameContent),
// open addressing over block pointers: a tenth of the memory a map keyed
// by content takes, and share allocates nothing else.
type blockSet struct {
	slots []*block
	mask  uint64
}

// newBlockSet returns a set for up to n blocks, at most two thirds full.
func newBlockSet(n int) blockSet {
	size := 16
	for size < n+n/2 {
		size <<= 1
	}
	return blockSet{slots: make([]*block, size), mask: uint64(size - 1)}
}

// findOrAdd returns the block in s with b's content, adding b as that
// block if there is none.
func (s *blockSet) findOrAdd(b *block) *block {
	for i := contentHash(b) & s.mask; ; i = (i + 1) & s.mask {
		c := s.slots[i]
		if c == nil {
			s.slots[i] = b
			return b
		}
		if sameContent(c, b) {
			return c
		}
	}
}

// sameContent reports whether a and b run the same instructions and end
// the same way, going to the same blocks. Unused instruction slots are
// zero (setCode), so the arrays compare whole.
func sameContent(a, b *block) bool {
	return a.nIns == b.nIns && a.kind == b.kind && a.op == b.op && a.k == b.k &&
		a.ins == b.ins && a.succT == b.succT && a.succF == b.succF
}

// contentHash hashes what sameContent compares (successors by number).
func contentHash(b *block) uint64 {
	const m1, m2 = 0x9e3779b97f4a7c15, 0xc2b2ae3d27d4eb4f
	x := uint64(b.k) | uint64(b.op)<<32 | uint64(b.nIns)<<48 | uint64(b.kind)<<56
	y := uint64(b.ins[0].K) | uint64(b.ins[1].K)<<32
	z := uint64(uint32(blockID(b.succT))) | uint64(uint32(blockID(b.succF)))<<32
	h := (x ^ y*m2 ^ z) * m1
	return h ^ h>>29
}

func blockID(b *block) int32 {
	if b == nil {
		return -1
	}
	return b.id
}

// accState is what the accumulator is known to hold: a 32-bit word of
// seccomp_data at off, ANDed with mask. known=false: anything.
type accState struct {
	off   uint32
	mask  uint32
	known bool
}

// dropRedundantLoads removes a block's leading "ld [off]" (and "and
// #mask") when every path into the block leaves exactly that value in A.
// blocks must be in a topological order (every block after its
// predecessors), which the layout provides.
func dropRedundantLoads(blocks []*block) {
	meet := func(b *block, s accState) {
		if !b.accSeen {
			b.accSeen = true
			b.setEntryAcc(s)
			return
		}
		if b.entryAcc() != s {
			b.setEntryAcc(accState{})
		}
	}
	for i, b := range blocks {
		s := accState{}
		if i > 0 {
			s = b.entryAcc()
		}
		want, n := loadPrefix(b.code())
		switch {
		case n == 0:
		case s.known && s.off == want.off && s.mask == want.mask:
			b.dropCode(n)
		case n == 2 && s.known && s.off == want.off && s.mask == 0xffffffff:
			b.dropCode(1) // keep the "and"
		}
		out := s
		if n > 0 {
			out = want
		}
		if int(b.nIns) > n && n > 0 {
			out = accState{} // something else touched A
		}
		if b.succT != nil {
			meet(b.succT, out)
		}
		if b.succF != nil {
			meet(b.succF, out)
		}
	}
}

// loadPrefix recognizes "ld [off]" or "ld [off]; and #m" at the start of
// insns and returns the state it leaves and how many instructions it is.
func loadPrefix(insns []bpfInsn) (accState, int) {
	if len(insns) == 0 || insns[0].Op != opLdAbs {
		return accState{}, 0
	}
	s := accState{known: true, off: insns[0].K, mask: 0xffffffff}
	if len(insns) > 1 && insns[1].Op == opAndK {
		s.mask = insns[1].K
		return s, 2
	}
	return s, 1
}
