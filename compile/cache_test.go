package compile

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/syscalls"
)

const auditI386 = 0x40000003

// libseccompShape is laid out as libseccomp lays out a filter for x86_64
// (without x32) and x86:
//
//	x86_64: read (0) allowed, write (1) allowed only if args[0] == 1,
//	        close (3) allowed via an "and" of nr, x32 numbers are bad-arch
//	x86:    read (3) allowed
//	else ERRNO(1); bad arch KILL_THREAD
func libseccompShape(t testing.TB) []bpf.RawInstruction {
	return vmAsm(t,
		bpf.LoadAbsolute{Off: 4, Size: 4},                                             // 0
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: auditX86_64, SkipTrue: 0, SkipFalse: 10}, // 1 -> 2, 12
		bpf.LoadAbsolute{Off: 0, Size: 4},                                             // 2
		bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: 0x40000000, SkipTrue: 14},       // 3 -> 18
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0, SkipTrue: 12},                         // 4 -> 17
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 1, SkipFalse: 3},                         // 5 -> 6, 9
		bpf.LoadAbsolute{Off: 16, Size: 4},                                            // 6
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 1, SkipTrue: 9, SkipFalse: 8},            // 7 -> 17, 16
		bpf.Jump{Skip: 8}, // 8 -> 17 (unreachable)
		bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0xfffffffe},               // 9: nr & ~1
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 2, SkipTrue: 0, SkipFalse: 5}, // 10 -> 11, 16
		bpf.Jump{Skip: 5}, // 11 -> 17
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: auditI386, SkipTrue: 0, SkipFalse: 5}, // 12 -> 13, 18
		bpf.LoadAbsolute{Off: 0, Size: 4},                                          // 13
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 3, SkipTrue: 2},                       // 14 -> 17
		bpf.RetConstant{Val: 0x50001},                                              // 15
		bpf.RetConstant{Val: 0x50001},                                              // 16
		bpf.RetConstant{Val: retAllow},                                             // 17
		bpf.RetConstant{Val: 0},                                                    // 18
	)
}

func TestConstAllow(t *testing.T) {
	prog := libseccompShape(t)
	require.NoError(t, Verify(prog))
	tests := []struct {
		name  string
		audit uint32
		nr    int32
		want  bool
	}{
		{"x86_64 read", auditX86_64, 0, true},
		{"x86_64 write has an argument test", auditX86_64, 1, false},
		{"x86_64 close via and #~1 (nr 3 & ~1 == 2)", auditX86_64, 3, true},
		{"x86_64 nr 2 via and", auditX86_64, 2, true},
		{"x86_64 denied", auditX86_64, 4, false},
		{"x32 read is bad arch", auditX86_64, 0x40000000, false},
		{"x86 read", auditI386, 3, true},
		{"x86 0 denied", auditI386, 0, false},
		{"other arch killed", 0xc00000b7, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ConstAllow(prog, tt.audit, tt.nr, binary.LittleEndian))
			assert.Equal(t, tt.want, ConstAllow(prog, tt.audit, tt.nr, binary.BigEndian))
			// The emulator must agree that the result is ALLOW.
			if tt.want {
				res, err := Emulate(prog, Data{Nr: tt.nr, Arch: tt.audit, Args: [6]uint64{9, 9, 9, 9, 9, 9}}, binary.LittleEndian)
				require.NoError(t, err)
				assert.Equal(t, uint32(retAllow), uint32(res.Action))
			}
		})
	}
}

// TestConstAllowGivesUp checks each instruction the kernel's walk does not
// understand: each program would return ALLOW for every input, yet none is
// cached.
func TestConstAllowGivesUp(t *testing.T) {
	allow := bpf.RetConstant{Val: retAllow}
	tests := []struct {
		name string
		prog []bpf.Instruction
		want bool
	}{
		{"plain allow", []bpf.Instruction{allow}, true},
		{"ja", []bpf.Instruction{bpf.Jump{Skip: 1}, bpf.RetConstant{Val: 0}, allow}, true},
		{"jset k", []bpf.Instruction{bpf.LoadAbsolute{Off: 0, Size: 4}, bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: 1}, allow}, true},
		{"jgt k", []bpf.Instruction{bpf.LoadAbsolute{Off: 4, Size: 4}, bpf.JumpIf{Cond: bpf.JumpGreaterThan, Val: 1}, allow}, true},
		{"and k", []bpf.Instruction{bpf.LoadAbsolute{Off: 0, Size: 4}, bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 1}, allow}, true},
		{"log is not allow", []bpf.Instruction{bpf.RetConstant{Val: 0x7ffc0000}}, false},
		{"allow with data", []bpf.Instruction{bpf.RetConstant{Val: retAllow | 1}}, false},
		{"ret a", []bpf.Instruction{bpf.LoadConstant{Dst: bpf.RegA, Val: retAllow}, bpf.RetA{}}, false},
		{"ld imm", []bpf.Instruction{bpf.LoadConstant{Dst: bpf.RegA, Val: 1}, allow}, false},
		{"ldx imm", []bpf.Instruction{bpf.LoadConstant{Dst: bpf.RegX, Val: 1}, allow}, false},
		{"arg load", []bpf.Instruction{bpf.LoadAbsolute{Off: 16, Size: 4}, allow}, false},
		{"ip load", []bpf.Instruction{bpf.LoadAbsolute{Off: 8, Size: 4}, allow}, false},
		{"len load", []bpf.Instruction{bpf.LoadExtension{Num: bpf.ExtLen}, allow}, false},
		{"or k", []bpf.Instruction{bpf.ALUOpConstant{Op: bpf.ALUOpOr, Val: 1}, allow}, false},
		{"add k", []bpf.Instruction{bpf.ALUOpConstant{Op: bpf.ALUOpAdd, Val: 0}, allow}, false},
		{"jeq x", []bpf.Instruction{bpf.JumpIfX{Cond: bpf.JumpEqual}, allow}, false},
		{"tax", []bpf.Instruction{bpf.TAX{}, allow}, false},
		{"store", []bpf.Instruction{bpf.StoreScratch{Src: bpf.RegA, N: 0}, allow}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prog := vmAsm(t, tt.prog...)
			require.NoError(t, Verify(prog))
			assert.Equal(t, tt.want, ConstAllow(prog, auditX86_64, 0, binary.LittleEndian))
		})
	}
}

func TestConstAllowUnverified(t *testing.T) {
	tests := []struct {
		name string
		prog []bpf.RawInstruction
	}{
		{"empty", nil},
		{"runs off the end", []bpf.RawInstruction{raw(codeLdAbsW, 0, 0, 0)}},
		{"ja past the end", []bpf.RawInstruction{raw(codeJa, 0, 0, 0xffffffff), raw(codeRetK, 0, 0, retAllow)}},
		{"jump past the end", []bpf.RawInstruction{raw(codeJeqK, 200, 200, 0), raw(codeRetK, 0, 0, retAllow)}},
	}
	for _, tt := range tests {
		assert.False(t, ConstAllow(tt.prog, auditX86_64, 0, binary.LittleEndian), tt.name)
	}
}

func TestCacheReport(t *testing.T) {
	p := &Program{Insns: libseccompShape(t), Arches: []arch.Arch{arch.X86_64, arch.X86, arch.X32}}
	rep, err := p.CacheReport(DefaultCacheOptions)
	require.NoError(t, err)
	want := &CacheReport{Arches: []ArchCache{
		{Arch: arch.X86_64, Kernel: true, Checked: syscalls.Max(arch.X86_64) + 1, Allowed: []int32{0, 2, 3}},
		{Arch: arch.X86, Kernel: true, Checked: syscalls.Max(arch.X86) + 1, Allowed: []int32{3}},
		{Arch: arch.X32, Kernel: false, Checked: syscalls.Max(arch.X32) - arch.X32SyscallBit + 1},
	}}
	if diff := cmp.Diff(want, rep); diff != "" {
		t.Errorf("CacheReport (-want +got)\n%s", diff)
	}
	assert.True(t, rep.Arches[0].Cached(2))
	assert.False(t, rep.Arches[0].Cached(1))

	rep, err = p.CacheReport(CacheOptions{Limit: 2})
	require.NoError(t, err)
	assert.Equal(t, []int32{0}, rep.Arches[0].Allowed)
	assert.Equal(t, 2, rep.Arches[0].Checked)

	_, err = (&Program{Insns: nil, Arches: p.Arches}).CacheReport(DefaultCacheOptions)
	assert.ErrorIs(t, err, ErrInvalidProgram)
	_, err = (&Program{Insns: p.Insns}).CacheReport(DefaultCacheOptions)
	assert.ErrorIs(t, err, ErrInvalidProgram)
}

func TestCacheLimitSkipsARMPrivate(t *testing.T) {
	require.Greater(t, syscalls.Max(arch.ARM), armPrivateBase, "arm's table should list its private calls")
	limit := defaultCacheLimit(arch.ARM)
	assert.Less(t, limit, armPrivateBase)
	assert.Greater(t, limit, 400)
}

func TestKernelCaches(t *testing.T) {
	var cached []arch.Arch
	for _, a := range arch.All() {
		if KernelCaches(a) {
			cached = append(cached, a)
		}
	}
	for _, a := range []arch.Arch{arch.X32, arch.MIPS, arch.MIPSEL, arch.MIPS64, arch.MIPSEL64, arch.MIPS64N32, arch.MIPSEL64N32} {
		assert.NotContains(t, cached, a)
	}
	assert.Len(t, cached, len(arch.All())-7)
}
