package compile

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
)

const auditX86_64 = 0xc000003e

func TestDataBytes(t *testing.T) {
	d := Data{
		Nr:                 -1,
		Arch:               0x11223344,
		InstructionPointer: 0x0102030405060708,
		Args:               [6]uint64{0xa0a1a2a3a4a5a6a7, 0, 0, 0, 0, 0xb0b1b2b3b4b5b6b7},
	}
	le := d.Bytes(binary.LittleEndian)
	be := d.Bytes(binary.BigEndian)
	// nr, arch, ip, args[0] and args[5] as the kernel lays them out.
	assert.Equal(t, []byte{0xff, 0xff, 0xff, 0xff, 0x44, 0x33, 0x22, 0x11, 8, 7, 6, 5, 4, 3, 2, 1}, le[:16])
	assert.Equal(t, []byte{0xff, 0xff, 0xff, 0xff, 0x11, 0x22, 0x33, 0x44, 1, 2, 3, 4, 5, 6, 7, 8}, be[:16])
	assert.Equal(t, []byte{0xa7, 0xa6, 0xa5, 0xa4, 0xa3, 0xa2, 0xa1, 0xa0}, le[16:24])
	assert.Equal(t, []byte{0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7}, be[16:24])
	assert.Equal(t, []byte{0xb7, 0xb6, 0xb5, 0xb4, 0xb3, 0xb2, 0xb1, 0xb0}, le[56:64])
}

func TestDataWordsMatchBytes(t *testing.T) {
	d := Data{Nr: -7, Arch: 0xc000003e, InstructionPointer: 0x0102030405060708,
		Args: [6]uint64{1, 0xffffffff_00000001, 3 << 40, 4, 0x8000000000000000, 6}}
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		b := d.Bytes(order)
		w := d.words(isBigEndian(order))
		for i := range w {
			assert.Equal(t, order.Uint32(b[4*i:]), w[i], "%v word %d", order, i)
		}
	}
}

func TestEmulate(t *testing.T) {
	ld := func(off uint32) bpf.Instruction { return bpf.LoadAbsolute{Off: off, Size: 4} }
	args := Data{Nr: 39, Arch: auditX86_64, InstructionPointer: 0xdeadbeef_cafef00d,
		Args: [6]uint64{0x11223344_55667788, 5, 0xffffffff_00000000, 0, 0, 7}}
	tests := []struct {
		name  string
		prog  []bpf.Instruction
		data  Data
		order binary.ByteOrder
		want  Result
	}{
		{"ret k", []bpf.Instruction{bpf.RetConstant{Val: retAllow}}, args, binary.LittleEndian,
			Result{profile.ActAllow, 1, false}},
		{"nr match", []bpf.Instruction{
			ld(0), bpf.JumpIf{Cond: bpf.JumpEqual, Val: 39, SkipTrue: 0, SkipFalse: 1},
			bpf.RetConstant{Val: 0x50001}, bpf.RetConstant{Val: retAllow},
		}, args, binary.LittleEndian, Result{profile.Errno(1), 3, false}},
		{"nr miss", []bpf.Instruction{
			ld(0), bpf.JumpIf{Cond: bpf.JumpEqual, Val: 40, SkipTrue: 0, SkipFalse: 1},
			bpf.RetConstant{Val: 0x50001}, bpf.RetConstant{Val: retAllow},
		}, args, binary.LittleEndian, Result{profile.ActAllow, 3, false}},
		{"arch", []bpf.Instruction{ld(4), bpf.RetA{}}, args, binary.LittleEndian, Result{auditX86_64, 2, false}},
		{"negative nr", []bpf.Instruction{ld(0), bpf.RetA{}}, Data{Nr: -1}, binary.LittleEndian, Result{0xffffffff, 2, false}},
		{"arg low word little-endian", []bpf.Instruction{ld(16), bpf.RetA{}}, args, binary.LittleEndian, Result{0x55667788, 2, true}},
		{"arg high word little-endian", []bpf.Instruction{ld(20), bpf.RetA{}}, args, binary.LittleEndian, Result{0x11223344, 2, true}},
		{"arg high word big-endian", []bpf.Instruction{ld(16), bpf.RetA{}}, args, binary.BigEndian, Result{0x11223344, 2, true}},
		{"arg low word big-endian", []bpf.Instruction{ld(20), bpf.RetA{}}, args, binary.BigEndian, Result{0x55667788, 2, true}},
		{"nr big-endian", []bpf.Instruction{ld(0), bpf.RetA{}}, args, binary.BigEndian, Result{39, 2, false}},
		{"ip", []bpf.Instruction{ld(12), bpf.RetA{}}, args, binary.LittleEndian, Result{0xdeadbeef, 2, true}},
		{"last arg", []bpf.Instruction{ld(56), bpf.RetA{}}, args, binary.LittleEndian, Result{7, 2, true}},
		{"len", []bpf.Instruction{bpf.LoadExtension{Num: bpf.ExtLen}, bpf.RetA{}}, args, binary.LittleEndian, Result{64, 2, false}},
		{"ldx len", []bpf.Instruction{raw(codeLdxLen, 0, 0, 0), bpf.TXA{}, bpf.RetA{}}, args, binary.LittleEndian, Result{64, 3, false}},
		{"A and X start at zero", []bpf.Instruction{bpf.ALUOpX{Op: bpf.ALUOpAdd}, bpf.ALUOpConstant{Op: bpf.ALUOpOr, Val: 0x50000}, bpf.RetA{}},
			args, binary.LittleEndian, Result{profile.Errno(0), 3, false}},
		{"scratch", []bpf.Instruction{
			ld(24), bpf.StoreScratch{Src: bpf.RegA, N: 7}, // M[7] = 5
			bpf.LoadConstant{Dst: bpf.RegX, Val: 9}, bpf.StoreScratch{Src: bpf.RegX, N: 15},
			bpf.LoadScratch{Dst: bpf.RegA, N: 15}, bpf.LoadScratch{Dst: bpf.RegX, N: 7},
			bpf.ALUOpX{Op: bpf.ALUOpMul}, bpf.RetA{}, // 9*5
		}, args, binary.LittleEndian, Result{45, 8, true}},
		{"ja skips", []bpf.Instruction{
			bpf.Jump{Skip: 2}, bpf.RetConstant{Val: 1}, bpf.RetConstant{Val: 2}, bpf.RetConstant{Val: 3},
		}, args, binary.LittleEndian, Result{3, 2, false}},
		{"jset true", []bpf.Instruction{
			ld(24), bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: 4, SkipTrue: 1}, bpf.RetConstant{Val: 1}, bpf.RetConstant{Val: 2},
		}, args, binary.LittleEndian, Result{2, 3, true}},
		{"jset false", []bpf.Instruction{
			ld(24), bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: 2, SkipTrue: 1}, bpf.RetConstant{Val: 1}, bpf.RetConstant{Val: 2},
		}, args, binary.LittleEndian, Result{1, 3, true}},
		{"jgt/jge edges", []bpf.Instruction{
			ld(24), // 5
			bpf.JumpIf{Cond: bpf.JumpGreaterThan, Val: 5, SkipTrue: 3},                  // not taken
			bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: 6, SkipTrue: 2},               // not taken
			bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: 5, SkipTrue: 0, SkipFalse: 1}, // taken
			bpf.RetConstant{Val: 10}, bpf.RetConstant{Val: 11},
		}, args, binary.LittleEndian, Result{10, 5, true}},
		{"unsigned compare", []bpf.Instruction{
			ld(0), bpf.JumpIf{Cond: bpf.JumpGreaterThan, Val: 0x7fffffff, SkipTrue: 1}, bpf.RetConstant{Val: 1}, bpf.RetConstant{Val: 2},
		}, Data{Nr: -5}, binary.LittleEndian, Result{2, 3, false}},
		{"jump with x", []bpf.Instruction{
			ld(24), bpf.LoadConstant{Dst: bpf.RegX, Val: 5},
			bpf.JumpIfX{Cond: bpf.JumpEqual, SkipTrue: 1}, bpf.RetConstant{Val: 1}, bpf.RetConstant{Val: 2},
		}, args, binary.LittleEndian, Result{2, 4, true}},
		{"div by x zero returns kill", []bpf.Instruction{
			bpf.LoadConstant{Dst: bpf.RegA, Val: 10}, bpf.ALUOpX{Op: bpf.ALUOpDiv}, bpf.RetConstant{Val: retAllow},
		}, args, binary.LittleEndian, Result{profile.ActKillThread, 2, false}},
		{"shift by x masks to 5 bits", []bpf.Instruction{
			bpf.LoadConstant{Dst: bpf.RegA, Val: 1}, bpf.LoadConstant{Dst: bpf.RegX, Val: 33},
			bpf.ALUOpX{Op: bpf.ALUOpShiftLeft}, bpf.RetA{},
		}, args, binary.LittleEndian, Result{2, 4, false}},
		{"neg", []bpf.Instruction{bpf.LoadConstant{Dst: bpf.RegA, Val: 1}, bpf.NegateA{}, bpf.RetA{}},
			args, binary.LittleEndian, Result{0xffffffff, 3, false}},
		{"tax txa", []bpf.Instruction{ld(4), bpf.TAX{}, bpf.LoadConstant{Dst: bpf.RegA, Val: 0}, bpf.TXA{}, bpf.RetA{}},
			args, binary.LittleEndian, Result{auditX86_64, 5, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Emulate(vmAsm(t, tt.prog...), tt.data, tt.order)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestEmulateALU(t *testing.T) {
	tests := []struct {
		op    bpf.ALUOp
		a, b  uint32
		want  uint32
		xOnly bool // b is not a valid constant operand
	}{
		{op: bpf.ALUOpAdd, a: 0xffffffff, b: 2, want: 1},
		{op: bpf.ALUOpSub, a: 1, b: 2, want: 0xffffffff},
		{op: bpf.ALUOpMul, a: 0x10000, b: 0x10001, want: 0x10000},
		{op: bpf.ALUOpDiv, a: 0xffffffff, b: 2, want: 0x7fffffff},
		{op: bpf.ALUOpDiv, a: 7, b: 8, want: 0},
		{op: bpf.ALUOpAnd, a: 0xf0f0, b: 0xff00, want: 0xf000},
		{op: bpf.ALUOpOr, a: 0xf0f0, b: 0x0f00, want: 0xfff0},
		{op: bpf.ALUOpXor, a: 0xf0f0, b: 0xff00, want: 0x0ff0},
		{op: bpf.ALUOpShiftLeft, a: 3, b: 31, want: 0x80000000},
		{op: bpf.ALUOpShiftRight, a: 0x80000000, b: 31, want: 1},
		{op: bpf.ALUOpShiftLeft, a: 3, b: 32, want: 3, xOnly: true},
		{op: bpf.ALUOpShiftRight, a: 0x80000000, b: 63, want: 1, xOnly: true},
	}
	for _, tt := range tests {
		prefix := []bpf.Instruction{bpf.LoadConstant{Dst: bpf.RegA, Val: tt.a}}
		if !tt.xOnly {
			got, err := Emulate(vmAsm(t, append(prefix, bpf.ALUOpConstant{Op: tt.op, Val: tt.b}, bpf.RetA{})...), Data{}, binary.LittleEndian)
			require.NoError(t, err)
			assert.Equal(t, profile.Action(tt.want), got.Action, "op %#x K a=%#x b=%#x", tt.op, tt.a, tt.b)
		}
		got, err := Emulate(vmAsm(t, append(prefix, bpf.LoadConstant{Dst: bpf.RegX, Val: tt.b}, bpf.ALUOpX{Op: tt.op}, bpf.RetA{})...), Data{}, binary.LittleEndian)
		require.NoError(t, err)
		assert.Equal(t, profile.Action(tt.want), got.Action, "op %#x X a=%#x b=%#x", tt.op, tt.a, tt.b)
	}
}

func TestEmulateRejects(t *testing.T) {
	for _, tt := range verifyCases() {
		if tt.index == accepted {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			var prog []bpf.RawInstruction
			if tt.prog != nil {
				prog = vmAsm(t, tt.prog...)
			}
			_, err := Emulate(prog, Data{}, binary.LittleEndian)
			assert.ErrorIs(t, err, ErrInvalidProgram)
		})
	}
	_, err := NewEmulator(rets(1), nil)
	assert.Error(t, err)
}

func TestEmulatorOwnsItsCopy(t *testing.T) {
	prog := vmAsm(t, bpf.JumpIf{Cond: bpf.JumpEqual, SkipTrue: 1}, bpf.RetConstant{Val: 1}, bpf.RetConstant{Val: 2})
	e, err := NewEmulator(prog, binary.LittleEndian)
	require.NoError(t, err)
	prog[0].Jt = 200 // would jump out of the program
	assert.Equal(t, Result{2, 2, false}, e.Run(Data{}))
}

func TestProgramRun(t *testing.T) {
	prog := vmAsm(t, bpf.LoadAbsolute{Off: 16, Size: 4}, bpf.RetA{})
	d := Data{Args: [6]uint64{0x00000001_00000002}}
	tests := []struct {
		arches  []arch.Arch
		want    profile.Action
		wantErr bool
	}{
		{[]arch.Arch{arch.X86_64, arch.X86}, 2, false},
		{[]arch.Arch{arch.S390X, arch.S390}, 1, false},
		{[]arch.Arch{arch.PPC64LE}, 2, false},
		{nil, 0, true},
		{[]arch.Arch{arch.Unknown}, 0, true},
	}
	for _, tt := range tests {
		p := &Program{Insns: prog, Arches: tt.arches}
		got, err := p.Run(d)
		if tt.wantErr {
			assert.Error(t, err, "%v", tt.arches)
			continue
		}
		require.NoError(t, err)
		if diff := cmp.Diff(Result{Action: tt.want, Executed: 2, ReadArgs: true}, got); diff != "" {
			t.Errorf("%v: (-want +got)\n%s", tt.arches, diff)
		}
	}
}

func BenchmarkEmulatorRun(b *testing.B) {
	// A 16-leaf search over nr, the shape of a compiled tree.
	var insns []bpf.Instruction
	insns = append(insns, bpf.LoadAbsolute{Off: 0, Size: 4})
	for i := 0; i < 16; i++ {
		insns = append(insns, bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(i), SkipTrue: uint8(16 - i), SkipFalse: 0})
	}
	insns = append(insns, bpf.RetConstant{Val: 0x50001}, bpf.RetConstant{Val: retAllow})
	e, err := NewEmulator(vmAsm(b, insns...), binary.LittleEndian)
	require.NoError(b, err)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		e.Run(Data{Nr: int32(i % 20)})
	}
}
