package syscalls

import (
	"sync"

	"github.com/seccompctl/seccompctl/arch"
)

// ID identifies a syscall name that at least one architecture has: its
// position in Names(). A caller that looks one name up on several
// architectures (profile.Resolve looks up every name of a profile on every
// architecture of the filter) hashes the name once with IDOf and then asks
// LookupID per architecture, which only indexes a generated table. IDs
// are stable within one build of this package, not across releases.
type ID uint16

// IDOf returns the ID of name; ok is false when no architecture has name
// (then Known(name) is false too).
func IDOf(name string) (id ID, ok bool) {
	idsOnce.Do(func() {
		ids = make(map[string]ID, len(allNames))
		for i, n := range allNames {
			ids[n] = ID(i)
		}
	})
	id, ok = ids[name]
	return id, ok
}

// ids maps every name to its ID, built on first use: a map lookup is
// several times faster than a binary search over the sorted names.
var (
	idsOnce sync.Once
	ids     map[string]ID
)

// LookupID is Lookup for the name with ID id. ok is false when a has no
// such syscall, a is not a valid Arch or id is not an ID.
func LookupID(a arch.Arch, id ID) (Syscall, bool) {
	t := tableFor(a)
	if t == nil || int(id) >= len(t.byID) || t.byID[id] == 0 {
		return Syscall{}, false
	}
	return t.byNr[t.byID[id]-1], true
}
