package compile

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

const retAllow = 0x7fff0000

// vmAsm assembles x/net/bpf instructions (raw ones pass through).
func vmAsm(t testing.TB, insns ...bpf.Instruction) []bpf.RawInstruction {
	t.Helper()
	raw, err := bpf.Assemble(insns)
	require.NoError(t, err)
	return raw
}

func raw(op uint16, jt, jf uint8, k uint32) bpf.RawInstruction {
	return bpf.RawInstruction{Op: op, Jt: jt, Jf: jf, K: k}
}

func rets(n int) []bpf.RawInstruction {
	out := make([]bpf.RawInstruction, n)
	for i := range out {
		out[i] = raw(codeRetK, 0, 0, retAllow)
	}
	return out
}

// verifyCase is a program with the verifier's expected verdict. The table
// is shared with the real-kernel test, which checks that the kernel
// accepts and rejects exactly the same programs.
type verifyCase struct {
	name  string
	prog  []bpf.Instruction
	index int // offending instruction; -2: accepted
}

const accepted = -2

func verifyCases() []verifyCase {
	r := func(op uint16, jt, jf uint8, k uint32) bpf.Instruction { return raw(op, jt, jf, k) }
	ret := bpf.RetConstant{Val: retAllow}
	return []verifyCase{
		{"single ret", []bpf.Instruction{ret}, accepted},
		{"ret a", []bpf.Instruction{bpf.RetA{}}, accepted},
		{"every allowed opcode", []bpf.Instruction{
			bpf.LoadAbsolute{Off: 0, Size: 4},
			bpf.LoadAbsolute{Off: 60, Size: 4},
			bpf.LoadExtension{Num: bpf.ExtLen},
			r(codeLdxLen, 0, 0, 0),
			bpf.LoadConstant{Dst: bpf.RegA, Val: 7},
			bpf.LoadConstant{Dst: bpf.RegX, Val: 3},
			bpf.StoreScratch{Src: bpf.RegA, N: 0},
			bpf.StoreScratch{Src: bpf.RegX, N: 15},
			bpf.LoadScratch{Dst: bpf.RegA, N: 0},
			bpf.LoadScratch{Dst: bpf.RegX, N: 15},
			bpf.ALUOpConstant{Op: bpf.ALUOpAdd, Val: 1}, bpf.ALUOpX{Op: bpf.ALUOpAdd},
			bpf.ALUOpConstant{Op: bpf.ALUOpSub, Val: 1}, bpf.ALUOpX{Op: bpf.ALUOpSub},
			bpf.ALUOpConstant{Op: bpf.ALUOpMul, Val: 3}, bpf.ALUOpX{Op: bpf.ALUOpMul},
			bpf.ALUOpConstant{Op: bpf.ALUOpDiv, Val: 2}, bpf.ALUOpX{Op: bpf.ALUOpDiv},
			bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0xff}, bpf.ALUOpX{Op: bpf.ALUOpAnd},
			bpf.ALUOpConstant{Op: bpf.ALUOpOr, Val: 1}, bpf.ALUOpX{Op: bpf.ALUOpOr},
			bpf.ALUOpConstant{Op: bpf.ALUOpXor, Val: 1}, bpf.ALUOpX{Op: bpf.ALUOpXor},
			bpf.ALUOpConstant{Op: bpf.ALUOpShiftLeft, Val: 31}, bpf.ALUOpX{Op: bpf.ALUOpShiftLeft},
			bpf.ALUOpConstant{Op: bpf.ALUOpShiftRight, Val: 31}, bpf.ALUOpX{Op: bpf.ALUOpShiftRight},
			bpf.NegateA{}, bpf.TAX{}, bpf.TXA{},
			bpf.Jump{Skip: 0},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 1}, bpf.JumpIfX{Cond: bpf.JumpEqual},
			bpf.JumpIf{Cond: bpf.JumpGreaterThan, Val: 1}, bpf.JumpIfX{Cond: bpf.JumpGreaterThan},
			bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: 1}, bpf.JumpIfX{Cond: bpf.JumpGreaterOrEqual},
			bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: 1}, bpf.JumpIfX{Cond: bpf.JumpBitsSet},
			ret,
		}, accepted},
		{"jumps to the last instruction", []bpf.Instruction{
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 1, SkipTrue: 1, SkipFalse: 0},
			bpf.Jump{Skip: 0},
			ret,
		}, accepted},
		{"store on both paths", []bpf.Instruction{
			bpf.LoadAbsolute{Off: 16, Size: 4},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 1, SkipTrue: 0, SkipFalse: 2},
			bpf.StoreScratch{Src: bpf.RegA, N: 3},
			bpf.Jump{Skip: 1},
			bpf.StoreScratch{Src: bpf.RegA, N: 3},
			bpf.LoadScratch{Dst: bpf.RegX, N: 3},
			bpf.TXA{},
			bpf.RetA{},
		}, accepted},
		// check_load_and_stores does not reset its state after a RET, so
		// the cell written before the jump stays valid at instruction 4.
		{"state flows past a ret", []bpf.Instruction{
			bpf.StoreScratch{Src: bpf.RegA, N: 0},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0, SkipTrue: 1, SkipFalse: 0},
			ret,
			bpf.RetConstant{Val: 0x50001},
			bpf.LoadScratch{Dst: bpf.RegA, N: 0},
			bpf.RetA{},
		}, accepted},
		// ...while after a jump it restarts from "all valid", so an
		// unreachable load right after a ja passes.
		{"unreachable load after ja", []bpf.Instruction{
			bpf.Jump{Skip: 1},
			bpf.LoadScratch{Dst: bpf.RegA, N: 0},
			ret,
		}, accepted},

		{"empty", nil, -1},
		{"unknown code", []bpf.Instruction{ret, r(0x0e, 0, 0, 0), ret}, 1},
		{"neg with X bit", []bpf.Instruction{r(codeNeg|unix.BPF_X, 0, 0, 0), ret}, 0},
		{"mod k", []bpf.Instruction{bpf.ALUOpConstant{Op: bpf.ALUOpMod, Val: 3}, ret}, 0},
		{"mod x", []bpf.Instruction{bpf.LoadConstant{Dst: bpf.RegX, Val: 3}, bpf.ALUOpX{Op: bpf.ALUOpMod}, ret}, 1},
		{"byte load", []bpf.Instruction{bpf.LoadAbsolute{Off: 0, Size: 1}, ret}, 0},
		{"half-word load", []bpf.Instruction{bpf.LoadAbsolute{Off: 0, Size: 2}, ret}, 0},
		{"indirect load", []bpf.Instruction{bpf.LoadIndirect{Off: 0, Size: 4}, ret}, 0},
		{"msh", []bpf.Instruction{bpf.LoadMemShift{Off: 0}, ret}, 0},
		{"misaligned load", []bpf.Instruction{bpf.LoadAbsolute{Off: 2, Size: 4}, ret}, 0},
		{"load past seccomp_data", []bpf.Instruction{ret, bpf.LoadAbsolute{Off: 64, Size: 4}, ret}, 1},
		{"ancillary load", []bpf.Instruction{bpf.LoadExtension{Num: bpf.ExtProto}, ret}, 0},
		{"div by constant zero", []bpf.Instruction{bpf.ALUOpConstant{Op: bpf.ALUOpDiv, Val: 0}, ret}, 0},
		{"lsh by 32", []bpf.Instruction{bpf.ALUOpConstant{Op: bpf.ALUOpShiftLeft, Val: 32}, ret}, 0},
		{"rsh by 33", []bpf.Instruction{bpf.ALUOpConstant{Op: bpf.ALUOpShiftRight, Val: 33}, ret}, 0},
		{"ld M[16]", []bpf.Instruction{r(codeLdMem, 0, 0, 16), ret}, 0},
		{"stx M[16]", []bpf.Instruction{r(codeStx, 0, 0, 16), ret}, 0},
		{"ja past the end", []bpf.Instruction{bpf.Jump{Skip: 1}, ret}, 0},
		{"ja huge", []bpf.Instruction{ret, bpf.Jump{Skip: 0xffffffff}, ret}, 1},
		{"jt past the end", []bpf.Instruction{bpf.JumpIf{Cond: bpf.JumpEqual, SkipTrue: 1}, ret}, 0},
		{"jf past the end", []bpf.Instruction{bpf.JumpIf{Cond: bpf.JumpBitsSet, SkipFalse: 2}, ret, ret}, 0},
		{"last is not ret", []bpf.Instruction{ret, bpf.LoadAbsolute{Off: 0, Size: 4}}, 1},
		{"ret with stray bits last", []bpf.Instruction{r(codeRetK|0x40, 0, 0, 0)}, 0},
		{"uninitialised scratch", []bpf.Instruction{bpf.LoadScratch{Dst: bpf.RegA, N: 0}, bpf.RetA{}}, 0},
		{"store on one path only", []bpf.Instruction{
			bpf.LoadAbsolute{Off: 16, Size: 4},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 1, SkipTrue: 0, SkipFalse: 1},
			bpf.StoreScratch{Src: bpf.RegA, N: 3},
			bpf.LoadScratch{Dst: bpf.RegX, N: 3},
			bpf.RetA{},
		}, 3},
		{"other cell stored", []bpf.Instruction{
			bpf.StoreScratch{Src: bpf.RegA, N: 1},
			bpf.LoadScratch{Dst: bpf.RegA, N: 2},
			bpf.RetA{},
		}, 1},
		{"unreachable load after ret", []bpf.Instruction{
			ret,
			bpf.LoadScratch{Dst: bpf.RegA, N: 0},
			bpf.RetA{},
		}, 1},
	}
}

func TestVerify(t *testing.T) {
	for _, tt := range verifyCases() {
		t.Run(tt.name, func(t *testing.T) {
			var prog []bpf.RawInstruction
			if tt.prog != nil {
				prog = vmAsm(t, tt.prog...)
			}
			err := Verify(prog)
			if tt.index == accepted {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidProgram)
			var ve *VerifyError
			require.True(t, errors.As(err, &ve), "error %v is not a *VerifyError", err)
			assert.Equal(t, tt.index, ve.Index, "error: %v", err)
		})
	}
}

func TestVerifyLength(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		wantErr error
	}{
		{"one", 1, nil},
		{"max", KernelMaxInsns, nil},
		{"one too many", KernelMaxInsns + 1, ErrTooLong},
		{"huge", 70000, ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(rets(tt.n))
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			var tl TooLongError
			require.ErrorAs(t, err, &tl)
			assert.Equal(t, tt.n, tl.Len)
			assert.NotErrorIs(t, err, ErrInvalidProgram)
		})
	}
}

func TestVerifyErrorText(t *testing.T) {
	err := Verify(vmAsm(t, bpf.ALUOpConstant{Op: bpf.ALUOpMod, Val: 3}, bpf.RetA{}))
	assert.EqualError(t, err, "invalid seccomp program: instruction 0: code 0x94 (mod) is classic BPF but seccomp does not allow it")
	err = Verify(rets(KernelMaxInsns + 1))
	assert.EqualError(t, err, "program too long: 4097 instructions, the kernel accepts at most 4096 (BPF_MAXINSNS)")
}
