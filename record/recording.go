package record

import (
	"cmp"
	"slices"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/syscalls"
)

// Call is one system call as the kernel names it: the calling
// convention's architecture and the syscall number (with the x32 bit for
// x32, the 4000/5000/6000 offsets on mips).
type Call struct {
	Arch arch.Arch
	Nr   int
}

// Name returns the syscall's name on its architecture, or "" when the
// syscall tables do not know the number.
func (c Call) Name() string {
	n, _ := syscalls.Name(c.Arch, c.Nr)
	return n
}

// CallCount is a Call with how often it was seen.
type CallCount struct {
	Call
	Name  string // "" when the number is not in the tables
	Count uint64
}

// Recording is a set of observed system calls: which (architecture,
// number) pairs were made and how often, and for the few syscalls whose
// arguments are recorded (see ArgSyscalls), which argument values. The
// zero value is not ready; use NewRecording. A Recording is not safe for
// concurrent use.
type Recording struct {
	counts map[Call]uint64
	args   map[Call]map[uint64]struct{}
	// unknown counts calls whose audit architecture no Arch has.
	unknown map[uint32]uint64
}

// NewRecording returns an empty recording.
func NewRecording() *Recording {
	return &Recording{
		counts:  map[Call]uint64{},
		args:    map[Call]map[uint64]struct{}{},
		unknown: map[uint32]uint64{},
	}
}

// CallArch returns the architecture a syscall with this audit value and
// number belongs to. x86_64 and x32 share AUDIT_ARCH_X86_64 and differ by
// bit 30 of the number. ok is false for an audit value no known
// architecture has.
func CallArch(auditArch uint32, nr int32) (arch.Arch, bool) {
	cands := arch.FromAudit(auditArch)
	switch len(cands) {
	case 0:
		return arch.Unknown, false
	case 1:
		return cands[0], true
	}
	// Only x86_64/x32 share an audit value.
	want := arch.X86_64
	if uint32(nr)&arch.X32SyscallBit != 0 {
		want = arch.X32
	}
	if slices.Contains(cands, want) {
		return want, true
	}
	return cands[0], true
}

// Add records one system call as seccomp_data describes it.
func (r *Recording) Add(auditArch uint32, nr int32, args [6]uint64) {
	a, ok := CallArch(auditArch, nr)
	if !ok {
		r.unknown[auditArch]++
		return
	}
	c := Call{Arch: a, Nr: int(nr)}
	r.counts[c]++
	if spec := argSpecFor(c); spec != nil {
		v := spec.value(a, args)
		set := r.args[c]
		if set == nil {
			set = map[uint64]struct{}{}
			r.args[c] = set
		}
		// Bound memory for a program that calls clone with ever new
		// flags: past the limit the syscall is allowed without
		// conditions (see Profile).
		if len(set) <= maxArgValues {
			set[v] = struct{}{}
		}
	}
}

// AddCall records n calls of c without arguments (as from an audit log).
func (r *Recording) AddCall(c Call, n uint64) {
	r.counts[c] += n
}

// Merge adds everything o recorded to r.
func (r *Recording) Merge(o *Recording) {
	for c, n := range o.counts {
		r.counts[c] += n
	}
	for c, vs := range o.args {
		set := r.args[c]
		if set == nil {
			set = map[uint64]struct{}{}
			r.args[c] = set
		}
		for v := range vs {
			if len(set) <= maxArgValues {
				set[v] = struct{}{}
			}
		}
	}
	for a, n := range o.unknown {
		r.unknown[a] += n
	}
}

// Len returns the number of distinct calls recorded.
func (r *Recording) Len() int { return len(r.counts) }

// Calls returns the recorded calls, ordered by architecture (as
// arch.All orders them) and number.
func (r *Recording) Calls() []CallCount {
	out := make([]CallCount, 0, len(r.counts))
	for c, n := range r.counts {
		out = append(out, CallCount{Call: c, Name: c.Name(), Count: n})
	}
	slices.SortFunc(out, func(x, y CallCount) int {
		return cmp.Or(cmp.Compare(x.Arch, y.Arch), cmp.Compare(x.Nr, y.Nr))
	})
	return out
}

// Has reports whether the named syscall was recorded on any architecture.
func (r *Recording) Has(name string) bool {
	for c := range r.counts {
		if c.Name() == name {
			return true
		}
	}
	return false
}

// Arches returns the architectures seen, in arch.All order.
func (r *Recording) Arches() []arch.Arch {
	var out []arch.Arch
	for c := range r.counts {
		if !slices.Contains(out, c.Arch) {
			out = append(out, c.Arch)
		}
	}
	slices.Sort(out)
	return out
}

// ArgValues returns the recorded argument values of c (see ArgSyscalls),
// sorted, and whether more distinct values were seen than are kept.
func (r *Recording) ArgValues(c Call) (values []uint64, overflow bool) {
	set := r.args[c]
	for v := range set {
		values = append(values, v)
	}
	slices.Sort(values)
	return values, len(set) > maxArgValues
}

// UnknownArches returns the audit architecture values seen that no known
// architecture has, with their counts.
func (r *Recording) UnknownArches() map[uint32]uint64 {
	out := make(map[uint32]uint64, len(r.unknown))
	for a, n := range r.unknown {
		out[a] = n
	}
	return out
}
