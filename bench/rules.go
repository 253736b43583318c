package bench

import (
	"fmt"
	"slices"
	"strings"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
)

// The rules file is what testdata/libseccomp/lsc-export.c reads: the
// libseccomp calls runc makes for a profile, one per line.
//
//	default ACTION              seccomp_init(ACTION)
//	arch NAME                   seccomp_arch_add(seccomp_arch_resolve_name(NAME)), native first
//	rule ACTION NAME [ARG...]   seccomp_rule_add_array(ACTION, resolve(NAME), ARGs)
//	                            ARG = index:op:datum_a:datum_b, op as enum scmp_compare
//
// ACTION is the 32-bit SECCOMP_RET_* value in hex (libseccomp's SCMP_ACT_*
// values are the kernel's). Lines starting with # are comments.

// scmpCompare is enum scmp_compare in seccomp.h.
var scmpCompare = map[profile.Op]int{
	profile.OpNotEqual:     1,
	profile.OpLessThan:     2,
	profile.OpLessEqual:    3,
	profile.OpEqualTo:      4,
	profile.OpGreaterEqual: 5,
	profile.OpGreaterThan:  6,
	profile.OpMaskedEqual:  7,
}

// RuncRules writes the libseccomp calls runc makes for p on target t, in
// the rules format above:
//
//   - moby's conversion (profiles/seccomp setupSeccomp): the native
//     archMap entry or the architectures list; per entry excludes.arches,
//     excludes.caps (any), excludes.minKernel, includes.arches,
//     includes.caps (all), includes.minKernel;
//   - runc's (libcontainer/seccomp InitSeccomp): an entry whose action
//     equals the default is skipped; ERRNO and TRACE carry errnoRet or
//     EPERM; each name is one rule; when an argument index repeats, every
//     condition becomes its own rule.
//
// Unknown names are written too: the C program skips what its libseccomp
// cannot resolve, as runc does.
func RuncRules(p *profile.Profile, t profile.Target) (string, error) {
	if t.Arch == arch.Unknown {
		return "", fmt.Errorf("%w: RuncRules needs Target.Arch", ErrNoArch)
	}
	if t.Kernel.IsZero() {
		k, err := profile.RunningKernel()
		if err != nil {
			return "", err
		}
		t.Kernel = k
	}
	var b strings.Builder
	def := actionValue(p.DefaultAction, p.DefaultErrnoRet)
	fmt.Fprintf(&b, "# runc's libseccomp calls for %s, caps %s, kernel %s\n", t.Arch, strings.Join(t.Caps, ","), t.Kernel)
	fmt.Fprintf(&b, "default %#08x\n", uint32(def))
	arches := []arch.Arch{t.Arch}
	listed := p.Architectures
	for _, m := range p.ArchMap {
		if m.Arch == t.Arch {
			listed = append([]arch.Arch{m.Arch}, m.SubArches...)
			break
		}
	}
	for _, a := range listed {
		if !slices.Contains(arches, a) {
			arches = append(arches, a)
		}
	}
	for _, a := range arches {
		fmt.Fprintf(&b, "arch %s\n", a.ShortName())
	}
	for i := range p.Syscalls {
		s := &p.Syscalls[i]
		if !mobyApplies(s, t) {
			continue
		}
		act := actionValue(s.Action, s.ErrnoRet)
		if act == def {
			continue
		}
		var condSets [][]profile.Arg
		seen := map[uint]bool{}
		repeated := false
		for _, a := range s.Args {
			repeated = repeated || seen[a.Index]
			seen[a.Index] = true
		}
		if repeated {
			for _, a := range s.Args {
				condSets = append(condSets, []profile.Arg{a})
			}
		} else {
			condSets = [][]profile.Arg{s.Args}
		}
		for _, name := range s.Names {
			for _, conds := range condSets {
				fmt.Fprintf(&b, "rule %#08x %s", uint32(act), name)
				for _, c := range conds {
					op, ok := scmpCompare[c.Op]
					if !ok {
						return "", fmt.Errorf("bench: syscalls[%d]: unknown operator %q", i, c.Op)
					}
					fmt.Fprintf(&b, " %d:%d:%#x:%#x", c.Index, op, c.Value, c.ValueTwo)
				}
				b.WriteByte('\n')
			}
		}
	}
	return b.String(), nil
}

// actionValue encodes an action as runc does: ERRNO and TRACE carry
// errnoRet, or EPERM, masked to 16 bits.
func actionValue(name profile.ActionName, errnoRet *uint) profile.Action {
	kind, _ := name.Kind()
	if !name.TakesData() {
		return kind
	}
	e := uint(1)
	if errnoRet != nil {
		e = *errnoRet
	}
	return kind | profile.Action(e&0xffff)
}

// mobyApplies is moby's includes/excludes decision for one entry.
func mobyApplies(s *profile.Syscall, t profile.Target) bool {
	archName := t.Arch.Info().ProfileName
	has := func(c string) bool { return slices.Contains(t.Caps, c) }
	if f := s.Excludes; f != nil {
		if slices.Contains(f.Arches, archName) || slices.ContainsFunc(f.Caps, has) {
			return false
		}
		if f.MinKernel != nil && t.Kernel.AtLeast(*f.MinKernel) {
			return false
		}
	}
	if f := s.Includes; f != nil {
		if len(f.Arches) > 0 && !slices.Contains(f.Arches, archName) {
			return false
		}
		for _, c := range f.Caps {
			if !has(c) {
				return false
			}
		}
		if f.MinKernel != nil && !t.Kernel.AtLeast(*f.MinKernel) {
			return false
		}
	}
	return true
}
