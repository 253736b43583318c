package bench

import (
	"encoding/binary"
	"errors"
	"os/exec"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/syscalls"
)

func buildLibseccomp(t *testing.T) *Libseccomp {
	t.Helper()
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc is not installed (scripts/test-deps.sh installs it)")
	}
	l, err := BuildLibseccomp(t.TempDir())
	require.NoError(t, err, "libseccomp-dev missing? scripts/test-deps.sh installs it")
	return l
}

// TestLibseccompLikeRunc: libseccomp's program for the rules RuncRules
// writes, behind RuncStub, decides like the reference semantics
// (Policy.Decide, which models runc) on every syscall of every ABI with
// zero arguments and with the argument values the profiles test, except
// for the names the system's libseccomp does not know (runc skips those).
// It checks the comparison is between equals: the same rules, the same
// stub.
func TestLibseccompLikeRunc(t *testing.T) {
	l := buildLibseccomp(t)
	argVectors := [][6]uint64{{}, {0xffffffff}, {8}, {0x20008}, {1}, {0x7e020000}, {16}, {0x10000000}}
	for _, name := range ProfileNames() {
		t.Run(name, func(t *testing.T) {
			data, err := ProfileJSON(name)
			require.NoError(t, err)
			p, err := profile.Parse(data)
			require.NoError(t, err)
			pol, err := p.Resolve(Target(arch.X86_64))
			require.NoError(t, err)
			rules, err := RuncRules(p, Target(arch.X86_64))
			require.NoError(t, err)
			for _, opt := range []int{1, 2} {
				insns, skipped, err := l.Export(rules, opt)
				require.NoError(t, err)
				prog, err := RuncStub(insns, StubLimits(pol))
				require.NoError(t, err)
				emu, err := compile.NewEmulator(prog, binary.LittleEndian)
				require.NoError(t, err)
				checked := 0
				for _, a := range pol.Arches {
					differ := tableDiff(t, l, a)
					for _, s := range syscalls.Table(a) {
						if unknownTo(a, s.Nr, skipped) || differ[s.Nr] {
							continue
						}
						for _, args := range argVectors {
							d := compile.Data{Arch: a.Audit(), Nr: int32(s.Nr), Args: args}
							want := pol.Decide(d.Arch, d.Nr, args)
							got := emu.Run(d).Action
							require.Equal(t, want, got, "opt %d: %s %s(%#x)", opt, a, s.Name, args[0])
							checked++
						}
					}
				}
				assert.Greater(t, checked, 1000)
			}
		})
	}
}

// tableDiff returns the numbers of a where the helper's libseccomp and
// package syscalls (libseccomp 2.6.1's names) disagree about a name.
func tableDiff(t *testing.T, l *Libseccomp, a arch.Arch) map[int]bool {
	t.Helper()
	var names []string
	for _, s := range syscalls.Table(a) {
		names = append(names, s.Name)
	}
	theirs, err := l.Resolve(a, names)
	require.NoError(t, err)
	require.NotEmpty(t, theirs)
	differ := map[int]bool{}
	for _, s := range syscalls.Table(a) {
		if nr, ok := theirs[s.Name]; !ok && s.Libseccomp || ok && nr != s.Nr {
			differ[s.Nr] = true
		}
	}
	// Only the newest syscalls should differ; more means the two tables
	// number differently (e.g. the x32 bit) and the test would check
	// nothing.
	assert.Less(t, len(differ), len(names)/10, "%s: %v", a, differ)
	return differ
}

// unknownTo reports whether any name of number nr on a is one the
// helper's libseccomp skipped.
func unknownTo(a arch.Arch, nr int, skipped []string) bool {
	for _, s := range syscalls.Table(a) {
		if s.Nr == nr && slices.Contains(skipped, s.Name) {
			return true
		}
	}
	return false
}

func TestLibseccompExportErrors(t *testing.T) {
	l := buildLibseccomp(t)
	tests := []struct {
		name, rules string
	}{
		{"no default", "arch x86_64\n"},
		{"unknown keyword", "default 0x50001\nfrobnicate\n"},
		{"unknown arch", "default 0x50001\narch vax\n"},
		{"bad argument", "default 0x50001\nrule 0x7fff0000 read 0:4\n"},
		// libseccomp refuses a rule whose action is the default (runc
		// skips such rules before they get here).
		{"rule with the default action", "default 0x50001\nrule 0x50001 read\n"},
		{"conflicting leaves (EEXIST)", "default 0x50001\nrule 0x7fff0000 read 0:4:0x1:0x0\nrule 0x50002 read 0:4:0x1:0x0\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := l.Export(tt.rules, 2)
			require.Error(t, err)
		})
	}
	insns, skipped, err := l.Export("default 0x50001\nrule 0x7fff0000 no_such_call\nrule 0x7fff0000 read\n", 1)
	require.NoError(t, err)
	assert.Equal(t, []string{"no_such_call"}, skipped)
	assert.NotEmpty(t, insns)
}

func TestBuildLibseccompWithoutGCC(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := BuildLibseccomp(t.TempDir())
	require.True(t, errors.Is(err, ErrNoLibseccomp), err)
}
