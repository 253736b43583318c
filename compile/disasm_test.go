package compile

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"

	"github.com/seccompctl/seccompctl/arch"
)

// x32Split is x86_64 and x32 in one block, split on bit 30 of nr the way
// libseccomp does for x86_64 without x32: both ABIs' numbers appear, so
// names must follow the branch.
func x32Split(t testing.TB) []bpf.RawInstruction {
	return vmAsm(t,
		bpf.LoadAbsolute{Off: 4, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: auditX86_64, SkipFalse: 9},        // -> 2, 11
		bpf.LoadAbsolute{Off: 0, Size: 4},                                      // 2
		bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: 0x40000000, SkipTrue: 3}, // -> 7
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 59, SkipTrue: 4},                  // execve -> 9
		bpf.JumpIf{Cond: bpf.JumpGreaterThan, Val: 334, SkipTrue: 3},           // -> 9
		bpf.RetConstant{Val: retAllow},                                         // 6
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x40000000 | 520, SkipTrue: 1},    // x32 execve -> 9
		bpf.RetConstant{Val: retAllow},                                         // 8
		bpf.RetConstant{Val: 0x50026},                                          // 9 ERRNO(ENOSYS)
		bpf.RetConstant{Val: 0x7ff00005},                                       // 10 unreachable
		bpf.RetConstant{Val: 0x80000000},                                       // 11
	)
}

// bigEndianArgs compares a 64-bit argument on s390x: the word at the
// field's offset is the high one.
func bigEndianArgs(t testing.TB) []bpf.RawInstruction {
	return vmAsm(t,
		bpf.LoadAbsolute{Off: 4, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x80000016, SkipFalse: 8}, // s390x -> 2, 10
		bpf.LoadAbsolute{Off: 0, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 4, SkipFalse: 5}, // write -> 4, 9
		bpf.LoadAbsolute{Off: 16, Size: 4},                    // args[0].hi
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0, SkipFalse: 3},
		bpf.LoadAbsolute{Off: 20, Size: 4}, // args[0].lo
		bpf.JumpIf{Cond: bpf.JumpGreaterThan, Val: 2, SkipTrue: 1},
		bpf.RetConstant{Val: retAllow},
		bpf.RetConstant{Val: 0x50001},
		bpf.RetConstant{Val: 0},
	)
}

// noArchCheck compares nr without testing arch first: its numbers can be
// named only when the caller says which architecture the program is for.
func noArchCheck(t testing.TB) []bpf.RawInstruction {
	return vmAsm(t,
		bpf.LoadAbsolute{Off: 0, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 63, SkipTrue: 1}, // aarch64 read, x86_64 uname
		bpf.RetConstant{Val: retAllow | 3},
		bpf.RetConstant{Val: 0x50001},
	)
}

// everyOpcode uses each instruction kind once, and a few invalid ones.
func everyOpcode(t testing.TB) []bpf.RawInstruction {
	return vmAsm(t,
		bpf.LoadAbsolute{Off: 8, Size: 4}, bpf.LoadAbsolute{Off: 12, Size: 4}, bpf.LoadAbsolute{Off: 60, Size: 4},
		bpf.LoadExtension{Num: bpf.ExtLen}, raw(codeLdxLen, 0, 0, 0),
		bpf.LoadConstant{Dst: bpf.RegA, Val: 7}, bpf.LoadConstant{Dst: bpf.RegX, Val: 0xfff0},
		bpf.StoreScratch{Src: bpf.RegA, N: 0}, bpf.StoreScratch{Src: bpf.RegX, N: 15},
		bpf.LoadScratch{Dst: bpf.RegA, N: 0}, bpf.LoadScratch{Dst: bpf.RegX, N: 15},
		bpf.ALUOpConstant{Op: bpf.ALUOpAdd, Val: 1}, bpf.ALUOpX{Op: bpf.ALUOpSub},
		bpf.ALUOpConstant{Op: bpf.ALUOpMul, Val: 3}, bpf.ALUOpX{Op: bpf.ALUOpDiv},
		bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0xffff0000}, bpf.ALUOpX{Op: bpf.ALUOpOr},
		bpf.ALUOpConstant{Op: bpf.ALUOpXor, Val: 1}, bpf.ALUOpConstant{Op: bpf.ALUOpShiftLeft, Val: 3},
		bpf.ALUOpX{Op: bpf.ALUOpShiftRight}, bpf.NegateA{}, bpf.TAX{}, bpf.TXA{},
		bpf.Jump{Skip: 0},
		bpf.JumpIfX{Cond: bpf.JumpGreaterOrEqual, SkipTrue: 1},
		bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: 0x80, SkipFalse: 1},
		bpf.ALUOpConstant{Op: bpf.ALUOpMod, Val: 3},
		bpf.LoadAbsolute{Off: 2, Size: 4},
		bpf.LoadAbsolute{Off: 0, Size: 1},
		raw(0xff, 1, 2, 3),
		bpf.RetConstant{Val: 0x00030007},
		bpf.RetConstant{Val: 0x7ffc0000},
		bpf.RetConstant{Val: 0x7fc00000},
		bpf.RetConstant{Val: 0x12340000},
		bpf.RetA{},
	)
}

func TestDisassembleGolden(t *testing.T) {
	tests := []struct {
		name string
		prog []bpf.RawInstruction
		opts DisasmOptions
	}{
		{"libseccomp_x86_64", libseccompShape(t), DisasmOptions{Arches: []arch.Arch{arch.X86_64, arch.X86}}},
		{"no_arch_check_any_arch", noArchCheck(t), DisasmOptions{}},
		{"no_arch_check_aarch64", noArchCheck(t), DisasmOptions{Arches: []arch.Arch{arch.AArch64}}},
		{"x32_split", x32Split(t), DisasmOptions{Arches: []arch.Arch{arch.X86_64, arch.X32}}},
		{"s390x_args", bigEndianArgs(t), DisasmOptions{Order: binary.BigEndian, Arches: []arch.Arch{arch.S390X}}},
		{"s390x_args_as_little_endian", bigEndianArgs(t), DisasmOptions{Arches: []arch.Arch{arch.S390X}}},
		{"every_opcode", everyOpcode(t), DisasmOptions{}},
		{"every_opcode_raw", everyOpcode(t), DisasmOptions{Raw: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Disassemble(tt.prog, tt.opts)
			assert.Equal(t, len(tt.prog), strings.Count(got, "\n"), "one line per instruction")
			checkGolden(t, "disasm_"+tt.name+".golden", []byte(got))
		})
	}
}

func TestDisassembleSymbols(t *testing.T) {
	// Spot checks that do not depend on layout.
	got := Disassemble(x32Split(t), DisasmOptions{Arches: []arch.Arch{arch.X86_64, arch.X32}})
	lines := strings.Split(got, "\n")
	assert.Contains(t, lines[1], "#SCMP_ARCH_X86_64")
	assert.Contains(t, lines[3], "#0x40000000", "the x32 split is a bit, not a syscall")
	assert.Contains(t, lines[4], "#execve")
	assert.Contains(t, lines[5], "#rseq")
	assert.Contains(t, lines[7], "#execve", "x32 execve is 0x40000000|520")
	assert.Contains(t, lines[9], "ret  ERRNO(38)")
	assert.Contains(t, lines[11], "ret  KILL_PROCESS")
}

func TestDisassembleEmpty(t *testing.T) {
	assert.Equal(t, "", Disassemble(nil, DisasmOptions{}))
}

func TestProgramFormat(t *testing.T) {
	p := &Program{Insns: bigEndianArgs(t), Arches: []arch.Arch{arch.S390X, arch.S390}}
	want := Disassemble(p.Insns, DisasmOptions{Order: binary.BigEndian, Arches: p.Arches})
	assert.Equal(t, want, fmt.Sprintf("%v", p))
	assert.Equal(t, want, fmt.Sprint(p))
	assert.Equal(t, want, fmt.Sprintf("%s", p))
	assert.Contains(t, want, "ld   args[0].hi")
	raw := fmt.Sprintf("%+v", p)
	assert.Equal(t, Disassemble(p.Insns, DisasmOptions{Order: binary.BigEndian, Arches: p.Arches, Raw: true}), raw)
	assert.Equal(t, "%!d(*compile.Program=11 instructions)", fmt.Sprintf("%d", p))
	var nilProg *Program
	assert.Equal(t, "<nil>", fmt.Sprintf("%v", nilProg))
}

func TestFieldName(t *testing.T) {
	tests := []struct {
		k      uint32
		le, be string
	}{
		{0, "nr", "nr"},
		{4, "arch", "arch"},
		{8, "ip.lo", "ip.hi"},
		{12, "ip.hi", "ip.lo"},
		{16, "args[0].lo", "args[0].hi"},
		{20, "args[0].hi", "args[0].lo"},
		{56, "args[5].lo", "args[5].hi"},
		{60, "args[5].hi", "args[5].lo"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.le, fieldName(tt.k, binary.LittleEndian), "%d le", tt.k)
		assert.Equal(t, tt.be, fieldName(tt.k, binary.BigEndian), "%d be", tt.k)
	}
}

func TestDisassembleNeverPanics(t *testing.T) {
	// Jumps far out of range and every code value.
	for op := 0; op < 0x10000; op += 7 {
		prog := []bpf.RawInstruction{
			{Op: uint16(op), Jt: 255, Jf: 255, K: 0xffffffff},
			{Op: codeJa, K: 0xffffffff},
			{Op: codeRetK},
		}
		require.NotPanics(t, func() { Disassemble(prog, DisasmOptions{}) }, "op %#x", op)
	}
}
