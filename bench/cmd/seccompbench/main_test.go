package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/bench"
	"github.com/seccompctl/seccompctl/compile"
)

var update = flag.Bool("update", false, "rewrite the golden rules files")

func TestMain(m *testing.M) {
	bench.RunChildIfRequested()
	os.Exit(m.Run())
}

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestRulesGolden: the rules files under testdata/libseccomp, which gen.sh
// feeds to libseccomp, are what -rules prints.
func TestRulesGolden(t *testing.T) {
	for _, name := range []string{bench.DockerDefault, bench.ContainersDefault} {
		t.Run(name, func(t *testing.T) {
			code, out, stderr := runCmd(t, "-rules", name)
			require.Equal(t, exitOK, code, stderr)
			golden := filepath.Join("..", "..", "testdata", "libseccomp", name+".rules")
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(out), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			assert.Equal(t, string(want), out, "go test ./bench/cmd/seccompbench -update")
		})
	}
}

func TestReport(t *testing.T) {
	pol, err := bench.Policy(bench.DockerDefault, arch.X86_64)
	require.NoError(t, err)
	prog, err := compile.Compile(pol, compile.DefaultOptions)
	require.NoError(t, err)
	raw, err := prog.MarshalBinary()
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "ours.raw")
	require.NoError(t, os.WriteFile(file, raw, 0o644))

	code, out, stderr := runCmd(t, "-compile=false", "-libseccomp=false", "-profiles", "docker-default",
		"-raw", "docker-default:mine="+file, "-raw-runc-stub")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, out, "### docker-default: size and instructions executed per syscall")
	// Our program already has runc's ENOSYS rule; the stub adds 14
	// instructions in front of it.
	assert.Contains(t, out, "| mine | "+strconv.Itoa(len(prog.Insns)+14)+" | ")
	assert.NotContains(t, out, "libseccomp opt")
}

func TestDisasm(t *testing.T) {
	for _, w := range []string{"", "default-mix", "go-build"} {
		code, out, stderr := runCmd(t, "-disasm", bench.DockerDefault, "-weights", w)
		require.Equal(t, exitOK, code, stderr)
		assert.Contains(t, out, "ld   arch")
		assert.Contains(t, out, "jeq  #SCMP_ARCH_X86_64")
	}
	code, _, stderr := runCmd(t, "-disasm", bench.DockerDefault, "-weights", "nope")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, `no mix "nope"`)
}

func TestGenDefaultMix(t *testing.T) {
	file := filepath.Join(t.TempDir(), "defaultmix.go")
	code, _, stderr := runCmd(t, "-gen-default-mix", file)
	require.Equal(t, exitOK, code, stderr)
	got, err := os.ReadFile(file)
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join("..", "..", "..", "compile", "defaultmix.go"))
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
}

func TestUsageErrors(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty.raw")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	allow := filepath.Join(t.TempDir(), "allow.raw")
	require.NoError(t, os.WriteFile(allow, []byte{0x06, 0, 0, 0, 0, 0, 0xff, 0x7f}, 0o644))
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"unknown flag", []string{"-nope"}, exitUsage, "flag provided but not defined"},
		{"argument", []string{"extra"}, exitUsage, `unexpected argument "extra"`},
		{"bad arch", []string{"-arch", "vax"}, exitUsage, "-arch"},
		{"raw without file", []string{"-raw", "name"}, exitUsage, "want [PROFILE:]NAME=FILE"},
		{"raw missing file", []string{"-raw", "n=/does/not/exist"}, exitUsage, "no such file"},
		{"raw empty", []string{"-raw", "n=" + empty}, exitUsage, "empty"},
		{"unknown profile", []string{"-rules", "nope"}, exitError, `no built-in profile "nope"`},
		{"raw for a profile not measured", []string{"-compile=false", "-libseccomp=false", "-profiles", "docker-default", "-raw", "containers-default:x=" + allow}, exitError, "not measured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, tt.args...)
			assert.Equal(t, tt.code, code)
			assert.Contains(t, stderr, tt.stderr)
		})
	}
}
