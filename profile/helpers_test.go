package profile_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/syscalls"
)

// The shared fact folders sit beside the repository checkout
// (/work/shared next to /work/main).
const (
	profilesDir = "../../shared/profiles"
	badDir      = "../../shared/bad"
)

// notOCI are the files in profilesDir that are not OCI seccomp profiles at
// all (FEATURES.md: the pre-OCI numeric format of 2016).
var notOCI = map[string]bool{"moby-default-2016-02-first.json": true}

// sharedFiles lists the *.json files of dir, sorted.
func sharedFiles(t testing.TB, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no profiles in %s: is ../shared checked out beside the repository?", dir)
	return files
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}

// parse parses an inline profile, failing the test on error.
func parse(t testing.TB, src string) *profile.Profile {
	t.Helper()
	p, err := profile.ParseWithOptions([]byte(src), profile.ParseOptions{File: "inline.json"})
	require.NoError(t, err)
	return p
}

// x86_64Target is the target most tests use: an x86_64 host, Docker's
// default capabilities, a fixed kernel and runc.
var x86_64Target = profile.Target{Arch: arch.X86_64, Caps: profile.DockerDefaultCaps, Kernel: profile.KernelVersion{Kernel: 6, Major: 1}}

// resolve parses src and resolves it for t, failing the test on error.
func resolve(t testing.TB, src string, tgt profile.Target) *profile.Policy {
	t.Helper()
	pol, err := parse(t, src).Resolve(tgt)
	require.NoError(t, err)
	return pol
}

// nr returns the number of a syscall on a, ABI offset included.
func nr(t testing.TB, a arch.Arch, name string) int32 {
	t.Helper()
	n, ok := syscalls.Number(a, name)
	require.True(t, ok, "%s has no syscall %q", a, name)
	return int32(n)
}

// args builds a seccomp_data args array from the leading arguments.
func args(vals ...uint64) [6]uint64 {
	var a [6]uint64
	copy(a[:], vals)
	return a
}

// call is one seccomp_data to decide.
type call struct {
	arch arch.Arch
	name string   // syscall name on arch (ignored when raw is set)
	raw  *int32   // a raw syscall number instead of a name
	args []uint64 // leading arguments
}

func (c call) decide(t testing.TB, pol *profile.Policy) profile.Action {
	t.Helper()
	n := int32(0)
	if c.raw != nil {
		n = *c.raw
	} else {
		n = nr(t, c.arch, c.name)
	}
	return pol.Decide(c.arch.Audit(), n, args(c.args...))
}

func rawNr(n int64) *int32 { v := int32(uint32(n)); return &v }

// posOf returns the 1-based line:column of the first occurrence of sub in
// src, computed independently of the package's own line index.
func posOf(t testing.TB, src, sub string) profile.Position {
	t.Helper()
	off := strings.Index(src, sub)
	require.GreaterOrEqual(t, off, 0, "marker %q not in input", sub)
	before := []byte(src[:off])
	line := bytes.Count(before, []byte("\n")) + 1
	col := off + 1
	if i := bytes.LastIndexByte(before, '\n'); i >= 0 {
		col = off - i
	}
	return profile.Position{Line: line, Column: col}
}

// codes returns the warning codes of a policy, in order.
func codes(ws []profile.Warning) []string {
	out := []string{}
	for _, w := range ws {
		out = append(out, w.Code)
	}
	return out
}
