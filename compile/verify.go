package compile

import (
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// KernelMaxInsns is BPF_MAXINSNS, the most instructions one seccomp filter
// may have.
const KernelMaxInsns = unix.BPF_MAXINSNS

// sizeofSeccompData is sizeof(struct seccomp_data): nr, arch,
// instruction_pointer and six 64-bit args.
const sizeofSeccompData = 64

// memWords is BPF_MEMWORDS, the number of scratch cells M[0..15].
const memWords = unix.BPF_MEMWORDS

// The instruction codes a seccomp filter may use. Each is the exact 16-bit
// code value: the kernel compares codes with ==, so a code with stray bits
// set (say BPF_RET|BPF_K|0x08) is not "a return" but an invalid code.
const (
	codeLdAbsW = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
	codeLdLen  = unix.BPF_LD | unix.BPF_W | unix.BPF_LEN
	codeLdxLen = unix.BPF_LDX | unix.BPF_W | unix.BPF_LEN
	codeLdImm  = unix.BPF_LD | unix.BPF_IMM
	codeLdxImm = unix.BPF_LDX | unix.BPF_IMM
	codeLdMem  = unix.BPF_LD | unix.BPF_MEM
	codeLdxMem = unix.BPF_LDX | unix.BPF_MEM
	codeSt     = unix.BPF_ST
	codeStx    = unix.BPF_STX
	codeRetK   = unix.BPF_RET | unix.BPF_K
	codeRetA   = unix.BPF_RET | unix.BPF_A
	codeTax    = unix.BPF_MISC | unix.BPF_TAX
	codeTxa    = unix.BPF_MISC | unix.BPF_TXA
	codeNeg    = unix.BPF_ALU | unix.BPF_NEG
	codeJa     = unix.BPF_JMP | unix.BPF_JA
	codeJeqK   = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
	codeJeqX   = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_X
	codeJgtK   = unix.BPF_JMP | unix.BPF_JGT | unix.BPF_K
	codeJgtX   = unix.BPF_JMP | unix.BPF_JGT | unix.BPF_X
	codeJgeK   = unix.BPF_JMP | unix.BPF_JGE | unix.BPF_K
	codeJgeX   = unix.BPF_JMP | unix.BPF_JGE | unix.BPF_X
	codeJsetK  = unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K
	codeJsetX  = unix.BPF_JMP | unix.BPF_JSET | unix.BPF_X
	codeAluK   = unix.BPF_ALU | unix.BPF_K // | an ALU op
	codeAluX   = unix.BPF_ALU | unix.BPF_X // | an ALU op
	codeDivK   = codeAluK | unix.BPF_DIV
	codeAndK   = codeAluK | unix.BPF_AND
	codeLshK   = codeAluK | unix.BPF_LSH
	codeRshK   = codeAluK | unix.BPF_RSH
)

// seccompALUOps are the ALU operations seccomp_check_filter allows with
// both BPF_K and BPF_X operands. BPF_MOD is classic BPF but not in the list.
var seccompALUOps = [...]uint16{
	unix.BPF_ADD, unix.BPF_SUB, unix.BPF_MUL, unix.BPF_DIV, unix.BPF_AND,
	unix.BPF_OR, unix.BPF_XOR, unix.BPF_LSH, unix.BPF_RSH,
}

// codeClass says how the verifier sees an instruction code.
type codeClass uint8

const (
	codeUnknown codeClass = iota // not classic BPF at all
	codeClassic                  // classic BPF, but seccomp refuses it
	codeSeccomp                  // allowed in a seccomp filter
)

// codeClasses is indexed by the instruction code; codes past its end are
// codeUnknown.
var codeClasses = func() [256]codeClass {
	var t [256]codeClass
	for _, c := range []uint16{
		codeLdAbsW, codeLdLen, codeLdxLen, codeLdImm, codeLdxImm, codeLdMem, codeLdxMem,
		codeSt, codeStx, codeRetK, codeRetA, codeTax, codeTxa, codeNeg, codeJa,
		codeJeqK, codeJeqX, codeJgtK, codeJgtX, codeJgeK, codeJgeX, codeJsetK, codeJsetX,
	} {
		t[c] = codeSeccomp
	}
	for _, op := range seccompALUOps {
		t[codeAluK|op] = codeSeccomp
		t[codeAluX|op] = codeSeccomp
	}
	// What bpf_check_classic's chk_code_allowed also accepts: BPF_MOD,
	// 8- and 16-bit and indirect packet loads, and the IP-header-length
	// load BPF_LDX|BPF_B|BPF_MSH.
	for _, c := range []uint16{
		codeAluK | unix.BPF_MOD, codeAluX | unix.BPF_MOD,
		unix.BPF_LD | unix.BPF_H | unix.BPF_ABS, unix.BPF_LD | unix.BPF_B | unix.BPF_ABS,
		unix.BPF_LD | unix.BPF_W | unix.BPF_IND, unix.BPF_LD | unix.BPF_H | unix.BPF_IND,
		unix.BPF_LD | unix.BPF_B | unix.BPF_IND, unix.BPF_LDX | unix.BPF_B | unix.BPF_MSH,
	} {
		t[c] = codeClassic
	}
	return t
}()

func classOf(code uint16) codeClass {
	if int(code) >= len(codeClasses) {
		return codeUnknown
	}
	return codeClasses[code]
}

func isCondJump(code uint16) bool {
	switch code {
	case codeJeqK, codeJeqX, codeJgtK, codeJgtX, codeJgeK, codeJgeX, codeJsetK, codeJsetX:
		return true
	}
	return false
}

// Verify reports whether the kernel would accept insns as a seccomp
// filter, with the same rules, so that a program we emit or load never
// fails at install time. The rules come from the Linux sources:
//
//   - kernel/seccomp.c seccomp_prepare_filter: 1 to BPF_MAXINSNS (4096)
//     instructions.
//   - net/core/filter.c bpf_check_classic: every code must be in
//     chk_code_allowed's table; BPF_DIV and BPF_MOD by constant 0, and
//     BPF_LSH/BPF_RSH by a constant of 32 or more, are rejected; scratch
//     indexes (LD/LDX MEM, ST, STX) must be below BPF_MEMWORDS (16); a JA
//     must land inside the program (k < len-pc-1) and so must both
//     branches of a conditional jump; the last instruction must be
//     BPF_RET|BPF_K or BPF_RET|BPF_A.
//   - net/core/filter.c check_load_and_stores: no LD/LDX MEM from a cell
//     that is not written on every path to it. The kernel's data flow is
//     reproduced exactly, including that it walks instructions in index
//     order and does not reset its state after a RET, so an unreachable
//     load can still be rejected.
//   - kernel/seccomp.c seccomp_check_filter: only the codes it lists
//     explicitly (RET K/A; ALU ADD SUB MUL DIV AND OR XOR LSH RSH with K
//     and X, NEG; LD/LDX IMM and MEM; TAX, TXA; ST, STX; JA; JEQ JGE JGT
//     JSET with K and X), plus BPF_LD|BPF_W|BPF_ABS with a 4-byte-aligned
//     offset below sizeof(struct seccomp_data) (64), plus BPF_LD|BPF_W|
//     BPF_LEN and BPF_LDX|BPF_W|BPF_LEN, which it turns into loads of the
//     constant 64. In particular BPF_MOD, byte and half-word loads,
//     indirect loads and BPF_MSH are refused.
//
// A violation is a *VerifyError naming the instruction (errors.Is
// ErrInvalidProgram); a program that is too long is a TooLongError
// (errors.Is ErrTooLong).
func Verify(insns []bpf.RawInstruction) error {
	n := len(insns)
	if n == 0 {
		return invalidf(-1, "empty program: the kernel needs at least one instruction")
	}
	if n > KernelMaxInsns {
		return TooLongError{Len: n}
	}
	readsMem := false
	for pc, ins := range insns {
		if err := checkInsn(pc, n, ins); err != nil {
			return err
		}
		readsMem = readsMem || ins.Op == codeLdMem || ins.Op == codeLdxMem
	}
	if last := insns[n-1].Op; last != codeRetK && last != codeRetA {
		return invalidf(n-1, "the last instruction must be a return (ret), found code 0x%02x", last)
	}
	if !readsMem {
		// check_load_and_stores rejects only loads from scratch cells:
		// without one (as in every program Compile makes) it has
		// nothing to reject.
		return nil
	}
	return checkLoadAndStores(insns)
}

// checkInsn applies the per-instruction checks of bpf_check_classic and
// seccomp_check_filter.
func checkInsn(pc, n int, ins bpf.RawInstruction) error {
	switch classOf(ins.Op) {
	case codeUnknown:
		return invalidf(pc, "unknown instruction code 0x%02x", ins.Op)
	case codeClassic:
		return invalidf(pc, "code 0x%02x (%s) is classic BPF but seccomp does not allow it", ins.Op, classicName(ins.Op))
	}
	switch ins.Op {
	case codeLdAbsW:
		if ins.K >= sizeofSeccompData || ins.K&3 != 0 {
			return invalidf(pc, "load from offset %d: seccomp_data loads must be 4-byte aligned and below %d", ins.K, sizeofSeccompData)
		}
	case codeDivK:
		if ins.K == 0 {
			return invalidf(pc, "division by constant zero")
		}
	case codeLshK, codeRshK:
		if ins.K >= 32 {
			return invalidf(pc, "shift by constant %d: must be below 32", ins.K)
		}
	case codeLdMem, codeLdxMem, codeSt, codeStx:
		if ins.K >= memWords {
			return invalidf(pc, "scratch cell M[%d] out of range: there are %d", ins.K, memWords)
		}
	case codeJa:
		// k >= n-pc-1 in the kernel's unsigned arithmetic.
		if uint64(ins.K) >= uint64(n-pc-1) {
			return invalidf(pc, "ja +%d jumps past the end of the program", ins.K)
		}
	default:
		if isCondJump(ins.Op) {
			if pc+int(ins.Jt)+1 >= n || pc+int(ins.Jf)+1 >= n {
				return invalidf(pc, "conditional jump (jt %d, jf %d) leaves the program", ins.Jt, ins.Jf)
			}
		}
	}
	return nil
}

// checkLoadAndStores reproduces check_load_and_stores: one bit per scratch
// cell, set once the cell is written; each jump target keeps the AND of the
// states of the jumps to it, and the instruction after a jump starts from
// "all valid" so that only those recorded states count. Instructions after
// a RET are not reset, exactly as in the kernel.
func checkLoadAndStores(insns []bpf.RawInstruction) error {
	masks := make([]uint16, len(insns))
	for i := range masks {
		masks[i] = 0xffff
	}
	var memvalid uint16
	for pc, ins := range insns {
		memvalid &= masks[pc]
		switch {
		case ins.Op == codeSt || ins.Op == codeStx:
			memvalid |= 1 << ins.K
		case ins.Op == codeLdMem || ins.Op == codeLdxMem:
			if memvalid&(1<<ins.K) == 0 {
				return invalidf(pc, "reads scratch cell M[%d], which is not written on every path to it", ins.K)
			}
		case ins.Op == codeJa:
			masks[pc+1+int(ins.K)] &= memvalid
			memvalid = 0xffff
		case isCondJump(ins.Op):
			masks[pc+1+int(ins.Jt)] &= memvalid
			masks[pc+1+int(ins.Jf)] &= memvalid
			memvalid = 0xffff
		}
	}
	return nil
}

func classicName(code uint16) string {
	switch code {
	case codeAluK | unix.BPF_MOD, codeAluX | unix.BPF_MOD:
		return "mod"
	case unix.BPF_LD | unix.BPF_H | unix.BPF_ABS:
		return "ldh absolute"
	case unix.BPF_LD | unix.BPF_B | unix.BPF_ABS:
		return "ldb absolute"
	case unix.BPF_LD | unix.BPF_W | unix.BPF_IND:
		return "ld indirect"
	case unix.BPF_LD | unix.BPF_H | unix.BPF_IND:
		return "ldh indirect"
	case unix.BPF_LD | unix.BPF_B | unix.BPF_IND:
		return "ldb indirect"
	case unix.BPF_LDX | unix.BPF_B | unix.BPF_MSH:
		return "ldx msh"
	}
	return "?"
}
