package policydiff_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/policydiff"
	"github.com/seccompctl/seccompctl/profile"
)

var update = flag.Bool("update", false, "rewrite golden files")

var x86_64 = profile.Target{Arch: arch.X86_64, Caps: profile.DockerDefaultCaps, Kernel: profile.KernelVersion{Kernel: 6, Major: 8}}

func policy(t *testing.T, tg profile.Target, js string) *profile.Policy {
	t.Helper()
	p, err := profile.Parse([]byte(js))
	require.NoError(t, err)
	pol, err := p.Resolve(tg)
	require.NoError(t, err)
	return pol
}

func side(t *testing.T, name string, pol *profile.Policy) *policydiff.Side {
	t.Helper()
	s, err := policydiff.FromPolicy(name, pol)
	require.NoError(t, err)
	return s
}

// change is what a test expects: "arch name from -> to", with "?" after
// the name for a conditional change.
func changes(r *policydiff.Result) []string {
	var out []string
	for _, ad := range r.Arches {
		for _, c := range ad.Changes {
			name := c.Name
			if ad.Arch == arch.Unknown {
				name = "other"
			} else if name == "" {
				name = "-"
			}
			if c.Conditional {
				name += "?"
			}
			a := "other"
			if ad.Arch != arch.Unknown {
				a = ad.Arch.ShortName()
			}
			out = append(out, a+" "+name+" "+c.From.String()+" -> "+c.To.String())
		}
	}
	return out
}

const hdr = `"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"]`

func TestDiffPolicies(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		only []arch.Arch
		want []string // nil: equivalent
	}{
		{
			name: "same rules written differently",
			a:    `{` + hdr + `, "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"}]}`,
			b:    `{` + hdr + `, "syscalls": [{"names": ["write"], "action": "SCMP_ACT_ALLOW"}, {"names": ["read", "read"], "action": "SCMP_ACT_ALLOW"}], "flags": null}`,
		},
		{
			name: "one syscall denied",
			a:    `{` + hdr + `, "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"}]}`,
			b:    `{` + hdr + `, "syscalls": [{"names": ["write"], "action": "SCMP_ACT_ALLOW"}]}`,
			only: []arch.Arch{arch.X86_64},
			want: []string{"x86_64 read SCMP_ACT_ALLOW -> SCMP_ACT_ERRNO(1)"},
		},
		{
			name: "argument value",
			a:    `{` + hdr + `, "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]}`,
			b:    `{` + hdr + `, "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 9, "op": "SCMP_CMP_EQ"}]}]}`,
			only: []arch.Arch{arch.X86_64},
			want: []string{"x86_64 personality? SCMP_ACT_ERRNO(1) -> SCMP_ACT_ERRNO(1)"},
		},
		{
			name: "64-bit boundary in the high word",
			a:    `{` + hdr + `, "syscalls": [{"names": ["mmap"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 1, "value": 4294967296, "op": "SCMP_CMP_GT"}]}]}`,
			b:    `{` + hdr + `, "syscalls": [{"names": ["mmap"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 1, "value": 4294967297, "op": "SCMP_CMP_GT"}]}]}`,
			only: []arch.Arch{arch.X86_64},
			want: []string{"x86_64 mmap? SCMP_ACT_ERRNO(1) -> SCMP_ACT_ERRNO(1)"},
		},
		{
			name: "masked compare",
			a:    `{` + hdr + `, "syscalls": [{"names": ["clone"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]}]}`,
			b:    `{` + hdr + `, "syscalls": [{"names": ["clone"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 2080505856, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]}]}`,
			only: []arch.Arch{arch.X86_64},
			want: []string{"x86_64 clone? SCMP_ACT_ALLOW -> SCMP_ACT_ALLOW"},
		},
		{
			name: "errno value",
			a:    `{` + hdr + `, "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}`,
			b:    `{` + hdr + `, "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}`,
			only: []arch.Arch{arch.X86_64},
			want: []string{"x86_64 mount SCMP_ACT_ERRNO(38) -> SCMP_ACT_ERRNO(13)"},
		},
		{
			name: "bad-arch action and x32",
			a:    `{` + hdr + `}`,
			b:    `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X32"]}`,
			want: []string{"x32 - SCMP_ACT_KILL_THREAD -> SCMP_ACT_ERRNO(1)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := side(t, "a", policy(t, x86_64, tt.a))
			b := side(t, "b", policy(t, x86_64, tt.b))
			r, err := policydiff.Diff(a, b, policydiff.Options{Arches: tt.only})
			require.NoError(t, err)
			got := changes(r)
			if tt.want == nil {
				assert.True(t, r.Equivalent(), "%q", got)
				return
			}
			assert.False(t, r.Equivalent())
			if tt.name == "bad-arch action and x32" {
				// Every x32 number moves from bad-arch to the default, and so
				// do x86_64-ABI numbers at or above 0x40000000: libseccomp's
				// range check is gone once x32 shares the block.
				require.NotEmpty(t, got)
				sawX32 := false
				for _, g := range got {
					sawX32 = sawX32 || strings.HasPrefix(g, "x32 ")
					assert.True(t, strings.HasSuffix(g, "SCMP_ACT_KILL_THREAD -> SCMP_ACT_ERRNO(1)"), g)
				}
				assert.True(t, sawX32)
				return
			}
			assert.Equal(t, tt.want, got)
			for _, ad := range r.Arches {
				for _, c := range ad.Changes {
					if c.Conditional {
						require.NotEmpty(t, c.Examples)
						for _, ex := range c.Examples {
							assert.Equal(t, ex.From, policyDecide(t, x86_64, tt.a, ex.Args, c.Nr))
							assert.NotEqual(t, ex.From, ex.To)
						}
					}
				}
			}
		})
	}
}

func policyDecide(t *testing.T, tg profile.Target, js string, args [6]uint64, nr uint32) profile.Action {
	return policy(t, tg, js).Decide(arch.X86_64.Audit(), int32(nr), args)
}

// TestDiffRuntimes: runc's ENOSYS rule is a difference between runc and
// crun readings of the same profile.
func TestDiffRuntimes(t *testing.T) {
	js := `{` + hdr + `, "syscalls": [{"names": ["write"], "action": "SCMP_ACT_ALLOW"}]}`
	crun := x86_64
	crun.Runtime = profile.RuntimeCrun
	r, err := policydiff.Diff(side(t, "runc", policy(t, x86_64, js)), side(t, "crun", policy(t, crun, js)), policydiff.Options{Arches: []arch.Arch{arch.X86_64}})
	require.NoError(t, err)
	got := changes(r)
	require.NotEmpty(t, got)
	assert.Equal(t, "x86_64 open SCMP_ACT_ERRNO(38) -> SCMP_ACT_ERRNO(1)", got[0], "open (2) is above write (1), the largest the profile names")
}

func sharedPolicies(t *testing.T) map[string]*profile.Policy {
	files, err := filepath.Glob("../../shared/profiles/*.json")
	require.NoError(t, err)
	files = append(files, "../examples/docker-default.json")
	out := map[string]*profile.Policy{}
	for _, f := range files {
		p, err := profile.ParseFile(f)
		if err != nil {
			continue
		}
		pol, err := p.Resolve(x86_64)
		if err != nil {
			continue
		}
		out[filepath.Base(f)] = pol
	}
	require.Greater(t, len(out), 20)
	return out
}

// TestDiffProgramAgainstPolicy: every shared profile, compiled, is
// equivalent to its policy; the same program with one return changed is
// not, and the change is found where it is.
func TestDiffProgramAgainstPolicy(t *testing.T) {
	for name, pol := range sharedPolicies(t) {
		t.Run(name, func(t *testing.T) {
			prog, err := compile.Compile(pol, compile.DefaultOptions)
			if err != nil {
				t.Skipf("does not compile: %v", err)
			}
			ps, err := policydiff.FromProgram(name+".bpf", prog.Insns, arch.X86_64)
			require.NoError(t, err)
			r, err := policydiff.Diff(side(t, name, pol), ps, policydiff.DefaultOptions)
			require.NoError(t, err)
			require.True(t, r.Equivalent(), "%q", changes(r))

			// Turn the first ALLOW return into ERRNO(99).
			mutated := append([]bpf.RawInstruction(nil), prog.Insns...)
			i := 0
			for ; i < len(mutated); i++ {
				if mutated[i].Op == 0x06 && mutated[i].K == uint32(profile.ActAllow) {
					break
				}
			}
			if i == len(mutated) {
				return
			}
			mutated[i].K = uint32(profile.Errno(99))
			ms, err := policydiff.FromProgram("mutated.bpf", mutated, arch.X86_64)
			require.NoError(t, err)
			r, err = policydiff.Diff(side(t, name, pol), ms, policydiff.DefaultOptions)
			require.NoError(t, err)
			require.False(t, r.Equivalent())
			for _, ad := range r.Arches {
				for _, c := range ad.Changes {
					for _, ex := range c.Examples {
						assert.Equal(t, profile.Errno(99), ex.To)
					}
				}
			}
		})
	}
}

// TestDiffProgramArguments: a hand-written program that tests an argument
// through the X register (which the constant pass cannot follow) is told
// apart from a policy that tests another value.
func TestDiffProgramArguments(t *testing.T) {
	insns, err := bpf.Assemble([]bpf.Instruction{
		bpf.LoadAbsolute{Off: 4, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: arch.X86_64.Audit(), SkipFalse: 6},
		bpf.LoadAbsolute{Off: 0, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 135, SkipFalse: 3}, // personality
		bpf.LoadAbsolute{Off: 16, Size: 4},
		bpf.TAX{},
		bpf.TXA{},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 8, SkipTrue: 1},
		bpf.RetConstant{Val: uint32(profile.Errno(1))},
		bpf.RetConstant{Val: uint32(profile.ActAllow)},
	})
	require.NoError(t, err)
	// Any arch but x86_64 falls to the ERRNO return as well: compare
	// x86_64 only.
	ps, err := policydiff.FromProgram("hand.bpf", insns, arch.X86_64)
	require.NoError(t, err)
	same := side(t, "same", policy(t, x86_64, `{`+hdr+`, "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_MASKED_EQ", "valueTwo": 8}]}]}`))
	other := side(t, "other", policy(t, x86_64, `{`+hdr+`, "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 9, "op": "SCMP_CMP_EQ"}]}]}`))
	opts := policydiff.Options{Arches: []arch.Arch{arch.X86_64}}

	r, err := policydiff.Diff(other, ps, opts)
	require.NoError(t, err)
	got := changes(r)
	assert.Contains(t, got, "x86_64 personality? SCMP_ACT_ERRNO(1) -> SCMP_ACT_ERRNO(1)")

	// The hand program compares the low word only; the masked policy
	// compares bit 3 only: they differ (e.g. at 9), and diff says so.
	r, err = policydiff.Diff(same, ps, opts)
	require.NoError(t, err)
	assert.False(t, r.Equivalent())
}

func TestDiffErrors(t *testing.T) {
	_, err := policydiff.FromPolicy("x", nil)
	require.ErrorIs(t, err, policydiff.ErrInput)
	_, err = policydiff.FromProgram("x", []bpf.RawInstruction{{Op: 0x15}}, arch.X86_64)
	require.ErrorIs(t, err, policydiff.ErrInput)
	_, err = policydiff.FromProgram("x", []bpf.RawInstruction{{Op: 0x06}}, arch.Unknown)
	require.ErrorIs(t, err, policydiff.ErrInput)
	_, err = policydiff.Diff(nil, nil, policydiff.DefaultOptions)
	require.ErrorIs(t, err, policydiff.ErrInput)
}

// TestDiffGolden: the text and JSON reports of a recorded-style profile
// against Docker's default.
func TestDiffGolden(t *testing.T) {
	docker, err := profile.ParseFile("../examples/docker-default.json")
	require.NoError(t, err)
	dpol, err := docker.Resolve(x86_64)
	require.NoError(t, err)
	rec := policy(t, x86_64, `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [{"names": ["execve", "exit_group", "read", "write", "mmap", "brk", "close", "openat", "newfstatat", "arch_prctl", "set_tid_address", "rseq", "prlimit64", "mprotect", "munmap", "pread64", "access", "set_robust_list"], "action": "SCMP_ACT_ALLOW"}]}`)
	r, err := policydiff.Diff(side(t, "recorded.json", rec), side(t, "docker-default.json", dpol), policydiff.DefaultOptions)
	require.NoError(t, err)
	var text bytes.Buffer
	require.NoError(t, r.WriteText(&text))
	golden(t, "recorded-vs-docker.txt", text.Bytes())

	// JSON for a small pair with an argument-dependent change.
	a := policy(t, x86_64, `{`+hdr+`, "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}, {"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}`)
	b := policy(t, x86_64, `{`+hdr+`, "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]}, {"names": ["read"], "action": "SCMP_ACT_LOG"}]}`)
	r, err = policydiff.Diff(side(t, "a.json", a), side(t, "b.json", b), policydiff.Options{Arches: []arch.Arch{arch.X86_64}})
	require.NoError(t, err)
	var js bytes.Buffer
	require.NoError(t, r.WriteJSON(&js))
	var decoded map[string]any
	require.NoError(t, json.Unmarshal(js.Bytes(), &decoded))
	assert.Equal(t, false, decoded["equivalent"])
	golden(t, "personality.json", js.Bytes())
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create %s", path)
	assert.Equal(t, string(want), string(got), "%s differs; go test -update rewrites it", path)
}
