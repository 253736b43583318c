package bench

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/syscalls"
)

func TestRuncStub(t *testing.T) {
	allow := AllowAll()
	const enosys = profile.Action(0x50026)
	tests := []struct {
		name   string
		limits []StubLimit
		len    int
		order  binary.ByteOrder
		calls  []struct {
			arch arch.Arch
			nr   uint32
			want profile.Action
		}
	}{
		{
			name:   "x86_64, x86 and x32",
			limits: []StubLimit{{arch.X86_64, 462}, {arch.X86, 462}, {arch.X32, 0x40000000 + 462}},
			// ld arch, 2 jeq, ja; x86_64+x32: ld, jset, jgt, jgt, ja; x86: ld, jgt, ja; ja, ret.
			len: 1 + 2 + 1 + 5 + 3 + 2,
			calls: []struct {
				arch arch.Arch
				nr   uint32
				want profile.Action
			}{
				{arch.X86_64, 0, profile.ActAllow},
				{arch.X86_64, 462, profile.ActAllow},
				{arch.X86_64, 463, enosys},
				{arch.X86_64, 0x40000000, profile.ActAllow},
				{arch.X86_64, 0x40000000 + 463, enosys},
				{arch.X86_64, 0xffffffff, enosys},
				{arch.X86, 462, profile.ActAllow},
				{arch.X86, 463, enosys},
				{arch.AArch64, 1000, profile.ActAllow},
			},
		},
		{
			name:   "x86_64 without x32 skips bit-30 numbers",
			limits: []StubLimit{{arch.X86_64, 300}},
			len:    1 + 1 + 1 + 4 + 2,
			calls: []struct {
				arch arch.Arch
				nr   uint32
				want profile.Action
			}{
				{arch.X86_64, 300, profile.ActAllow},
				{arch.X86_64, 301, enosys},
				{arch.X86_64, 0x40000000 + 301, profile.ActAllow},
			},
		},
		{
			name:   "x32 alone skips x86_64 numbers",
			limits: []StubLimit{{arch.X32, 0x40000000 + 300}},
			len:    1 + 1 + 1 + 4 + 2,
			calls: []struct {
				arch arch.Arch
				nr   uint32
				want profile.Action
			}{
				{arch.X32, 0x40000000 + 301, enosys},
				{arch.X32, 0x40000000 + 300, profile.ActAllow},
				{arch.X32, 1000, profile.ActAllow},
			},
		},
		{
			name:   "s390x: setup(2) multiplexes too-new numbers",
			limits: []StubLimit{{arch.S390X, 460}},
			len:    1 + 1 + 1 + 5 + 2,
			order:  binary.BigEndian,
			calls: []struct {
				arch arch.Arch
				nr   uint32
				want profile.Action
			}{
				{arch.S390X, 0, enosys},
				{arch.S390X, 1, profile.ActAllow},
				{arch.S390X, 461, enosys},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prog, err := RuncStub(allow, tt.limits)
			require.NoError(t, err)
			assert.Len(t, prog, tt.len+len(allow))
			order := tt.order
			if order == nil {
				order = binary.LittleEndian
			}
			for _, c := range tt.calls {
				r, err := compile.Emulate(prog, compile.Data{Arch: c.arch.Audit(), Nr: int32(c.nr)}, order)
				require.NoError(t, err)
				assert.Equal(t, c.want, r.Action, "%s nr %#x", c.arch, c.nr)
			}
		})
	}
	same, err := RuncStub(allow, nil)
	require.NoError(t, err)
	assert.Equal(t, allow, same)
}

// TestRuncStubOverOurProgram: our program already decides runc's ENOSYS
// rule, so the stub in front of it changes no decision.
func TestRuncStubOverOurProgram(t *testing.T) {
	pol, err := Policy(DockerDefault, arch.X86_64)
	require.NoError(t, err)
	prog, err := compile.Compile(pol, compile.DefaultOptions)
	require.NoError(t, err)
	limits := StubLimits(pol)
	require.Len(t, limits, 3)
	stubbed, err := RuncStub(prog.Insns, limits)
	require.NoError(t, err)
	for _, a := range pol.Arches {
		nrs := []uint32{0xffffffff, 0x3fffffff, 0x40000000 + 1000, 1000, 0x7fffffff}
		for _, s := range syscalls.Table(a) {
			nrs = append(nrs, uint32(s.Nr), uint32(s.Nr)+1)
		}
		for _, nr := range nrs {
			d := compile.Data{Arch: a.Audit(), Nr: int32(nr)}
			want, err := compile.Emulate(prog.Insns, d, binary.LittleEndian)
			require.NoError(t, err)
			got, err := compile.Emulate(stubbed, d, binary.LittleEndian)
			require.NoError(t, err)
			require.Equal(t, want.Action, got.Action, "%s nr %#x", a, nr)
		}
	}
}
