package profile

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/syscalls"
)

// TestNrSpan checks the numbers an index's table covers: from the smallest
// number of the architecture's table, and every number but ARM's private
// calls (0xf0000 and up), which go to the map.
func TestNrSpan(t *testing.T) {
	tests := []struct {
		a         arch.Arch
		base      int
		allDense  bool
		sparseMin int // the smallest number outside the table (allDense false)
	}{
		{arch.X86_64, 0, true, 0},
		{arch.X32, arch.X32SyscallBit, true, 0},
		{arch.MIPS, 4000, true, 0},
		{arch.MIPSEL64, 5000, true, 0},
		{arch.MIPS64N32, 6000, true, 0},
		{arch.ARM, 0, false, 0xf0000},
		{arch.Unknown, 0, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.a.String(), func(t *testing.T) {
			base, n := nrSpan(tt.a)
			assert.Equal(t, tt.base, base)
			assert.Less(t, n, maxDenseNrs+1)
			table := syscalls.Table(tt.a)
			if tt.a == arch.Unknown {
				assert.Zero(t, n)
				return
			}
			for _, sc := range table {
				inTable := sc.Nr >= base && sc.Nr < base+n
				if tt.allDense || sc.Nr < tt.sparseMin {
					assert.True(t, inTable, "%s %d", sc.Name, sc.Nr)
				} else {
					assert.False(t, inTable, "%s %d", sc.Name, sc.Nr)
				}
			}
			assert.Equal(t, table[0].Nr, base)
		})
	}
}

// TestNrIndex fills an index for numbers in its table, beyond it and below
// it, and checks lookups and the number order of sorted.
func TestNrIndex(t *testing.T) {
	tests := []struct {
		name string
		a    arch.Arch
		nrs  []int // added in this order
		miss []int
	}{
		{"empty", arch.X86_64, nil, []int{0, 1, -1, 1 << 40}},
		{"dense", arch.X86_64, []int{59, 0, 435, 1}, []int{2, 436, -1}},
		{"x32", arch.X32, []int{arch.X32SyscallBit + 59, arch.X32SyscallBit}, []int{59, 0, arch.X32SyscallBit + 1}},
		{"arm private calls", arch.ARM, []int{0xf0005, 1, 0xf0002, 0}, []int{0xf0003, 2}},
		{"mips o32", arch.MIPS, []int{4001, 4000}, []int{0, 1, 3999}},
		{"no table", arch.Unknown, []int{7, 3}, []int{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, n := nrSpan(tt.a)
			buf := make([]int32, n+3)
			x := newNrIndex(tt.a, &buf)
			assert.Len(t, buf, 3, "the index takes its table from buf")
			var store policyStore
			added := make([]*SyscallPolicy, len(tt.nrs))
			for i, nr := range tt.nrs {
				pos, sp := store.add()
				sp.Nr = nr
				added[i] = sp
				x.set(nr, pos)
			}
			assert.Equal(t, len(tt.nrs), x.n)
			for i, nr := range tt.nrs {
				pos, ok := x.get(nr)
				require.True(t, ok, "number %d", nr)
				assert.Same(t, added[i], store.at(pos), "number %d", nr)
			}
			for _, nr := range tt.miss {
				_, ok := x.get(nr)
				assert.False(t, ok, "number %d", nr)
			}
			got := x.sorted(&store, nil)
			require.Len(t, got, len(tt.nrs))
			for i := 1; i < len(got); i++ {
				assert.Less(t, got[i-1].Nr, got[i].Nr)
			}
		})
	}
}

// TestNrIndexSparse checks sorted with map entries beyond the table
// added out of order and between table entries: the map's numbers come
// after the table's, sorted. (The map never holds numbers below the
// table, which starts at the syscall table's smallest number.)
func TestNrIndexSparse(t *testing.T) {
	x := nrIndex{base: 10, dense: make([]int32, 5)}
	var store policyStore
	for _, nr := range []int{12, 100, 10, 50} {
		pos, sp := store.add()
		sp.Nr = nr
		x.set(nr, pos)
	}
	var nrs []int
	for _, sp := range x.sorted(&store, nil) {
		nrs = append(nrs, sp.Nr)
	}
	assert.Equal(t, []int{10, 12, 50, 100}, nrs)
}

// TestPolicyStore checks that values keep their positions and addresses
// across chunks.
func TestPolicyStore(t *testing.T) {
	var s policyStore
	var ptrs []*SyscallPolicy
	for i := range 3*storeChunk + 1 {
		pos, sp := s.add()
		require.Equal(t, int32(i), pos)
		require.Zero(t, *sp)
		sp.Nr = i
		ptrs = append(ptrs, sp)
	}
	for i, sp := range ptrs {
		assert.Same(t, sp, s.at(int32(i)))
		assert.Equal(t, i, s.at(int32(i)).Nr)
	}
	assert.Len(t, s.chunks, 4)
}
