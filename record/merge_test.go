package record_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/record"
)

func parse(t *testing.T, s string) *profile.Profile {
	t.Helper()
	p, err := profile.Parse([]byte(s))
	require.NoError(t, err)
	return p
}

func TestRestrictiveness(t *testing.T) {
	order := []profile.Action{profile.ActKillProcess, profile.ActKillThread, profile.ActTrap, profile.Errno(1),
		profile.ActNotify, profile.Trace(1), profile.ActLog, profile.ActAllow}
	for i := 1; i < len(order); i++ {
		assert.Less(t, record.Restrictiveness(order[i-1]), record.Restrictiveness(order[i]), "%s is more restrictive than %s", order[i-1], order[i])
	}
	assert.Equal(t, record.Restrictiveness(profile.Errno(1)), record.Restrictiveness(profile.Errno(38)))
}

func TestMerge(t *testing.T) {
	const errnoDefault = `"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"]`
	tests := []struct {
		name     string
		inputs   []string
		want     string
		warnings int
	}{
		{
			name: "union, ALLOW beats ERRNO, default-equal rules only name syscalls",
			inputs: []string{
				`{` + errnoDefault + `, "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"}, {"names": ["mount"], "action": "SCMP_ACT_ERRNO"}]}`,
				`{` + errnoDefault + `, "syscalls": [{"names": ["write", "close"], "action": "SCMP_ACT_ALLOW"}, {"names": ["ptrace"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}, {"names": ["read"], "action": "SCMP_ACT_LOG"}]}`,
			},
			want: `{` + errnoDefault + `, "syscalls": [{"names": ["close", "read", "write"], "action": "SCMP_ACT_ALLOW"}, {"names": ["mount"], "action": "SCMP_ACT_ERRNO"}, {"names": ["ptrace"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}`,
		},
		{
			name: "unconditional beats conditional",
			inputs: []string{
				`{` + errnoDefault + `, "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]}`,
				`{` + errnoDefault + `, "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ALLOW"}]}`,
			},
			want: `{` + errnoDefault + `, "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ALLOW"}]}`,
		},
		{
			name: "a more permissive conditional rule widens an unconditional one",
			inputs: []string{
				`{"defaultAction": "SCMP_ACT_KILL_PROCESS", "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 97}]}`,
				`{"defaultAction": "SCMP_ACT_KILL_PROCESS", "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}]}`,
			},
			want:     `{"defaultAction": "SCMP_ACT_KILL_PROCESS", "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ALLOW"}]}`,
			warnings: 1,
		},
		{
			name: "different conditions are alternatives, same conditions take the less restrictive action",
			inputs: []string{
				`{` + errnoDefault + `, "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_LOG", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]}`,
				`{` + errnoDefault + `, "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]}, {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]}`,
			},
			want: `{` + errnoDefault + `, "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}, {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]}]}`,
		},
		{
			name: "first default, flags and architectures union win; differences warned",
			inputs: []string{
				`{` + errnoDefault + `, "flags": [], "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}`,
				`{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X86_64"], "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_ERRNO"}]}`,
			},
			want:     `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], "flags": [], "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}, {"names": ["mount"], "action": "SCMP_ACT_ERRNO"}]}`,
			warnings: 2,
		},
		{
			name: "archMap absorbs a flat list",
			inputs: []string{
				`{"defaultAction": "SCMP_ACT_ERRNO", "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}, {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": []}]}`,
				`{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X32"]}`,
			},
			want: `{"defaultAction": "SCMP_ACT_ERRNO", "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]}, {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": []}]}`,
		},
		{
			name: "includes and excludes kept once",
			inputs: []string{
				`{` + errnoDefault + `, "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}}]}`,
				`{` + errnoDefault + `, "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}}]}`,
			},
			want: `{` + errnoDefault + `, "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}}]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in []*profile.Profile
			for _, s := range tt.inputs {
				in = append(in, parse(t, s))
			}
			got, warnings, err := record.Merge(in...)
			require.NoError(t, err)
			assert.Len(t, warnings, tt.warnings, "%q", warnings)
			if d := cmp.Diff(parse(t, tt.want), got, ignorePos...); d != "" {
				t.Errorf("merged (-want +got):\n%s", d)
			}
		})
	}
}

func TestMergeErrors(t *testing.T) {
	_, _, err := record.Merge()
	require.ErrorIs(t, err, record.ErrNoProfiles)

	// libseccomp refuses a shorter chain with another action under a
	// longer one (EEXIST); so must Merge.
	a := parse(t, `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5, "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 1, "op": "SCMP_CMP_EQ"}]}]}`)
	b := parse(t, `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}]}`)
	_, _, err = record.Merge(a, b)
	require.ErrorIs(t, err, record.ErrMerge)
	assert.ErrorIs(t, err, profile.ErrConflict)
}

// TestMergeSharedProfiles: merging a real profile with itself changes
// nothing runc would decide, and merging it with a recording adds exactly
// the recorded names.
func TestMergeSharedProfiles(t *testing.T) {
	files, err := filepath.Glob("../../shared/profiles/*.json")
	require.NoError(t, err)
	files = append(files, "../examples/docker-default.json")
	n := 0
	for _, f := range files {
		p, err := profile.ParseFile(f)
		if err != nil {
			continue
		}
		want, err := p.Resolve(profile.Target{Arch: arch.X86_64, Caps: profile.DockerDefaultCaps})
		if err != nil {
			continue
		}
		n++
		t.Run(filepath.Base(f), func(t *testing.T) {
			m, _, err := record.Merge(p, p)
			require.NoError(t, err)
			got, err := m.Resolve(profile.Target{Arch: arch.X86_64, Caps: profile.DockerDefaultCaps})
			require.NoError(t, err)
			for _, a := range want.Arches {
				for nr := int32(0); nr < 500; nr++ {
					for _, args := range [][6]uint64{{}, {0x7E020000}, {16, 3, 9}} {
						if w, g := want.Decide(a.Audit(), nr, args), got.Decide(a.Audit(), nr, args); w != g {
							t.Fatalf("%s nr %d args %v: %s before, %s after merging with itself", a, nr, args, w, g)
						}
					}
				}
			}
		})
	}
	require.Greater(t, n, 5)
	_, err = os.Stat("../examples/docker-default.json")
	require.NoError(t, err)
}

// TestMergeNeverPermitsLess: merging a real profile with a small
// allow-list gives, for every probe, an action at least as permissive as
// either input's (both have the same default, as a union needs).
func TestMergeNeverPermitsLess(t *testing.T) {
	small := parse(t, `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [{"names": ["read", "mount", "ptrace"], "action": "SCMP_ACT_ALLOW"}, {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 7, "op": "SCMP_CMP_EQ"}]}]}`)
	files, err := filepath.Glob("../../shared/profiles/*.json")
	require.NoError(t, err)
	tg := profile.Target{Arch: arch.X86_64, Caps: profile.DockerDefaultCaps}
	n := 0
	for _, f := range files {
		p, err := profile.ParseFile(f)
		if err != nil || p.DefaultAction != "SCMP_ACT_ERRNO" || (p.DefaultErrnoRet != nil && *p.DefaultErrnoRet != 1) {
			continue
		}
		pa, err := p.Resolve(tg)
		if err != nil {
			continue
		}
		m, _, err := record.Merge(p, small)
		if err != nil {
			continue // a conflict is reported, not hidden
		}
		n++
		pm, err := m.Resolve(tg)
		require.NoError(t, err, f)
		ps, err := small.Resolve(tg)
		require.NoError(t, err)
		for nr := int32(0); nr < 470; nr++ {
			for _, args := range [][6]uint64{{}, {7}, {0x7E020000}} {
				got := record.Restrictiveness(pm.Decide(arch.X86_64.Audit(), nr, args))
				for _, in := range []*profile.Policy{pa, ps} {
					want := in.Decide(arch.X86_64.Audit(), nr, args)
					if want == profile.Errno(38) {
						continue // runc's ENOSYS boundary moves with the names
					}
					assert.GreaterOrEqual(t, got, record.Restrictiveness(want), "%s: nr %d args %v", filepath.Base(f), nr, args)
				}
			}
		}
	}
	require.Greater(t, n, 5)
}
