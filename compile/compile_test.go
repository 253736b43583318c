package compile_test

import (
	"encoding/binary"
	"errors"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/syscalls"
)

// sharedDir is ../shared, beside the repository.
var sharedDir = filepath.Join("..", "..", "shared")

// targets are the native architectures every profile is compiled for: the
// host's, a big-endian 64-bit one, 32-bit ones, and the other 64-bit ones
// with sub-architectures in moby's archMap.
var targets = []arch.Arch{arch.X86_64, arch.AArch64, arch.S390X, arch.PPC64LE, arch.MIPS64, arch.MIPSEL64N32, arch.RISCV64, arch.LoongArch64, arch.X86, arch.ARM}

func sharedProfiles(t testing.TB) map[string]*profile.Profile {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(sharedDir, "profiles", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no profiles under %s", sharedDir)
	out := map[string]*profile.Profile{}
	for _, f := range files {
		p, err := profile.ParseFile(f)
		if errors.Is(err, profile.ErrNotProfile) {
			continue
		}
		require.NoError(t, err)
		out[filepath.Base(f)] = p
	}
	return out
}

func orderOf(a arch.Arch) binary.ByteOrder {
	if a.BigEndian() {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// numbers are the syscall numbers checked on an architecture: 0..1023 of
// its ABI, the boundaries around the x32 bit, and -1.
func numbers(a arch.Arch) []uint32 {
	base := a.Info().SyscallBit
	var out []uint32
	for i := uint32(0); i < 1024; i++ {
		out = append(out, base+i)
	}
	return append(out, 0x3fffffff, 0x40000000, 0x40000200, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 4000, 5000, 6000, 0xf0005)
}

// boundaryValues are argument values that cross every word boundary.
var boundaryValues = []uint64{0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 1 << 32, 1<<32 + 1, 1<<63 - 1, 1 << 63, ^uint64(0)}

// argVectors returns argument vectors for one syscall's argument tree:
// all zero, then, for each argument the tree looks at, every value it
// names ±1 and the boundary values, alone and paired with the other
// arguments' values, plus a few random vectors.
func argVectors(tree *profile.Level, rng *rand.Rand) [][6]uint64 {
	vals := map[int][]uint64{}
	var walk func(l *profile.Level)
	walk = func(l *profile.Level) {
		if l == nil {
			return
		}
		for _, n := range l.Nodes {
			for _, v := range []uint64{n.DatumFull, uint64(n.Datum), uint64(n.Datum) << 32, uint64(n.Mask), uint64(n.Mask) << 32} {
				vals[n.Arg] = append(vals[n.Arg], v-1, v, v+1, v|0xffffffff00000000)
			}
			walk(n.True)
			walk(n.False)
		}
	}
	walk(tree)
	out := [][6]uint64{{}}
	var idx []int
	for i, vs := range vals {
		vs = append(vs, boundaryValues...)
		slices.Sort(vs)
		vals[i] = slices.Compact(vs)
		idx = append(idx, i)
	}
	slices.Sort(idx)
	for _, i := range idx {
		for _, v := range vals[i] {
			var a [6]uint64
			a[i] = v
			out = append(out, a)
			for _, j := range idx {
				if j == i {
					continue
				}
				for _, w := range vals[j] {
					b := a
					b[j] = w
					out = append(out, b)
				}
			}
		}
	}
	for k := 0; k < 16; k++ {
		var a [6]uint64
		for i := range a {
			a[i] = rng.Uint64() >> (rng.IntN(4) * 16)
		}
		out = append(out, a)
	}
	return out
}

// checkAgainstReference emulates prog for every architecture of pol,
// every number and the argument vectors, and compares with Decide.
func checkAgainstReference(t *testing.T, pol *profile.Policy, prog *compile.Program) int {
	t.Helper()
	emu, err := compile.NewEmulator(prog.Insns, orderOf(pol.Arches[0]))
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(1, 2))
	checked := 0
	zero := [][6]uint64{{}}
	for _, a := range append(slices.Clone(pol.Arches), arch.ARM, arch.X86) {
		audit := a.Audit()
		for _, nr := range numbers(a) {
			vecs := zero
			if ap := pol.Arch(a); ap != nil {
				if sp := ap.Lookup(int(int32(nr))); sp != nil && sp.Tree != nil {
					vecs = argVectors(sp.Tree, rng)
				}
			}
			for _, args := range vecs {
				d := compile.Data{Nr: int32(nr), Arch: audit, Args: args}
				got := emu.Run(d)
				want := pol.Explain(audit, int32(nr), args)
				checked++
				if got.Action != want.Action {
					t.Fatalf("%s nr %#x args %#x: program returns %v, reference %v (%s)\n%v",
						a, nr, args, got.Action, want.Action, want.Reason, prog)
				}
			}
		}
	}
	return checked
}

// Property 1: for every profile, native target and architecture, the
// compiled program decides exactly as the reference semantics.
func TestDecisionsMatchReference(t *testing.T) {
	profiles := sharedProfiles(t)
	names := make([]string, 0, len(profiles))
	for n := range profiles {
		names = append(names, n)
	}
	slices.Sort(names)
	total := 0
	for _, name := range names {
		p := profiles[name]
		for _, target := range targets {
			for _, rt := range []profile.Runtime{profile.RuntimeRunc, profile.RuntimeCrun} {
				t.Run(name+"/"+target.String()+"/"+string(rt), func(t *testing.T) {
					pol, err := p.Resolve(profile.Target{Arch: target, Caps: profile.DockerDefaultCaps, Kernel: profile.KernelVersion{Kernel: 6, Major: 1}, Runtime: rt})
					if errors.Is(err, profile.ErrInvalid) {
						// runc or crun refuses this profile for this target
						// (EEXIST, EDOM, EINVAL); the profile tests cover that.
						t.Skipf("refused on %s: %v", target, err)
					}
					require.NoError(t, err)
					for _, opts := range []compile.Options{{}, {NoShare: true}, {Balanced: true}} {
						prog, err := compile.Compile(pol, opts)
						require.NoError(t, err)
						total += checkAgainstReference(t, pol, prog)
					}
				})
			}
		}
	}
	t.Logf("%d (arch, nr, args) inputs checked", total)
}

// Property 4: every syscall allowed regardless of its arguments is one the
// kernel's action cache can skip the filter for.
func TestAllowedSyscallsAreCacheable(t *testing.T) {
	for name, p := range sharedProfiles(t) {
		pol, err := p.Resolve(profile.Target{Arch: arch.X86_64, Caps: profile.DockerDefaultCaps, Kernel: profile.KernelVersion{Kernel: 6, Major: 1}})
		if errors.Is(err, profile.ErrConflict) {
			continue
		}
		require.NoError(t, err, name)
		prog, err := compile.Compile(pol, compile.DefaultOptions)
		require.NoError(t, err, name)
		rep, err := prog.CacheReport(compile.DefaultCacheOptions)
		require.NoError(t, err, name)
		for _, ac := range rep.Arches {
			want := 0
			for i := 0; i < ac.Checked; i++ {
				nr := int32(ac.Arch.Info().SyscallBit) + int32(i)
				d := pol.Explain(ac.Arch.Audit(), nr, [6]uint64{})
				constAllow := d.Action == profile.ActAllow && (d.Syscall == nil || d.Syscall.Tree == nil)
				if constAllow {
					want++
					assert.True(t, ac.Cached(nr), "%s: %s nr %d is always allowed but not cacheable", name, ac.Arch, nr)
				}
			}
			assert.Len(t, ac.Allowed, want, "%s %s: cacheable numbers", name, ac.Arch)
		}
	}
}

// Property 5: a profile too big for one filter gives ErrTooLong, never a
// program the kernel would refuse.
func TestTooLong(t *testing.T) {
	p, err := profile.ParseFile(filepath.Join(sharedDir, "bad", "filter-over-4096-insns.json"))
	require.NoError(t, err)
	pol, err := p.Resolve(profile.Target{Arch: arch.X86_64, Caps: profile.DockerDefaultCaps, Kernel: profile.KernelVersion{Kernel: 6, Major: 1}})
	require.NoError(t, err)
	prog, err := compile.Compile(pol, compile.DefaultOptions)
	if err != nil {
		var tl compile.TooLongError
		require.ErrorAs(t, err, &tl)
		assert.ErrorIs(t, err, compile.ErrTooLong)
		assert.Greater(t, tl.Len, 4096)
		assert.Contains(t, err.Error(), "4096")
		return
	}
	require.NoError(t, compile.Verify(prog.Insns))
	checkAgainstReference(t, pol, prog)
}

func TestCompileNoPolicy(t *testing.T) {
	_, err := compile.Compile(nil, compile.DefaultOptions)
	require.ErrorIs(t, err, compile.ErrNoPolicy)
}

// The targets of issues 3 and 7 on Docker's default profile (size, mean and
// longest path per x86_64 syscall with the default options), checked as
// properties so a regression shows; the figures themselves come from the
// benchmarks in bench/.
func TestDockerDefaultShape(t *testing.T) {
	p, err := profile.ParseFile(filepath.Join("..", "examples", "docker-default.json"))
	require.NoError(t, err)
	pol, err := p.Resolve(profile.Target{Arch: arch.X86_64, Caps: profile.DockerDefaultCaps, Kernel: profile.KernelVersion{Kernel: 6, Major: 1}})
	require.NoError(t, err)
	prog, err := compile.Compile(pol, compile.DefaultOptions)
	require.NoError(t, err)
	assert.LessOrEqual(t, prog.Stats.Len, 330, "program length")
	emu, err := compile.NewEmulator(prog.Insns, binary.LittleEndian)
	require.NoError(t, err)
	// Over the numbers of x86_64's syscall table, as bench measures the
	// targets.
	nrs := map[int32]bool{}
	for _, s := range syscalls.Table(arch.X86_64) {
		nrs[int32(s.Nr)] = true
	}
	sum, most := 0, 0
	for nr := range nrs {
		r := emu.Run(compile.Data{Nr: nr, Arch: arch.X86_64.Audit()})
		sum += r.Executed
		most = max(most, r.Executed)
	}
	mean := float64(sum) / float64(len(nrs))
	t.Logf("docker-default x86_64+x86+x32: %d instructions, %.2f mean / %d max executed per x86_64 syscall (zero args)", prog.Stats.Len, mean, most)
	assert.LessOrEqual(t, mean, 10.5, "mean instructions executed per x86_64 syscall")
	assert.LessOrEqual(t, most, 16, "most instructions executed per x86_64 syscall")
}

// A small program's disassembly, as a reviewable golden file.
func TestGoldenDisassembly(t *testing.T) {
	const src = `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,
	"archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86"]}],
	"syscalls":[
	 {"names":["read","write","close","exit_group"],"action":"SCMP_ACT_ALLOW"},
	 {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":8,"op":"SCMP_CMP_EQ"}]},
	 {"names":["kill"],"action":"SCMP_ACT_KILL_PROCESS"},
	 {"names":["mmap"],"action":"SCMP_ACT_ERRNO","errnoRet":13,"args":[{"index":2,"value":4,"valueTwo":4,"op":"SCMP_CMP_MASKED_EQ"}]}
	]}`
	p, err := profile.Parse([]byte(src))
	require.NoError(t, err)
	pol, err := p.Resolve(profile.Target{Arch: arch.X86_64})
	require.NoError(t, err)
	prog, err := compile.Compile(pol, compile.DefaultOptions)
	require.NoError(t, err)
	var sb strings.Builder
	require.NoError(t, prog.Export(&sb, compile.FormatText))
	golden(t, "small-x86_64.golden", sb.String())
	checkAgainstReference(t, pol, prog)
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if updating() {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -update to create it")
	assert.Equal(t, string(want), got)
}

// The -update flag rewrites golden files (go test ./compile -update). It
// may be defined by the package's internal tests, which share the test
// binary, so it is defined here only if missing and read at run time.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func updating() bool { return flag.Lookup("update").Value.String() == "true" }

// TestUncachedOnly: with Options.UncachedOnly the frequencies of syscalls
// the kernel's action cache answers count for nothing, so a rarely made
// argument-filtered call moves up past a frequent allowed one; decisions
// stay those of the reference.
func TestUncachedOnly(t *testing.T) {
	p, err := profile.ParseFile(filepath.Join("..", "examples", "docker-default.json"))
	require.NoError(t, err)
	pol, err := p.Resolve(profile.Target{Arch: arch.X86_64, Caps: profile.DockerDefaultCaps, Kernel: profile.KernelVersion{Kernel: 6, Major: 1}})
	require.NoError(t, err)
	nr := func(name string) int {
		n, ok := syscalls.Number(arch.X86_64, name)
		require.True(t, ok, name)
		return n
	}
	// Frequent cached calls on both sides of personality's number, and a
	// few personality calls.
	weights := map[int]float64{nr("read"): 1e6, nr("getppid"): 1e6, nr("openat"): 1e6, nr("personality"): 10}
	executed := func(opts compile.Options, name string) int {
		prog, err := compile.Compile(pol, opts)
		require.NoError(t, err)
		checkAgainstReference(t, pol, prog)
		emu, err := compile.NewEmulator(prog.Insns, binary.LittleEndian)
		require.NoError(t, err)
		return emu.Run(compile.Data{Nr: int32(nr(name)), Arch: arch.X86_64.Audit()}).Executed
	}
	all := executed(compile.Options{Weights: weights}, "personality")
	uncached := executed(compile.Options{Weights: weights, UncachedOnly: true}, "personality")
	t.Logf("personality(0): %d instructions weighted by every call, %d by uncached calls only", all, uncached)
	assert.Less(t, uncached, all)
	assert.Greater(t, executed(compile.Options{Weights: weights, UncachedOnly: true}, "read"),
		executed(compile.Options{Weights: weights}, "read"), "read is cached: it may sink")
	// With the default mix too.
	executed(compile.Options{UncachedOnly: true}, "personality")
}
