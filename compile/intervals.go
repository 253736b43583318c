package compile

import (
	"slices"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
)

// decision is what one syscall number gets: a fixed action, or the
// argument tree of a syscall.
type decision struct {
	sys    *profile.SyscallPolicy // non-nil: decided by the arguments
	action profile.Action
	arch   arch.Arch // whose rules sys belongs to
}

func (d decision) equal(e decision) bool {
	return d.sys == e.sys && (d.sys != nil || d.action == e.action)
}

// interval is a run of syscall numbers [lo, next interval's lo) with one
// decision.
type interval struct {
	d  decision
	lo uint32
}

// numberSpace computes, for one audit value, the decision for each syscall
// number. It models two layers, as runc builds them:
//
//  1. runc's ENOSYS stub: per listed architecture, numbers above the
//     largest one the profile names return ENOSYS (and s390's 0). Where
//     x86_64 and x32 share the audit value, the stub tells them apart by
//     bit 30 (jset).
//  2. libseccomp's filter: with only one of x86_64 and x32 present it
//     tests the range (jge 0x40000000): the other ABI's numbers get the
//     bad-arch action, except -1 on x86_64; with both it looks the number
//     up in both rule sets.
//
// This restates what profile.Policy.Explain decides, on purpose in code of
// its own: the property tests compare the compiled program with Explain,
// which would prove nothing about this routing if both shared it.
type numberSpace struct {
	pol    *profile.Policy
	arches []arch.Arch           // policy architectures with this audit value
	aps    []*profile.ArchPolicy // their policies, in the same order
	// next[i] is where the lookup in aps[i].Syscalls continues: at is
	// called with ascending numbers, so a cursor replaces a map lookup per
	// number (-1: some number is negative, so signed and unsigned order
	// differ; use Lookup).
	next []int
}

func newNumberSpace(pol *profile.Policy, arches []arch.Arch) *numberSpace {
	s := &numberSpace{pol: pol, arches: arches, next: make([]int, len(arches))}
	for i, a := range arches {
		ap := pol.Arch(a)
		s.aps = append(s.aps, ap)
		if len(ap.Syscalls) > 0 && ap.Syscalls[0].Nr < 0 {
			s.next[i] = -1
		}
	}
	return s
}

// lookup returns the policy of the architecture a for number u, or nil.
// Successive calls for one architecture must not go down in number.
func (s *numberSpace) lookup(a arch.Arch, u uint32) *profile.SyscallPolicy {
	i := slices.Index(s.arches, a)
	ap := s.aps[i]
	if s.next[i] < 0 {
		return ap.Lookup(int(int32(u)))
	}
	k := s.next[i]
	for k < len(ap.Syscalls) && uint32(ap.Syscalls[k].Nr) < u {
		k++
	}
	s.next[i] = k
	if k < len(ap.Syscalls) && uint32(ap.Syscalls[k].Nr) == u {
		return ap.Syscalls[k]
	}
	return nil
}

func (s *numberSpace) has(a arch.Arch) bool { return slices.Contains(s.arches, a) }

// stubABI reports whether runc's stub section for a covers number u.
func stubABI(a arch.Arch, u uint32) bool {
	switch a {
	case arch.X86_64:
		return u&arch.X32SyscallBit == 0
	case arch.X32:
		return u&arch.X32SyscallBit != 0
	}
	return true
}

func (s *numberSpace) at(u uint32) decision {
	for i, a := range s.arches {
		max := s.aps[i].ENOSYSAbove
		if max < 0 || !stubABI(a, u) {
			continue
		}
		if (a == arch.S390 || a == arch.S390X) && u == 0 || int64(u) > max {
			return decision{action: profile.Errno(38)}
		}
	}
	var a arch.Arch
	switch has64, has32 := s.has(arch.X86_64), s.has(arch.X32); {
	case has64 && has32:
		a = arch.X86_64
		if u&arch.X32SyscallBit != 0 {
			a = arch.X32
		}
	case has64:
		if u >= arch.X32SyscallBit && u != 0xffffffff {
			return decision{action: s.pol.BadArch}
		}
		a = arch.X86_64
	case has32:
		if u < arch.X32SyscallBit {
			return decision{action: s.pol.BadArch}
		}
		a = arch.X32
	default:
		a = s.arches[0]
	}
	sp := s.lookup(a, u)
	switch {
	case sp == nil:
		return decision{action: s.pol.Default}
	case sp.Tree == nil:
		return decision{action: sp.Action}
	}
	return decision{sys: sp, arch: a}
}

// breakpoints are the numbers where the decision can change.
func (s *numberSpace) breakpoints() []uint32 {
	n := 6
	for _, ap := range s.aps {
		n += 2*len(ap.Syscalls) + 1
	}
	points := make([]uint32, 0, n)
	points = append(points, 0, 1, arch.X32SyscallBit, 0x80000000, 0xc0000000, 0xffffffff)
	add := func(p uint64) {
		if p <= 0xffffffff {
			points = append(points, uint32(p))
		}
	}
	for _, ap := range s.aps {
		for _, sp := range ap.Syscalls {
			add(uint64(uint32(sp.Nr)))
			add(uint64(uint32(sp.Nr)) + 1)
		}
		if ap.ENOSYSAbove >= 0 {
			add(uint64(ap.ENOSYSAbove) + 1)
		}
	}
	slices.Sort(points)
	return slices.Compact(points)
}

// intervals computes the decisions for every syscall number of one audit
// value as a sorted list of maximal intervals.
func intervals(pol *profile.Policy, arches []arch.Arch) []interval {
	s := newNumberSpace(pol, arches)
	points := s.breakpoints()
	// Most neighbouring syscalls share a decision: Docker's profile has
	// about one interval for nine points.
	out := make([]interval, 0, len(points)/8+16)
	for _, p := range points {
		d := s.at(p)
		if n := len(out); n > 0 && out[n-1].d.equal(d) {
			continue
		}
		out = append(out, interval{d: d, lo: p})
	}
	return out
}
