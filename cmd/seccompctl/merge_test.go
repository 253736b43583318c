package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/profile"
)

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

func TestMergeCommand(t *testing.T) {
	a := writeTemp(t, "a.json", `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}, {"names": ["ptrace"], "action": "SCMP_ACT_KILL_PROCESS"}]}`)
	b := writeTemp(t, "b.json", `{"defaultAction": "SCMP_ACT_KILL", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [{"names": ["write"], "action": "SCMP_ACT_ALLOW"}, {"names": ["ptrace"], "action": "SCMP_ACT_LOG"}]}`)
	out := filepath.Join(t.TempDir(), "merged.json")
	status, stdout, stderr := runCLI(t, "merge", "-o", out, a, b)
	require.Equal(t, exitOK, status, stderr)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "warning: "+b+": default action SCMP_ACT_KILL_THREAD differs")
	p, err := profile.ParseFile(out)
	require.NoError(t, err)
	require.Len(t, p.Syscalls, 2)
	assert.Equal(t, []string{"read", "write"}, p.Syscalls[0].Names)
	assert.Equal(t, profile.ActionName("SCMP_ACT_LOG"), p.Syscalls[1].Action)

	status, stdout, _ = runCLI(t, "merge", "-o", "-", a)
	assert.Equal(t, exitOK, status)
	_, err = profile.Parse([]byte(stdout))
	require.NoError(t, err)

	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no output", []string{a, b}, "usage: seccompctl merge"},
		{"no input", []string{"-o", out}, "usage: seccompctl merge"},
		{"bad input", []string{"-o", out, writeTemp(t, "bad.json", `{"defaultAction": "SCMP_ACT_NOPE"}`)}, "bad.json:1:"},
		{"conflict", []string{"-o", out,
			writeTemp(t, "c1.json", `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5, "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 1, "op": "SCMP_CMP_EQ"}]}]}`),
			writeTemp(t, "c2.json", `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}]}`)}, "cannot merge profiles"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, stderr := runCLI(t, append([]string{"merge"}, tt.args...)...)
			assert.Equal(t, exitInput, status)
			assert.Contains(t, stderr, tt.stderr)
		})
	}
}
