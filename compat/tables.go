package compat

import (
	"fmt"
	"slices"

	libseccomp "github.com/seccomp/libseccomp-golang"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/syscalls"
)

// LibseccompVersion returns the version of the libseccomp this binary is
// linked against (the one runc uses here).
func LibseccompVersion() string {
	a, b, c := libseccomp.GetLibraryVersion()
	return fmt.Sprintf("%d.%d.%d", a, b, c)
}

// scmpArch maps an arch to libseccomp-golang's constant.
func scmpArch(a arch.Arch) (libseccomp.ScmpArch, error) {
	return libseccomp.GetArchFromString(a.ShortName())
}

// TableDiff is a name whose number on an architecture differs between
// seccompctl's tables and the linked libseccomp.
type TableDiff struct {
	Name string
	Arch arch.Arch
	// Ours is our number (OursOK false: we have none).
	Ours   int
	OursOK bool
	// Lib is libseccomp's answer: a number, a negative pseudo-number, or
	// LibUnknown when libseccomp does not know the name at all.
	Lib        int
	LibUnknown bool
}

func (d TableDiff) String() string {
	ours, lib := "none", fmt.Sprint(d.Lib)
	if d.OursOK {
		ours = fmt.Sprint(d.Ours)
	}
	if d.LibUnknown {
		lib = "unknown"
	}
	return fmt.Sprintf("%s on %s: ours %s, libseccomp %s", d.Name, d.Arch, ours, lib)
}

// NameCheck is how the names of one profile resolve in our tables and in
// the linked libseccomp.
type NameCheck struct {
	// UnknownToLib are names our tables know but libseccomp does not
	// resolve even natively (seccomp_syscall_resolve_name returns
	// __NR_SCMP_ERROR). runc skips every rule on them, on every arch.
	UnknownToLib []string
	// UnknownToUs are names libseccomp resolves natively but our tables
	// do not know: runc would add rules we drop.
	UnknownToUs []string
	// PerArch are names both know natively whose number on one of the
	// filter's architectures differs (socket and IPC names on
	// multiplexing architectures excepted: libseccomp resolves them to
	// pseudo-numbers and routes rules itself).
	PerArch []TableDiff
}

// CheckNames compares, for every name the profile mentions, our tables
// with libseccomp's on the given architectures.
func CheckNames(p *profile.Profile, arches []arch.Arch) (NameCheck, error) {
	var nc NameCheck
	seen := map[string]bool{}
	for _, s := range p.Syscalls {
		for _, n := range s.Names {
			if seen[n] {
				continue
			}
			seen[n] = true
			_, libErr := libseccomp.GetSyscallFromName(n)
			ours := syscalls.Known(n)
			switch {
			case libErr != nil && ours:
				nc.UnknownToLib = append(nc.UnknownToLib, n)
				continue
			case libErr == nil && !ours:
				nc.UnknownToUs = append(nc.UnknownToUs, n)
				continue
			case libErr != nil:
				continue // neither knows it: both skip it
			}
			for _, a := range arches {
				sa, err := scmpArch(a)
				if err != nil {
					return nc, fmt.Errorf("architecture %s: %w", a, err)
				}
				lib, err := libseccomp.GetSyscallFromNameByArch(n, sa)
				nr, ok := syscalls.Number(a, n)
				d := TableDiff{Name: n, Arch: a, Ours: nr, OursOK: ok, Lib: int(lib), LibUnknown: err != nil}
				switch {
				case err != nil:
					nc.PerArch = append(nc.PerArch, d)
				case lib < 0 && ok && multiplexed(a, n):
					// libseccomp's pseudo-number for a multiplexed name.
				case lib < 0 && !ok:
				case lib >= 0 && ok && int(lib) == nr:
				default:
					nc.PerArch = append(nc.PerArch, d)
				}
			}
		}
	}
	slices.Sort(nc.UnknownToLib)
	slices.Sort(nc.UnknownToUs)
	return nc, nil
}

func multiplexed(a arch.Arch, name string) bool {
	if !syscalls.Multiplexed(a) {
		return false
	}
	_, sock := syscalls.SocketcallNumber(name)
	_, ipc := syscalls.IPCNumber(name)
	return sock || ipc
}

// WithoutNames returns a copy of p whose rules no longer mention the given
// names. Resolving it gives the policy runc builds when its libseccomp
// does not know those names.
func WithoutNames(p *profile.Profile, drop []string) *profile.Profile {
	q := *p
	q.Syscalls = make([]profile.Syscall, len(p.Syscalls))
	for i, s := range p.Syscalls {
		s.Names = slices.DeleteFunc(slices.Clone(s.Names), func(n string) bool { return slices.Contains(drop, n) })
		q.Syscalls[i] = s
	}
	return &q
}

// RuncENOSYSMax returns, per architecture of the filter, the largest
// number the config's names resolve to in the linked libseccomp: the
// threshold of runc's ENOSYS stub (patchbpf findLastSyscalls: the listed
// architectures plus the native one, names resolved per architecture,
// unknown names and pseudo-numbers ignored). Architectures without any
// such name are absent.
func RuncENOSYSMax(names []string, arches []arch.Arch) (map[arch.Arch]int, error) {
	out := map[arch.Arch]int{}
	for _, a := range arches {
		sa, err := scmpArch(a)
		if err != nil {
			return nil, fmt.Errorf("architecture %s: %w", a, err)
		}
		largest := 0
		for _, n := range names {
			nr, err := libseccomp.GetSyscallFromNameByArch(n, sa)
			if err == nil && int(nr) > largest {
				largest = int(nr)
			}
		}
		if largest > 0 {
			out[a] = largest
		}
	}
	return out, nil
}
