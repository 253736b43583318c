package compile

import (
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/seccompctl/seccompctl/arch"
)

// Program is a compiled seccomp filter: the instructions the kernel runs and
// what they were compiled for.
type Program struct {
	// Insns are the classic-BPF instructions, ready for seccomp(2).
	Insns []bpf.RawInstruction
	// Arches are the architectures the program dispatches on, in the order
	// it tests them (native first). Any other seccomp_data.arch gets the
	// bad-arch action.
	Arches []arch.Arch
	// Stats describes the program's shape.
	Stats Stats
}

// Stats describes a compiled program.
type Stats struct {
	// Len is the number of instructions.
	Len int
	// Intervals is, per architecture, the number of syscall-number
	// intervals with one decision that the search tree tells apart.
	Intervals map[arch.Arch]int
}

// SockFilters returns the program as the kernel's struct sock_filter array.
func (p *Program) SockFilters() []unix.SockFilter {
	return toSockFilters(p.Insns)
}

func toSockFilters(insns []bpf.RawInstruction) []unix.SockFilter {
	out := make([]unix.SockFilter, len(insns))
	for i, ins := range insns {
		out[i] = unix.SockFilter{Code: ins.Op, Jt: ins.Jt, Jf: ins.Jf, K: ins.K}
	}
	return out
}

// Instructions returns the program as golang.org/x/net/bpf instruction
// values, for callers that work with that package.
func (p *Program) Instructions() []bpf.Instruction {
	out := make([]bpf.Instruction, len(p.Insns))
	for i, ins := range p.Insns {
		out[i] = ins.Disassemble()
	}
	return out
}
