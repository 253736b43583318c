package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
)

// TestProfilesMatchSources: the copies under testdata/profiles are still
// the files they were copied from (SOURCES.md). ../shared is beside the
// repository here and in CI; the example is in the repository.
func TestProfilesMatchSources(t *testing.T) {
	sources := map[string][]string{
		DockerDefault:     {"../examples/docker-default.json", "../../shared/profiles/moby-profiles-default-2026.json"},
		ContainersDefault: {"../../shared/profiles/containers-common-2025-04.json"},
	}
	for name, files := range sources {
		copyData, err := ProfileJSON(name)
		require.NoError(t, err)
		for _, f := range files {
			orig, err := os.ReadFile(filepath.FromSlash(f))
			if os.IsNotExist(err) && filepath.Dir(f) != "../examples" {
				t.Logf("%s is not here; not compared", f)
				continue
			}
			require.NoError(t, err)
			assert.True(t, bytes.Equal(orig, copyData), "testdata/profiles/%s.json differs from %s", name, f)
		}
	}
}

// TestProfilesCompile: every built-in profile resolves for the benchmark
// target without warnings or conflicts and compiles for x86_64, x86 and
// x32.
func TestProfilesCompile(t *testing.T) {
	for _, name := range ProfileNames() {
		t.Run(name, func(t *testing.T) {
			pol, err := Policy(name, arch.X86_64)
			require.NoError(t, err)
			assert.Equal(t, []arch.Arch{arch.X86_64, arch.X86, arch.X32}, pol.Arches)
			if name != ContainersDefault {
				// containers/common names three syscalls its own
				// libseccomp did not know in 2025 under other spellings.
				assert.Empty(t, pol.Warnings)
			}
			data, err := ProfileJSON(name)
			require.NoError(t, err)
			raw, err := CompileJSON(data, Target(arch.X86_64), compile.DefaultOptions)
			require.NoError(t, err)
			insns, err := compile.ParseRaw(raw)
			require.NoError(t, err)
			require.NoError(t, compile.Verify(insns))
		})
	}
	_, err := ProfileJSON("no-such-profile")
	require.Error(t, err)
	_, err = CompileJSON([]byte("{"), Target(arch.X86_64), compile.DefaultOptions)
	require.ErrorIs(t, err, profile.ErrInvalid)
}

// TestRules2000: 2000 rules with argument conditions, deterministic, all
// kept, several per syscall.
func TestRules2000(t *testing.T) {
	a, err := GenerateRules2000()
	require.NoError(t, err)
	b, err := GenerateRules2000()
	require.NoError(t, err)
	require.Equal(t, a, b, "generation must be deterministic")
	p, err := profile.Parse(a)
	require.NoError(t, err)
	require.Len(t, p.Syscalls, 2000)
	for _, s := range p.Syscalls {
		require.Len(t, s.Names, 1)
		require.NotEmpty(t, s.Args)
	}
	pol, err := p.Resolve(Target(arch.X86_64))
	require.NoError(t, err)
	ap := pol.Arch(arch.X86_64)
	conditional := 0
	for _, sp := range ap.Syscalls {
		if sp.Conditional() {
			conditional++
			assert.GreaterOrEqual(t, len(sp.Rules), 5, sp.Name)
		}
	}
	assert.Equal(t, len(rules2000Names()), conditional)
}
