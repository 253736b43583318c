package compile

import "golang.org/x/net/bpf"

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

// block is a node of the control-flow graph.
type block struct {
	insns []bpf.RawInstruction // loads and ALU only
	succT *block               // termCond: taken when true; termJump: the target
	succF *block               // termCond: taken when false
	id    int32
	k     uint32 // the constant of the return or the comparison
	op    uint16 // for termCond: BPF_JMP|BPF_J*|BPF_K
	kind  termKind

	// Filled by the passes (fields rather than maps: the passes touch
	// every block once or twice, and map lookups dominated them).
	laidOut bool   // layout: visited
	accSeen bool   // dropRedundantLoads: acc holds the meet of the preds seen
	order   int32  // position in the layout
	shared  *block // share: the canonical block this one became
	acc     accState
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

// graph owns the blocks of one program and interns returns. Blocks and
// their instructions come from slabs: a program has hundreds of small
// blocks, and one allocation each dominated the compiler's garbage.
type graph struct {
	n     int32 // blocks added
	slab  []block
	insns []bpfInsn
	rets  map[uint32]*block
}

// slabBlocks and slabInsns are how many blocks and instructions one slab
// holds (Docker's default profile needs about 310 blocks).
const (
	slabBlocks = 64
	slabInsns  = 512
)

func newGraph() *graph { return &graph{rets: map[uint32]*block{}} }

// newBlock returns a zeroed block owned by g, numbered.
func (g *graph) newBlock() *block {
	if len(g.slab) == cap(g.slab) {
		g.slab = make([]block, 0, slabBlocks)
	}
	g.slab = g.slab[:len(g.slab)+1]
	b := &g.slab[len(g.slab)-1]
	b.id = g.n
	g.n++
	return b
}

// code returns insns as a slice of g's instruction slab, with no room to
// grow into its neighbours.
func (g *graph) code(insns ...bpfInsn) []bpfInsn {
	if len(insns) == 0 {
		return nil
	}
	if len(g.insns)+len(insns) > cap(g.insns) {
		g.insns = make([]bpfInsn, 0, max(slabInsns, len(insns)))
	}
	start := len(g.insns)
	g.insns = append(g.insns, insns...)
	return g.insns[start:len(g.insns):len(g.insns)]
}

// ret returns the one block that returns k.
func (g *graph) ret(k uint32) *block {
	if b, ok := g.rets[k]; ok {
		return b
	}
	b := g.newBlock()
	b.kind, b.k = termRet, k
	g.rets[k] = b
	return b
}

// cond adds a block that runs insns and then jumps on A <op> k.
func (g *graph) cond(insns []bpf.RawInstruction, op uint16, k uint32, t, f *block) *block {
	b := g.newBlock()
	b.insns, b.kind, b.op, b.k, b.succT, b.succF = insns, termCond, op, k, t, f
	return b
}

// condLd adds a block that loads the word at off and then jumps on
// A <op> k.
func (g *graph) condLd(off uint32, op uint16, k uint32, t, f *block) *block {
	return g.cond(g.code(ldAbs(off)), op, k, t, f)
}
