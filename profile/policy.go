package profile

import (
	"fmt"
	"slices"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/syscalls"
)

// Policy is a profile resolved for one Target: the architectures the filter
// covers, and per architecture and syscall number the rules runc would
// hand to libseccomp, already merged the way libseccomp merges them. It is
// what the compiler compiles and what Decide evaluates.
type Policy struct {
	Target Target
	// Arches in the order the filter tests them: native first, then the
	// profile's architectures (or its archMap entry for the native arch).
	Arches []arch.Arch
	// Default is the action for syscalls no rule matches.
	Default Action
	// BadArch is the action for a seccomp_data.arch the filter does not
	// cover (KILL_THREAD, as libseccomp).
	BadArch Action
	// Flags, ListenerPath and ListenerMeta are copied from the profile.
	Flags        []Flag
	ListenerPath string
	ListenerMeta string
	// Warnings list what was skipped or ignored, as runc would silently.
	Warnings []Warning
	// Applied holds the indices in the profile's "syscalls" of the rules
	// that apply to the target (includes and excludes matched), in order.
	Applied []int

	perArch map[arch.Arch]*ArchPolicy
}

// ArchPolicy is the part of a Policy for one architecture.
type ArchPolicy struct {
	Arch arch.Arch
	// Syscalls holds the syscalls with rules, sorted by number. Every other
	// number gets the policy's default action (or ENOSYS, see ENOSYSAbove).
	Syscalls []*SyscallPolicy
	// ENOSYSAbove is runc's ENOSYS rule: numbers (unsigned) above it return
	// ERRNO(ENOSYS) before any rule is looked at. Negative: no such rule.
	ENOSYSAbove int64
	byNr        map[int]*SyscallPolicy
}

// SyscallPolicy is what one syscall number gets on one architecture.
type SyscallPolicy struct {
	Nr   int
	Name string
	// Tree is the argument tree; nil means the syscall always gets Action.
	Tree   *Level
	Action Action
	// Rules are the indices in the profile's "syscalls" that contributed.
	Rules []int
}

// Arch returns the policy for one architecture, or nil if the filter does
// not cover it.
func (p *Policy) Arch(a arch.Arch) *ArchPolicy { return p.perArch[a] }

// Lookup returns the rules for syscall nr, or nil.
func (ap *ArchPolicy) Lookup(nr int) *SyscallPolicy { return ap.byNr[nr] }

// Conditional reports whether the decision depends on the arguments.
func (sp *SyscallPolicy) Conditional() bool { return sp.Tree != nil }

// Warning is something runc would silently do that the profile's author
// may not expect.
type Warning struct {
	File     string
	Pos      Position
	Path     string
	Code     string // stable identifier, e.g. "unknown-syscall"; see LintRules
	Severity Severity
	Msg      string
}

func (w Warning) String() string { return located(w.File, w.Pos, w.Path, w.Msg) }

const enosys = 38 // ENOSYS on every architecture runc's stub handles

// actionOf encodes a profile action with its errno the way runc does:
// ERRNO and TRACE carry errnoRet, or EPERM when it is absent.
func actionOf(name ActionName, errnoRet *uint) Action {
	kind, _ := name.Kind()
	if name.TakesData() {
		e := uint(1)
		if errnoRet != nil {
			e = *errnoRet
		}
		return kind | Action(e&0xffff)
	}
	return kind
}

// Resolve applies the profile to a target the way moby/containers-common
// (includes, excludes, archMap) and then runc with libseccomp would, and
// returns the resulting policy. It fails where runc would fail to start the
// container, e.g. with ErrConflict for rules libseccomp rejects with EEXIST.
func (p *Profile) Resolve(t Target) (*Policy, error) {
	if t.Arch == arch.Unknown {
		t.Arch = arch.Native()
		if t.Arch == arch.Unknown {
			return nil, fmt.Errorf("%w: this platform has no seccomp architecture; set Target.Arch", ErrUnknownArch)
		}
	}
	if t.Runtime == "" {
		t.Runtime = RuntimeRunc
	}
	if t.Runtime != RuntimeRunc && t.Runtime != RuntimeCrun {
		return nil, fmt.Errorf("unknown runtime %q: want %q or %q", t.Runtime, RuntimeRunc, RuntimeCrun)
	}
	r := &resolver{p: p, pol: &Policy{
		Target:       t,
		Default:      actionOf(p.DefaultAction, p.DefaultErrnoRet),
		BadArch:      ActKillThread,
		Flags:        slices.Clone(p.Flags),
		ListenerPath: p.ListenerPath,
		ListenerMeta: p.ListenerMeta,
		perArch:      map[arch.Arch]*ArchPolicy{},
	}}
	if err := r.arches(); err != nil {
		return nil, err
	}
	if err := r.rules(); err != nil {
		return nil, err
	}
	r.enosysRule()
	r.flushArchWarnings()
	for _, ap := range r.pol.perArch {
		slices.SortFunc(ap.Syscalls, func(a, b *SyscallPolicy) int { return a.Nr - b.Nr })
	}
	return r.pol, nil
}

type resolver struct {
	p   *Profile
	pol *Policy
	// kept are the rules that survived includes/excludes, with the names
	// known to the syscall tables.
	kept []keptRule
	slab []SyscallPolicy
	// archWarnings gathers one warning's architectures (warnOn).
	archWarnings []archWarning
}

type archWarning struct {
	w      Warning // Msg without the "NAME on ARCHES: " prefix
	name   string
	arches []arch.Arch
}

type keptRule struct {
	index int
	names []string
	// nrs[i][k] is names[i]'s number on the policy's k-th architecture, or
	// -1 where libseccomp has none (looked up once, used twice).
	nrs [][]int
}

// nameCount bounds how many syscalls one architecture can get rules for.
func (r *resolver) nameCount() int {
	n := 0
	for _, s := range r.p.Syscalls {
		n += len(s.Names)
	}
	return min(n, 1024)
}

// newSyscallPolicy hands out SyscallPolicy values from a slab: a policy
// has hundreds of them, allocated one by one they dominate Resolve.
func (r *resolver) newSyscallPolicy() *SyscallPolicy {
	if len(r.slab) == 0 {
		r.slab = make([]SyscallPolicy, 256)
	}
	sp := &r.slab[0]
	r.slab = r.slab[1:]
	return sp
}

func (r *resolver) warn(code string, pos Position, path, format string, a ...any) {
	w := Warning{File: r.p.Source.File, Pos: pos, Path: path, Code: code, Severity: severityOf(code), Msg: fmt.Sprintf(format, a...)}
	if slices.Contains(r.pol.Warnings, w) {
		return
	}
	r.pol.Warnings = append(r.pol.Warnings, w)
}

// warnOn records a warning about syscall name on architecture a; the same
// warning on other architectures becomes one warning naming them all.
func (r *resolver) warnOn(code string, pos Position, path, name string, a arch.Arch, format string, args ...any) {
	w := Warning{File: r.p.Source.File, Pos: pos, Path: path, Code: code, Severity: severityOf(code), Msg: fmt.Sprintf(format, args...)}
	for i := range r.archWarnings {
		if aw := &r.archWarnings[i]; aw.w == w && aw.name == name {
			if !slices.Contains(aw.arches, a) {
				aw.arches = append(aw.arches, a)
			}
			return
		}
	}
	r.archWarnings = append(r.archWarnings, archWarning{w: w, name: name, arches: []arch.Arch{a}})
}

func (r *resolver) flushArchWarnings() {
	for _, aw := range r.archWarnings {
		aw.w.Msg = fmt.Sprintf("%s on %s: %s", aw.name, archList(aw.arches), aw.w.Msg)
		r.pol.Warnings = append(r.pol.Warnings, aw.w)
	}
}

func (r *resolver) arches() error {
	// listed are the architectures runc's config lists; the native one is
	// in the filter regardless.
	native := r.pol.Target.Arch
	var listed []arch.Arch
	switch {
	case len(r.p.Architectures) > 0:
		listed = r.p.Architectures
	case len(r.p.ArchMap) > 0:
		for _, m := range r.p.ArchMap {
			if m.Arch == native {
				listed = append([]arch.Arch{m.Arch}, m.SubArches...)
				break
			}
		}
	}
	all := []arch.Arch{native}
	for _, a := range listed {
		if a == arch.PARISC || a == arch.PARISC64 {
			return &Error{File: r.p.Source.File, Err: ErrUnknownArch,
				Msg: fmt.Sprintf("%s is not in runc's architecture table: runc refuses the profile", a)}
		}
		if !slices.Contains(all, a) {
			all = append(all, a)
		}
	}
	for _, a := range all[1:] {
		if a.BigEndian() != native.BigEndian() {
			return &Error{File: r.p.Source.File, Err: ErrInvalid,
				Msg: fmt.Sprintf("%s and %s have different byte orders; one filter cannot cover both (libseccomp: EDOM)", native, a)}
		}
	}
	r.pol.Arches = all
	for _, a := range all {
		r.pol.perArch[a] = &ArchPolicy{Arch: a, ENOSYSAbove: -1, byNr: make(map[int]*SyscallPolicy, r.nameCount())}
	}
	return nil
}

// applies reports whether includes/excludes keep rule s for the target,
// exactly as moby's setupSeccomp decides.
func (r *resolver) applies(s *Syscall) (bool, error) {
	archName := r.pol.Target.Arch.Info().ProfileName
	has := func(c string) bool { return slices.Contains(r.pol.Target.Caps, c) }
	if f := s.Excludes; f != nil {
		if slices.Contains(f.Arches, archName) {
			return false, nil
		}
		for _, c := range f.Caps {
			if has(c) {
				return false, nil
			}
		}
		if f.MinKernel != nil {
			k, err := r.kernel()
			if err != nil {
				return false, err
			}
			if k.AtLeast(*f.MinKernel) {
				return false, nil
			}
		}
	}
	if f := s.Includes; f != nil {
		if len(f.Arches) > 0 && !slices.Contains(f.Arches, archName) {
			return false, nil
		}
		for _, c := range f.Caps {
			if !has(c) {
				return false, nil
			}
		}
		if f.MinKernel != nil {
			k, err := r.kernel()
			if err != nil {
				return false, err
			}
			if !k.AtLeast(*f.MinKernel) {
				return false, nil
			}
		}
	}
	return true, nil
}

func (r *resolver) kernel() (KernelVersion, error) {
	if r.pol.Target.Kernel.IsZero() {
		k, err := RunningKernel()
		if err != nil {
			return k, err
		}
		r.pol.Target.Kernel = k
	}
	return r.pol.Target.Kernel, nil
}

func (r *resolver) rules() error {
	seenUnknown := map[string]bool{}
	for i := range r.p.Syscalls {
		s := &r.p.Syscalls[i]
		path := fmt.Sprintf("%ssyscalls[%d]", r.p.pathPrefix, i)
		ok, err := r.applies(s)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		r.pol.Applied = append(r.pol.Applied, i)
		// Names: unknown ones are skipped (runc logs at debug level);
		// repeats are harmless and dropped here to keep work linear.
		names := make([]string, 0, len(s.Names))
		seen := make(map[string]bool, len(s.Names))
		for j, n := range s.Names {
			if seen[n] {
				continue
			}
			seen[n] = true
			if !syscalls.Known(n) {
				if !seenUnknown[n] {
					seenUnknown[n] = true
					r.warn("unknown-syscall", r.p.namePos(s, j), r.p.namesPath(s, path, j), "unknown syscall %q is skipped (runc ignores names libseccomp does not know)", n)
				}
				continue
			}
			names = append(names, n)
		}
		nrs := make([][]int, len(names))
		for k, n := range names {
			nrs[k] = make([]int, len(r.pol.Arches))
			for j, a := range r.pol.Arches {
				nrs[k][j] = -1
				if nr, ok := libseccompNumber(a, n); ok {
					nrs[k][j] = nr
				}
			}
		}
		r.kept = append(r.kept, keptRule{index: i, names: names, nrs: nrs})

		act := actionOf(s.Action, s.ErrnoRet)
		if act == r.pol.Default {
			if len(names) > 0 {
				r.warn("same-as-default", r.p.at(s.actionOff, s.Pos), path+".action", "rule has the default action %s and is dropped (runc skips it)", act)
			}
			continue
		}
		condSets, err := r.conditions(s, path)
		if err != nil {
			return err
		}
		for k, name := range names {
			for _, conds := range condSets {
				if err := r.addRule(s, path, name, nrs[k], act, conds); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// conditions returns the libseccomp rules one profile entry becomes: one
// rule with every condition (AND), or, when an argument index repeats, one
// rule per condition (runc's OR reading).
func (r *resolver) conditions(s *Syscall, path string) ([][]condition, error) {
	args := s.Args
	if r.pol.Target.Runtime == RuntimeCrun && len(args) > 6 {
		args = args[:6]
	}
	toCond := func(a Arg) condition {
		c := condition{arg: int(a.Index), op: a.Op, mask: ^uint64(0), datum: a.Value}
		if a.Op == OpMaskedEqual {
			c.mask, c.datum = a.Value, a.ValueTwo
		}
		return c
	}
	repeated := false
	seen := map[uint]bool{}
	for _, a := range args {
		if seen[a.Index] {
			repeated = true
		}
		seen[a.Index] = true
	}
	if !repeated {
		conds := make([]condition, 0, len(args))
		for _, a := range args {
			conds = append(conds, toCond(a))
		}
		slices.SortStableFunc(conds, func(a, b condition) int { return a.arg - b.arg })
		return [][]condition{conds}, nil
	}
	out := make([][]condition, 0, len(args))
	for _, a := range args {
		out = append(out, []condition{toCond(a)})
	}
	return out, nil
}

// addRule adds one libseccomp rule (one name, one condition list) to every
// architecture of the filter, as seccomp_rule_add does.
func (r *resolver) addRule(s *Syscall, path, name string, nrs []int, act Action, conds []condition) error {
	for j, a := range r.pol.Arches {
		if nr := nrs[j]; nr >= 0 {
			if err := r.addToArch(s, path, a, nr, name, act, conds, false); err != nil {
				return err
			}
		}
		if !r.multiplexedName(a, name) {
			continue
		}
		// libseccomp also adds the rule to socketcall/ipc with argument 0
		// forced to the call number, replacing any condition on it.
		muxNr, call, muxName := r.mux(a, name)
		if muxNr < 0 {
			continue
		}
		mc := []condition{{arg: 0, op: OpEqualTo, mask: ^uint64(0), datum: uint64(call)}}
		for _, c := range conds {
			if c.arg != 0 {
				mc = append(mc, c)
			}
		}
		if err := r.addToArch(s, path, a, muxNr, muxName, act, mc, true); err != nil {
			return err
		}
	}
	return nil
}

func (r *resolver) multiplexedName(a arch.Arch, name string) bool {
	if !syscalls.Multiplexed(a) {
		return false
	}
	_, sock := syscalls.SocketcallNumber(name)
	_, ipc := syscalls.IPCNumber(name)
	return sock || ipc
}

func (r *resolver) mux(a arch.Arch, name string) (nr, call int, muxName string) {
	if c, ok := syscalls.SocketcallNumber(name); ok {
		if n, ok := syscalls.SocketcallNr(a); ok {
			return n, c, "socketcall"
		}
	}
	if c, ok := syscalls.IPCNumber(name); ok {
		if n, ok := syscalls.IPCNr(a); ok {
			return n, c, "ipc"
		}
	}
	return -1, 0, ""
}

// addToArch is db_rule_add for one architecture.
func (r *resolver) addToArch(s *Syscall, path string, a arch.Arch, nr int, name string, act Action, conds []condition, muxed bool) error {
	ap := r.pol.perArch[a]
	chain := buildChain(conds, act, a.Is64Bit())
	sp := ap.byNr[nr]
	if sp == nil {
		sp = r.newSyscallPolicy()
		*sp = SyscallPolicy{Nr: nr, Name: name, Action: act, Tree: chain, Rules: []int{s.Index}}
		ap.byNr[nr] = sp
		ap.Syscalls = append(ap.Syscalls, sp)
		return nil
	}
	if !slices.Contains(sp.Rules, s.Index) {
		sp.Rules = append(sp.Rules, s.Index)
	}
	switch {
	case sp.Tree == nil:
		// An unconditional rule is already there: libseccomp keeps it and
		// silently drops this one, whatever its action.
		switch {
		case chain == nil && act != sp.Action:
			r.warnOn("conflicting-actions", r.p.at(s.actionOff, s.Pos), path+".action", name, a, "this rule gives %s, an earlier unconditional rule gives %s: libseccomp keeps the first and ignores this one", act, sp.Action)
		case chain != nil && (act != sp.Action || !muxed):
			r.warnOn("shadowed", s.Pos, path, name, a, "this rule is ignored: an earlier unconditional rule already gives %s (libseccomp keeps the first)", sp.Action)
		}
	case chain == nil:
		// A new unconditional rule replaces the conditional ones.
		if !sp.Tree.actCheck(act) && !muxed {
			r.warnOn("shadowed", s.Pos, path, name, a, "this unconditional rule replaces earlier rules with argument conditions and other actions (libseccomp drops them)")
		}
		sp.Tree, sp.Action = nil, act
	default:
		if !sp.Tree.add(chain) {
			return &Error{File: r.p.Source.File, Path: path, Pos: s.Pos, Err: ErrConflict,
				Msg: fmt.Sprintf("%s on %s: this rule gives %s where an earlier rule with the same conditions gives another action; libseccomp refuses it (EEXIST) and runc fails to start the container", name, a, act)}
		}
	}
	return nil
}

// enosysRule computes runc's ENOSYS stub: for the native architecture and
// each one the config lists (runc's patchbpf always includes the native
// one), syscall numbers above the largest one any kept rule names (known
// names; socket/ipc names count only where they are not multiplexed).
func (r *resolver) enosysRule() {
	if r.pol.Target.Runtime != RuntimeRunc {
		return
	}
	switch r.pol.Default.Kind() {
	case ActAllow, ActLog, ActTrace:
		return
	}
	for j, a := range r.pol.Arches {
		largest := 0
		for _, k := range r.kept {
			for i, n := range k.names {
				if r.multiplexedName(a, n) {
					continue // libseccomp resolves these to pseudo numbers
				}
				if nr := k.nrs[i][j]; nr > largest {
					largest = nr
				}
			}
		}
		if largest > 0 {
			r.pol.perArch[a].ENOSYSAbove = int64(largest)
		}
	}
}

// libseccompNumber is the number libseccomp 2.6.1 gives name on a. Our
// tables also hold a few numbers only the kernel's tables have (aliases and
// syscalls libseccomp leaves unnumbered on an architecture); runc drops
// rules on those, so Resolve does too.
func libseccompNumber(a arch.Arch, name string) (int, bool) {
	s, ok := syscalls.Lookup(a, name)
	return s.Nr, ok && s.Libseccomp
}
