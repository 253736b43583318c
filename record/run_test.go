package record_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/record"
)

// recordCmd records argv with the test binary as the shim and returns the
// result and what the command printed.
func recordCmd(t *testing.T, env []string, argv ...string) (*record.Result, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	opts := record.DefaultOptions
	opts.Stdout, opts.Stderr = &stdout, &stderr
	if env != nil {
		opts.Env = append(os.Environ(), env...)
	}
	res, err := record.Run(t.Context(), argv, opts)
	require.NoError(t, err, "stderr: %s", stderr.String())
	return res, stdout.String(), stderr.String()
}

// writeProfile turns a recording into a profile file and checks that it
// parses and resolves.
func writeProfile(t *testing.T, rec *record.Recording, opts record.ProfileOptions) string {
	t.Helper()
	p, _, err := rec.Profile(opts)
	require.NoError(t, err)
	data, err := record.Marshal(p)
	require.NoError(t, err)
	parsed, err := profile.Parse(data)
	require.NoError(t, err, "recorded profile must parse:\n%s", data)
	_, err = parsed.Resolve(profile.Target{})
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "recorded.json")
	require.NoError(t, os.WriteFile(file, data, 0o644))
	return file
}

// runUnder runs argv with the profile installed (see helperExecUnder);
// argv gets the helper role next, if any.
func runUnder(t *testing.T, file, next string, argv ...string) (status int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(self(t), append([]string{file}, argv...)...)
	cmd.Env = append(os.Environ(), helperEnv+"=exec-under", nextHelperEnv+"="+next)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		var ee *exec.ExitError
		require.ErrorAs(t, err, &ee)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errb.String()
}

func names(rec *record.Recording) map[string]bool {
	out := map[string]bool{}
	for _, c := range rec.Calls() {
		out[c.Name] = true
	}
	return out
}

func TestRunTrue(t *testing.T) {
	res, _, _ := recordCmd(t, nil, "/bin/true")
	assert.Equal(t, 0, res.ExitStatus())
	got := names(res.Recording)
	for _, want := range []string{"execve", "exit_group"} {
		assert.True(t, got[want], "%s recorded; got %v", want, got)
	}
	// Nothing from the shim before its execve: the Go runtime's futex and
	// signal handling are not /bin/true's.
	assert.False(t, got["futex"], "shim syscalls leak into the recording: %v", got)
	assert.Equal(t, []arch.Arch{arch.Native()}, res.Recording.Arches())
	assert.GreaterOrEqual(t, res.Notifications, uint64(res.Recording.Len()))
	writeProfile(t, res.Recording, record.DefaultProfileOptions)
}

func TestRunShellOutputAndStatus(t *testing.T) {
	tests := []struct {
		name   string
		script string
		status int
		stdout string
		want   []string
	}{
		{"ls and echo", "ls / >/dev/null; echo hi", 0, "hi\n", []string{"execve", "write", "getdents64", "exit_group"}},
		{"exit code", "echo out; exit 7", 7, "out\n", []string{"write", "exit_group"}},
		{"killed by a signal", "kill -9 $$", 128 + 9, "", []string{"kill"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, stdout, _ := recordCmd(t, nil, "/bin/sh", "-c", tt.script)
			assert.Equal(t, tt.status, res.ExitStatus())
			assert.Equal(t, tt.stdout, stdout)
			got := names(res.Recording)
			for _, w := range tt.want {
				assert.True(t, got[w], "%s recorded; got %v", w, got)
			}
		})
	}
}

// TestRunThreadsAndChildren: a Go program (many threads) that makes
// sysinfo on a second thread only and starts a child that alone calls
// sync(2); both must be in the recording.
func TestRunThreadsAndChildren(t *testing.T) {
	res, stdout, stderr := recordCmd(t, []string{helperEnv + "=threads"}, self(t))
	require.Equal(t, 0, res.ExitStatus(), "stdout %q stderr %q", stdout, stderr)
	got := names(res.Recording)
	assert.True(t, got["sysinfo"], "the second thread's syscall is recorded")
	assert.True(t, got["clone"] || got["clone3"], "thread creation is recorded")

	res, _, _ = recordCmd(t, nil, "/bin/sh", "-c", "/bin/sync; wait")
	got = names(res.Recording)
	assert.True(t, got["sync"], "the child's syscall is recorded: %v", got)
	assert.True(t, got["wait4"], "the parent's wait is recorded")
}

// TestRunDescendantsOutlive: a process the command leaves behind is
// recorded until it is gone, even though the command exited first.
func TestRunDescendantsOutlive(t *testing.T) {
	res, _, _ := recordCmd(t, nil, "/bin/sh", "-c", "(sleep 0.3; /bin/sync) & exit 0")
	assert.Equal(t, 0, res.ExitStatus())
	assert.True(t, names(res.Recording)["sync"], "the orphan's syscall is recorded")
}

// TestRunCancel: ending ctx stops the command (SIGTERM) and still returns
// what was recorded.
func TestRunCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	r, w := io.Pipe()
	go func() {
		buf := make([]byte, 16)
		if n, _ := r.Read(buf); n > 0 {
			cancel()
		}
		_, _ = io.Copy(io.Discard, r)
	}()
	opts := record.DefaultOptions
	opts.Stdout = w
	res, err := record.Run(ctx, []string{"/bin/sh", "-c", "echo ready; exec sleep 60"}, opts)
	w.Close()
	require.NoError(t, err)
	assert.Equal(t, 128+int(syscall.SIGTERM), res.ExitStatus())
	assert.True(t, names(res.Recording)["write"], "what ran before the end is kept")
}

// TestRunUnderRecordedProfile is the end-to-end check: what was recorded
// runs under the recorded profile; one more syscall is refused.
func TestRunUnderRecordedProfile(t *testing.T) {
	dir := t.TempDir()
	script := "ls / >/dev/null; echo hi"
	res, _, _ := recordCmd(t, nil, "/bin/sh", "-c", script)
	file := writeProfile(t, res.Recording, record.DefaultProfileOptions)

	status, stdout, stderr := runUnder(t, file, "", "/bin/sh", "-c", script)
	assert.Equal(t, 0, status, "stderr: %s", stderr)
	assert.Equal(t, "hi\n", stdout)

	status, stdout, stderr = runUnder(t, file, "", "/bin/sh", "-c", script+"; mkdir "+filepath.Join(dir, "x"))
	assert.NotEqual(t, 0, status)
	assert.Equal(t, "hi\n", stdout)
	assert.Contains(t, stderr, "Operation not permitted", "mkdir gets EPERM")
	assert.NoDirExists(t, filepath.Join(dir, "x"))
}

func TestRunArgs(t *testing.T) {
	env := []string{helperEnv + "=args"}
	res, _, stderr := recordCmd(t, env, self(t), "personality=0xffffffff", "socket=1")
	require.Equal(t, 0, res.ExitStatus(), stderr)
	file := writeProfile(t, res.Recording, record.ProfileOptions{Args: true})
	p, err := profile.ParseFile(file)
	require.NoError(t, err)
	var argRules []string
	for _, s := range p.Syscalls {
		if len(s.Args) > 0 {
			argRules = append(argRules, s.Names[0])
		}
	}
	assert.Contains(t, argRules, "personality")
	assert.Contains(t, argRules, "socket")

	tests := []struct {
		name   string
		args   []string
		status int
	}{
		{"recorded values", []string{"personality=0xffffffff", "socket=1"}, 0},
		{"another socket family", []string{"personality=0xffffffff", "socket=2"}, 100 + int(syscall.EPERM)},
		{"another personality", []string{"personality=0x0040000"}, 100 + int(syscall.EPERM)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, stderr := runUnder(t, file, "args", append([]string{self(t)}, tt.args...)...)
			assert.Equal(t, tt.status, status, "stderr: %s", stderr)
		})
	}
}

func TestRunNoNewPrivs(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: without CAP_SYS_ADMIN no_new_privs is always set")
	}
	for _, force := range []bool{false, true} {
		var stdout bytes.Buffer
		opts := record.DefaultOptions
		opts.Stdout, opts.NoNewPrivs = &stdout, force
		_, err := record.Run(t.Context(), []string{"/bin/grep", "NoNewPrivs", "/proc/self/status"}, opts)
		require.NoError(t, err)
		want := "0"
		if force {
			want = "1"
		}
		assert.Equal(t, want, strings.Fields(stdout.String())[1], "force=%v", force)
	}
}

func TestRunErrors(t *testing.T) {
	notExecutable := filepath.Join(t.TempDir(), "data")
	require.NoError(t, os.WriteFile(notExecutable, []byte("data"), 0o644))
	tests := []struct {
		name string
		argv []string
		want string
	}{
		{"not found", []string{"/nonexistent/program"}, "no such file"},
		{"not executable", []string{notExecutable}, "permission denied"},
		{"not in PATH", []string{"no-such-program-seccompctl"}, "executable file not found"},
		{"empty", nil, "no command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := record.Run(t.Context(), tt.argv, record.DefaultOptions)
			require.ErrorIs(t, err, record.ErrStart)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	t.Run("shim without the hook", func(t *testing.T) {
		opts := record.DefaultOptions
		opts.ShimPath = "/bin/true"
		_, err := record.Run(t.Context(), []string{"/bin/true"}, opts)
		require.ErrorIs(t, err, record.ErrStart)
		assert.Contains(t, err.Error(), "must import package record")
	})
}
