package record

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
)

// Restrictiveness ranks action kinds from most restrictive (0) to least,
// in the kernel's precedence order (seccomp(2): when several filters
// return different actions, the one earlier in this list wins):
// KILL_PROCESS, KILL_THREAD, TRAP, ERRNO, USER_NOTIF, TRACE, LOG, ALLOW.
// "Less restrictive" in Merge means later in this list. Two actions of the
// same kind (ERRNO(1) and ERRNO(38)) rank the same; the first profile's
// wins.
func Restrictiveness(a profile.Action) int {
	switch a.Kind() {
	case profile.ActKillProcess:
		return 0
	case profile.ActKillThread:
		return 1
	case profile.ActTrap:
		return 2
	case profile.ActErrno:
		return 3
	case profile.ActNotify:
		return 4
	case profile.ActTrace:
		return 5
	case profile.ActLog:
		return 6
	case profile.ActAllow:
		return 7
	}
	return -1
}

// mergeRule is one (name, rule) pair from an input profile.
type mergeRule struct {
	action   profile.ActionName
	errnoRet *uint
	args     []profile.Arg // sorted
	includes *profile.Filter
	excludes *profile.Filter
	comment  string
	order    int // position over all inputs, for a stable output order
}

func (r *mergeRule) act() profile.Action { return encodeAction(r.action, r.errnoRet) }

// encodeAction is the action as runc encodes it (ERRNO/TRACE without
// errnoRet mean EPERM).
func encodeAction(name profile.ActionName, errnoRet *uint) profile.Action {
	kind, _ := name.Kind()
	if name.TakesData() {
		e := uint(1)
		if errnoRet != nil {
			e = *errnoRet
		}
		return kind | profile.Action(e&0xffff)
	}
	return kind
}

// body is what makes two rules the same rule for different names.
func (r *mergeRule) sameBody(o *mergeRule) bool {
	return r.act() == o.act() && r.action == o.action && slices.Equal(r.args, o.args) &&
		reflect.DeepEqual(r.includes, o.includes) && reflect.DeepEqual(r.excludes, o.excludes)
}

func sortedArgs(args []profile.Arg) []profile.Arg {
	out := make([]profile.Arg, len(args))
	for i, a := range args {
		a.Pos = profile.Position{}
		out[i] = a
	}
	slices.SortFunc(out, func(x, y profile.Arg) int {
		return cmp.Or(cmp.Compare(x.Index, y.Index), cmp.Compare(x.Op, y.Op), cmp.Compare(x.Value, y.Value), cmp.Compare(x.ValueTwo, y.ValueTwo))
	})
	return slices.Compact(out)
}

// Merge returns the union of the profiles, as the Security Profiles
// Operator unions a profile with its base: a syscall any input allows is
// allowed, and per syscall the less restrictive action wins (see
// Restrictiveness). Precisely:
//
//   - defaultAction, defaultErrnoRet, flags and the listener are the first
//     profile's; a warning says when another profile differs (its default
//     then no longer applies to what it did not list).
//   - architectures are the union, in order of appearance. Profiles with
//     archMap merge per native architecture; a flat list merged into
//     archMap joins the entries whose native architecture it contains (or
//     becomes a new entry), and an archMap merged into a flat list
//     contributes the entries whose native architecture the list contains.
//   - rules equal to the merged default action decide nothing (runc drops
//     them) and are kept only for syscalls no other rule names: runc's
//     ENOSYS rule counts every name in the profile. Per syscall name, of
//     the other rules without includes/excludes: if
//     any is unconditional (no args), the result is one unconditional rule
//     with the least restrictive action of all of them, conditional ones
//     included (libseccomp cannot keep conditional rules next to an
//     unconditional one, and a union must not permit less, so a
//     conditional rule that permits more widens the syscall; a warning
//     says so). Otherwise every distinct argument condition set is kept as
//     its own rule (rules on one syscall are alternatives), with the least
//     restrictive action among the inputs that give it. Rules with
//     includes or excludes are kept as they are, once.
//   - rules with the same action and conditions are written as one entry
//     naming their syscalls in sorted order; entries keep the order in
//     which the inputs first gave them.
//
// The result is checked the way runc would read it on this machine; a
// combination libseccomp refuses (conflicting conditional rules) fails with
// ErrMerge.
func Merge(profiles ...*profile.Profile) (*profile.Profile, []string, error) {
	if len(profiles) == 0 {
		return nil, nil, ErrNoProfiles
	}
	first := profiles[0]
	out := &profile.Profile{
		DefaultAction:   first.DefaultAction,
		DefaultErrnoRet: first.DefaultErrnoRet,
		Flags:           slices.Clone(first.Flags),
		ListenerPath:    first.ListenerPath,
		ListenerMeta:    first.ListenerMeta,
	}
	var warnings []string
	def := encodeAction(first.DefaultAction, first.DefaultErrnoRet)
	for i, p := range profiles[1:] {
		name := sourceName(p, i+1)
		if d := encodeAction(p.DefaultAction, p.DefaultErrnoRet); d != def {
			warnings = append(warnings, fmt.Sprintf("%s: default action %s differs from the first profile's %s; the first one is kept", name, d, def))
		}
		if !slices.Equal(p.Flags, first.Flags) || (p.Flags == nil) != (first.Flags == nil) {
			warnings = append(warnings, fmt.Sprintf("%s: flags %v differ from the first profile's %v; the first profile's are kept", name, p.Flags, first.Flags))
		}
		if p.ListenerPath != first.ListenerPath {
			warnings = append(warnings, fmt.Sprintf("%s: listenerPath %q differs from the first profile's %q; the first one is kept", name, p.ListenerPath, first.ListenerPath))
		}
	}
	var err error
	out.Architectures, out.ArchMap, err = mergeArches(profiles, &warnings)
	if err != nil {
		return nil, nil, err
	}

	byName := map[string][]*mergeRule{}
	defaultOnly := map[string][]*mergeRule{}
	var names []string
	order := 0
	for _, p := range profiles {
		for _, s := range p.Syscalls {
			order++
			for _, n := range s.Names {
				r := &mergeRule{action: s.Action, errnoRet: s.ErrnoRet, args: sortedArgs(s.Args),
					includes: s.Includes, excludes: s.Excludes, comment: s.Comment, order: order}
				if r.act() == def {
					// runc drops the rule, but its name still counts for
					// runc's ENOSYS rule (the largest number named), so
					// it is kept where nothing else names the syscall.
					defaultOnly[n] = append(defaultOnly[n], r)
				} else {
					byName[n] = append(byName[n], r)
				}
				if !slices.Contains(names, n) {
					names = append(names, n)
				}
			}
		}
	}

	type entry struct {
		rule  *mergeRule
		names []string
	}
	var entries []*entry
	add := func(n string, r *mergeRule) {
		for _, e := range entries {
			if e.rule.sameBody(r) {
				if !slices.Contains(e.names, n) {
					e.names = append(e.names, n)
				}
				e.rule.order = min(e.rule.order, r.order)
				return
			}
		}
		c := *r
		entries = append(entries, &entry{rule: &c, names: []string{n}})
	}
	for _, n := range names {
		if len(byName[n]) == 0 {
			for _, r := range defaultOnly[n] {
				add(n, r)
			}
			continue
		}
		for _, r := range mergeName(n, byName[n], &warnings) {
			add(n, r)
		}
	}
	slices.SortStableFunc(entries, func(x, y *entry) int { return cmp.Compare(x.rule.order, y.rule.order) })
	for _, e := range entries {
		slices.Sort(e.names)
		r := e.rule
		s := profile.Syscall{Names: e.names, Action: r.action, ErrnoRet: r.errnoRet, Includes: r.includes, Excludes: r.excludes}
		if len(r.args) > 0 {
			s.Args = r.args
		}
		if len(e.names) == 1 {
			s.Comment = r.comment
		}
		out.Syscalls = append(out.Syscalls, s)
	}

	// Fail closed: the result must be a profile runc accepts.
	data, err := Marshal(out)
	if err != nil {
		return nil, nil, err
	}
	parsed, err := profile.Parse(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: the merged profile is invalid: %v", ErrMerge, err)
	}
	if _, err := parsed.Resolve(profile.Target{}); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrMerge, err)
	}
	return parsed, warnings, nil
}

func sourceName(p *profile.Profile, i int) string {
	if p.Source.File != "" {
		return p.Source.File
	}
	return fmt.Sprintf("profile %d", i+1)
}

// mergeName merges the rules for one syscall name (see Merge).
func mergeName(name string, rules []*mergeRule, warnings *[]string) []*mergeRule {
	var out, uncond, cond []*mergeRule
	for _, r := range rules {
		switch {
		case r.includes != nil || r.excludes != nil:
			if !slices.ContainsFunc(out, r.sameBody) {
				out = append(out, r)
			}
		case len(r.args) == 0:
			uncond = append(uncond, r)
		default:
			cond = append(cond, r)
		}
	}
	leastRestrictive := func(rs []*mergeRule) *mergeRule {
		best := rs[0]
		for _, r := range rs[1:] {
			if Restrictiveness(r.act()) > Restrictiveness(best.act()) {
				best = r
			}
		}
		return best
	}
	if len(uncond) > 0 {
		best := leastRestrictive(uncond)
		if len(cond) > 0 {
			if c := leastRestrictive(cond); Restrictiveness(c.act()) > Restrictiveness(best.act()) {
				*warnings = append(*warnings, fmt.Sprintf("%s: an unconditional rule gives %s and a conditional one %s; libseccomp cannot keep both, so the union allows %s unconditionally",
					name, best.act(), c.act(), c.act()))
				w := *c
				w.args, w.order = nil, min(c.order, best.order)
				best = &w
			}
		}
		return append([]*mergeRule{best}, out...)
	}
	var groups []*mergeRule
	for _, r := range cond {
		i := slices.IndexFunc(groups, func(g *mergeRule) bool { return slices.Equal(g.args, r.args) })
		if i < 0 {
			groups = append(groups, r)
			continue
		}
		if Restrictiveness(r.act()) > Restrictiveness(groups[i].act()) {
			o := groups[i].order
			groups[i] = r
			groups[i].order = o
		}
	}
	return append(groups, out...)
}

// mergeArches merges architectures and archMap (see Merge). The result
// takes the first profile's form.
func mergeArches(profiles []*profile.Profile, warnings *[]string) ([]arch.Arch, []profile.ArchMapEntry, error) {
	useMap := len(profiles[0].ArchMap) > 0
	if !useMap {
		var flat []arch.Arch
		addFlat := func(as ...arch.Arch) {
			for _, a := range as {
				if !slices.Contains(flat, a) {
					flat = append(flat, a)
				}
			}
		}
		for i, p := range profiles {
			addFlat(p.Architectures...)
			for _, m := range p.ArchMap {
				if len(flat) > 0 && !slices.Contains(flat, m.Arch) {
					*warnings = append(*warnings, fmt.Sprintf("%s: archMap entry for %s dropped: the merged profile lists architectures and does not include %s", sourceName(p, i), m.Arch, m.Arch))
					continue
				}
				addFlat(m.Arch)
				addFlat(m.SubArches...)
			}
		}
		return flat, nil, nil
	}
	var m []profile.ArchMapEntry
	entryFor := func(a arch.Arch) *profile.ArchMapEntry {
		for i := range m {
			if m[i].Arch == a {
				return &m[i]
			}
		}
		m = append(m, profile.ArchMapEntry{Arch: a})
		return &m[len(m)-1]
	}
	addSub := func(e *profile.ArchMapEntry, subs ...arch.Arch) {
		for _, s := range subs {
			if s != e.Arch && !slices.Contains(e.SubArches, s) && s.BigEndian() == e.Arch.BigEndian() {
				e.SubArches = append(e.SubArches, s)
			}
		}
	}
	for _, p := range profiles {
		for _, me := range p.ArchMap {
			addSub(entryFor(me.Arch), me.SubArches...)
		}
		if len(p.Architectures) == 0 {
			continue
		}
		joined := false
		for i := range m {
			if slices.Contains(p.Architectures, m[i].Arch) {
				addSub(&m[i], p.Architectures...)
				joined = true
			}
		}
		if !joined {
			addSub(entryFor(p.Architectures[0]), p.Architectures[1:]...)
		}
	}
	return nil, m, nil
}
