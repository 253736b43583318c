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
// trivial jumps. It returns the new entry. n is the number of blocks, a
// size hint.
func share(entry *block, n int) *block {
	canon := newBlockSet(n)
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
		t := thread(b)
		if t != b {
			b.shared = visit(t)
			return b.shared
		}
		b.shared = canon.findOrAdd(b)
		return b.shared
	}
	return visit(entry)
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
	const m = 0x9e3779b97f4a7c15
	insn := func(i bpfInsn) uint64 {
		return uint64(i.Op) | uint64(i.Jt)<<16 | uint64(i.Jf)<<24 | uint64(i.K)<<32
	}
	h := uint64(b.nIns) | uint64(b.kind)<<8 | uint64(b.op)<<16 | uint64(b.k)<<32
	for _, x := range [...]uint64{insn(b.ins[0]), insn(b.ins[1]), uint64(uint32(blockID(b.succT))) | uint64(uint32(blockID(b.succF)))<<32} {
		h = (h ^ x) * m
		h ^= h >> 29
	}
	return h
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
