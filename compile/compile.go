package compile

import (
	"errors"
	"fmt"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
)

// ErrNoPolicy is returned when Compile is given no policy.
var ErrNoPolicy = errors.New("compile: no policy")

// Compile turns a resolved policy into a seccomp program. The program is
// checked by Verify before it is returned: Compile never returns a program
// the kernel would refuse, and fails with a TooLongError (ErrTooLong) when
// the program exceeds 4096 instructions.
func Compile(pol *profile.Policy, opts Options) (*Program, error) {
	if pol == nil || len(pol.Arches) == 0 {
		return nil, ErrNoPolicy
	}
	c := &codegen{g: newGraph(), pol: pol, opts: opts, intervals: map[arch.Arch]int{}}
	entry := c.generate()
	if c.g.err != nil {
		return nil, fmt.Errorf("compile: internal error: %w", c.g.err)
	}
	if !opts.NoShare {
		entry = share(c.g, entry)
	}
	blocks := layout(entry, int(c.g.n))
	if !opts.NoShare {
		dropRedundantLoads(blocks)
	}
	insns, err := assemble(blocks)
	if err != nil {
		return nil, err
	}
	if len(insns) > KernelMaxInsns {
		return nil, TooLongError{Len: len(insns)}
	}
	if err := Verify(insns); err != nil {
		return nil, fmt.Errorf("compile: internal error: generated program fails verification: %w", err)
	}
	return &Program{
		Insns:  insns,
		Arches: append([]arch.Arch(nil), pol.Arches...),
		Stats:  Stats{Len: len(insns), Intervals: c.intervals},
	}, nil
}
