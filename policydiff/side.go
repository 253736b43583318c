package policydiff

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"golang.org/x/net/bpf"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
)

// ErrInput: a side cannot be compared (no policy, a program the kernel
// would refuse, an unknown architecture).
var ErrInput = errors.New("policydiff: invalid input")

// Side is one of the two things compared: a resolved profile, or a raw
// program (compiled by anyone, or dumped from a process) run in the
// emulator.
type Side struct {
	Name string
	pol  *profile.Policy
	emu  *compile.Emulator
	// arches are the architectures this side's filter covers (a policy)
	// or is meant for (a program: the native one and its default
	// sub-architectures, since a raw program does not say).
	arches []arch.Arch
	consts programConstants
}

// FromPolicy compares a resolved profile; Decide is its meaning.
func FromPolicy(name string, pol *profile.Policy) (*Side, error) {
	if pol == nil || len(pol.Arches) == 0 {
		return nil, fmt.Errorf("%w: %s: no policy", ErrInput, name)
	}
	return &Side{Name: name, pol: pol, arches: slices.Clone(pol.Arches)}, nil
}

// FromProgram compares a raw seccomp program for the given native
// architecture (which sets the byte order of seccomp_data). It is run in
// compile's emulator, which behaves as the kernel does.
func FromProgram(name string, insns []bpf.RawInstruction, native arch.Arch) (*Side, error) {
	if !native.Valid() {
		return nil, fmt.Errorf("%w: %s: unknown architecture", ErrInput, name)
	}
	var order binary.ByteOrder = binary.LittleEndian
	if native.BigEndian() {
		order = binary.BigEndian
	}
	emu, err := compile.NewEmulator(insns, order)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInput, name, err)
	}
	return &Side{
		Name:   name,
		emu:    emu,
		arches: append([]arch.Arch{native}, arch.DefaultSubArches(native)...),
		consts: constantsOf(insns),
	}, nil
}

// decide is the side's action for one seccomp_data.
func (s *Side) decide(audit uint32, nr int32, args [6]uint64) profile.Action {
	if s.pol != nil {
		return s.pol.Decide(audit, nr, args)
	}
	return s.emu.Run(compile.Data{Nr: nr, Arch: audit, Args: args}).Action
}

// conditional reports whether the side's decision for (audit, nr) may
// depend on the arguments.
func (s *Side) conditional(a arch.Arch, audit uint32, nr int32) bool {
	if s.pol != nil {
		ap := s.pol.Arch(a)
		if ap == nil {
			return false
		}
		sp := ap.Lookup(int(nr))
		return sp != nil && sp.Tree != nil
	}
	return s.emu.Run(compile.Data{Nr: nr, Arch: audit}).ReadArgs
}

// covers reports whether the side's filter has rules for a (always true
// for a program, which does not say).
func (s *Side) covers(a arch.Arch) bool {
	if s.pol != nil {
		return s.pol.Arch(a) != nil
	}
	return true
}

// tree returns the policy's argument tree for a syscall, if any.
func (s *Side) tree(a arch.Arch, nr int32) *profile.Level {
	if s.pol == nil {
		return nil
	}
	ap := s.pol.Arch(a)
	if ap == nil {
		return nil
	}
	if sp := ap.Lookup(int(nr)); sp != nil {
		return sp.Tree
	}
	return nil
}
