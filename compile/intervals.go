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
	// nrs[i] are the numbers of aps[i].Syscalls, read once: the merge and
	// the lookups step through them, not through the policies.
	nrs [][]uint32
	// next[i] is where the lookup in nrs[i] continues: at is called with
	// ascending numbers, so a cursor replaces a map lookup per number
	// (-1: the numbers are not ascending as unsigned numbers, say because
	// one is negative; nrs[i] is empty and lookups use Lookup).
	next []int
	// sorted: every aps[i].Syscalls ascends as unsigned numbers, so the
	// breakpoints can be merged from them instead of sorted.
	sorted       bool
	has64, has32 bool // x86_64, x32 among arches
	buf          []uint32
}

// newNumberSpace returns the number space of arches; the numbers of their
// syscalls are appended to buf[:0] (reused when it has room; the space's
// buf is the result).
func newNumberSpace(pol *profile.Policy, arches []arch.Arch, buf []uint32) *numberSpace {
	s := &numberSpace{pol: pol, arches: arches, next: make([]int, len(arches)), aps: make([]*profile.ArchPolicy, len(arches)), nrs: make([][]uint32, len(arches)), sorted: true}
	buf = buf[:0]
	starts := make([]int, len(arches))
	for i, a := range arches {
		ap := pol.Arch(a)
		s.aps[i] = ap
		starts[i] = len(buf)
		var ok bool
		if buf, ok = appendNumbers(buf, ap.Syscalls); !ok {
			s.next[i], s.sorted = -1, false
		}
	}
	for i := range arches {
		end := len(buf)
		if i+1 < len(arches) {
			end = starts[i+1]
		}
		s.nrs[i] = buf[starts[i]:end:end]
	}
	s.buf = buf
	s.has64, s.has32 = slices.Contains(arches, arch.X86_64), slices.Contains(arches, arch.X32)
	return s
}

// appendNumbers appends the numbers of sps to buf and reports whether they
// strictly ascend as unsigned 32-bit numbers (Resolve sorts them as signed
// ones: a negative number comes first there and last here). If they do
// not, buf is returned as it was.
func appendNumbers(buf []uint32, sps []*profile.SyscallPolicy) ([]uint32, bool) {
	start := len(buf)
	for _, sp := range sps {
		if sp.Nr < 0 || sp.Nr > 0xffffffff || len(buf) > start && int(buf[len(buf)-1]) >= sp.Nr {
			return buf[:start], false
		}
		buf = append(buf, uint32(sp.Nr))
	}
	return buf, true
}

// lookup returns the policy of the architecture a for number u, or nil.
// Successive calls for one architecture must not go down in number.
func (s *numberSpace) lookup(a arch.Arch, u uint32) *profile.SyscallPolicy {
	i := slices.Index(s.arches, a)
	k, nrs := s.next[i], s.nrs[i]
	if k < 0 {
		return s.aps[i].Lookup(int(int32(u)))
	}
	for k < len(nrs) && nrs[k] < u {
		k++
	}
	s.next[i] = k
	if k < len(nrs) && nrs[k] == u {
		return s.aps[i].Syscalls[k]
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
	switch has64, has32 := s.has64, s.has32; {
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
// without repeats, for policies whose numbers do not ascend (see
// pointMerge for the others).
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

// pointMerge yields the same numbers as breakpoints, in the same order,
// by merging sorted sources instead of sorting them all: the fixed points
// and ENOSYS starts (a few, sorted here), and per architecture the
// numbers n and n+1 of each syscall with rules, which ascend with the
// syscalls. Only for a numberSpace whose syscalls ascend (sorted).
type pointMerge struct {
	fixed []uint32 // sorted
	fi    int
	lists [][]uint32 // each strictly ascending
	// heads[i] is the next value of list i: pos 2k is lists[i][k], 2k+1
	// that number plus one; none past the end.
	heads []mergeHead
	last  uint64
	any   bool
}

type mergeHead struct {
	pos int
	v   uint64
}

// none is above every value a merge yields (1<<32 is a value: n+1 of the
// number 0xffffffff, which the merge skips).
const none = 1<<32 + 1

// newPointMerge returns a merge of fixed (sorted) and the numbers of
// lists, each strictly ascending.
func newPointMerge(fixed []uint32, lists [][]uint32) *pointMerge {
	m := &pointMerge{fixed: fixed, lists: lists, heads: make([]mergeHead, len(lists))}
	for i, l := range lists {
		m.heads[i] = mergeHead{v: none}
		if len(l) > 0 {
			m.heads[i].v = uint64(l[0])
		}
	}
	return m
}

// next returns the next breakpoint, or false after the last one.
func (m *pointMerge) next() (uint32, bool) {
	for {
		best, src := uint64(none), -1
		if m.fi < len(m.fixed) {
			best = uint64(m.fixed[m.fi])
		}
		for i := range m.heads {
			if v := m.heads[i].v; v < best {
				best, src = v, i
			}
		}
		switch {
		case best == none:
			return 0, false
		case src < 0:
			m.fi++
		default:
			h := &m.heads[src]
			h.pos++
			switch l := m.lists[src]; {
			case h.pos >= 2*len(l):
				h.v = none
			case h.pos&1 == 1:
				h.v = best + 1
			default:
				h.v = uint64(l[h.pos/2])
			}
		}
		if best > 0xffffffff || m.any && best == m.last {
			continue
		}
		m.last, m.any = best, true
		return uint32(best), true
	}
}

// appendIntervals appends the decisions for every syscall number of one
// audit value to dst, as a sorted list of maximal intervals.
// buf is scratch space for the numbers of their syscalls, returned for
// reuse.
func appendIntervals(dst []interval, pol *profile.Policy, arches []arch.Arch, buf []uint32) ([]interval, []uint32) {
	s := newNumberSpace(pol, arches, buf)
	return s.appendIntervals(dst), s.buf
}

func (s *numberSpace) appendIntervals(dst []interval) []interval {
	emit := func(p uint32) {
		d := s.at(p)
		if n := len(dst); n > 0 && dst[n-1].d.equal(d) {
			return
		}
		dst = append(dst, interval{d: d, lo: p})
	}
	if !s.sorted {
		for _, p := range s.breakpoints() {
			emit(p)
		}
		return dst
	}
	var fixedBuf [16]uint32
	fixed := s.stubPoints(append(fixedBuf[:0], fixedPoints[:]...))
	slices.Sort(fixed)
	m := newPointMerge(fixed, s.nrs)
	for p, ok := m.next(); ok; p, ok = m.next() {
		emit(p)
	}
	return dst
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
	ivs, _ := appendIntervals(make([]interval, 0, intervalsHint(pol, arches)), pol, arches, nil)
	return ivs
}
