package profile

import (
	"maps"
	"slices"
	"sync"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/syscalls"
)

// policyStore holds the SyscallPolicy values of one Policy, all
// architectures together, in chunks: a policy has hundreds of them, and
// allocated one by one they dominated Resolve. A value is known by its
// position, which an nrIndex holds instead of a pointer so that the
// garbage collector need not scan the index.
type policyStore struct {
	chunks [][]SyscallPolicy
	n      int
}

// storeChunk is how many values the store allocates at once: small
// enough that the unused end of the last chunk costs little.
const storeChunk = 64

// add returns a new zero value and its position.
func (s *policyStore) add() (int32, *SyscallPolicy) {
	if s.n%storeChunk == 0 {
		s.chunks = append(s.chunks, make([]SyscallPolicy, storeChunk))
	}
	pos := s.n
	s.n++
	return int32(pos), &s.chunks[pos/storeChunk][pos%storeChunk]
}

// at returns the value at pos, which add returned.
func (s *policyStore) at(pos int32) *SyscallPolicy {
	return &s.chunks[pos/storeChunk][pos%storeChunk]
}

// nrIndex finds one architecture's syscall policies by number, which is
// what Resolve does most. It is a table over the architecture's syscall
// numbers, from the smallest up to the largest within maxDenseNrs of it,
// and a map for numbers beyond (ARM's private calls at 0xf0000 and up).
// A table walk also yields the policies in number order without a sort.
type nrIndex struct {
	base   int
	dense  []int32       // numbers base .. base+len(dense)-1: 1 + position, 0: none
	sparse map[int]int32 // any other number: position
	n      int           // policies held
}

// maxDenseNrs bounds an index's table.
const maxDenseNrs = 4096

// newNrIndex returns an empty index for a's syscall numbers, with its
// table taken from the start of *buf (which must have room, see nrSpan).
func newNrIndex(a arch.Arch, buf *[]int32) nrIndex {
	base, n := nrSpan(a)
	dense := (*buf)[:n:n]
	*buf = (*buf)[n:]
	return nrIndex{base: base, dense: dense}
}

// get returns the position of nr's policy.
func (x *nrIndex) get(nr int) (int32, bool) {
	if k := uint(nr - x.base); k < uint(len(x.dense)) {
		p := x.dense[k]
		return p - 1, p != 0
	}
	p, ok := x.sparse[nr]
	return p, ok
}

// set adds the policy at position pos for nr, which must not be in the
// index yet.
func (x *nrIndex) set(nr int, pos int32) {
	x.n++
	if k := uint(nr - x.base); k < uint(len(x.dense)) {
		x.dense[k] = pos + 1
		return
	}
	if x.sparse == nil {
		x.sparse = map[int]int32{}
	}
	x.sparse[nr] = pos
}

// sorted appends the policies to out in number order: the table is in
// order already, and only the few numbers in the map need a sort. The map
// holds numbers above the table only: every number comes from the
// architecture's syscall table, whose smallest is the table's base.
func (x *nrIndex) sorted(store *policyStore, out []*SyscallPolicy) []*SyscallPolicy {
	for _, p := range x.dense {
		if p != 0 {
			out = append(out, store.at(p-1))
		}
	}
	if len(x.sparse) > 0 {
		for _, nr := range slices.Sorted(maps.Keys(x.sparse)) {
			out = append(out, store.at(x.sparse[nr]))
		}
	}
	return out
}

// nrSpans caches nrSpan per architecture.
var nrSpans [256]struct {
	once    sync.Once
	base, n int
}

// nrSpan returns the numbers an index's table covers for a: n numbers
// from base, the smallest in a's syscall table, up to the largest within
// maxDenseNrs of it. It is 0, 0 for an architecture without a table.
func nrSpan(a arch.Arch) (base, n int) {
	s := &nrSpans[a]
	s.once.Do(func() {
		t := syscalls.Table(a)
		if len(t) == 0 {
			return
		}
		s.base = t[0].Nr
		for _, sc := range t {
			if sc.Nr-s.base < maxDenseNrs {
				s.n = sc.Nr - s.base + 1
			}
		}
	})
	return s.base, s.n
}
