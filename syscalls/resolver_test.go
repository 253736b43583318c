package syscalls

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/seccompctl/seccompctl/arch"
)

// resolverArches are the architectures libseccomp 2.5.4 (Debian 12's, the
// oldest we compare with) supports; a resolver that rejects one of them is
// broken, not old. Newer releases add loongarch64, m68k and sh/sheb.
var resolverArches = []arch.Arch{
	arch.X86, arch.X86_64, arch.X32, arch.ARM, arch.AArch64,
	arch.MIPS, arch.MIPSEL, arch.MIPS64, arch.MIPSEL64, arch.MIPS64N32, arch.MIPSEL64N32,
	arch.PARISC, arch.PARISC64, arch.PPC, arch.PPC64, arch.PPC64LE,
	arch.RISCV64, arch.S390, arch.S390X,
}

// resolverKnownDifferences are the answers of scmp_sys_resolver we knowingly
// do not match, keyed by "arch query", with the answer tolerated.
// libseccomp 2.5.4 numbers _llseek on parisc64 (140); the kernel's 64-bit
// parisc ABI has no _llseek (only the 32-bit one does), and libseccomp
// 2.6.1's CSV, which we follow, says PNR. A 2.6.x resolver agrees with us and
// the entries simply go unused.
var resolverKnownDifferences = map[string]string{
	"parisc64 _llseek": "140",
	"parisc64 140":     "_llseek",
}

// resolverStats counts the outcomes of one direction of the comparison.
type resolverStats struct {
	compared  int // the resolver answered and we agree
	skipped   int // the resolver does not know it: -1 or UNKNOWN
	pseudo    int // the resolver gave a negative pseudo-number
	unchecked int // of skipped+pseudo: names we number there (nothing to compare with)
	known     int // an answer listed in resolverKnownDifferences
	unmatched []string
}

// TestAgainstScmpSysResolver compares every name and number of every table
// with libseccomp's scmp_sys_resolver: wherever it answers with a real
// syscall (a non-negative number, or a name for a number), we must agree.
// The resolver takes one name per process, so the queries run on a small
// worker pool.
func TestAgainstScmpSysResolver(t *testing.T) {
	resolver, err := exec.LookPath("scmp_sys_resolver")
	if err != nil {
		if os.Getenv("SECCOMPCTL_REQUIRE_TOOLS") == "1" {
			t.Fatal("scmp_sys_resolver (Debian package seccomp) not on PATH, and SECCOMPCTL_REQUIRE_TOOLS=1")
		}
		t.Skip("scmp_sys_resolver (Debian package seccomp) not on PATH")
	}
	r := &resolverRunner{path: resolver, ctx: t.Context()}

	var arches []arch.Arch
	var unsupported []string
	for _, a := range arch.All() {
		out, err := r.run(a, "read")
		switch {
		case err == nil:
			arches = append(arches, a)
			if out == "" {
				t.Fatalf("resolver answered nothing for %s read", a.ShortName())
			}
		case slices.Contains(resolverArches, a):
			t.Fatalf("scmp_sys_resolver rejects %s: %v", a.ShortName(), err)
		default:
			unsupported = append(unsupported, a.ShortName())
		}
	}

	// Names → numbers: every known name on every architecture, so that a
	// name the resolver numbers and we lack shows up too.
	names := Names()
	var fq []resolverQuery
	for _, a := range arches {
		for _, n := range names {
			fq = append(fq, resolverQuery{a, n})
		}
	}
	fwdOut := r.runAll(t, fq)
	var fwd resolverStats
	extraNrs := map[arch.Arch][]int{}
	for i, q := range fq {
		out := fwdOut[i]
		n, err := strconv.Atoi(out)
		if err != nil {
			t.Fatalf("resolver -a %s %s printed %q", q.arch.ShortName(), q.arg, out)
		}
		if n < 0 {
			if n == -1 { // __NR_SCMP_ERROR: a name libseccomp does not know
				fwd.skipped++
			} else {
				fwd.pseudo++
			}
			if _, ok := Number(q.arch, q.arg); ok {
				fwd.unchecked++
			}
			continue
		}
		ours, ok := Number(q.arch, q.arg)
		if !ok {
			extraNrs[q.arch] = append(extraNrs[q.arch], n)
		}
		fwd.classify(q, out, ok && ours == n, answer(strconv.Itoa(ours), ok))
	}

	// Numbers → names: every number of our tables, plus numbers the
	// resolver gave for names we do not have there.
	var rq []resolverQuery
	for _, a := range arches {
		var nrs []int
		for _, s := range Table(a) {
			nrs = append(nrs, s.Nr)
		}
		nrs = append(nrs, extraNrs[a]...)
		slices.Sort(nrs)
		for _, nr := range slices.Compact(nrs) {
			rq = append(rq, resolverQuery{a, strconv.Itoa(nr)})
		}
	}
	revOut := r.runAll(t, rq)
	var rev resolverStats
	for i, q := range rq {
		out := revOut[i]
		if out == "" {
			t.Fatalf("resolver -a %s %s printed nothing", q.arch.ShortName(), q.arg)
		}
		if out == "UNKNOWN" {
			rev.skipped++
			continue
		}
		nr, _ := strconv.Atoi(q.arg)
		ours, ok := Name(q.arch, nr)
		rev.classify(q, out, ok && ours == out, answer(ours, ok))
	}

	for _, u := range append(fwd.unmatched, rev.unmatched...) {
		t.Error(u)
	}
	// The parisc64 _llseek difference shows in both directions with a 2.5.x
	// resolver and in neither with 2.6.x; one direction alone is a bug.
	if k := fwd.known + rev.known; k != 0 && k != len(resolverKnownDifferences) {
		t.Errorf("%d of %d known differences seen", k, len(resolverKnownDifferences))
	}
	t.Logf("arches compared: %d; not supported by this resolver: %v", len(arches), unsupported)
	t.Logf("names→numbers: %d compared, %d skipped (%d pseudo-numbers, %d unknown to the resolver; %d of them numbered by us), %d known differences",
		fwd.compared, fwd.pseudo+fwd.skipped, fwd.pseudo, fwd.skipped, fwd.unchecked, fwd.known)
	t.Logf("numbers→names: %d compared, %d skipped (UNKNOWN), %d known differences", rev.compared, rev.skipped, rev.known)
	// Guard against a resolver that answers nothing useful: every 2.5.4
	// arch has a few hundred syscalls both ways.
	if fwd.compared < 300*len(resolverArches) || rev.compared < 300*len(resolverArches) {
		t.Errorf("too few comparisons (%d, %d): is the resolver working?", fwd.compared, rev.compared)
	}
}

func (s *resolverStats) classify(q resolverQuery, out string, agree bool, ours string) {
	key := q.arch.ShortName() + " " + q.arg
	switch {
	case agree:
		s.compared++
	case resolverKnownDifferences[key] == out:
		s.known++
	default:
		s.unmatched = append(s.unmatched, fmt.Sprintf("%s: scmp_sys_resolver says %s, we say %s", key, out, ours))
	}
}

// answer formats one of our lookups for a failure message.
func answer(s string, ok bool) string {
	if !ok {
		return "nothing"
	}
	return s
}

type resolverQuery struct {
	arch arch.Arch
	arg  string
}

type resolverRunner struct {
	path string
	ctx  context.Context
}

// run returns the resolver's trimmed answer; err is set when it exits
// non-zero (e.g. an architecture it does not know).
func (r *resolverRunner) run(a arch.Arch, arg string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(r.ctx, r.path, "-a", a.ShortName(), arg)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

// runAll runs the queries on a few workers and returns the answers in
// query order. Any failure ends the test.
func (r *resolverRunner) runAll(t *testing.T, qs []resolverQuery) []string {
	t.Helper()
	out := make([]string, len(qs))
	errs := make([]error, len(qs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), 4) {
		wg.Go(func() {
			for i := range next {
				out[i], errs[i] = r.run(qs[i].arch, qs[i].arg)
			}
		})
	}
	for i := range qs {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("scmp_sys_resolver -a %s %s: %v", qs[i].arch.ShortName(), qs[i].arg, err)
		}
	}
	return out
}
