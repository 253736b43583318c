package profile

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/syscalls"
)

// Severity says how likely a finding is to be a mistake.
type Severity string

// The severities, from the most to the least serious.
const (
	// SeverityError: the profile cannot work as written (no runtime can
	// install it, for example).
	SeverityError Severity = "error"
	// SeverityWarning: the profile does not do what it appears to say.
	SeverityWarning Severity = "warning"
	// SeverityNote: worth a review, but may well be intended.
	SeverityNote Severity = "note"
)

// LintRule describes one kind of finding. Codes are stable: tools may
// match on them, so a code is never reused for another meaning.
type LintRule struct {
	Code     string
	Severity Severity
	Summary  string
}

// LintRules lists every finding Lint, Resolve and seccompctl check report,
// in the order the README documents them.
var LintRules = []LintRule{
	{"unknown-key", SeverityWarning, "a key the profile format does not define; runtimes ignore it, so a misspelled key silently does nothing"},
	{"unknown-syscall", SeverityWarning, "a name no architecture knows; runc skips it"},
	{"unknown-on-target", SeverityNote, "a name that has no syscall number on any architecture of the target; the rule does nothing there"},
	{"same-as-default", SeverityWarning, "a rule whose action is the default action; runc drops it (libseccomp refuses it)"},
	{"shadowed", SeverityWarning, "a rule with argument conditions that an unconditional rule for the same syscall overrides (containers/common#419)"},
	{"conflicting-actions", SeverityWarning, "two unconditional rules give one syscall different actions; libseccomp keeps the first"},
	{"masked-eq-zero-mask", SeverityWarning, "SCMP_CMP_MASKED_EQ with mask 0 matches every value (mask and bits swapped?)"},
	{"socketcall-bypass", SeverityWarning, "argument conditions on a socket or SysV IPC syscall that the socketcall/ipc multiplexer bypasses (containers/common#2280)"},
	{"sign-extension", SeverityWarning, "a compare value whose 32-bit number has two 64-bit spellings (zero- and sign-extended); the rule matches only one (libseccomp#69, #383)"},
	{"errno-zero", SeverityWarning, "SCMP_ACT_ERRNO with errno 0: the syscall is skipped yet returns success"},
	{"inverted-default", SeverityWarning, "defaultAction allows everything while the rules are an allow-list: probably inverted"},
	{"dangerous-allow", SeverityNote, "an allowed syscall that widens the kernel attack surface or escapes isolation (ptrace, bpf, kexec_load, …), with the reason"},
	{"too-long", SeverityError, "the compiled filter is over the kernel's 4096-instruction limit (reported by seccompctl check, which compiles)"},
}

func severityOf(code string) Severity {
	for _, r := range LintRules {
		if r.Code == code {
			return r.Severity
		}
	}
	return SeverityWarning
}

// Reasons several dangerous syscalls share.
const (
	ioURing     = "gives access to io_uring, which performs I/O without syscalls, out of seccomp's sight, and has been a frequent source of kernel exploits; Docker's default profile does not allow it"
	keyrings    = "gives access to the kernel keyrings, which are not namespaced: keys of the host and of other containers with the same uid are reachable"
	kexec       = "replaces the running kernel"
	loadsModule = "loads code into the kernel"
)

// dangerous are the syscalls dangerous-allow reports, with the reason.
var dangerous = map[string]string{
	"ptrace":            "reads and writes the memory and registers of other processes of the same user (and before Linux 4.8 could change a syscall after seccomp checked it)",
	"process_vm_readv":  "reads the memory of other processes of the same user",
	"process_vm_writev": "writes the memory of other processes of the same user",
	"bpf":               "loads eBPF programs and maps into the kernel, a large attack surface with a long record of privilege escalations",
	"perf_event_open":   "opens performance counters, which expose kernel addresses and timing and have a long record of privilege escalations",
	"kexec_load":        kexec,
	"kexec_file_load":   kexec,
	"init_module":       loadsModule,
	"finit_module":      loadsModule,
	"delete_module":     "unloads kernel modules",
	"open_by_handle_at": "opens files by handle without a path lookup, which escapes the mount namespace (the 2014 \"shocker\" container escape)",
	"io_uring_setup":    ioURing,
	"io_uring_enter":    ioURing,
	"io_uring_register": ioURing,
	"userfaultfd":       "lets a process stall the kernel's page-fault handling, a standard way to win races in kernel exploits",
	"keyctl":            keyrings,
	"add_key":           keyrings,
	"request_key":       keyrings,
	"unshare":           "creates namespaces, user namespaces included, which open kernel interfaces otherwise reserved to root",
	"setns":             "joins other namespaces, given a file descriptor for one",
}

// Lint returns the findings for the profile, sorted by position in the
// file. Without a policy it reports what holds for every target; with pol,
// the profile resolved for a target by Resolve, it also reports what
// depends on the target and includes pol.Warnings. LintRules lists every
// code. Lint only reads; the profile is valid (it parsed).
func (p *Profile) Lint(pol *Policy) []Warning {
	var l linter
	l.p, l.pol = p, pol
	l.any64 = pol == nil || slices.ContainsFunc(pol.Arches, arch.Arch.Is64Bit)
	l.unknownKeys()
	l.defaults()
	var rules []int // the rules that apply, in order; only read (it may be pol.Applied)
	if pol != nil {
		rules = pol.Applied
	} else {
		rules = make([]int, len(p.Syscalls))
		for i := range rules {
			rules[i] = i
		}
	}
	for _, i := range rules {
		l.rule(i)
	}
	if pol != nil {
		l.out = append(l.out, pol.Warnings...)
		l.invertedDefault(rules)
		l.targetNames(rules)
		l.socketcall(rules)
		l.dangerousAllows(rules)
	}
	sort.SliceStable(l.out, func(i, j int) bool {
		a, b := l.out[i].Pos, l.out[j].Pos
		return a.Line < b.Line || (a.Line == b.Line && a.Column < b.Column)
	})
	return l.out
}

type linter struct {
	p   *Profile
	pol *Policy
	out []Warning
	// any64 says whether a 64-bit architecture is in the filter (or, with
	// no policy, may be).
	any64 bool
}

func (l *linter) add(code string, pos Position, path, format string, a ...any) {
	l.out = append(l.out, Warning{File: l.p.Source.File, Pos: pos, Path: path, Code: code,
		Severity: severityOf(code), Msg: fmt.Sprintf(format, a...)})
}

func (l *linter) path(format string, a ...any) string {
	return l.p.pathPrefix + fmt.Sprintf(format, a...)
}

func (l *linter) unknownKeys() {
	for _, u := range l.p.unknownFields {
		key := u.path
		if i := strings.LastIndexByte(key, '.'); i >= 0 {
			key = key[i+1:]
		}
		l.add("unknown-key", u.pos, u.path, "unknown key %q is ignored (runtimes ignore keys the profile format does not define)", key)
	}
}

// defaults checks defaultAction and defaultErrnoRet.
func (l *linter) defaults() {
	p := l.p
	if p.DefaultAction == "SCMP_ACT_ERRNO" && p.DefaultErrnoRet != nil && *p.DefaultErrnoRet == 0 {
		l.add("errno-zero", p.at(p.defaultErrnoOff, Position{}), l.path("defaultErrnoRet"),
			"SCMP_ACT_ERRNO with errno 0: every syscall no rule allows is skipped and returns 0 (success), so programs go on as if it had worked")
	}
}

// rule checks one rule on its own.
func (l *linter) rule(i int) {
	s := &l.p.Syscalls[i]
	if s.Action == "SCMP_ACT_ERRNO" && s.ErrnoRet != nil && *s.ErrnoRet == 0 {
		l.add("errno-zero", l.p.at(s.errnoOff, s.Pos), l.path("syscalls[%d].errnoRet", i),
			"SCMP_ACT_ERRNO with errno 0: the syscall is skipped but returns 0 (success), so the program goes on as if it had worked; give an errno such as 1 (EPERM)")
	}
	for j, a := range s.Args {
		path := l.path("syscalls[%d].args[%d]", i, j)
		if a.Op == OpMaskedEqual && a.Value == 0 {
			msg := "SCMP_CMP_MASKED_EQ with value (the mask) 0 matches every argument, so the condition has no effect"
			if a.ValueTwo != 0 {
				msg += fmt.Sprintf("; value is the mask and valueTwo the expected bits: are they swapped (mask %#x)?", a.ValueTwo)
			}
			l.add("masked-eq-zero-mask", a.Pos, path, "%s", msg)
			continue
		}
		l.signExtension(a, path)
	}
}

// signExtension reports a compare whose value is a negative 32-bit number
// written zero-extended (0x80000000..0xffffffff) or sign-extended
// (0xffffffff80000000..). A 64-bit kernel hands seccomp the whole register
// and compares are unsigned 64-bit, while a 32-bit argument reaches it
// zero- or sign-extended depending on the caller: the rule sees one form
// and misses the other. On 32-bit architectures libseccomp compares the
// low word only, so the trap needs a 64-bit one in the filter.
func (l *linter) signExtension(a Arg, path string) {
	if !l.any64 {
		return
	}
	v := a.Value
	if a.Op == OpMaskedEqual {
		if a.Value>>32 == 0 || a.Value&0x80000000 == 0 {
			return // the mask ignores the high word or the sign bit
		}
		v = a.ValueTwo & a.Value
	}
	hi, lo := uint32(v>>32), uint32(v)
	if lo&0x80000000 == 0 || (hi != 0 && hi != 0xffffffff) {
		return
	}
	other, form, otherForm := uint64(lo), "sign-extended", "zero-extended"
	if hi == 0 {
		other, form, otherForm = v|0xffffffff00000000, "zero-extended", "sign-extended"
	}
	l.add("sign-extension", a.Pos, path,
		"%s value %#x is the 32-bit number %d %s; on 64-bit architectures seccomp compares the whole 64-bit register, so a caller passing it %s (%#x) is not matched (libseccomp#69, #383); for a 32-bit argument compare the low word only, e.g. SCMP_CMP_MASKED_EQ with value (the mask) 0xffffffff",
		a.Op, v, int32(lo), form, otherForm, other)
}

// invertedDefault reports an allow-everything default above an allow-list.
func (l *linter) invertedDefault(rules []int) {
	if k := l.pol.Default.Kind(); k != ActAllow && k != ActLog {
		return
	}
	allowNames, otherNames := 0, 0
	for _, i := range rules {
		s := &l.p.Syscalls[i]
		if k, _ := s.Action.Kind(); k == ActAllow {
			allowNames += len(s.Names)
		} else {
			otherNames += len(s.Names)
		}
	}
	if allowNames == 0 || allowNames < otherNames {
		return
	}
	l.add("inverted-default", l.p.at(l.p.defaultActionOff, Position{}), l.path("defaultAction"),
		"defaultAction %s allows every syscall no rule names, yet the rules allow %d syscall names and deny %d: this looks like an allow-list with an inverted default (use SCMP_ACT_ERRNO)",
		l.p.DefaultAction, allowNames, otherNames)
}

// targetNames reports names known somewhere but numbered on none of the
// filter's architectures (unknown-syscall covers names known nowhere), one
// finding per rule, at the first such name.
func (l *linter) targetNames(rules []int) {
	seen := map[string]bool{}
	for _, i := range rules {
		s := &l.p.Syscalls[i]
		var missing []string
		first := -1
		for j, n := range s.Names {
			if seen[n] || !syscalls.Known(n) {
				continue
			}
			seen[n] = true
			if !slices.ContainsFunc(l.pol.Arches, func(a arch.Arch) bool { return l.onArch(a, n) }) {
				missing = append(missing, n)
				if first < 0 {
					first = j
				}
			}
		}
		if len(missing) == 0 {
			continue
		}
		what := missing[0] + " has"
		if len(missing) > 1 {
			what = fmt.Sprintf("%d names have", len(missing))
		}
		msg := fmt.Sprintf("%s no syscall number on %s, so the rule does nothing with them for this target", what, archList(l.pol.Arches))
		if len(missing) > 1 {
			msg += ": " + strings.Join(missing, ", ")
		}
		l.add("unknown-on-target", l.p.namePos(s, first), l.p.namesPath(s, l.p.rulePath(i), first), "%s", msg)
	}
}

// onArch reports whether a rule on name does something on a: directly, or
// through socketcall/ipc.
func (l *linter) onArch(a arch.Arch, name string) bool {
	if _, ok := libseccompNumber(a, name); ok {
		return true
	}
	_, _, _, ok := syscalls.Multiplexer(a, name)
	return ok
}

// socketcall reports argument conditions on socket and SysV IPC calls that
// a multiplexing architecture in the filter also offers through socketcall
// or ipc. Those pass the call's arguments in memory, which seccomp cannot
// read: libseccomp forces argument 0 to the call number and keeps the other
// conditions, which then test socketcall's own arguments.
func (l *linter) socketcall(rules []int) {
	for _, i := range rules {
		s := &l.p.Syscalls[i]
		if len(s.Args) == 0 || actionOf(s.Action, s.ErrnoRet) == l.pol.Default {
			continue
		}
		var names, muxes []string
		var arches []arch.Arch
		var muxPolicies []*SyscallPolicy // what socketcall/ipc get, per arch
		for _, a := range l.pol.Arches {
			for _, n := range s.Names {
				m, nr, _, ok := syscalls.Multiplexer(a, n)
				if !ok {
					continue
				}
				names = appendNew(names, n)
				arches = appendNew(arches, a)
				muxes = appendNew(muxes, m)
				muxPolicies = appendNew(muxPolicies, l.pol.Arch(a).Lookup(nr))
			}
		}
		if len(names) == 0 {
			continue
		}
		mux := strings.Join(muxes, "/")
		if always := l.muxAlways(muxPolicies, muxes); always != "" {
			l.add("socketcall-bypass", s.Args[0].Pos, l.path("syscalls[%d].args", i),
				"%s on %s can also be called through %s(2), which passes the arguments in memory where seccomp cannot read them, and %s: these argument conditions do not hold there (containers/common#2280)",
				strings.Join(names, ", "), archList(arches), mux, always)
			continue
		}
		effect := "the conditions on arguments 1-5 are then tested against " + mux + "'s own arguments (a call number and a pointer)"
		if !slices.ContainsFunc(s.Args, func(a Arg) bool { return a.Index != 0 }) {
			effect = "so through " + mux + " the rule applies whatever argument 0 is"
		} else if slices.ContainsFunc(s.Args, func(a Arg) bool { return a.Index == 0 }) {
			effect = "the condition on argument 0 is dropped and " + effect
		}
		l.add("socketcall-bypass", s.Args[0].Pos, l.path("syscalls[%d].args", i),
			"%s on %s can also be called through %s(2), which passes the arguments in memory where seccomp cannot read them: libseccomp replaces the condition on argument 0 with the call number, %s (containers/common#2280)",
			strings.Join(names, ", "), archList(arches), mux, effect)
	}
}

// muxAlways says, when one multiplexer (muxes has one name) gets the same
// action whatever its arguments on every architecture (sps), which action
// and from which rule.
func (l *linter) muxAlways(sps []*SyscallPolicy, muxes []string) string {
	if len(muxes) != 1 {
		return "" // both socketcall and ipc: keep the general message
	}
	for _, sp := range sps {
		if sp == nil || sp.Tree != nil || sp.Action != sps[0].Action {
			return ""
		}
	}
	return fmt.Sprintf("%s itself always gets %s (%s)", muxes[0], sps[0].Action, l.p.rulePath(sps[0].Rules[0]))
}

// appendNew appends v to s unless s holds it already.
func appendNew[T comparable](s []T, v T) []T {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// dangerousAllows reports allowed syscalls from the dangerous list: by the
// rules that allow them, and by an allow-everything default for those no
// rule names.
func (l *linter) dangerousAllows(rules []int) {
	named := map[string]bool{}
	for _, i := range rules {
		s := &l.p.Syscalls[i]
		for _, n := range s.Names {
			named[n] = true
		}
		kind, _ := s.Action.Kind()
		if kind != ActAllow && kind != ActLog {
			continue
		}
		for j, n := range s.Names {
			why, ok := dangerous[n]
			if !ok || !slices.ContainsFunc(l.pol.Arches, func(a arch.Arch) bool { return l.onArch(a, n) }) {
				continue
			}
			some := ""
			if len(s.Args) > 0 {
				some = " (for some arguments)"
			}
			l.add("dangerous-allow", l.p.namePos(s, j), l.p.namesPath(s, l.p.rulePath(i), j),
				"%s is allowed%s: it %s", n, some, why)
		}
	}
	if k := l.pol.Default.Kind(); k != ActAllow && k != ActLog {
		return
	}
	var unnamed []string
	for n := range dangerous {
		if !named[n] && slices.ContainsFunc(l.pol.Arches, func(a arch.Arch) bool { return l.onArch(a, n) }) {
			unnamed = append(unnamed, n)
		}
	}
	if len(unnamed) > 0 {
		slices.Sort(unnamed)
		l.add("dangerous-allow", l.p.at(l.p.defaultActionOff, Position{}), l.path("defaultAction"),
			"defaultAction %s allows %s, which no rule names; each widens the kernel's attack surface or reaches beyond the process (see dangerous-allow in the README)",
			l.p.DefaultAction, strings.Join(unnamed, ", "))
	}
}

func archList(as []arch.Arch) string { return strings.Join(arch.Names(as), ", ") }

// at is the position of a byte offset in the file, or def when the offset
// is unknown.
func (p *Profile) at(off int, def Position) Position {
	if off < 0 || p.Source.lines == nil {
		return def
	}
	return p.Source.lines.pos(off)
}

// namePos is the position of s.Names[j], or the rule's.
func (p *Profile) namePos(s *Syscall, j int) Position {
	if j < len(s.nameOffs) {
		return p.at(s.nameOffs[j], s.Pos)
	}
	return s.Pos
}

// namesPath is the field path of s.Names[j] below the rule's path.
// rulePath is the JSON path of the profile's rule i ("syscalls[3]").
func (p *Profile) rulePath(i int) string {
	return fmt.Sprintf("%ssyscalls[%d]", p.pathPrefix, i)
}

func (p *Profile) namesPath(s *Syscall, rulePath string, j int) string {
	if s.singleName {
		return rulePath + ".name"
	}
	return fmt.Sprintf("%s.names[%d]", rulePath, j)
}
