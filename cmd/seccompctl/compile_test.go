package main

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/syscalls"
)

// compileRaw runs `seccompctl compile --format raw` for x86_64 and returns
// the program.
func compileRaw(t *testing.T, extra ...string) []bpf.RawInstruction {
	t.Helper()
	out := filepath.Join(t.TempDir(), "p.bpf")
	args := append([]string{"compile", "--arch", "x86_64", "--kernel", "6.1", "--format", "raw", "-o", out}, extra...)
	status, _, stderr := runCLI(t, append(args, dockerProfilePath(t))...)
	require.Equal(t, exitOK, status, stderr)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	prog, err := compile.ParseRaw(data)
	require.NoError(t, err)
	return prog
}

// executed is how many instructions the program runs for name with zero
// arguments on x86_64.
func executed(t *testing.T, prog []bpf.RawInstruction, name string) int {
	t.Helper()
	nr, ok := syscalls.Number(arch.X86_64, name)
	require.True(t, ok, name)
	return emulator(t, prog).Run(compile.Data{Arch: arch.X86_64.Audit(), Nr: int32(nr)}).Executed
}

func emulator(t *testing.T, prog []bpf.RawInstruction) *compile.Emulator {
	t.Helper()
	em, err := compile.NewEmulator(prog, binary.LittleEndian)
	require.NoError(t, err)
	return em
}

// TestCompileWeights: --weights none|default|FILE changes the search tree,
// never the decisions; a frequent syscall gets a short path.
func TestCompileWeights(t *testing.T) {
	dir := t.TempDir()
	skewed := filepath.Join(dir, "w.json")
	require.NoError(t, os.WriteFile(skewed, []byte(`{"getpriority": 1e9, "read": 1}`), 0o644))
	mix := filepath.Join("..", "..", "bench", "testdata", "mixes", "http-server.strace")

	def := compileRaw(t)
	none := compileRaw(t, "--weights", "none")
	balanced := compileRaw(t, "--balanced")
	fromJSON := compileRaw(t, "--weights", skewed)
	fromStrace := compileRaw(t, "--weights", mix)
	uncached := compileRaw(t, "--uncached-only")
	assert.Equal(t, none, balanced, "--weights none is --balanced")
	assert.Equal(t, def, compileRaw(t, "--weights", "default"))
	assert.NotEqual(t, def, none)
	assert.NotEqual(t, def, fromJSON)
	assert.NotEqual(t, def, fromStrace)
	assert.NotEqual(t, def, uncached)
	assert.Less(t, executed(t, fromJSON, "getpriority"), executed(t, def, "getpriority"), "the heavy syscall moves up")

	p, err := profile.ParseFile(dockerProfilePath(t))
	require.NoError(t, err)
	pol, err := p.Resolve(profile.Target{Arch: arch.X86_64, Caps: profile.DockerDefaultCaps, Kernel: profile.KernelVersion{Kernel: 6, Major: 1}})
	require.NoError(t, err)
	for _, prog := range [][]bpf.RawInstruction{def, none, fromJSON, fromStrace, uncached} {
		em := emulator(t, prog)
		for _, a := range pol.Arches {
			for _, s := range syscalls.Table(a) {
				nr := int32(s.Nr) | int32(a.Info().SyscallBit)
				res := em.Run(compile.Data{Arch: a.Audit(), Nr: nr})
				require.Equal(t, pol.Decide(a.Audit(), nr, [6]uint64{}), res.Action, "%s %s", a, s.Name)
			}
		}
	}

	tests := []struct {
		name, file, content, stderr string
	}{
		{"not a mix", "passwd", "root:x:0:0:root:/root:/bin/bash\n", "want 5 or 6 columns"},
		{"negative", "neg.json", `{"read": -1}`, "not a finite number"},
		{"no known name", "none.json", `{"nosuch": 1}`, "no syscall of SCMP_ARCH_X86_64 has a weight"},
		{"bad json", "bad.json", `{"read": }`, "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := filepath.Join(dir, tt.file)
			require.NoError(t, os.WriteFile(f, []byte(tt.content), 0o644))
			status, stdout, stderr := runCLI(t, "compile", "--arch", "x86_64", "--kernel", "6.1", "--weights", f, dockerProfilePath(t))
			assert.Equal(t, exitInput, status)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tt.stderr)
		})
	}
	status, _, stderr := runCLI(t, "compile", "--weights", filepath.Join(dir, "missing.json"), dockerProfilePath(t))
	assert.Equal(t, exitInput, status)
	assert.Contains(t, stderr, "no such file")
}
