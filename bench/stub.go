package bench

import (
	"errors"
	"fmt"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
)

// ErrStub is returned when RuncStub cannot build a prologue.
var ErrStub = errors.New("bench: cannot build runc's ENOSYS stub")

// StubLimit is one architecture's entry in runc's ENOSYS stub: numbers
// above Max get ERRNO(ENOSYS).
type StubLimit struct {
	Arch arch.Arch
	// Max is the largest number (as seccomp_data.nr, x32 bit included)
	// any name of the profile has on Arch.
	Max uint32
}

// StubLimits reads runc's limits from a policy: every architecture with
// an ENOSYS rule, in the policy's order.
func StubLimits(pol *profile.Policy) []StubLimit {
	var out []StubLimit
	for _, a := range pol.Arches {
		if ap := pol.Arch(a); ap != nil && ap.ENOSYSAbove >= 0 {
			out = append(out, StubLimit{Arch: a, Max: uint32(ap.ENOSYSAbove)})
		}
	}
	return out
}

const (
	x32Bit         = 1 << 30
	retErrnoENOSYS = uint32(profile.ActErrno) | 38
	opLdAbsW       = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
	opJa           = unix.BPF_JMP | unix.BPF_JA
	opJeqK         = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
	opJgtK         = unix.BPF_JMP | unix.BPF_JGT | unix.BPF_K
	opJsetK        = unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K
	opRetK         = unix.BPF_RET | unix.BPF_K
)

// RuncStub returns filter with the prologue runc prepends to libseccomp's
// output when the default action is not ALLOW, LOG or TRACE
// (libcontainer/seccomp/patchbpf, generateEnosysStub): load the arch; per
// audit value, load the number and return ERRNO(ENOSYS) above the
// limit, x86_64 and x32 told apart by bit 30; everything else jumps to
// the unchanged filter, which loads the arch again.
//
// The layout is runc's: the arch tests, a jump to the filter for any
// other arch, one section per audit value, then "ja +1; ret ENOSYS". runc
// orders the arch tests and sections by iterating a Go map, so their
// order varies from run to run; RuncStub uses the order of limits
// (native first), which is one of runc's orders. It uses runc's short
// jump forms and fails if a jump would not fit, which happens only with
// far more architectures than any profile lists.
func RuncStub(filter []bpf.RawInstruction, limits []StubLimit) ([]bpf.RawInstruction, error) {
	if len(limits) == 0 {
		return append([]bpf.RawInstruction(nil), filter...), nil
	}
	// Group limits by audit value, keeping order; x86_64 and x32 share one.
	type group struct {
		audit      uint32
		arch       arch.Arch // the first arch of the group
		max64, x32 *uint32   // x86_64/x32 limits where the audit value is x86_64's
		max        uint32
	}
	var groups []*group
	for _, l := range limits {
		var g *group
		for _, h := range groups {
			if h.audit == l.Arch.Audit() {
				g = h
			}
		}
		if g == nil {
			g = &group{audit: l.Arch.Audit(), arch: l.Arch}
			groups = append(groups, g)
		}
		switch l.Arch {
		case arch.X86_64:
			g.max64 = &l.Max
		case arch.X32:
			g.x32 = &l.Max
		default:
			g.max = l.Max
		}
	}
	// Sizes: ld arch, a jeq per group, ja; sections; ja +1, ret ENOSYS.
	sectionLen := func(g *group) int {
		switch {
		case g.max64 != nil && g.x32 != nil:
			return 5 // ld nr; jset; jgt; jgt; ja
		case g.max64 != nil || g.x32 != nil:
			return 4 // ld nr; jset; jgt; ja
		case g.arch == arch.S390 || g.arch == arch.S390X:
			return 5 // ld nr; jeq 0; ret ENOSYS; jgt; ja
		}
		return 3 // ld nr; jgt; ja
	}
	start := make([]int, len(groups))
	pos := 1 + len(groups) + 1
	for i, g := range groups {
		start[i] = pos
		pos += sectionLen(g)
	}
	enosys := pos + 1
	filterStart := pos + 2

	var out []bpf.RawInstruction
	var err error
	// jump encodes a jump offset from the instruction at index at (the
	// next one is at+1) to target.
	jump := func(at, target int) uint8 {
		d := target - at - 1
		if d < 0 || d > 255 {
			err = fmt.Errorf("%w: jump from %d to %d does not fit in 8 bits", ErrStub, at, target)
			return 0
		}
		return uint8(d)
	}
	emit := func(ins bpf.RawInstruction) { out = append(out, ins) }
	here := func() int { return len(out) }

	emit(bpf.RawInstruction{Op: opLdAbsW, K: 4})
	for i, g := range groups {
		emit(bpf.RawInstruction{Op: opJeqK, K: g.audit, Jt: jump(here(), start[i])})
	}
	emit(bpf.RawInstruction{Op: opJa, K: uint32(filterStart - here() - 1)})
	for _, g := range groups {
		emit(bpf.RawInstruction{Op: opLdAbsW, K: 0})
		switch {
		case g.max64 != nil && g.x32 != nil:
			// jset bit30 → the x32 test; x86_64 test; x32 test; ja filter.
			emit(bpf.RawInstruction{Op: opJsetK, K: x32Bit, Jt: 1})
			emit(bpf.RawInstruction{Op: opJgtK, K: *g.max64, Jt: jump(here(), enosys), Jf: 1})
			emit(bpf.RawInstruction{Op: opJgtK, K: *g.x32, Jt: jump(here(), enosys)})
		case g.max64 != nil:
			// x32 numbers skip the test.
			emit(bpf.RawInstruction{Op: opJsetK, K: x32Bit, Jt: 1})
			emit(bpf.RawInstruction{Op: opJgtK, K: *g.max64, Jt: jump(here(), enosys)})
		case g.x32 != nil:
			// x86_64 numbers skip the test.
			emit(bpf.RawInstruction{Op: opJsetK, K: x32Bit, Jf: 1})
			emit(bpf.RawInstruction{Op: opJgtK, K: *g.x32, Jt: jump(here(), enosys)})
		default:
			if g.arch == arch.S390 || g.arch == arch.S390X {
				// setup(2), nr 0, multiplexes too-new numbers on s390.
				emit(bpf.RawInstruction{Op: opJeqK, K: 0, Jf: 1})
				emit(bpf.RawInstruction{Op: opRetK, K: retErrnoENOSYS})
			}
			emit(bpf.RawInstruction{Op: opJgtK, K: g.max, Jt: jump(here(), enosys)})
		}
		emit(bpf.RawInstruction{Op: opJa, K: uint32(filterStart - here() - 1)})
	}
	emit(bpf.RawInstruction{Op: opJa, K: 1})
	emit(bpf.RawInstruction{Op: opRetK, K: retErrnoENOSYS})
	if err != nil {
		return nil, err
	}
	return append(out, filter...), nil
}
