package compat_test

import (
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opencontainers/runc/libcontainer/configs"
	runcseccomp "github.com/opencontainers/runc/libcontainer/seccomp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compat"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
)

var (
	profilesDir = flag.String("profiles", "../../shared/profiles", "directory of real profiles to compare")
	badDir      = flag.String("bad", "../../shared/bad", "directory of hostile profiles (those our parser accepts are compared too)")
	dumpDir     = flag.String("dump", "", "if set, write the disassembly of every captured program to this directory")
	long        = flag.Bool("long", false, "also compare the profiles listed in slowProfiles")
)

// slowProfiles take runc and libseccomp minutes to build, too long for a
// routine run; -long compares them too.
var slowProfiles = map[string]string{
	// 207 640 rules (10 names repeated): libseccomp 2.5.4 snapshots its
	// whole database for every rule added, so runc's InitSeccomp spends
	// 5 min 17 s of CPU here (measured) before loading a 30-instruction
	// program.
	"bad/names-2mb-repeated.json": "runc + libseccomp 2.5.4 take about 5 minutes",
}

func TestMain(m *testing.M) {
	compat.RunChildIfRequested()
	os.Exit(m.Run())
}

func requireRuncSeccomp(t *testing.T) {
	t.Helper()
	require.True(t, runcseccomp.Enabled,
		"runc's seccomp support is not compiled in: run `CGO_ENABLED=1 go test -tags seccomp ./...`")
	require.Equal(t, 0, os.Geteuid(), "reading filters back with PTRACE_SECCOMP_GET_FILTER needs root (CAP_SYS_ADMIN)")
}

// target is Docker on this host: x86_64, Docker's default capabilities,
// runc.
var target = profile.Target{Arch: arch.X86_64, Caps: profile.DockerDefaultCaps, Runtime: profile.RuntimeRunc}

// allowedRefusal is a profile runc with the linked libseccomp refuses
// although our reference semantics (libseccomp 2.6.1) accept it.
type allowedRefusal struct {
	file    string // "dir/name.json" as in the subtest name
	runcErr string // a substring of runc's error
	why     string
}

var allowedRefusals = []allowedRefusal{
	{
		file:    "profiles/runc-bats-notify-waitkill.json",
		runcErr: "SetWaitKill requires libseccomp >= 2.6.0",
		why: "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs libseccomp API level 7 (2.6.0); " +
			"with 2.5.4 runc's specconv fails, with 2.6.1 the profile loads",
	},
	{
		file:    "bad/filter-over-4096-insns.json",
		runcErr: "error loading seccomp filter: invalid argument",
		why: "libseccomp emits more than 4096 instructions and the kernel refuses the program (EINVAL) " +
			"at container start; a Policy has no length, the compiler must report ErrTooLong instead (issue 3 property 5)",
	},
}

// allowedDiff is a decision runc with libseccomp 2.5.4 takes differently
// from our reference semantics (libseccomp 2.6.1) because of a documented
// libseccomp bug fixed in 2.6.1. Each entry must still occur, so a stale
// entry fails the test.
type allowedDiff struct {
	file string // "dir/name.json"
	// input is the compat.Describe text of the input without arguments
	// ("x86_64 nr=62 (kill)").
	input string
	why   string
}

var allowedDiffs = []allowedDiff{
	// libseccomp < 2.6.1 writes the new rule's true action where the false
	// action belongs when two 64-bit LT/LE rules share a high-word node
	// (_db_tree_add; GHSA-4q85-33p6-j5g6, fixed in 5404f5c). Our semantics
	// follow 2.6.1; runc release binaries link 2.6.1.
	{file: "testdata/ghsa-4q85-lt-merge.json", input: "x86_64 nr=62 (kill)", why: "GHSA-4q85-33p6-j5g6"},
}

// staleAccumulator: libseccomp shares identical instruction blocks without
// checking which argument word the accumulator holds on each path into
// them, so a path that loaded args[2] can jump into a block that tests
// args[0] (README "stale accumulator"; confirmed on this kernel by loading
// runc's program: socket(16, *, 1) runs). Our semantics are the rules as
// written; seccompctl deliberately does not reproduce a miscompilation
// that depends on libseccomp's block layout (documented in the main
// README). No shared profile triggers it.
var staleAccumulator = func() []allowedDiff {
	var out []allowedDiff
	for _, f := range []string{"testdata/stale-accumulator.json", "testdata/socket-mux.json"} {
		for _, in := range []string{"x86_64 nr=41 (socket)", "x86 nr=359 (socket)", "x32 nr=41|x32bit (socket)"} {
			out = append(out, allowedDiff{file: f, input: in, why: "libseccomp stale accumulator after block sharing"})
		}
	}
	return out
}()

func init() { allowedDiffs = append(allowedDiffs, staleAccumulator...) }

// results collects the per-profile figures printed at the end.
var results struct {
	sync.Mutex
	baseline   []string
	excluded   map[string][]string
	usedAllows map[string]bool
	ran        map[string]bool // profiles compared (not skipped, not filtered by -run)
}

type source struct{ dir, prefix string }

func profileFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, s := range []source{{*profilesDir, "profiles"}, {*badDir, "bad"}, {"testdata", "testdata"}} {
		m, err := filepath.Glob(filepath.Join(s.dir, "*.json"))
		require.NoError(t, err)
		require.NotEmpty(t, m, "no profiles in %s", s.dir)
		files = append(files, m...)
	}
	return files
}

func label(path string) string {
	return filepath.Base(filepath.Dir(path)) + "/" + filepath.Base(path)
}

// TestSameDecisionsAsRunc is issue 3, property 2: for every profile our
// parser accepts, the program runc loads (built by libseccomp from runc's
// rules, with runc's ENOSYS stub) decides every input as Policy.Decide
// does, except where the linked libseccomp's syscall tables lack a name
// (computed, logged) and the allow-listed libseccomp 2.5.4 bugs.
func TestSameDecisionsAsRunc(t *testing.T) {
	requireRuncSeccomp(t)
	t.Logf("libseccomp %s", compat.LibseccompVersion())
	results.excluded = map[string][]string{}
	results.usedAllows = map[string]bool{}
	results.ran = map[string]bool{}
	for _, path := range profileFiles(t) {
		t.Run(label(path), func(t *testing.T) { checkProfile(t, path) })
	}
	// A stale allow-list entry fails too.
	for _, a := range allowedDiffs {
		if results.ran[a.file] {
			assert.True(t, results.usedAllows[a.file+" "+a.input], "allow-listed difference no longer occurs: %s %s", a.file, a.input)
		}
	}
	for _, a := range allowedRefusals {
		if results.ran[a.file] {
			assert.True(t, results.usedAllows[a.file], "allow-listed refusal no longer occurs: %s", a.file)
		}
	}
	slices.Sort(results.baseline)
	t.Logf("libseccomp baseline (runc + libseccomp %s; x86_64 with zero arguments):\n"+
		"(runc's stub tests the architectures in Go map order, so x86_64 pays one more jeq when x86 comes first)\n"+
		"| profile | runc rules | optimize | insns | stub tests x86_64 first | mean executed (x86_64 table) | max | mean executed (nr 0-1023) | max |\n"+
		"|---|---|---|---|---|---|---|---|---|\n%s", compat.LibseccompVersion(), strings.Join(results.baseline, "\n"))
	var ex []string
	for _, k := range slices.Sorted(maps.Keys(results.excluded)) {
		ex = append(ex, fmt.Sprintf("%s: %s", k, strings.Join(results.excluded[k], ", ")))
	}
	t.Logf("names the linked libseccomp does not know, per profile (their inputs were excluded):\n%s", strings.Join(ex, "\n"))
}

func checkProfile(t *testing.T, path string) {
	name := label(path)
	if why, ok := slowProfiles[name]; ok && !*long {
		t.Skipf("slow (%s); run with -long", why)
	}
	results.Lock()
	results.ran[name] = true
	results.Unlock()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	p, err := profile.ParseWithOptions(data, profile.ParseOptions{File: name})
	if err != nil {
		t.Skipf("our parser rejects it: %v", err)
	}
	pol, ourErr := p.Resolve(target)
	cfg, runcErr := compat.RuncConfig(data, target.Caps)
	if errors.Is(runcErr, compat.ErrSeccompDisabled) {
		// runc installs no filter at all; our parser requires a
		// defaultAction, so this cannot happen for a profile it accepts.
		t.Fatalf("runc disables seccomp, we accept the profile (ours: %v)", ourErr)
	}
	var insns []bpf.RawInstruction
	if runcErr == nil {
		opts := compat.DefaultCaptureOptions()
		if *long {
			opts.Timeout = 15 * time.Minute
		}
		insns, runcErr = compat.CaptureWithOptions(cfg, opts)
	}
	require.NotErrorIs(t, runcErr, compat.ErrChild)
	switch {
	case ourErr != nil && runcErr != nil:
		t.Logf("both refuse it\n  ours: %v\n  runc: %v", ourErr, runcErr)
		return
	case ourErr != nil:
		t.Fatalf("we refuse it, runc loads it: %v", ourErr)
	case runcErr != nil:
		for _, a := range allowedRefusals {
			if a.file == name && strings.Contains(runcErr.Error(), a.runcErr) {
				t.Logf("runc refuses it, as allow-listed (%s): %v", a.why, runcErr)
				results.Lock()
				results.usedAllows[name] = true
				results.Unlock()
				return
			}
		}
		t.Fatalf("runc refuses it, we accept it: %v", runcErr)
	}

	nc, err := compat.CheckNames(p, pol.Arches)
	require.NoError(t, err)
	require.Empty(t, nc.UnknownToUs, "names libseccomp %s knows and our tables do not", compat.LibseccompVersion())
	lib := libseccompView(t, p, pol, cfg, nc)

	if *dumpDir != "" {
		out := filepath.Join(*dumpDir, strings.ReplaceAll(strings.TrimSuffix(name, ".json"), "/", "_")+".txt")
		text := compile.Disassemble(insns, compile.DisasmOptions{Arches: pol.Arches})
		require.NoError(t, os.WriteFile(out, []byte(text), 0o644))
	}
	em, err := compat.NewEmulator(insns)
	require.NoError(t, err, "our verifier rejects the program runc loaded")
	inputs := compat.Inputs(pol, p, name, compat.DefaultInputOptions())
	diffs := compat.Differences(em, pol.Decide, inputs)
	explained := map[string]map[uint32]bool{} // arch → numbers
	nExplained := 0
	allowed := map[string]int{}
	allowedFirst := map[string]compat.Diff{}
	var unexplained []compat.Diff
	for _, d := range diffs {
		k := compat.Describe(compat.Input{Arch: d.Arch, Nr: d.Nr}, pol.Arches)
		switch {
		case lib.explains(d):
			a, _ := compat.ArchOf(d.Input, pol.Arches)
			if explained[a.ShortName()] == nil {
				explained[a.ShortName()] = map[uint32]bool{}
			}
			explained[a.ShortName()][d.Nr&^a.Info().SyscallBit] = true
			nExplained++
		case slices.ContainsFunc(allowedDiffs, func(a allowedDiff) bool { return a.file == name && a.input == k }):
			if allowed[k] == 0 {
				allowedFirst[k] = d
			}
			allowed[k]++
		default:
			unexplained = append(unexplained, d)
		}
	}
	if nExplained > 0 {
		var parts []string
		for _, a := range slices.Sorted(maps.Keys(explained)) {
			parts = append(parts, a+" "+ranges(slices.Sorted(maps.Keys(explained[a]))))
		}
		t.Logf("%d inputs differ only because libseccomp %s lacks %v (everywhere) %v; numbers: %s",
			nExplained, compat.LibseccompVersion(), nc.UnknownToLib, nc.PerArch, strings.Join(parts, "; "))
	}
	results.Lock()
	if len(nc.UnknownToLib)+len(nc.PerArch) > 0 {
		var names []string
		names = append(names, nc.UnknownToLib...)
		for _, d := range nc.PerArch {
			names = append(names, d.String())
		}
		results.excluded[name] = names
	}
	for k, n := range allowed {
		d := allowedFirst[k]
		t.Logf("allow-listed (libseccomp 2.5.4 bug fixed in 2.6.1): %s on %d inputs, e.g. %s: runc %v, ours %v",
			k, n, compat.Describe(d.Input, pol.Arches), d.Runc, d.Want)
		results.usedAllows[name+" "+k] = true
	}
	results.Unlock()
	reportUnexplained(t, unexplained, pol)

	cond, single := branchCoverage(em, pol, inputs)
	t.Logf("conditional syscalls: %d (arch, nr) pairs; runc's program gave only one action over all inputs on %v", cond, single)

	st := compat.Measure(em, len(insns), arch.X86_64, 1023)
	opt := 1
	if len(cfg.Syscalls) > 32 {
		opt = 2 // runc's InitSeccomp: SetOptimize(2) above 32 rules
	}
	t.Logf("%d inputs, %d differ (%d unexplained); %d instructions", len(inputs), len(diffs), len(unexplained), len(insns))
	results.Lock()
	first := "yes"
	if len(insns) > 1 && insns[1].K != arch.X86_64.Audit() {
		first = "no"
	}
	results.baseline = append(results.baseline, fmt.Sprintf("| %s | %d | %d | %d | %s | %.1f | %d | %.1f | %d |",
		name, len(cfg.Syscalls), opt, st.Len, first, st.MeanTable, st.MaxTable, st.MeanRange, st.MaxRange))
	results.Unlock()
}

// tableView is our reference semantics with the linked libseccomp's
// syscall tables instead of ours: runc's program is expected to match it
// everywhere, and where it differs from plain Policy.Decide the difference
// is explained by the tables.
type tableView struct {
	pol    *profile.Policy
	skip   map[arch.Arch]map[int]bool
	arches []arch.Arch
}

// libseccompView resolves p without the names the linked libseccomp does
// not know at all (runc skips their rules), and, on architectures where a
// name is missing only there, with runc's ENOSYS thresholds computed from
// libseccomp's tables; the numbers only our tables name on such an
// architecture are not compared.
func libseccompView(t *testing.T, p *profile.Profile, pol *profile.Policy, cfg *configs.Seccomp, nc compat.NameCheck) *tableView {
	t.Helper()
	v := &tableView{pol: pol, skip: map[arch.Arch]map[int]bool{}, arches: pol.Arches}
	if len(nc.UnknownToLib) == 0 && len(nc.PerArch) == 0 {
		return v
	}
	var err error
	v.pol, err = compat.WithoutNames(p, nc.UnknownToLib).Resolve(target)
	require.NoError(t, err)
	if len(nc.PerArch) == 0 {
		return v
	}
	names := make([]string, 0, len(cfg.Syscalls))
	for _, s := range cfg.Syscalls {
		names = append(names, s.Name)
	}
	maxNr, err := compat.RuncENOSYSMax(names, v.pol.Arches)
	require.NoError(t, err)
	for _, d := range nc.PerArch {
		if d.OursOK {
			if v.skip[d.Arch] == nil {
				v.skip[d.Arch] = map[int]bool{}
			}
			v.skip[d.Arch][d.Ours] = true
		}
		if ap := v.pol.Arch(d.Arch); ap != nil && ap.ENOSYSAbove >= 0 {
			ap.ENOSYSAbove = -1
			if m, ok := maxNr[d.Arch]; ok {
				ap.ENOSYSAbove = int64(m)
			}
		}
	}
	return v
}

func (v *tableView) explains(d compat.Diff) bool {
	if a, ok := compat.ArchOf(d.Input, v.arches); ok && v.skip[a][int(d.Nr)] {
		return true
	}
	return d.Runc == v.pol.Decide(d.Arch, int32(d.Nr), d.Args)
}

// reportUnexplained fails the test with one line per kind of difference:
// architecture, both actions and our reason, with the syscall numbers
// (as ranges), the input count and the first differing input.
func reportUnexplained(t *testing.T, diffs []compat.Diff, pol *profile.Policy) {
	t.Helper()
	type group struct {
		first compat.Diff
		nrs   map[uint32]bool
		n     int
	}
	var keys []string
	groups := map[string]*group{}
	for _, d := range diffs {
		a, _ := compat.ArchOf(d.Input, pol.Arches)
		reason := pol.Explain(d.Arch, int32(d.Nr), d.Args).Reason
		// Reasons may name the number; group them regardless.
		reason = digits.ReplaceAllString(reason, "N")
		k := fmt.Sprintf("%s: runc %v, ours %v (ours: %s)", a.ShortName(), d.Runc, d.Want, reason)
		if groups[k] == nil {
			groups[k] = &group{first: d, nrs: map[uint32]bool{}}
			keys = append(keys, k)
		}
		groups[k].nrs[d.Nr] = true
		groups[k].n++
	}
	for _, k := range keys {
		g := groups[k]
		t.Errorf("%s\n    numbers %s; %d inputs; first: %s", k, ranges(slices.Sorted(maps.Keys(g.nrs))), g.n,
			compat.Describe(g.first.Input, pol.Arches))
	}
}

var digits = regexp.MustCompile(`\b(0x[0-9a-f]+|[0-9]+)\b`)

// ranges formats sorted numbers as "1-5, 9, 0x40000001-0x40000003".
func ranges(nrs []uint32) string {
	f := func(v uint32) string {
		if v >= 0x10000 {
			return fmt.Sprintf("%#x", v)
		}
		return fmt.Sprint(v)
	}
	var parts []string
	for i := 0; i < len(nrs); {
		j := i
		for j+1 < len(nrs) && nrs[j+1] == nrs[j]+1 {
			j++
		}
		if i == j {
			parts = append(parts, f(nrs[i]))
		} else {
			parts = append(parts, f(nrs[i])+"-"+f(nrs[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// branchCoverage counts the (arch, number) pairs whose decision depends on
// arguments in our policy, and which of them got fewer than two distinct
// actions from runc's program over the inputs: a rough check that the
// argument vectors reach the rules at all. It returns the pairs that got
// only one.
func branchCoverage(em *compile.Emulator, pol *profile.Policy, inputs []compat.Input) (conditional int, single []string) {
	type key struct {
		audit uint32
		nr    uint32
	}
	seen := map[key]map[profile.Action]bool{}
	for _, a := range pol.Arches {
		for _, sp := range pol.Arch(a).Syscalls {
			if sp.Conditional() {
				seen[key{a.Audit(), uint32(sp.Nr)}] = map[profile.Action]bool{}
			}
		}
	}
	for _, in := range inputs {
		if m, ok := seen[key{in.Arch, in.Nr}]; ok {
			m[compat.Run(em, in)] = true
		}
	}
	for k, m := range seen {
		if len(m) < 2 {
			single = append(single, compat.Describe(compat.Input{Arch: k.audit, Nr: k.nr}, pol.Arches))
		}
	}
	slices.Sort(single)
	return len(seen), single
}
