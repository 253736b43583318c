package syscalls

import (
	"slices"

	"github.com/seccompctl/seccompctl/arch"
)

// Syscall is one entry of an architecture's table.
type Syscall struct {
	Name string
	// Nr is the number the kernel sees in seccomp_data.nr, ABI offset
	// included (mips o32 4000+, n64 5000+, n32 6000+, x32 0x40000000+).
	Nr int
	// Libseccomp reports that libseccomp 2.6.1 resolves Name to Nr on this
	// architecture. Entries without it come from the kernel's tables only;
	// a runtime linked against libseccomp 2.6.1 skips such names as unknown.
	Libseccomp bool
}

// table is one architecture's generated data. Both slices are read-only.
type table struct {
	byNr []Syscall // sorted by Nr; for a shared Nr the canonical name first
	byID []uint16  // per ID: 1 + the index of its entry in byNr, 0 for none
}

// Number returns the syscall number of name on a, ABI offset included.
// ok is false when a has no such syscall (where libseccomp would return a
// negative pseudo-number) or a is not a valid Arch.
func Number(a arch.Arch, name string) (nr int, ok bool) {
	s, ok := Lookup(a, name)
	return s.Nr, ok
}

// Lookup returns the table entry for name on a, which also says whether
// libseccomp's table has it (Syscall.Libseccomp).
func Lookup(a arch.Arch, name string) (Syscall, bool) {
	id, ok := IDOf(name)
	if !ok {
		return Syscall{}, false
	}
	return LookupID(a, id)
}

// Name returns the name of syscall number nr on a. Where several names
// share a number (arm 341 is arm_sync_file_range and sync_file_range2) it
// returns the one libseccomp returns.
func Name(a arch.Arch, nr int) (name string, ok bool) {
	t := tableFor(a)
	if t == nil {
		return "", false
	}
	i := firstAtOrAbove(t.byNr, nr)
	if i < len(t.byNr) && t.byNr[i].Nr == nr {
		return t.byNr[i].Name, true
	}
	return "", false
}

// Table returns a's syscalls sorted by number (names sharing a number are
// adjacent, the one Name returns first). The slice is a copy the caller
// may modify. It is nil for an invalid Arch.
func Table(a arch.Arch) []Syscall {
	t := tableFor(a)
	if t == nil {
		return nil
	}
	return slices.Clone(t.byNr)
}

// Max returns the largest syscall number in a's table, or -1 for an invalid
// Arch. On arm it is an ARM-private call (0xf0000 and up, e.g. get_tls);
// on x32 it includes X32SyscallBit.
func Max(a arch.Arch) int {
	t := tableFor(a)
	if t == nil || len(t.byNr) == 0 {
		return -1
	}
	return t.byNr[len(t.byNr)-1].Nr
}

// Known reports whether name is a syscall on at least one architecture.
func Known(name string) bool {
	_, ok := IDOf(name)
	return ok
}

// Names returns every known syscall name, sorted. The slice is a copy.
func Names() []string {
	return slices.Clone(allNames)
}

// firstAtOrAbove returns the index of the first entry with Nr >= nr.
func firstAtOrAbove(s []Syscall, nr int) int {
	lo, hi := 0, len(s)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if s[mid].Nr < nr {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}
