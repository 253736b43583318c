package record

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
)

// ProfileOptions control Recording.Profile.
type ProfileOptions struct {
	// Base adds the syscalls a container runtime needs (BaseDocker).
	Base Base
	// Args turns the recorded arguments of ArgSyscalls into argument
	// rules: the syscall is allowed only with the values seen.
	Args bool
	// DefaultErrnoRet is the errno of the default action
	// SCMP_ACT_ERRNO. Zero means 1 (EPERM).
	DefaultErrnoRet uint
	// Native is listed first in "architectures". arch.Unknown means the
	// machine's own architecture.
	Native arch.Arch
}

// DefaultProfileOptions: no base, no argument rules, EPERM.
var DefaultProfileOptions = ProfileOptions{}

// Profile returns a profile that allows exactly the recorded syscalls:
// defaultAction SCMP_ACT_ERRNO with defaultErrnoRet 1, the architectures
// seen (the native one first), and one SCMP_ACT_ALLOW rule naming every
// recorded syscall, sorted. With opts.Args, the syscalls of ArgSyscalls get
// one rule per recorded argument value instead.
//
// The format names syscalls, not (architecture, number) pairs, so a name
// recorded on one architecture is allowed on every listed architecture
// that has it. Numbers the syscall tables do not know cannot be named;
// they are returned as warnings, as are calls from unknown architectures.
func (r *Recording) Profile(opts ProfileOptions) (*profile.Profile, []string, error) {
	native := opts.Native
	if native == arch.Unknown {
		native = arch.Native()
	}
	errno := opts.DefaultErrnoRet
	if errno == 0 {
		errno = 1
	}
	if errno > 4095 {
		return nil, nil, fmt.Errorf("record: defaultErrnoRet %d is above 4095", errno)
	}
	var warnings []string

	arches := r.Arches()
	if native != arch.Unknown {
		arches = slices.DeleteFunc(arches, func(a arch.Arch) bool { return a == native })
		arches = append([]arch.Arch{native}, arches...)
	}
	for i := 1; i < len(arches); i++ {
		if a := arches[i]; a.BigEndian() != arches[0].BigEndian() {
			return nil, nil, fmt.Errorf("record: %s and %s were both recorded but have different byte orders; one profile cannot cover both", arches[0], a)
		}
	}

	allow := map[string]bool{}
	for _, n := range BaseSyscalls(opts.Base) {
		allow[n] = true
	}
	type argRule struct {
		name string
		arg  profile.Arg
	}
	var argRules []argRule
	unconditional := map[string]bool{} // names that must be allowed without conditions
	for _, cc := range r.Calls() {
		if cc.Name == "" {
			warnings = append(warnings, fmt.Sprintf("%s syscall %d is not in the syscall tables and cannot be named in a profile", cc.Arch, cc.Nr))
			continue
		}
		spec := argSpecFor(cc.Call)
		if !opts.Args || spec == nil {
			unconditional[cc.Name] = true
			continue
		}
		values, overflow := r.ArgValues(cc.Call)
		if overflow || len(values) == 0 {
			if overflow {
				warnings = append(warnings, fmt.Sprintf("%s on %s: more than %d distinct argument values; allowed without conditions", cc.Name, cc.Arch, maxArgValues))
			}
			unconditional[cc.Name] = true
			continue
		}
		for _, v := range values {
			argRules = append(argRules, argRule{cc.Name, spec.rule(cc.Arch, v)})
		}
	}
	for n := range unconditional {
		allow[n] = true
	}
	// A name allowed without conditions makes its argument rules moot
	// (libseccomp keeps the first unconditional rule and drops the rest).
	argRules = slices.DeleteFunc(argRules, func(ar argRule) bool { return allow[ar.name] })
	slices.SortFunc(argRules, func(x, y argRule) int {
		return cmp.Or(cmp.Compare(x.name, y.name), cmp.Compare(x.arg.Index, y.arg.Index), cmp.Compare(x.arg.ValueTwo, y.arg.ValueTwo), cmp.Compare(x.arg.Value, y.arg.Value))
	})
	argRules = slices.CompactFunc(argRules, func(x, y argRule) bool { return x.name == y.name && x.arg == y.arg })

	names := make([]string, 0, len(allow))
	for n := range allow {
		names = append(names, n)
	}
	slices.Sort(names)

	p := &profile.Profile{
		DefaultAction:   "SCMP_ACT_ERRNO",
		DefaultErrnoRet: &errno,
		Architectures:   arches,
	}
	if native == arch.Unknown && len(arches) == 0 {
		p.Architectures = nil
	}
	if len(names) > 0 {
		p.Syscalls = append(p.Syscalls, profile.Syscall{Names: names, Action: "SCMP_ACT_ALLOW"})
	}
	for _, ar := range argRules {
		p.Syscalls = append(p.Syscalls, profile.Syscall{Names: []string{ar.name}, Action: "SCMP_ACT_ALLOW", Args: []profile.Arg{ar.arg}})
	}
	for a, n := range r.unknown {
		warnings = append(warnings, fmt.Sprintf("%d calls from audit architecture %#x, which no known architecture has, are not in the profile", n, a))
	}
	slices.Sort(warnings)
	return p, warnings, nil
}
