package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/loader"
	"github.com/seccompctl/seccompctl/profile"
)

// dumpNeedsAdmin skips dump tests without CAP_SYS_ADMIN, which
// PTRACE_SECCOMP_GET_FILTER requires.
func dumpNeedsAdmin(t *testing.T) {
	t.Helper()
	st, err := loader.ReadStatus(0)
	require.NoError(t, err)
	if !st.HasCap(21) {
		t.Skip("needs CAP_SYS_ADMIN")
	}
}

// dumpCompiled compiles a profile the way "seccompctl exec" does by
// default: this machine, Docker's capabilities, runc, the running kernel.
func dumpCompiled(t *testing.T, path string) *compile.Program {
	t.Helper()
	p, err := profile.ParseFile(path)
	require.NoError(t, err)
	pol, err := p.Resolve(profile.Target{Arch: arch.Native(), Caps: profile.DockerDefaultCaps, Runtime: profile.RuntimeRunc})
	require.NoError(t, err)
	prog, err := compile.Compile(pol, compile.DefaultOptions)
	require.NoError(t, err)
	return prog
}

// TestDumpExecChild dumps a command started by "seccompctl exec" and
// checks that the kernel holds exactly the compiled program.
func TestDumpExecChild(t *testing.T) {
	dumpNeedsAdmin(t)
	docker := dockerProfilePath(t)
	cmd, _ := startShim(t, t.TempDir(), "--profile", docker)
	pid := strconv.Itoa(cmd.Process.Pid)
	want := dumpCompiled(t, docker)

	status, out, stderr := runCLI(t, "dump", "--pid", pid, "--format", "raw")
	require.Equal(t, exitOK, status, stderr)
	order := binary.ByteOrder(binary.LittleEndian)
	if arch.Native().BigEndian() {
		order = binary.BigEndian
	}
	got, err := compile.ParseRawOrder([]byte(out), order)
	require.NoError(t, err)
	require.NoError(t, compile.Verify(got), "the kernel's copy passes our verifier")
	assert.Equal(t, want.Insns, got)

	// Decisions, emulated: every arch of the program and a bad one, every
	// number up to past the tables, a few argument vectors.
	ref, err := compile.NewEmulator(want.Insns, order)
	require.NoError(t, err)
	emu, err := compile.NewEmulator(got, order)
	require.NoError(t, err)
	diffs, n := 0, 0
	for _, a := range append(append([]arch.Arch(nil), want.Arches...), arch.AArch64) {
		for nr := int32(0); nr < 1024; nr++ {
			v := nr | int32(a.Info().SyscallBit)
			for _, args := range [][6]uint64{{}, {0x7e020000}, {^uint64(0), 1, 2, 3, 4, 5}} {
				d := compile.Data{Nr: v, Arch: a.Audit(), Args: args}
				n++
				if ref.Run(d).Action != emu.Run(d).Action {
					diffs++
				}
			}
		}
	}
	assert.Zero(t, diffs, "of %d inputs", n)

	status, out, stderr = runCLI(t, "dump", "--pid", pid)
	require.Equal(t, exitOK, status, stderr)
	assert.True(t, strings.HasPrefix(out, fmt.Sprintf("# pid %s filter 0: %d instructions, architectures [", pid, len(want.Insns))), out[:min(len(out), 200)])
	assert.Contains(t, out, "SCMP_ARCH_X86_64")
	assert.Contains(t, out, "ERRNO(38)", "runc's ENOSYS rule")
}

// TestDumpNested: seccompctl exec inside seccompctl exec stacks two
// filters; dump shows both, and the single-program formats need --index.
func TestDumpNested(t *testing.T) {
	dumpNeedsAdmin(t)
	dir := t.TempDir()
	docker := dockerProfilePath(t)
	inner := shimProfile(t, dir, "inner.json", `{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_LOG"],"syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}`)
	env, err := exec.LookPath("env")
	require.NoError(t, err)
	// The outer shim runs env, which runs this test binary as the CLI
	// again (the outer one dropped shimCLIEnv before execve).
	cmd, _ := startShim(t, dir, "--profile", docker, "--", env, shimCLIEnv+"=1", os.Args[0], "exec", "--profile", inner)
	pid := strconv.Itoa(cmd.Process.Pid)

	status, out, stderr := runCLI(t, "dump", "--pid", pid)
	require.Equal(t, exitOK, status, stderr)
	assert.Contains(t, out, "# pid "+pid+" filter 0: ")
	assert.Contains(t, out, "# pid "+pid+" filter 1: ")
	assert.Contains(t, out, "flags SECCOMP_FILTER_FLAG_LOG", "the inner filter's LOG flag")

	status, _, stderr = runCLI(t, "dump", "--pid", pid, "--format", "base64")
	assert.Equal(t, exitInput, status)
	assert.Contains(t, stderr, "has 2 filters; choose one with --index")

	status, out, stderr = runCLI(t, "dump", "--pid", pid, "--format", "raw", "--index", "1")
	require.Equal(t, exitOK, status, stderr)
	got, err := compile.ParseRaw([]byte(out))
	require.NoError(t, err)
	p, err := profile.ParseFile(inner)
	require.NoError(t, err)
	pol, err := p.Resolve(profile.Target{Caps: profile.DockerDefaultCaps})
	require.NoError(t, err)
	want, err := compile.Compile(pol, compile.DefaultOptions)
	require.NoError(t, err)
	assert.Equal(t, want.Insns, got)
}

func TestDumpErrors(t *testing.T) {
	dumpNeedsAdmin(t)
	sleeper := exec.Command("cat")
	in, err := sleeper.StdinPipe()
	require.NoError(t, err)
	require.NoError(t, sleeper.Start())
	defer func() { _ = in.Close(); _ = sleeper.Wait() }()
	plain := strconv.Itoa(sleeper.Process.Pid)

	tests := []struct {
		name   string
		args   []string
		status int
		stdout string
		stderr string
	}{
		{"no pid", nil, exitInput, "", "usage: seccompctl dump"},
		{"help", []string{"-h"}, exitOK, "", "PTRACE_SECCOMP_GET_FILTER"},
		{"bad format", []string{"--pid", plain, "--format", "hex"}, exitInput, "", "--format"},
		{"unfiltered, text", []string{"--pid", plain}, exitOK, "# pid " + plain + " has no seccomp filters\n", ""},
		{"unfiltered, raw", []string{"--pid", plain, "--format", "raw"}, exitInput, "", "has no seccomp filters"},
		{"index out of range", []string{"--pid", plain, "--index", "0"}, exitInput, "", "has 0 filter(s)"},
		{"no such process", []string{"--pid", "1073741824"}, exitInput, "", "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, stdout, stderr := runCLI(t, append([]string{"dump"}, tt.args...)...)
			assert.Equal(t, tt.status, status, stderr)
			assert.Equal(t, tt.stdout, stdout)
			assert.Contains(t, stderr, tt.stderr)
		})
	}
}
