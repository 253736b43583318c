package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/profile"
)

func TestRecordCommand(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "rec.json")
	status, stdout, stderr := runCLI(t, "record", "-o", out, "--base", "docker", "--", "/bin/sh", "-c", "echo hi; exit 3")
	assert.Equal(t, 3, status, "the command's exit status passes through; stderr %q", stderr)
	assert.Equal(t, "hi\n", stdout, "the command's output passes through")
	p, err := profile.ParseFile(out)
	require.NoError(t, err)
	assert.Equal(t, profile.ActionName("SCMP_ACT_ERRNO"), p.DefaultAction)
	require.NotNil(t, p.DefaultErrnoRet)
	assert.Equal(t, uint(1), *p.DefaultErrnoRet)
	require.NotEmpty(t, p.Syscalls)
	names := p.Syscalls[0].Names
	assert.IsIncreasing(t, names)
	for _, n := range []string{"execve", "write", "exit_group", "close_range"} {
		assert.Contains(t, names, n)
	}
	_, err = p.Resolve(profile.Target{})
	require.NoError(t, err)

	tests := []struct {
		name   string
		args   []string
		status int
		stderr string
	}{
		{"no output file", []string{"--", "/bin/true"}, exitInput, "usage: seccompctl record"},
		{"no command", []string{"-o", out}, exitInput, "usage: seccompctl record"},
		{"bad base", []string{"-o", out, "--base", "lxc", "--", "/bin/true"}, exitInput, `--base: unknown base "lxc"`},
		{"bad errno", []string{"-o", out, "--errno", "5000", "--", "/bin/true"}, exitInput, "--errno: 5000"},
		{"missing program", []string{"-o", filepath.Join(dir, "x.json"), "--", "/no/such/program"}, exitInput, "cannot start the command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, stderr := runCLI(t, append([]string{"record"}, tt.args...)...)
			assert.Equal(t, tt.status, status)
			assert.Contains(t, stderr, tt.stderr)
		})
	}
	assert.NoFileExists(t, filepath.Join(dir, "x.json"), "no profile when the command did not start")

	// To standard output, with argument rules.
	status, stdout, _ = runCLI(t, "record", "-o", "-", "--args", "--", "/bin/true")
	assert.Equal(t, 0, status)
	_, err = profile.Parse([]byte(stdout))
	require.NoError(t, err)
	_ = os.Remove(out)
}
