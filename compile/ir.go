package compile

import (
	"cmp"
	"errors"

	"golang.org/x/net/bpf"
)

// The code generator builds a control-flow graph of blocks: straight-line
// loads and ALU instructions ending in one terminator (a return, a
// conditional jump with two successors, or an unconditional jump). Jumps
// name blocks, never offsets; the assembler (asm.go) lays the blocks out
// and turns the names into jt/jf/ja offsets.

// termKind is how a block ends.
type termKind uint8

type bpfInsn = bpf.RawInstruction

const (
	termRet  termKind = iota // ret #k
	termCond                 // j<op> #k, then: true, else: false
	termJump                 // ja true
)

// maxBlockInsns is the most loads and ALU instructions a block carries:
// the generator makes blocks of "ld" or "ld; and" in front of a jump, and
// the arch dispatch prepends "ld arch" to a jump block with none.
const maxBlockInsns = 2

// block is a node of the control-flow graph. It is 64 bytes: a program
// has hundreds of blocks, so the instructions are held inline and the
// passes' fields are packed (see TestBlockSize).
type block struct {
	ins   [maxBlockInsns]bpfInsn // ins[:nIns]: loads and ALU only
	succT *block                 // termCond: taken when true; termJump: the target
	succF *block                 // termCond: taken when false
	// shared is filled by share: the canonical block this one became.
	shared *block
	id     int32
	k      uint32 // the constant of the return or the comparison
	op     uint16 // for termCond: BPF_JMP|BPF_J*|BPF_K
	kind   termKind
	nIns   uint8

	// Filled by the other passes (fields rather than maps: the passes touch
	// every block once or twice, and map lookups dominated them).
	order   int32 // layout: position in the layout
	laidOut bool  // layout: visited
	accSeen bool  // dropRedundantLoads: the entry state holds the meet of the preds seen
	// dropRedundantLoads: what A holds on entry (accState, flattened).
	accKnown bool
	accOff   uint8
	accMask  uint32
}

// code returns the block's loads and ALU instructions.
func (b *block) code() []bpfInsn { return b.ins[:b.nIns] }

// dropCode removes the block's first n instructions.
func (b *block) dropCode(n int) {
	n = min(n, int(b.nIns))
	copy(b.ins[:], b.ins[n:b.nIns])
	clear(b.ins[int(b.nIns)-n:])
	b.nIns -= uint8(n)
}

// entryAcc is what dropRedundantLoads knows A holds on entry.
func (b *block) entryAcc() accState {
	return accState{off: uint32(b.accOff), mask: b.accMask, known: b.accKnown}
}

// setEntryAcc records s as what A holds on entry. An offset past a byte
// (never generated: seccomp_data is 64 bytes) is recorded as unknown.
func (b *block) setEntryAcc(s accState) {
	if s.off > 0xff {
		s = accState{}
	}
	b.accKnown, b.accOff, b.accMask = s.known, uint8(s.off), s.mask
}

// Opcodes the generator uses.
const (
	opLdAbs uint16 = 0x20 // BPF_LD|BPF_W|BPF_ABS
	opAndK  uint16 = 0x54 // BPF_ALU|BPF_AND|BPF_K
	opRetK  uint16 = 0x06 // BPF_RET|BPF_K
	opJa    uint16 = 0x05 // BPF_JMP|BPF_JA
	opJeqK  uint16 = 0x15 // BPF_JMP|BPF_JEQ|BPF_K
	opJgtK  uint16 = 0x25 // BPF_JMP|BPF_JGT|BPF_K
	opJgeK  uint16 = 0x35 // BPF_JMP|BPF_JGE|BPF_K
	opJsetK uint16 = 0x45 // BPF_JMP|BPF_JSET|BPF_K
)

func ldAbs(off uint32) bpf.RawInstruction { return bpf.RawInstruction{Op: opLdAbs, K: off} }
func andK(m uint32) bpf.RawInstruction    { return bpf.RawInstruction{Op: opAndK, K: m} }

// errBlockCode is a generator bug: a block given more instructions than
// it holds.
var errBlockCode = errors.New("block given more than 2 instructions")

// graph owns the blocks of one program and interns returns. Blocks come
// from slabs: a program has hundreds of small blocks, and one allocation
// each dominated the compiler's garbage.
type graph struct {
	n     int32 // blocks added
	slab  []block
	slabs [][]block // every slab, in the order made (share reads them)
	// The returns, interned: the first few in a list (a policy has a
	// handful of actions, and the generator asks for one per leaf), the
	// others in a map.
	retK [8]uint32
	retB [8]*block
	nRet int
	rets map[uint32]*block
	err  error // the first generator bug seen (errBlockCode)
}

// slabBlocks is how many blocks one slab holds (Docker's default profile
// needs about 310 blocks; 64 blocks are 4 KB).
const slabBlocks = 64

func newGraph() *graph { return &graph{} }

// newBlock returns a zeroed block owned by g, numbered.
func (g *graph) newBlock() *block {
	if len(g.slab) == cap(g.slab) {
		g.slab = make([]block, 0, slabBlocks)
		g.slabs = append(g.slabs, g.slab)
	}
	g.slab = g.slab[:len(g.slab)+1]
	b := &g.slab[len(g.slab)-1]
	b.id = g.n
	g.n++
	return b
}

// setCode makes insns b's loads and ALU instructions (copied).
func (g *graph) setCode(b *block, insns []bpfInsn) {
	if len(insns) > maxBlockInsns {
		g.err = cmp.Or(g.err, errBlockCode)
		return
	}
	b.nIns = uint8(copy(b.ins[:], insns))
	clear(b.ins[b.nIns:])
}

// prepend puts ins in front of b's instructions.
func (g *graph) prepend(b *block, ins bpfInsn) {
	if b.nIns == maxBlockInsns {
		g.err = cmp.Or(g.err, errBlockCode)
		return
	}
	copy(b.ins[1:], b.ins[:b.nIns])
	b.ins[0] = ins
	b.nIns++
}

// ret returns the one block that returns k.
func (g *graph) ret(k uint32) *block {
	for i := range g.nRet {
		if g.retK[i] == k {
			return g.retB[i]
		}
	}
	if b, ok := g.rets[k]; ok {
		return b
	}
	b := g.newBlock()
	b.kind, b.k = termRet, k
	if g.nRet < len(g.retK) {
		g.retK[g.nRet], g.retB[g.nRet] = k, b
		g.nRet++
		return b
	}
	if g.rets == nil {
		g.rets = map[uint32]*block{}
	}
	g.rets[k] = b
	return b
}

// cond adds a block that runs insns (copied) and then jumps on A <op> k.
func (g *graph) cond(insns []bpf.RawInstruction, op uint16, k uint32, t, f *block) *block {
	b := g.newBlock()
	g.setCode(b, insns)
	b.kind, b.op, b.k, b.succT, b.succF = termCond, op, k, t, f
	return b
}

// condLd adds a block that loads the word at off and then jumps on
// A <op> k.
func (g *graph) condLd(off uint32, op uint16, k uint32, t, f *block) *block {
	return g.cond([]bpfInsn{ldAbs(off)}, op, k, t, f)
}
