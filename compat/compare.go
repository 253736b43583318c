package compat

import (
	"encoding/binary"
	"fmt"
	"strings"

	"golang.org/x/net/bpf"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/syscalls"
)

// Decider is (*profile.Policy).Decide or an equivalent.
type Decider func(auditArch uint32, nr int32, args [6]uint64) profile.Action

// Diff is an input on which the captured program and the reference
// semantics disagree.
type Diff struct {
	Input
	Runc, Want profile.Action
}

// NewEmulator verifies a captured program with seccompctl's verifier and
// prepares it for running on this host's seccomp_data layout.
func NewEmulator(insns []bpf.RawInstruction) (*compile.Emulator, error) {
	return compile.NewEmulator(insns, binary.NativeEndian)
}

func (in Input) data() compile.Data {
	return compile.Data{Nr: int32(in.Nr), Arch: in.Arch, Args: in.Args}
}

// Run returns the program's action for one input.
func Run(em *compile.Emulator, in Input) profile.Action {
	return em.Run(in.data()).Action
}

// Differences runs the program on every input and returns those where its
// action differs from decide's.
func Differences(em *compile.Emulator, decide Decider, inputs []Input) []Diff {
	var out []Diff
	for _, in := range inputs {
		got := em.Run(in.data()).Action
		if want := decide(in.Arch, int32(in.Nr), in.Args); got != want {
			out = append(out, Diff{Input: in, Runc: got, Want: want})
		}
	}
	return out
}

// ProgramStats are the "libseccomp baseline" figures of one program.
type ProgramStats struct {
	// Len is the number of instructions, runc's stub included.
	Len int
	// MeanTable and MaxTable are instructions executed for the syscalls
	// of the architecture's table (our tables), zero arguments.
	MeanTable float64
	MaxTable  int
	// MeanRange and MaxRange are the same over every number 0..MaxNr.
	MeanRange float64
	MaxRange  int
}

// Measure runs the program on architecture a's syscalls with zero
// arguments and counts executed instructions.
func Measure(em *compile.Emulator, insns int, a arch.Arch, maxNr uint32) ProgramStats {
	st := ProgramStats{Len: insns}
	run := func(nr uint32) int {
		return em.Run(compile.Data{Nr: int32(nr), Arch: a.Audit()}).Executed
	}
	sum, n := 0, 0
	for _, s := range syscalls.Table(a) {
		e := run(uint32(s.Nr))
		sum += e
		n++
		st.MaxTable = max(st.MaxTable, e)
	}
	if n > 0 {
		st.MeanTable = float64(sum) / float64(n)
	}
	sum = 0
	for nr := uint32(0); nr <= maxNr; nr++ {
		e := run(nr | a.Info().SyscallBit)
		sum += e
		st.MaxRange = max(st.MaxRange, e)
	}
	st.MeanRange = float64(sum) / float64(maxNr+1)
	return st
}

// ArchOf names the ABI an input belongs to among the filter's arches.
func ArchOf(in Input, arches []arch.Arch) (arch.Arch, bool) {
	var cands []arch.Arch
	for _, a := range arches {
		if a.Audit() == in.Arch {
			cands = append(cands, a)
		}
	}
	if len(cands) == 0 {
		return arch.Unknown, false
	}
	for _, a := range cands {
		if (a == arch.X32) == (in.Nr&arch.X32SyscallBit != 0 && in.Nr != 0xffffffff) {
			return a, true
		}
	}
	return cands[0], true
}

// Describe formats an input for a report: arch, number, syscall name and
// the non-zero arguments.
func Describe(in Input, arches []arch.Arch) string {
	var b strings.Builder
	a, ok := ArchOf(in, arches)
	if ok {
		fmt.Fprintf(&b, "%s nr=%d", a.ShortName(), in.Nr&^a.Info().SyscallBit)
		if in.Nr&a.Info().SyscallBit != 0 {
			fmt.Fprintf(&b, "|x32bit")
		}
		if name, ok := syscalls.Name(a, int(in.Nr)); ok {
			fmt.Fprintf(&b, " (%s)", name)
		}
	} else {
		fmt.Fprintf(&b, "audit=%#x nr=%#x", in.Arch, in.Nr)
	}
	for i, v := range in.Args {
		if v != 0 {
			fmt.Fprintf(&b, " a%d=%#x", i, v)
		}
	}
	return b.String()
}
