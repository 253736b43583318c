package compile

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
)

// TestBlockSize: a slab of 64 blocks is one 4 KB allocation. A field
// that grows the block past 64 bytes costs a quarter more memory per
// program.
func TestBlockSize(t *testing.T) {
	assert.Equal(t, uintptr(64), unsafe.Sizeof(block{}))
}

func TestBlockCode(t *testing.T) {
	ld, and, ld2 := ldAbs(offArgs), andK(0xff), ldAbs(offNr)
	tests := []struct {
		name    string
		set     []bpfInsn // setCode first
		prepend *bpfInsn  // then prepend this, if any
		drop    int       // then dropCode(drop)
		want    []bpfInsn
		wantErr bool
	}{
		{name: "none", want: []bpfInsn{}},
		{name: "one", set: []bpfInsn{ld}, want: []bpfInsn{ld}},
		{name: "two", set: []bpfInsn{ld, and}, want: []bpfInsn{ld, and}},
		{name: "three is a generator bug", set: []bpfInsn{ld, and, ld2}, want: []bpfInsn{}, wantErr: true},
		{name: "prepend to none", prepend: &ld2, want: []bpfInsn{ld2}},
		{name: "prepend to one", set: []bpfInsn{ld}, prepend: &ld2, want: []bpfInsn{ld2, ld}},
		{name: "prepend to two is a generator bug", set: []bpfInsn{ld, and}, prepend: &ld2, want: []bpfInsn{ld, and}, wantErr: true},
		{name: "drop the load", set: []bpfInsn{ld, and}, drop: 1, want: []bpfInsn{and}},
		{name: "drop both", set: []bpfInsn{ld, and}, drop: 2, want: []bpfInsn{}},
		{name: "drop more than there is", set: []bpfInsn{ld}, drop: 2, want: []bpfInsn{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGraph()
			b := g.newBlock()
			g.setCode(b, tt.set)
			if tt.prepend != nil {
				g.prepend(b, *tt.prepend)
			}
			b.dropCode(tt.drop)
			assert.Equal(t, tt.want, b.code())
			if tt.wantErr {
				require.ErrorIs(t, g.err, errBlockCode)
			} else {
				require.NoError(t, g.err)
			}
			// Unused slots are zero, so sameContent sees equal code as equal.
			for i := int(b.nIns); i < maxBlockInsns; i++ {
				assert.Equal(t, bpfInsn{}, b.ins[i], "slot %d", i)
			}
		})
	}
}

// TestSameContent: blocks are the same when their code, terminator and
// successors are; a block whose code was longer once is the same as one
// that only ever had the shorter code. Same content, same hash.
func TestSameContent(t *testing.T) {
	g := newGraph()
	ret0, ret1 := g.ret(0), g.ret(1)
	a := g.cond([]bpfInsn{ldAbs(offArgs), andK(1)}, opJeqK, 0, ret0, ret1)
	g.setCode(a, []bpfInsn{ldAbs(offArgs)})
	tests := []struct {
		name string
		b    *block
		same bool
	}{
		{"itself", a, true},
		{"shorter code", g.cond([]bpfInsn{ldAbs(offArgs)}, opJeqK, 0, ret0, ret1), true},
		{"other load", g.cond([]bpfInsn{ldAbs(offArgs + 4)}, opJeqK, 0, ret0, ret1), false},
		{"more code", g.cond([]bpfInsn{ldAbs(offArgs), andK(1)}, opJeqK, 0, ret0, ret1), false},
		{"other op", g.cond([]bpfInsn{ldAbs(offArgs)}, opJgeK, 0, ret0, ret1), false},
		{"other constant", g.cond([]bpfInsn{ldAbs(offArgs)}, opJeqK, 1, ret0, ret1), false},
		{"successors swapped", g.cond([]bpfInsn{ldAbs(offArgs)}, opJeqK, 0, ret1, ret0), false},
		{"a return", g.ret(2), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.same, sameContent(a, tt.b))
			assert.Equal(t, tt.same, sameContent(tt.b, a))
			if tt.same {
				assert.Equal(t, contentHash(a), contentHash(tt.b))
			}
		})
	}
}

func TestEntryAcc(t *testing.T) {
	tests := []struct {
		name string
		in   accState
		want accState
	}{
		{"unknown", accState{}, accState{}},
		{"nr", accState{off: offNr, mask: 0xffffffff, known: true}, accState{off: offNr, mask: 0xffffffff, known: true}},
		{"masked high word", accState{off: 60, mask: 0x80000000, known: true}, accState{off: 60, mask: 0x80000000, known: true}},
		{"largest offset kept", accState{off: 255, mask: 1, known: true}, accState{off: 255, mask: 1, known: true}},
		{"offset past a byte is unknown", accState{off: 256, mask: 0xffffffff, known: true}, accState{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b block
			b.setEntryAcc(tt.in)
			assert.Equal(t, tt.want, b.entryAcc())
		})
	}
}

// TestValueSearchScratch: value searches that continue into searches on
// another word (args[0], then args[1]) push their spans and points on the
// generator's scratch stacks and pop them; after each tree the stacks are
// empty, and the nested searches did use them.
func TestValueSearchScratch(t *testing.T) {
	src := `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"syscalls":[
	{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":1,"value":2,"op":"SCMP_CMP_EQ"}]},
	{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":1,"value":4,"op":"SCMP_CMP_EQ"}]},
	{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":1,"value":6,"op":"SCMP_CMP_EQ"}]},
	{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":3,"op":"SCMP_CMP_EQ"}]},
	{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":5,"op":"SCMP_CMP_EQ"}]}]}`
	p, err := profile.Parse([]byte(src))
	require.NoError(t, err)
	pol, err := p.Resolve(profile.Target{Arch: arch.X86_64})
	require.NoError(t, err)
	c := &codegen{g: newGraph(), pol: pol, intervals: map[arch.Arch]int{}}
	c.generate()
	require.NoError(t, c.g.err)
	require.NotNil(t, c.args)
	assert.Empty(t, c.args.spans)
	assert.Empty(t, c.args.points)
	assert.Positive(t, cap(c.args.spans), "no value search ran")
	assert.Positive(t, cap(c.args.points), "no value search ran")
}

// TestGraphRet: each return value has one block, whether it is among the
// first few (kept in a list) or a later one (kept in a map).
func TestGraphRet(t *testing.T) {
	for _, distinct := range []int{1, 8, 9, 40} {
		t.Run(fmt.Sprint(distinct), func(t *testing.T) {
			g := newGraph()
			first := map[uint32]*block{}
			for round := range 3 {
				for i := range distinct {
					k := uint32(0x50000 + 7*i)
					b := g.ret(k)
					require.Equal(t, termRet, b.kind)
					require.Equal(t, k, b.k)
					if round == 0 {
						require.NotContains(t, first, k)
						first[k] = b
					}
					require.Same(t, first[k], b, "return %#x, round %d", k, round)
				}
			}
			assert.Equal(t, int32(distinct), g.n, "blocks made")
		})
	}
}

// TestItemSize: the assembler makes one item per block; 24 bytes keeps
// Docker's default profile's items in an 8 KB allocation.
func TestItemSize(t *testing.T) {
	assert.Equal(t, uintptr(24), unsafe.Sizeof(item{}))
}
