package profile

import (
	"fmt"
	"slices"
	"sync"

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
	index       nrIndex
	store       *policyStore // shared by the policy's architectures
}

// SyscallPolicy is what one syscall number gets on one architecture.
type SyscallPolicy struct {
	Nr   int
	Name string
	// Tree is the argument tree; nil means the syscall always gets Action.
	Tree   *Level
	Action Action
	// Rules are the indices in the profile's "syscalls" that contributed.
	// Policies may share its array: read it, do not write to it.
	Rules []int
}

// Arch returns the policy for one architecture, or nil if the filter does
// not cover it.
func (p *Policy) Arch(a arch.Arch) *ArchPolicy { return p.perArch[a] }

// Lookup returns the rules for syscall nr, or nil.
func (ap *ArchPolicy) Lookup(nr int) *SyscallPolicy {
	if pos, ok := ap.index.get(nr); ok {
		return ap.store.at(pos)
	}
	return nil
}

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
	total := 0
	for _, ai := range r.archs {
		total += ai.ap.index.n
	}
	all := make([]*SyscallPolicy, 0, total) // one allocation for all arches
	for _, ai := range r.archs {
		n := ai.ap.index.n
		ai.ap.Syscalls = ai.ap.index.sorted(ai.ap.store, all[:0:n])
		all = all[n:n]
	}
	return r.pol, nil
}

type resolver struct {
	p   *Profile
	pol *Policy
	// archs holds what adding a rule needs about each of pol.Arches.
	archs []archInfo
	// nrs[j] is the number of the name being added on the j-th
	// architecture, or -1 where libseccomp has none (looked up once, used
	// by every condition set and for the ENOSYS rule).
	nrs []int32
	// lastRule[id] is 1 + the index of the last rule that named the
	// syscall with that ID, to drop a name repeated within a rule.
	lastRule    []int32
	seenUnknown map[string]bool
	// multiplexed: some architecture of the filter multiplexes.
	multiplexed bool
	// ruleIndex[i] is rule i's Index. A new SyscallPolicy's Rules is
	// ruleIndex[i:i+1] with its capacity capped, so that the policies of
	// one rule share it and appending copies.
	ruleIndex []int
	// increasing: ruleIndex increases, as in every parsed profile.
	increasing bool
	// muxConds is addRule's scratch for socketcall/ipc conditions.
	muxConds []condition
	// archWarnings gathers one warning's architectures (warnOn).
	archWarnings []archWarning
	// warned and archWarned index pol.Warnings (until flushArchWarnings)
	// and archWarnings, so that repeats are found without a scan: a
	// hostile profile can have tens of thousands of warnings.
	warned     map[Warning]bool
	archWarned map[archWarningKey]int
}

type archWarningKey struct {
	w    Warning
	name string
}

// archInfo is one architecture of the filter.
type archInfo struct {
	ap   *ArchPolicy
	is64 bool
	// multiplexed: libseccomp also adds socket and SysV IPC rules to the
	// socketcall and ipc syscalls, numbered socketcall and ipc (-1: none).
	multiplexed     bool
	socketcall, ipc int
	// largest is the largest number a kept rule names, for the ENOSYS rule.
	largest int
}

// muxCall is a name's call number under socketcall (or ipc); 0: none.
type muxCall struct {
	call uint8
	ipc  bool
}

type archWarning struct {
	w      Warning // Msg without the "NAME on ARCHES: " prefix
	name   string
	arches []arch.Arch
}

func (r *resolver) warn(code string, pos Position, path, format string, a ...any) {
	w := Warning{File: r.p.Source.File, Pos: pos, Path: path, Code: code, Severity: severityOf(code), Msg: fmt.Sprintf(format, a...)}
	if r.warned[w] {
		return
	}
	if r.warned == nil {
		r.warned = map[Warning]bool{}
	}
	r.warned[w] = true
	r.pol.Warnings = append(r.pol.Warnings, w)
}

// warnOn records a warning about syscall name on architecture a; the same
// warning on other architectures becomes one warning naming them all.
func (r *resolver) warnOn(code string, pos Position, path, name string, a arch.Arch, format string, args ...any) {
	w := Warning{File: r.p.Source.File, Pos: pos, Path: path, Code: code, Severity: severityOf(code), Msg: fmt.Sprintf(format, args...)}
	key := archWarningKey{w: w, name: name}
	if i, ok := r.archWarned[key]; ok {
		if aw := &r.archWarnings[i]; !slices.Contains(aw.arches, a) {
			aw.arches = append(aw.arches, a)
		}
		return
	}
	if r.archWarned == nil {
		r.archWarned = map[archWarningKey]int{}
	}
	r.archWarned[key] = len(r.archWarnings)
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
	r.archs = make([]archInfo, len(all))
	span := 0
	for _, a := range all {
		_, n := nrSpan(a)
		span += n
	}
	tables := make([]int32, span) // one allocation for all nrIndex tables
	store := &policyStore{}
	for j, a := range all {
		ap := &ArchPolicy{Arch: a, ENOSYSAbove: -1, index: newNrIndex(a, &tables), store: store}
		r.pol.perArch[a] = ap
		ai := archInfo{ap: ap, is64: a.Is64Bit(), multiplexed: syscalls.Multiplexed(a), socketcall: -1, ipc: -1}
		if nr, ok := syscalls.SocketcallNr(a); ok {
			ai.socketcall = nr
		}
		if nr, ok := syscalls.IPCNr(a); ok {
			ai.ipc = nr
		}
		r.archs[j] = ai
		r.multiplexed = r.multiplexed || ai.multiplexed
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
	r.startRules()
	for i := range r.p.Syscalls {
		s := &r.p.Syscalls[i]
		ok, err := r.applies(s)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		r.pol.Applied = append(r.pol.Applied, i)
		act := actionOf(s.Action, s.ErrnoRet)
		var condSets [][]condition // none for a rule runc skips
		if act != r.pol.Default {
			condSets = r.conditions(s)
		}
		kept := 0
		for j := range s.Names {
			m, ok := r.keep(i, s, j)
			if !ok {
				continue
			}
			kept++
			for _, conds := range condSets {
				if err := r.addRule(s, i, s.Names[j], r.nrs, m, act, conds); err != nil {
					return err
				}
			}
		}
		if act == r.pol.Default && kept > 0 {
			r.warn("same-as-default", r.p.at(s.actionOff, s.Pos), r.p.rulePath(i)+".action", "rule has the default action %s and is dropped (runc skips it)", act)
		}
	}
	return nil
}

// startRules makes the scratch keep reuses from one name to the next.
func (r *resolver) startRules() {
	r.seenUnknown = map[string]bool{}
	r.lastRule = make([]int32, len(muxCalls()))
	r.nrs = make([]int32, len(r.archs))
	r.ruleIndex = make([]int, len(r.p.Syscalls))
	r.increasing = true
	for i := range r.p.Syscalls {
		r.ruleIndex[i] = r.p.Syscalls[i].Index
		r.increasing = r.increasing && (i == 0 || r.ruleIndex[i] > r.ruleIndex[i-1])
	}
}

// keep reports whether rule i adds rules for its j-th name, and then
// sets r.nrs to the name's numbers and returns its socketcall/ipc call.
// Unknown names are skipped (runc logs them at debug level), repeats are
// harmless and dropped here to keep work linear. It also raises each
// architecture's largest number for the ENOSYS rule.
func (r *resolver) keep(i int, s *Syscall, j int) (muxCall, bool) {
	n := s.Names[j]
	id, known := syscalls.IDOf(n)
	if !known {
		if !r.seenUnknown[n] {
			r.seenUnknown[n] = true
			r.warn("unknown-syscall", r.p.namePos(s, j), r.p.namesPath(s, r.p.rulePath(i), j), "unknown syscall %q is skipped (runc ignores names libseccomp does not know)", n)
		}
		return muxCall{}, false
	}
	stamp := int32(i + 1)
	if r.lastRule[id] == stamp {
		return muxCall{}, false // a repeat
	}
	r.lastRule[id] = stamp
	var m muxCall
	if r.multiplexed {
		m = muxCalls()[id]
	}
	for k := range r.archs {
		ai := &r.archs[k]
		nr := int32(-1)
		if sc, ok := syscalls.LookupID(ai.ap.Arch, id); ok && sc.Libseccomp {
			nr = int32(sc.Nr)
		}
		r.nrs[k] = nr
		if ai.multiplexed && m.call != 0 {
			continue // libseccomp resolves these to pseudo numbers
		}
		ai.largest = max(ai.largest, int(nr))
	}
	return m, true
}

// muxCalls returns, per syscall ID (syscalls.IDOf), the name's socketcall
// or ipc call number (zero for other names).
var muxCalls = sync.OnceValue(func() []muxCall {
	names := syscalls.Names()
	calls := make([]muxCall, len(names))
	for id, n := range names {
		if c, ok := syscalls.SocketcallNumber(n); ok {
			calls[id] = muxCall{call: uint8(c)}
		} else if c, ok := syscalls.IPCNumber(n); ok {
			calls[id] = muxCall{call: uint8(c), ipc: true}
		}
	}
	return calls
})

// conditions returns the libseccomp rules one profile entry becomes: one
// rule with every condition (AND), or, when an argument index repeats, one
// rule per condition (runc's OR reading).
func (r *resolver) conditions(s *Syscall) [][]condition {
	args := s.Args
	if r.pol.Target.Runtime == RuntimeCrun && len(args) > 6 {
		args = args[:6]
	}
	if len(args) == 0 {
		return unconditional
	}
	toCond := func(a Arg) condition {
		c := condition{arg: int(a.Index), op: a.Op, mask: ^uint64(0), datum: a.Value}
		if a.Op == OpMaskedEqual {
			c.mask, c.datum = a.Value, a.ValueTwo
		}
		return c
	}
	if !repeatsIndex(args) {
		conds := make([]condition, 0, len(args))
		for _, a := range args {
			conds = append(conds, toCond(a))
		}
		slices.SortStableFunc(conds, func(a, b condition) int { return a.arg - b.arg })
		return [][]condition{conds}
	}
	out := make([][]condition, 0, len(args))
	for _, a := range args {
		out = append(out, []condition{toCond(a)})
	}
	return out
}

// unconditional is the condition sets of a rule without args (read only).
var unconditional = [][]condition{nil}

// repeatsIndex reports whether two conditions test the same argument. Parse
// allows indices 0..5, which a bit set covers; a Profile built in code may
// hold others.
func repeatsIndex(args []Arg) bool {
	var small uint64
	var large map[uint]bool
	for _, a := range args {
		if a.Index < 64 {
			bit := uint64(1) << a.Index
			if small&bit != 0 {
				return true
			}
			small |= bit
			continue
		}
		if large[a.Index] {
			return true
		}
		if large == nil {
			large = map[uint]bool{}
		}
		large[a.Index] = true
	}
	return false
}

// addRule adds one libseccomp rule (one name, one condition list) to every
// architecture of the filter, as seccomp_rule_add does. nrs are the name's
// numbers on the architectures, m its socketcall/ipc call.
func (r *resolver) addRule(s *Syscall, i int, name string, nrs []int32, m muxCall, act Action, conds []condition) error {
	for j := range r.archs {
		ai := &r.archs[j]
		if nr := nrs[j]; nr >= 0 {
			if err := r.addToArch(s, i, ai, int(nr), name, act, conds, false); err != nil {
				return err
			}
		}
		if !ai.multiplexed || m.call == 0 {
			continue
		}
		// libseccomp also adds the rule to socketcall/ipc with argument 0
		// forced to the call number, replacing any condition on it.
		muxNr, muxName := ai.socketcall, "socketcall"
		if m.ipc {
			muxNr, muxName = ai.ipc, "ipc"
		}
		if muxNr < 0 {
			continue
		}
		mc := append(r.muxConds[:0], condition{arg: 0, op: OpEqualTo, mask: ^uint64(0), datum: uint64(m.call)})
		for _, c := range conds {
			if c.arg != 0 {
				mc = append(mc, c)
			}
		}
		r.muxConds = mc // reused: addToArch keeps no condition list
		if err := r.addToArch(s, i, ai, muxNr, muxName, act, mc, true); err != nil {
			return err
		}
	}
	return nil
}

// listed reports whether a policy's rules (never empty) hold index. A
// policy gets its rules' indices in rule order, so where they increase only
// the last one can equal index: scanning them all made 10^4 rules on one
// syscall quadratic.
func (r *resolver) listed(rules []int, index int) bool {
	if r.increasing {
		return rules[len(rules)-1] == index
	}
	return slices.Contains(rules, index)
}

// addToArch is db_rule_add for one architecture.
// i is the rule's index in the profile (s.Index may differ in a Profile
// built in code), for messages.
func (r *resolver) addToArch(s *Syscall, i int, ai *archInfo, nr int, name string, act Action, conds []condition, muxed bool) error {
	ap, a := ai.ap, ai.ap.Arch
	chain := buildChain(conds, act, ai.is64) // nil without conditions
	pos, ok := ap.index.get(nr)
	if !ok {
		pos, sp := ap.store.add()
		*sp = SyscallPolicy{Nr: nr, Name: name, Action: act, Tree: chain, Rules: r.ruleIndex[i : i+1 : i+1]}
		ap.index.set(nr, pos)
		return nil
	}
	sp := ap.store.at(pos)
	if !r.listed(sp.Rules, s.Index) {
		sp.Rules = append(sp.Rules, s.Index)
	}
	switch {
	case sp.Tree == nil:
		// An unconditional rule is already there: libseccomp keeps it and
		// silently drops this one, whatever its action.
		switch {
		case chain == nil && act != sp.Action:
			r.warnOn("conflicting-actions", r.p.at(s.actionOff, s.Pos), r.p.rulePath(i)+".action", name, a, "this rule gives %s, an earlier unconditional rule gives %s: libseccomp keeps the first and ignores this one", act, sp.Action)
		case chain != nil && (act != sp.Action || !muxed):
			r.warnOn("shadowed", s.Pos, r.p.rulePath(i), name, a, "this rule is ignored: an earlier unconditional rule already gives %s (libseccomp keeps the first)", sp.Action)
		}
	case chain == nil:
		// A new unconditional rule replaces the conditional ones.
		if !sp.Tree.actCheck(act) && !muxed {
			r.warnOn("shadowed", s.Pos, r.p.rulePath(i), name, a, "this unconditional rule replaces earlier rules with argument conditions and other actions (libseccomp drops them)")
		}
		sp.Tree, sp.Action = nil, act
	default:
		if !sp.Tree.add(chain) {
			return &Error{File: r.p.Source.File, Path: r.p.rulePath(i), Pos: s.Pos, Err: ErrConflict,
				Msg: fmt.Sprintf("%s on %s: this rule gives %s where an earlier rule with the same conditions gives another action; libseccomp refuses it (EEXIST) and runc fails to start the container", name, a, act)}
		}
	}
	return nil
}

// enosysRule computes runc's ENOSYS stub: for the native architecture and
// each one the config lists (runc's patchbpf always includes the native
// one), syscall numbers above the largest one any kept rule names (known
// names; socket/ipc names count only where they are not multiplexed),
// which keep found.
func (r *resolver) enosysRule() {
	if r.pol.Target.Runtime != RuntimeRunc {
		return
	}
	switch r.pol.Default.Kind() {
	case ActAllow, ActLog, ActTrace:
		return
	}
	for _, ai := range r.archs {
		if ai.largest > 0 {
			ai.ap.ENOSYSAbove = int64(ai.largest)
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
