//go:build linux && amd64

package compile_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/internal/seccomptest"
	"github.com/seccompctl/seccompctl/profile"
)

// Property 3: the kernel accepts every compiled profile, and real
// syscalls under it get what the reference semantics says.
//
// The filters are installed in a child process (this test binary run
// again), each on a fresh locked OS thread without TSYNC, so one child can
// try every profile: a filter applies only to the thread that installed it.
// The Go runtime keeps making its own syscalls on that thread, and a
// profile may deny them, so each program gets a prologue that allows the
// runtime's syscalls on x86_64 and passes everything else, unchanged, to
// the compiled program. The probes below are not in that list.

const profilesHelperEnv = "SECCOMPCTL_PROFILES_KERNEL_HELPER"

// runtimeSyscalls are what the Go runtime may call on the probing thread.
var runtimeSyscalls = []uint32{0, 1, 9, 10, 11, 13, 14, 15, 24, 28, 35, 56, 60, 131, 186, 202, 228, 230, 231, 232, 233, 234, 281, 435, 441}

// probe is one harmless syscall the child makes under a filter.
type probe struct {
	Name string
	Nr   uint32
	Args [6]uint64
}

var probes = []probe{
	{"getppid", unix.SYS_GETPPID, [6]uint64{}},
	{"getuid", unix.SYS_GETUID, [6]uint64{}},
	{"personality(query)", unix.SYS_PERSONALITY, [6]uint64{0xffffffff}},
	{"unshare(0)", unix.SYS_UNSHARE, [6]uint64{}},
	{"ioctl(-1, 0)", unix.SYS_IOCTL, [6]uint64{^uint64(0), 0}},
	{"kill(1, 0) as non-owner", unix.SYS_KILL, [6]uint64{1 << 31, 0}},
	{"syscall 1000", 1000, [6]uint64{}},
	{"syscall 470+", 499, [6]uint64{}},
}

type probeJob struct {
	Name   string
	Prog   []bpf.RawInstruction
	Probes []probe
}

type probeResult struct {
	Name         string
	InstallErrno int
	Results      []int64 // raw return: value or -errno
}

func withRuntimePrologue(prog []bpf.RawInstruction) []bpf.RawInstruction {
	n := len(runtimeSyscalls)
	// 0 ld arch; 1 jeq x86_64 ?: to program; 2 ld nr; 3..3+n-1 jeq k -> allow;
	// 3+n ja program; 4+n ret allow; 5+n program...
	out := []bpf.RawInstruction{
		{Op: 0x20, K: 4},
		{Op: 0x15, Jt: 0, Jf: uint8(n + 3), K: arch.X86_64.Audit()},
		{Op: 0x20, K: 0},
	}
	for i, k := range runtimeSyscalls {
		out = append(out, bpf.RawInstruction{Op: 0x15, Jt: uint8(n - i), K: k})
	}
	out = append(out, bpf.RawInstruction{Op: 0x05, K: 1}, bpf.RawInstruction{Op: 0x06, K: uint32(profile.ActAllow)})
	return append(out, prog...)
}

// TestProfilesHelperProcess is the child; it does nothing in a normal run.
func TestProfilesHelperProcess(t *testing.T) {
	if os.Getenv(profilesHelperEnv) == "" {
		t.Skip("helper process for TestKernelRunsEveryProfile")
	}
	var jobs []probeJob
	if err := json.NewDecoder(os.Stdin).Decode(&jobs); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(3)
	}
	out := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(out)
	for _, j := range jobs {
		r := probeResult{Name: j.Name}
		run := func() {
			for _, p := range j.Probes {
				r.Results = append(r.Results, seccomptest.Syscall(uintptr(p.Nr), p.Args))
			}
		}
		if len(j.Prog) == 0 {
			run() // the baseline: no filter
		} else {
			o := seccomptest.OnNewThread(j.Prog, run)
			r.InstallErrno = o.InstallErrno
			if o.Killed {
				r.Results = nil // the parent reports a short result list
			}
		}
		_ = enc.Encode(r)
		_ = out.Flush()
	}
	os.Exit(0)
}

func TestKernelRunsEveryProfile(t *testing.T) {
	type planned struct {
		job    probeJob
		expect []profile.Action
	}
	var plans []planned
	baseline := probeJob{Name: "baseline", Probes: probes}
	names := make([]string, 0)
	profiles := sharedProfiles(t)
	for n := range profiles {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		for _, rt := range []profile.Runtime{profile.RuntimeRunc, profile.RuntimeCrun} {
			pol, err := profiles[name].Resolve(profile.Target{Arch: arch.X86_64, Caps: profile.DockerDefaultCaps, Kernel: profile.KernelVersion{Kernel: 6, Major: 1}, Runtime: rt})
			if errors.Is(err, profile.ErrInvalid) {
				continue // runc/crun refuse it; the profile tests cover that
			}
			require.NoError(t, err, name)
			prog, err := compile.Compile(pol, compile.DefaultOptions)
			require.NoError(t, err, name)
			p := planned{job: probeJob{Name: name + "/" + string(rt), Prog: withRuntimePrologue(prog.Insns)}}
			for _, pr := range probes {
				act := pol.Decide(arch.X86_64.Audit(), int32(pr.Nr), pr.Args)
				if act.Kind() == profile.ActErrno || act.IsAllowLike() {
					p.job.Probes = append(p.job.Probes, pr)
					p.expect = append(p.expect, act)
				}
			}
			plans = append(plans, p)
		}
	}
	jobs := []probeJob{baseline}
	for _, p := range plans {
		jobs = append(jobs, p.job)
	}
	var in bytes.Buffer
	require.NoError(t, json.NewEncoder(&in).Encode(jobs))
	cmd := exec.Command(os.Args[0], "-test.run=^TestProfilesHelperProcess$")
	cmd.Env = append(os.Environ(), profilesHelperEnv+"=1")
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "child: %s", stderr.String())
	dec := json.NewDecoder(bytes.NewReader(out))
	var results []probeResult
	for dec.More() {
		var r probeResult
		require.NoError(t, dec.Decode(&r), "child output: %s", strings.TrimSpace(string(out)))
		results = append(results, r)
	}
	require.Len(t, results, len(jobs), "child stopped early: %s", stderr.String())
	base := results[0]
	require.Zero(t, base.InstallErrno)
	checked := 0
	for i, p := range plans {
		r := results[i+1]
		require.Zero(t, r.InstallErrno, "%s: the kernel refused the program (errno %d)", p.job.Name, r.InstallErrno)
		require.Len(t, r.Results, len(p.job.Probes), "%s: the thread died under the program", p.job.Name)
		for k, pr := range p.job.Probes {
			want := int64(0)
			if p.expect[k].Kind() == profile.ActErrno {
				want = -int64(p.expect[k].Data())
			} else {
				want = base.Results[slices.IndexFunc(probes, func(q probe) bool { return q.Name == pr.Name })]
			}
			require.Equal(t, want, r.Results[k], "%s: %s: reference says %v", p.job.Name, pr.Name, p.expect[k])
			checked++
		}
	}
	t.Logf("%d programs installed, %d syscalls checked against the reference", len(plans), checked)
}
