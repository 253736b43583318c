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
	// number (-1: the numbers are not ascending as unsigned numbers, say
	// because one is negative; use Lookup).
	next []int
	// sorted: every aps[i].Syscalls ascends as unsigned numbers, so the
	// intervals are made region by region (regions) instead of at every
	// breakpoint.
	sorted       bool
	has64, has32 bool // x86_64, x32 among arches
}

func newNumberSpace(pol *profile.Policy, arches []arch.Arch) *numberSpace {
	aps := make([]*profile.ArchPolicy, len(arches))
	for i, a := range arches {
		aps[i] = pol.Arch(a)
	}
	return numberSpaceOf(pol, arches, aps)
}

// numberSpaceOf is newNumberSpace for the given policies of arches.
func numberSpaceOf(pol *profile.Policy, arches []arch.Arch, aps []*profile.ArchPolicy) *numberSpace {
	s := &numberSpace{pol: pol, arches: arches, next: make([]int, len(arches)), aps: aps, sorted: true}
	for i, ap := range aps {
		if !ascending(ap.Syscalls) {
			s.next[i], s.sorted = -1, false
		}
	}
	s.has64, s.has32 = slices.Contains(arches, arch.X86_64), slices.Contains(arches, arch.X32)
	return s
}

// ascending reports whether the numbers of sps strictly ascend as
// unsigned 32-bit numbers (Resolve sorts them as signed ones: a negative
// number comes first there and last here).
func ascending(sps []*profile.SyscallPolicy) bool {
	for i, sp := range sps {
		if sp.Nr < 0 || sp.Nr > 0xffffffff || i > 0 && sps[i-1].Nr >= sp.Nr {
			return false
		}
	}
	return true
}

// nr is the number of sps[k] as unsigned.
func nr(sps []*profile.SyscallPolicy, k int) uint32 { return uint32(sps[k].Nr) }

// lookup returns the policy of the architecture s.arches[i] for number u,
// or nil. Successive calls for one architecture must not go down in
// number.
func (s *numberSpace) lookup(i int, u uint32) *profile.SyscallPolicy {
	k, sps := s.next[i], s.aps[i].Syscalls
	if k < 0 {
		return s.aps[i].Lookup(int(int32(u)))
	}
	for k < len(sps) && nr(sps, k) < u {
		k++
	}
	s.next[i] = k
	if k < len(sps) && nr(sps, k) == u {
		return sps[k]
	}
	return nil
}

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

// at returns the decision for number u.
func (s *numberSpace) at(u uint32) decision {
	d, i := s.route(u)
	if i < 0 {
		return d
	}
	return s.decide(s.lookup(i, u), s.arches[i])
}

// route returns the decision for number u when the stub or the ABI test
// decides it (i = -1), else the index in s.arches of the architecture
// whose rules decide. What it returns is the same for every number of a
// region between two fixed points (see regions).
func (s *numberSpace) route(u uint32) (d decision, i int) {
	for i, a := range s.arches {
		max := s.aps[i].ENOSYSAbove
		if max < 0 || !stubABI(a, u) {
			continue
		}
		if (a == arch.S390 || a == arch.S390X) && u == 0 || int64(u) > max {
			return decision{action: profile.Errno(38)}, -1
		}
	}
	var a arch.Arch
	switch has64, has32 := s.has64, s.has32; {
	case has64 && has32:
		a = arch.X86_64
		if u&arch.X32SyscallBit != 0 {
			a = arch.X32
		}
	case has64:
		if u >= arch.X32SyscallBit && u != 0xffffffff {
			return decision{action: s.pol.BadArch}, -1
		}
		a = arch.X86_64
	case has32:
		if u < arch.X32SyscallBit {
			return decision{action: s.pol.BadArch}, -1
		}
		a = arch.X32
	default:
		a = s.arches[0]
	}
	return decision{}, slices.Index(s.arches, a)
}

// decide is the decision of a's rules for a syscall whose policy is sp
// (nil: none).
func (s *numberSpace) decide(sp *profile.SyscallPolicy, a arch.Arch) decision {
	switch {
	case sp == nil:
		return decision{action: s.pol.Default}
	case sp.Tree == nil:
		return decision{action: sp.Action}
	}
	return decision{sys: sp, arch: a}
}

// fixedPoints are the breakpoints that do not come from a syscall:
// where runc's and libseccomp's ABI tests split the number space.
var fixedPoints = [...]uint32{0, 1, arch.X32SyscallBit, 0x80000000, 0xc0000000, 0xffffffff}

// stubPoints appends the first number of each ENOSYS range to dst.
func (s *numberSpace) stubPoints(dst []uint32) []uint32 {
	for _, ap := range s.aps {
		if ap.ENOSYSAbove >= 0 && ap.ENOSYSAbove < 0xffffffff {
			dst = append(dst, uint32(ap.ENOSYSAbove+1))
		}
	}
	return dst
}

// breakpoints are the numbers where the decision can change, sorted and
// without repeats: at() at each of them gives the intervals of policies
// whose numbers do not ascend (regions makes the others).
func (s *numberSpace) breakpoints() []uint32 {
	n := len(fixedPoints) + len(s.aps)
	for _, ap := range s.aps {
		n += 2 * len(ap.Syscalls)
	}
	points := make([]uint32, 0, n)
	points = append(points, fixedPoints[:]...)
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
	}
	points = s.stubPoints(points)
	slices.Sort(points)
	return slices.Compact(points)
}

// appendIntervals appends the decisions for every syscall number of one
// audit value to dst, as a sorted list of maximal intervals.
func appendIntervals(dst []interval, pol *profile.Policy, arches []arch.Arch) []interval {
	return newNumberSpace(pol, arches).appendIntervals(dst)
}

func (s *numberSpace) appendIntervals(dst []interval) []interval {
	emit := func(p uint32, d decision) {
		if n := len(dst); n > 0 && dst[n-1].d.equal(d) {
			return
		}
		dst = append(dst, interval{d: d, lo: p})
	}
	if !s.sorted {
		for _, p := range s.breakpoints() {
			emit(p, s.at(p))
		}
		return dst
	}
	var fixedBuf [16]uint32
	fixed := s.stubPoints(append(fixedBuf[:0], fixedPoints[:]...))
	slices.Sort(fixed)
	fixed = slices.Compact(fixed)
	s.regions(fixed, emit)
	return dst
}

// regions emits the decisions of a numberSpace whose syscalls ascend
// (sorted), region by region: between two fixed points (sorted, from 0)
// the stub and the ABI test decide the same for every number (route),
// so a region is one decision, or the rules of one architecture, which
// change only at its syscalls' numbers n and n+1. Only those are looked
// at: the syscalls of the other architectures cannot change anything
// there. The same intervals as at() at every breakpoint.
func (s *numberSpace) regions(fixed []uint32, emit func(uint32, decision)) {
	def := decision{action: s.pol.Default}
	for j, lo := range fixed {
		hi := uint64(1) << 32
		if j+1 < len(fixed) {
			hi = uint64(fixed[j+1])
		}
		d, i := s.route(lo)
		if i < 0 {
			emit(lo, d)
			continue
		}
		sps, a := s.aps[i].Syscalls, s.arches[i]
		k := s.next[i]
		for k < len(sps) && nr(sps, k) < lo {
			k++
		}
		if k < len(sps) && nr(sps, k) == lo {
			emit(lo, s.decide(sps[k], a))
		} else {
			emit(lo, def)
		}
		for ; k < len(sps) && uint64(nr(sps, k)) < hi; k++ {
			n := nr(sps, k)
			if n != lo {
				emit(n, s.decide(sps[k], a))
			}
			if after := uint64(n) + 1; after < hi && (k+1 == len(sps) || uint64(nr(sps, k+1)) != after) {
				emit(uint32(after), def)
			}
		}
		s.next[i] = k
	}
}

// intervalsHint is how many intervals to make room for, for the syscalls
// of one audit value: most neighbouring syscalls share a decision
// (Docker's profile has about one interval for eight breakpoints).
func intervalsHint(pol *profile.Policy, arches []arch.Arch) int {
	return (len(fixedPoints)+2*syscallCount(pol, arches)+len(arches))/8 + 16
}

// syscallCount is how many syscalls with rules arches have in all.
func syscallCount(pol *profile.Policy, arches []arch.Arch) int {
	n := 0
	for _, a := range arches {
		n += len(pol.Arch(a).Syscalls)
	}
	return n
}

// intervals computes the decisions for every syscall number of one audit
// value as a sorted list of maximal intervals.
func intervals(pol *profile.Policy, arches []arch.Arch) []interval {
	return appendIntervals(make([]interval, 0, intervalsHint(pol, arches)), pol, arches)
}
