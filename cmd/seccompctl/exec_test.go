package main

// The exec tests run seccompctl in child processes: this test binary,
// re-executed with shimCLIEnv set, is the CLI (init below dispatches before
// the tests start), so no filter ever lands in the test process. The
// commands it execs are real binaries, or this test binary again in a
// helper mode (shimHelperEnv), which stands for "a Go program".

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

const (
	shimCLIEnv    = "SECCOMPCTL_TEST_AS_CLI"
	shimHelperEnv = "SECCOMPCTL_TEST_HELPER"
	shimReady     = "HELPER-READY"
)

func init() {
	if os.Getenv(shimCLIEnv) != "" {
		// Not inherited by the command exec runs.
		_ = os.Unsetenv(shimCLIEnv)
		// Commands killed by SIGSYS must not leave core files.
		_ = unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{})
		os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	if mode := os.Getenv(shimHelperEnv); mode != "" {
		os.Exit(shimHelper(mode))
	}
}

// shimHelper is the Go program the exec tests run under a filter.
func shimHelper(mode string) int {
	switch {
	case strings.HasPrefix(mode, "syscall:"):
		nr, err := strconv.Atoi(strings.TrimPrefix(mode, "syscall:"))
		if err != nil {
			return 3
		}
		_, _, e := syscall.Syscall(uintptr(nr), 0, 0, 0)
		fmt.Printf("errno=%d\n", int(e))
		return 0
	case mode == "go":
		// A little of everything the runtime does: threads, GC, files,
		// pipes, timers.
		var wg sync.WaitGroup
		sums := make([]int, 8)
		for i := range sums {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runtime.LockOSThread()
				b := make([]byte, 1<<20)
				for j := range b {
					sums[i] += int(b[j]) + j%7
				}
			}()
		}
		wg.Wait()
		runtime.GC()
		if _, err := os.ReadFile("/proc/self/status"); err != nil {
			fmt.Println("read:", err)
			return 1
		}
		r, w, err := os.Pipe()
		if err != nil {
			fmt.Println("pipe:", err)
			return 1
		}
		go func() { _, _ = w.Write([]byte("pipe ok")); w.Close() }()
		got, _ := io.ReadAll(r)
		fmt.Printf("go ok, %s, %d threads\n", got, len(sums))
		return 0
	case mode == "status":
		b, _ := os.ReadFile("/proc/self/status")
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "Seccomp:") || strings.HasPrefix(l, "NoNewPrivs:") {
				fmt.Println(strings.Join(strings.Fields(l), " "))
			}
		}
		return 0
	case mode == "ready":
		fmt.Println(shimReady)
		_, _ = io.Copy(io.Discard, os.Stdin)
		return 0
	}
	return 3
}

// shimResult is how a child seccompctl ended.
type shimResult struct {
	status int // exit status, -1 when killed
	signal syscall.Signal
	stdout string
	stderr string
}

// shimCmd prepares seccompctl ARGS... as a child in dir; helper, if set,
// is the helper mode of the test binary when it is the command.
func shimCmd(dir, helper string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), shimCLIEnv+"=1")
	if helper != "" {
		cmd.Env = append(cmd.Env, shimHelperEnv+"="+helper)
	}
	cmd.Dir = dir
	return cmd
}

func runShim(t *testing.T, dir, helper string, args ...string) shimResult {
	t.Helper()
	cmd := shimCmd(dir, helper, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		require.NoError(t, err)
	}
	return shimResultOf(cmd, out.String(), errb.String())
}

func shimResultOf(cmd *exec.Cmd, stdout, stderr string) shimResult {
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	r := shimResult{status: ws.ExitStatus(), stdout: stdout, stderr: stderr}
	if ws.Signaled() {
		r.signal = ws.Signal()
	}
	return r
}

// shimProfile writes a profile into dir.
func shimProfile(t *testing.T, dir, name, src string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(src), 0o644))
	return p
}

func dockerProfilePath(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "examples", "docker-default.json"))
	require.NoError(t, err)
	return p
}

const denyMkdir = `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":%q%s}]}`

func TestExecMkdir(t *testing.T) {
	dir := t.TempDir()
	deny := shimProfile(t, dir, "deny.json", fmt.Sprintf(denyMkdir, "SCMP_ACT_ERRNO", ""))
	allow := shimProfile(t, dir, "allow.json", `{"defaultAction":"SCMP_ACT_ALLOW"}`)

	r := runShim(t, dir, "", "exec", "--profile", deny, "--", "mkdir", "denied")
	assert.Equal(t, 1, r.status, "mkdir's own exit status passes through")
	assert.Contains(t, r.stderr, "Operation not permitted")
	assert.NoDirExists(t, filepath.Join(dir, "denied"))

	r = runShim(t, dir, "", "exec", "--profile", allow, "--", "mkdir", "allowed")
	assert.Equal(t, 0, r.status, r.stderr)
	assert.DirExists(t, filepath.Join(dir, "allowed"))

	// And plain mkdir, without seccompctl at all.
	require.NoError(t, exec.Command("mkdir", filepath.Join(dir, "plain")).Run())
	assert.DirExists(t, filepath.Join(dir, "plain"))
}

func TestExecDockerDefault(t *testing.T) {
	docker := dockerProfilePath(t)
	dir := t.TempDir()
	tests := []struct {
		name    string
		runtime string
		helper  string
		cmd     []string
		status  int
		stdout  string
		stderr  string
	}{
		{name: "ls", cmd: []string{"/bin/ls", "/"}, stdout: "proc"},
		{name: "sh", cmd: []string{"/bin/sh", "-c", "echo ok"}, stdout: "ok\n"},
		{name: "a Go program", helper: "go", cmd: []string{os.Args[0]}, stdout: "go ok, pipe ok, 8 threads\n"},
		{name: "unshare --user refused", cmd: []string{"unshare", "--user", "true"}, status: 1, stderr: "Operation not permitted"},
		{name: "runc: syscall 1000 is ENOSYS", runtime: "runc", helper: "syscall:1000", cmd: []string{os.Args[0]}, stdout: "errno=38\n"},
		{name: "crun: syscall 1000 is EPERM", runtime: "crun", helper: "syscall:1000", cmd: []string{os.Args[0]}, stdout: "errno=1\n"},
		{name: "runc: known denied syscall stays EPERM", runtime: "runc", helper: fmt.Sprintf("syscall:%d", unix.SYS_KEXEC_LOAD), cmd: []string{os.Args[0]}, stdout: "errno=1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"exec", "--profile", docker}
			if tt.runtime != "" {
				args = append(args, "--runtime", tt.runtime)
			}
			r := runShim(t, dir, tt.helper, append(append(args, "--"), tt.cmd...)...)
			assert.Equal(t, tt.status, r.status, "stderr: %s", r.stderr)
			assert.Zero(t, r.signal)
			assert.Contains(t, r.stdout, tt.stdout)
			if tt.stderr != "" {
				assert.Contains(t, r.stderr, tt.stderr)
			}
		})
	}
}

func TestExecActions(t *testing.T) {
	dir := t.TempDir()
	kill := shimProfile(t, dir, "kill.json", fmt.Sprintf(denyMkdir, "SCMP_ACT_KILL_PROCESS", ""))
	r := runShim(t, dir, "", "exec", "--profile", kill, "--", "mkdir", "killed")
	assert.Equal(t, syscall.SIGSYS, r.signal, "KILL_PROCESS: %+v", r)
	assert.NoDirExists(t, filepath.Join(dir, "killed"))

	quota := shimProfile(t, dir, "errno.json", fmt.Sprintf(denyMkdir, "SCMP_ACT_ERRNO", `,"errnoRet":122`))
	r = runShim(t, dir, "", "exec", "--profile", quota, "--", "mkdir", "quota")
	assert.Equal(t, 1, r.status)
	assert.Contains(t, r.stderr, "Disk quota exceeded", "errnoRet 122 is EDQUOT")

	logp := shimProfile(t, dir, "log.json", fmt.Sprintf(denyMkdir, "SCMP_ACT_LOG", ""))
	r = runShim(t, dir, "", "exec", "--profile", logp, "--", "mkdir", "logged")
	assert.Equal(t, 0, r.status, r.stderr)
	assert.DirExists(t, filepath.Join(dir, "logged"), "LOG allows")

	// TRAP: bash runs its SIGSYS trap; cd's chdir(2) was not executed.
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash for the TRAP case")
	}
	trap := shimProfile(t, dir, "trap.json", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["chdir"],"action":"SCMP_ACT_TRAP"}]}`)
	r = runShim(t, dir, "", "exec", "--profile", trap, "--", bash, "-c", `trap 'echo caught SIGSYS' SYS; cd /; echo "pwd=$(/bin/pwd)"`)
	assert.Equal(t, 0, r.status, r.stderr)
	assert.Contains(t, r.stdout, "caught SIGSYS")
	assert.Contains(t, r.stdout, "pwd="+dir, "the trapped chdir did not happen")
}

func TestExecNoNewPrivs(t *testing.T) {
	dir := t.TempDir()
	p := shimProfile(t, dir, "p.json", fmt.Sprintf(denyMkdir, "SCMP_ACT_ERRNO", ""))
	r := runShim(t, dir, "status", "exec", "--profile", p, "--", os.Args[0])
	require.Equal(t, 0, r.status, r.stderr)
	assert.Contains(t, r.stdout, "NoNewPrivs: 1")
	assert.Contains(t, r.stdout, "Seccomp: 2")

	dumpNeedsAdmin(t) // --no-new-privs=false needs CAP_SYS_ADMIN too
	r = runShim(t, dir, "status", "exec", "--profile", p, "--no-new-privs=false", "--", os.Args[0])
	require.Equal(t, 0, r.status, r.stderr)
	assert.Contains(t, r.stdout, "NoNewPrivs: 0")
	assert.Contains(t, r.stdout, "Seccomp: 2")
}

func TestExecBPF(t *testing.T) {
	dir := t.TempDir()
	raw := filepath.Join(dir, "docker.bpf")
	status, _, stderr := runCLI(t, "compile", "--format", "raw", "-o", raw, dockerProfilePath(t))
	require.Equal(t, exitOK, status, stderr)

	r := runShim(t, dir, "", "exec", "--bpf", raw, "--", "/bin/sh", "-c", "echo ok")
	assert.Equal(t, 0, r.status, r.stderr)
	assert.Equal(t, "ok\n", r.stdout)
	r = runShim(t, dir, "syscall:1000", "exec", "--bpf", raw, "--", os.Args[0])
	assert.Equal(t, "errno=38\n", r.stdout, r.stderr)

	b, err := os.ReadFile(raw)
	require.NoError(t, err)
	bad := filepath.Join(dir, "bad.bpf")
	corrupt := append([]byte(nil), b...)
	corrupt[0], corrupt[1] = 0xff, 0xff // instruction 0: no such code
	require.NoError(t, os.WriteFile(bad, corrupt, 0o644))
	r = runShim(t, dir, "", "exec", "--bpf", bad, "--", "true")
	assert.Equal(t, exitExecFailed, r.status)
	assert.Contains(t, r.stderr, "invalid seccomp program")

	short := filepath.Join(dir, "short.bpf")
	require.NoError(t, os.WriteFile(short, b[:len(b)-3], 0o644))
	r = runShim(t, dir, "", "exec", "--bpf", short, "--", "true")
	assert.Equal(t, exitExecFailed, r.status)
	assert.Contains(t, r.stderr, "not a multiple of 8")
}

func TestExecErrors(t *testing.T) {
	dir := t.TempDir()
	good := shimProfile(t, dir, "good.json", fmt.Sprintf(denyMkdir, "SCMP_ACT_ERRNO", ""))
	badp := shimProfile(t, dir, "bad.json", "{\n  \"defaultAction\": \"SCMP_ACT_ALOW\"\n}\n")
	tests := []struct {
		name   string
		args   []string
		status int
		stderr string
	}{
		{"help", []string{"-h"}, exitOK, "usage: seccompctl exec"},
		{"no command", []string{"--profile", good}, exitExecFailed, "usage: seccompctl exec"},
		{"neither profile nor bpf", []string{"--", "true"}, exitExecFailed, "exactly one of --profile and --bpf"},
		{"both", []string{"--profile", good, "--bpf", good, "--", "true"}, exitExecFailed, "exactly one of --profile and --bpf"},
		{"bad flag", []string{"--frob", "--", "true"}, exitExecFailed, "flag provided but not defined"},
		{"missing profile", []string{"--profile", filepath.Join(dir, "nope.json"), "--", "true"}, exitExecFailed, "no such file"},
		{"invalid profile", []string{"--profile", badp, "--", "true"}, exitExecFailed, badp + ":2:20: defaultAction"},
		{"unknown command", []string{"--profile", good, "--", "no-such-command-xyz"}, exitExecFailed, `seccompctl: exec: no-such-command-xyz: executable file not found in $PATH`},
		{"bad runtime", []string{"--profile", good, "--runtime", "youki", "--", "true"}, exitExecFailed, "--runtime"},
		{"other byte order", []string{"--profile", good, "--arch", "s390x", "--", "true"}, exitExecFailed, "byte order"},
		{"other arch", []string{"--profile", good, "--arch", "aarch64", "--", "true"}, exitExecFailed, "not for this process's architecture"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runShim(t, dir, "", append([]string{"exec"}, tt.args...)...)
			assert.Equal(t, tt.status, r.status, "stderr: %s", r.stderr)
			assert.Contains(t, r.stderr, tt.stderr)
			if tt.status == exitExecFailed && !strings.Contains(tt.stderr, "usage") && !strings.Contains(tt.stderr, "flag provided") {
				assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
				assert.True(t, strings.HasPrefix(r.stderr, "seccompctl: exec: "), r.stderr)
			}
		})
	}
}

// startShim starts seccompctl exec ... -- TESTBINARY in helper mode
// "ready" and waits until the command runs under the filter.
func startShim(t *testing.T, dir string, args ...string) (*exec.Cmd, io.WriteCloser) {
	t.Helper()
	cmd := shimCmd(dir, "ready", append(append([]string{"exec"}, args...), "--", os.Args[0])...)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		_ = cmd.Wait() // stderr is complete only then
		require.NoError(t, err, "stderr: %s", errb.String())
	}
	require.Equal(t, shimReady, strings.TrimSpace(line))
	return cmd, stdin
}

// TestExecTSYNC: crun honours SECCOMP_FILTER_FLAG_TSYNC from the profile,
// so the shim installs on every thread; runc ignores it.
func TestExecTSYNC(t *testing.T) {
	dir := t.TempDir()
	p := shimProfile(t, dir, "tsync.json", `{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_TSYNC"],"syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}`)
	for _, rt := range []string{"crun", "runc"} {
		r := runShim(t, dir, "", "exec", "-v", "--runtime", rt, "--profile", p, "--", "mkdir", "d")
		assert.Equal(t, 1, r.status, r.stderr)
		assert.Contains(t, r.stderr, "Operation not permitted")
		assert.Equal(t, rt == "crun", strings.Contains(r.stderr, "flags SECCOMP_FILTER_FLAG_TSYNC"), "%s: %s", rt, r.stderr)
	}
	assert.NoDirExists(t, filepath.Join(dir, "d"))
}
