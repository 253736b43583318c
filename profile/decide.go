package profile

import (
	"fmt"

	"github.com/seccompctl/seccompctl/arch"
)

// Decision is the outcome of Decide with the reason for it.
type Decision struct {
	Action Action
	// Arch is the architecture whose rules decided (Unknown for bad arch).
	Arch arch.Arch
	// Syscall is the rule set that decided, or nil when the default action,
	// the bad-arch action or the ENOSYS rule did.
	Syscall *SyscallPolicy
	// Reason says in words why.
	Reason string
}

// Decide is the reference semantics: the action the filter runc would
// install for this policy returns for one seccomp_data (audit arch value,
// syscall number and arguments). It is written to be obviously right, not
// fast; the compiler's output must agree with it for every input.
func (p *Policy) Decide(auditArch uint32, nr int32, args [6]uint64) Action {
	return p.Explain(auditArch, nr, args).Action
}

// Explain is Decide with the reason.
func (p *Policy) Explain(auditArch uint32, nr int32, args [6]uint64) Decision {
	var candidates []arch.Arch
	for _, a := range p.Arches {
		if a.Audit() == auditArch {
			candidates = append(candidates, a)
		}
	}
	if len(candidates) == 0 {
		return Decision{Action: p.BadArch, Reason: fmt.Sprintf("architecture %#x is not in the filter: bad-arch action", auditArch)}
	}
	u := uint32(nr)

	// runc's ENOSYS stub runs before the filter.
	for _, a := range candidates {
		ap := p.perArch[a]
		if ap.ENOSYSAbove < 0 || !inABI(a, u) {
			continue
		}
		if (a == arch.S390 || a == arch.S390X) && u == 0 {
			return Decision{Action: Errno(enosys), Arch: a, Reason: "syscall 0 on s390 (the multiplexer for unknown syscalls) returns ENOSYS (runc)"}
		}
		if int64(u) > ap.ENOSYSAbove {
			return Decision{Action: Errno(enosys), Arch: a,
				Reason: fmt.Sprintf("syscall number %d is above %d, the largest the profile names on %s: ENOSYS (runc)", u, ap.ENOSYSAbove, a)}
		}
	}

	// libseccomp's filter: x86_64 and x32 share an audit value. With only
	// one of them in the filter it tests the number's range (jge
	// 0x40000000), not bit 30 as runc's stub above does; with both it
	// simply looks the number up in the rules of both.
	var a arch.Arch
	switch {
	case len(candidates) == 1 && candidates[0] == arch.X86_64:
		if u >= arch.X32SyscallBit && u != 0xffffffff {
			return Decision{Action: p.BadArch, Reason: "syscall number at or above 0x40000000 (x32) without SCMP_ARCH_X32 in the filter: bad-arch action"}
		}
		a = arch.X86_64
	case len(candidates) == 1 && candidates[0] == arch.X32:
		if u < arch.X32SyscallBit {
			return Decision{Action: p.BadArch, Reason: "syscall number below 0x40000000 (x86_64) with only SCMP_ARCH_X32 in the filter: bad-arch action"}
		}
		a = arch.X32
	case len(candidates) == 2: // x86_64 and x32
		a = arch.X86_64
		if u&arch.X32SyscallBit != 0 {
			a = arch.X32
		}
	default:
		a = candidates[0]
	}
	sp := p.perArch[a].Lookup(int(nr))
	if sp == nil {
		return Decision{Action: p.Default, Arch: a, Reason: "no rule for this syscall: default action"}
	}
	if sp.Tree == nil {
		return Decision{Action: sp.Action, Arch: a, Syscall: sp, Reason: "unconditional rule"}
	}
	if act, ok := sp.Tree.eval(args); ok {
		return Decision{Action: act, Arch: a, Syscall: sp, Reason: "argument conditions matched"}
	}
	return Decision{Action: p.Default, Arch: a, Syscall: sp, Reason: "no argument condition matched: default action"}
}

// inABI reports whether runc's stub section for a applies to number u:
// where two ABIs share an audit value (x86_64 and x32) the stub tells them
// apart by bit 30 (jset).
func inABI(a arch.Arch, u uint32) bool {
	switch a {
	case arch.X86_64:
		return u&arch.X32SyscallBit == 0
	case arch.X32:
		return u&arch.X32SyscallBit != 0
	}
	return true
}
