package compile

import (
	"slices"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
)

// decision is what one syscall number gets: a fixed action, or the
// argument tree of a syscall.
type decision struct {
	action profile.Action
	sys    *profile.SyscallPolicy // non-nil: decided by the arguments
	arch   arch.Arch              // whose rules sys belongs to
}

func (d decision) equal(e decision) bool {
	return d.sys == e.sys && (d.sys != nil || d.action == e.action)
}

// interval is a run of syscall numbers [lo, next interval's lo) with one
// decision.
type interval struct {
	lo uint32
	d  decision
}

// segment is a range of syscall numbers that belongs to one ABI of an
// audit architecture.
type segment struct {
	lo, hi uint32
	arch   arch.Arch // Unknown: the bad-arch action
	enosys bool      // runc's ENOSYS rule may apply here
}

// segments splits the number space of one audit value among the
// architectures of the policy that share it (x86_64 and x32), the way
// libseccomp's x86_64/x32 code and runc's stub divide it.
func segments(arches []arch.Arch) []segment {
	if len(arches) == 1 && arches[0] != arch.X86_64 && arches[0] != arch.X32 {
		return []segment{{0, 0xffffffff, arches[0], true}}
	}
	has64 := slices.Contains(arches, arch.X86_64)
	has32 := slices.Contains(arches, arch.X32)
	low := segment{0, arch.X32SyscallBit - 1, arch.Unknown, false}
	if has64 {
		low.arch, low.enosys = arch.X86_64, true
	}
	if has32 {
		return []segment{low, {arch.X32SyscallBit, 0xffffffff, arch.X32, true}}
	}
	// No x32: numbers with bit 30 set are a bad arch, except -1, which
	// libseccomp lets through to the x86_64 rules (and the default).
	return []segment{low, {arch.X32SyscallBit, 0xfffffffe, arch.Unknown, false}, {0xffffffff, 0xffffffff, arch.X86_64, false}}
}

// intervals computes the decisions for every syscall number of one audit
// value as a sorted list of maximal intervals.
func intervals(pol *profile.Policy, arches []arch.Arch) []interval {
	var out []interval
	push := func(lo uint32, d decision) {
		if n := len(out); n > 0 && out[n-1].d.equal(d) {
			return
		}
		out = append(out, interval{lo, d})
	}
	for _, seg := range segments(arches) {
		if seg.arch == arch.Unknown {
			push(seg.lo, decision{action: pol.BadArch})
			continue
		}
		ap := pol.Arch(seg.arch)
		max := int64(-1)
		if seg.enosys {
			max = ap.ENOSYSAbove
		}
		s390 := seg.enosys && max >= 0 && (seg.arch == arch.S390 || seg.arch == arch.S390X)
		// Breakpoints: where the decision can change.
		points := []uint32{seg.lo}
		addPoint := func(p uint64) {
			if p > uint64(seg.lo) && p <= uint64(seg.hi) {
				points = append(points, uint32(p))
			}
		}
		for _, sp := range ap.Syscalls {
			addPoint(uint64(uint32(sp.Nr)))
			addPoint(uint64(uint32(sp.Nr)) + 1)
		}
		if max >= 0 {
			addPoint(uint64(max) + 1)
		}
		if s390 {
			addPoint(1)
		}
		slices.Sort(points)
		points = slices.Compact(points)
		for _, p := range points {
			switch {
			case s390 && p == 0:
				push(p, decision{action: profile.Errno(38)})
			case max >= 0 && int64(p) > max:
				push(p, decision{action: profile.Errno(38)})
			default:
				if sp := ap.Lookup(int(int32(p))); sp != nil {
					if sp.Tree == nil {
						push(p, decision{action: sp.Action})
					} else {
						push(p, decision{sys: sp, arch: seg.arch})
					}
				} else {
					push(p, decision{action: pol.Default})
				}
			}
		}
	}
	return out
}
