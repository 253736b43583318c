package profile

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
)

func TestFromSpec(t *testing.T) {
	errno := uint(38)
	s := &specs.LinuxSeccomp{
		DefaultAction:   specs.ActErrno,
		DefaultErrnoRet: &errno,
		Architectures:   []specs.Arch{specs.ArchX86_64, specs.ArchX86},
		Syscalls: []specs.LinuxSyscall{
			{Names: []string{"read", "write"}, Action: specs.ActAllow},
			{Names: []string{"personality"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 8, Op: specs.OpEqualTo}}},
		},
	}
	p, err := FromSpec(s)
	require.NoError(t, err)
	assert.Equal(t, ActionName("SCMP_ACT_ERRNO"), p.DefaultAction)
	assert.Equal(t, []arch.Arch{arch.X86_64, arch.X86}, p.Architectures)
	require.Len(t, p.Syscalls, 2)
	assert.Equal(t, []Arg{{Index: 0, Value: 8, Op: OpEqualTo}}, p.Syscalls[1].Args)

	pol, err := p.Resolve(Target{Arch: arch.X86_64})
	require.NoError(t, err)
	assert.Equal(t, Errno(38), pol.Decide(arch.X86_64.Audit(), 1000, [6]uint64{}), "runc's ENOSYS rule applies to listed arches")
}

func TestFromSpecErrors(t *testing.T) {
	p, err := FromSpec(&specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Flags: []specs.LinuxSeccompFlag{}})
	require.NoError(t, err)
	assert.NotNil(t, p.Flags, "an explicit empty flags list stays explicit")
	p, err = FromSpec(&specs.LinuxSeccomp{DefaultAction: specs.ActAllow})
	require.NoError(t, err)
	assert.Nil(t, p.Flags)

	_, err = FromSpec(nil)
	require.ErrorIs(t, err, ErrNotProfile)

	_, err = FromSpec(&specs.LinuxSeccomp{
		DefaultAction: specs.ActErrno,
		Syscalls:      []specs.LinuxSyscall{{Names: []string{"read"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 0, Op: "SCMP_CMP_IN"}}}},
	})
	require.ErrorIs(t, err, ErrUnknownOp)
	assert.Equal(t, `syscalls[0].args[0].op: unknown operator "SCMP_CMP_IN": want one of SCMP_CMP_EQ, SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_GT, SCMP_CMP_GE, SCMP_CMP_MASKED_EQ`, err.Error())

	_, err = FromSpec(&specs.LinuxSeccomp{DefaultAction: "SCMP_ACT_DENY"})
	require.ErrorIs(t, err, ErrUnknownAction)
}
