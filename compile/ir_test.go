package compile

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
			// Unused slots are zero, so keyOf sees equal code as equal.
			for i := int(b.nIns); i < maxBlockInsns; i++ {
				assert.Equal(t, bpfInsn{}, b.ins[i], "slot %d", i)
			}
		})
	}
}

// TestBlockKeyIgnoresOldCode: a block whose code was longer once has the
// key of a block that only ever had the shorter code.
func TestBlockKeyIgnoresOldCode(t *testing.T) {
	g := newGraph()
	ret := g.ret(0)
	a := g.cond([]bpfInsn{ldAbs(offArgs), andK(1)}, opJeqK, 0, ret, ret)
	g.setCode(a, []bpfInsn{ldAbs(offArgs)})
	b := g.cond([]bpfInsn{ldAbs(offArgs)}, opJeqK, 0, ret, ret)
	c := g.cond([]bpfInsn{ldAbs(offArgs + 4)}, opJeqK, 0, ret, ret)
	b.id, c.id = a.id, a.id
	assert.Equal(t, keyOf(a), keyOf(b))
	assert.NotEqual(t, keyOf(a), keyOf(c))
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
