package main

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDiffCommand(t *testing.T) {
	a := writeTemp(t, "a.json", `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"}]}`)
	same := writeTemp(t, "same.json", `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [{"names": ["write"], "action": "SCMP_ACT_ALLOW"}, {"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}`)
	other := writeTemp(t, "other.json", `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [{"names": ["write"], "action": "SCMP_ACT_ALLOW"}, {"names": ["read"], "action": "SCMP_ACT_LOG"}]}`)

	status, stdout, stderr := runCLI(t, "diff", "--native", "x86_64", a, same)
	assert.Equal(t, exitOK, status, stderr)
	assert.Contains(t, stdout, "equivalent")

	status, stdout, _ = runCLI(t, "diff", "--native", "x86_64", "--arch", "x86_64", a, other)
	assert.Equal(t, exitFinding, status)
	assert.Contains(t, stdout, "read (0): SCMP_ACT_ALLOW -> SCMP_ACT_LOG\n")

	status, stdout, _ = runCLI(t, "diff", "--native", "x86_64", "--output", "json", a, other)
	assert.Equal(t, exitFinding, status)
	var res struct {
		Equivalent bool `json:"equivalent"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &res))
	assert.False(t, res.Equivalent)

	// A profile and the program compiled from it: equivalent.
	bpf := filepath.Join(t.TempDir(), "a.bpf")
	status, _, stderr = runCLI(t, "compile", "--arch", "x86_64", "--format", "raw", "-o", bpf, a)
	require.Equal(t, exitOK, status, stderr)
	status, stdout, _ = runCLI(t, "diff", "--native", "x86_64", a, bpf)
	assert.Equal(t, exitOK, status, stdout)
	status, _, _ = runCLI(t, "diff", "--native", "x86_64", other, bpf)
	assert.Equal(t, exitFinding, status)

	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"one file", []string{a}, "usage: seccompctl diff"},
		{"bad output", []string{"--output", "yaml", a, same}, `--output: "yaml"`},
		{"bad arch", []string{"--arch", "vax", a, same}, "--arch: unknown architecture"},
		{"missing file", []string{a, "/no/such.json"}, "no such file"},
		{"bad program", []string{a, writeTemp(t, "bad.bpf", "1234567")}, "not a multiple of 8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, stderr := runCLI(t, append([]string{"diff"}, tt.args...)...)
			assert.Equal(t, exitInput, status)
			assert.Contains(t, stderr, tt.stderr)
		})
	}
}
