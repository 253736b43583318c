package compat_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/opencontainers/runc/libcontainer/configs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compat"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/syscalls"
)

const readWrite = `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
 "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"}]}`

// setup returns runc's configuration and our policy for a profile.
func setup(t *testing.T, js string) (*configs.Seccomp, *profile.Policy) {
	t.Helper()
	cfg, err := compat.RuncConfig([]byte(js), target.Caps)
	require.NoError(t, err)
	pol, err := mustParse(t, js).Resolve(target)
	require.NoError(t, err)
	return cfg, pol
}

// The harness must see a difference where there is one: runc's program
// for "read and write allowed" differs from the policy of "read allowed,
// write EPERM" on exactly write's inputs.
func TestDifferencesFindsADifference(t *testing.T) {
	requireRuncSeccomp(t)
	cfg, _ := setup(t, readWrite)
	insns, err := compat.Capture(cfg)
	require.NoError(t, err)
	em, err := compat.NewEmulator(insns)
	require.NoError(t, err)

	other := `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [
	 {"names": ["read"], "action": "SCMP_ACT_ALLOW"},
	 {"names": ["write"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5}]}`
	p, err := profile.Parse([]byte(other))
	require.NoError(t, err)
	pol, err := p.Resolve(target)
	require.NoError(t, err)

	inputs := compat.Inputs(pol, p, "other", compat.DefaultInputOptions())
	diffs := compat.Differences(em, pol.Decide, inputs)
	require.NotEmpty(t, diffs)
	writeNr, ok := syscalls.Number(arch.X86_64, "write")
	require.True(t, ok)
	for _, d := range diffs[:min(len(diffs), 20)] {
		assert.Equal(t, arch.X86_64.Audit(), d.Arch)
		assert.Equal(t, uint32(writeNr), d.Nr)
		assert.Equal(t, profile.ActAllow, d.Runc)
		assert.Equal(t, profile.Errno(5), d.Want)
	}
}

// Capture returns what the kernel holds: runc's stub first (it loads the
// architecture), then libseccomp's filter, ending in the bad-arch return.
func TestCaptureReturnsRuncsProgram(t *testing.T) {
	requireRuncSeccomp(t)
	cfg, pol := setup(t, readWrite)
	insns, err := compat.Capture(cfg)
	require.NoError(t, err)
	require.Greater(t, len(insns), 4)
	ldArch := uint16(0x20) // BPF_LD|BPF_W|BPF_ABS
	assert.Equal(t, ldArch, insns[0].Op)
	assert.Equal(t, uint32(4), insns[0].K, "runc's stub starts by loading seccomp_data.arch")
	assert.Equal(t, uint16(0x06), insns[len(insns)-1].Op, "ends in a return")
	assert.Equal(t, uint32(profile.ActKillThread), insns[len(insns)-1].K, "libseccomp's bad-arch action comes last")

	em, err := compat.NewEmulator(insns)
	require.NoError(t, err)
	diffs := compat.Differences(em, pol.Decide, compat.Inputs(pol, mustParse(t, readWrite), "rw", compat.DefaultInputOptions()))
	assert.Zero(t, len(diffs), "first: %v", diffs[:min(1, len(diffs))])
}

func mustParse(t *testing.T, js string) *profile.Profile {
	t.Helper()
	p, err := profile.Parse([]byte(js))
	require.NoError(t, err)
	return p
}

func TestCaptureReportsRuncErrors(t *testing.T) {
	requireRuncSeccomp(t)
	tests := []struct {
		name string
		cfg  *configs.Seccomp
		want error
	}{
		{"notify default", &configs.Seccomp{DefaultAction: configs.Notify}, compat.ErrRuncRefused},
		{"unknown arch", &configs.Seccomp{DefaultAction: configs.Allow, Architectures: []string{"vax"}}, compat.ErrRuncRefused},
		{"nil", nil, compat.ErrChild},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := compat.Capture(tt.cfg)
			require.ErrorIs(t, err, tt.want)
		})
	}
}

func TestRuncConfigDisabled(t *testing.T) {
	_, err := compat.RuncConfig([]byte(`{}`), nil)
	require.ErrorIs(t, err, compat.ErrSeccompDisabled)
	_, err = compat.RuncConfig([]byte(`[]`), nil)
	require.Error(t, err)
}

func TestCheckNames(t *testing.T) {
	p := mustParse(t, `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
	 {"names": ["read", "mseal", "no_such_call", "socket", "map_shadow_stack"], "action": "SCMP_ACT_ALLOW"}]}`)
	nc, err := compat.CheckNames(p, []arch.Arch{arch.X86_64, arch.X86, arch.X32})
	require.NoError(t, err)
	// libseccomp 2.5.4 has no mseal; neither side knows no_such_call; x86
	// socket is a pseudo-number in libseccomp (multiplexed), not a
	// difference.
	assert.Contains(t, nc.UnknownToLib, "mseal")
	assert.NotContains(t, nc.UnknownToLib, "no_such_call")
	assert.NotContains(t, nc.UnknownToLib, "read")
	assert.Empty(t, nc.UnknownToUs)
	for _, d := range nc.PerArch {
		assert.NotEqual(t, "read", d.Name)
		assert.NotEqual(t, "socket", d.Name)
	}
}

func TestInputsCoverRuleValues(t *testing.T) {
	js := `{"defaultAction": "SCMP_ACT_ERRNO", "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}],
	 "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 4294967295, "op": "SCMP_CMP_EQ"}]},
	              {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 2, "value": 9, "op": "SCMP_CMP_EQ"}]}]}`
	p := mustParse(t, js)
	pol, err := p.Resolve(target)
	require.NoError(t, err)
	inputs := compat.Inputs(pol, p, "t", compat.DefaultInputOptions())
	has := func(audit uint32, nr uint32, idx int, v uint64) bool {
		return slices.ContainsFunc(inputs, func(in compat.Input) bool {
			return in.Arch == audit && in.Nr == nr && in.Args[idx] == v
		})
	}
	pers, _ := syscalls.Number(arch.X86_64, "personality")
	for _, v := range []uint64{0xffffffff, 0xfffffffe, 0x100000000, 0xffffffffffffffff, 0x1ffffffff} {
		assert.True(t, has(arch.X86_64.Audit(), uint32(pers), 0, v), "personality a0=%#x", v)
	}
	// x86 socketcall: arg0 is the call number (SYS_SOCKET = 1), arg2 the
	// rule's value.
	sc, ok := syscalls.SocketcallNr(arch.X86)
	require.True(t, ok)
	assert.True(t, has(arch.X86.Audit(), uint32(sc), 0, 1))
	assert.True(t, has(arch.X86.Audit(), uint32(sc), 2, 9))
	// Every number 0..1023 with zero arguments, on both audit values.
	for _, a := range []arch.Arch{arch.X86_64, arch.X86} {
		for nr := uint32(0); nr < 1024; nr += 97 {
			assert.True(t, slices.Contains(inputs, compat.Input{Arch: a.Audit(), Nr: nr}), "%s %d", a, nr)
		}
	}
	// Deterministic.
	assert.Equal(t, inputs, compat.Inputs(pol, p, "t", compat.DefaultInputOptions()))
}

func ExampleCapture() {
	js := []byte(`{"defaultAction": "SCMP_ACT_ERRNO",
	 "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"}]}`)
	cfg, err := compat.RuncConfig(js, profile.DockerDefaultCaps)
	if err != nil {
		fmt.Println(err)
		return
	}
	insns, err := compat.Capture(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	em, err := compat.NewEmulator(insns)
	if err != nil {
		fmt.Println(err)
		return
	}
	x86_64 := arch.X86_64.Audit()
	for _, nr := range []uint32{0, 1, 2, 500} {
		in := compat.Input{Arch: x86_64, Nr: nr}
		fmt.Println(compat.Describe(in, []arch.Arch{arch.X86_64}), "→", compat.Run(em, in))
	}
	// runc's stub gives ENOSYS above the largest number the profile
	// names (write = 1), so open gets ENOSYS, not the default EPERM.

	// Output:
	// x86_64 nr=0 (read) → SCMP_ACT_ALLOW
	// x86_64 nr=1 (write) → SCMP_ACT_ALLOW
	// x86_64 nr=2 (open) → SCMP_ACT_ERRNO(38)
	// x86_64 nr=500 → SCMP_ACT_ERRNO(38)
}
