package profile

import (
	"sync"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/syscalls"
)

// nrIndex finds one architecture's syscall policies by number, which is
// what Resolve does most. It is a table over the architecture's syscall
// numbers, from the smallest up to the largest within maxDenseNrs of it,
// and a map for numbers beyond (ARM's private calls at 0xf0000 and up).
// A table walk also yields the policies in number order without a sort.
type nrIndex struct {
	base   int
	dense  []*SyscallPolicy       // numbers base .. base+len(dense)-1
	sparse map[int]*SyscallPolicy // any other number
	n      int                    // policies held
}

// maxDenseNrs bounds an index's table (8 bytes a number).
const maxDenseNrs = 4096

// newNrIndex returns an empty index for a's syscall numbers.
func newNrIndex(a arch.Arch) nrIndex {
	base, n := nrSpan(a)
	return nrIndex{base: base, dense: make([]*SyscallPolicy, n)}
}

func (x *nrIndex) get(nr int) *SyscallPolicy {
	if k := uint(nr - x.base); k < uint(len(x.dense)) {
		return x.dense[k]
	}
	return x.sparse[nr]
}

// set adds sp for nr, which must not be in the index yet.
func (x *nrIndex) set(nr int, sp *SyscallPolicy) {
	x.n++
	if k := uint(nr - x.base); k < uint(len(x.dense)) {
		x.dense[k] = sp
		return
	}
	if x.sparse == nil {
		x.sparse = map[int]*SyscallPolicy{}
	}
	x.sparse[nr] = sp
}

// sorted appends the policies to out in number order: the table is in
// order already, and only when the map holds some does out need a sort.
func (x *nrIndex) sorted(out []*SyscallPolicy) []*SyscallPolicy {
	for _, sp := range x.dense {
		if sp != nil {
			out = append(out, sp)
		}
	}
	if len(x.sparse) == 0 {
		return out
	}
	for _, sp := range x.sparse {
		out = append(out, sp)
	}
	sortByNr(out, make([]uint64, 0, len(out)))
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
