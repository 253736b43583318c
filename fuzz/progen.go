package fuzz

import (
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// GeneratedProgram is a random seccomp filter body for FuzzEmulator.
type GeneratedProgram struct {
	// Insns is the program. Structured programs pass compile.Verify (the
	// generator follows the kernel's rules); raw ones may not.
	Insns []bpf.RawInstruction
	// Args are the system call arguments to run it with.
	Args [6]uint64
	// Structured reports how it was made. A structured program never
	// reads the instruction pointer (offsets 8 and 12), never divides by
	// X, and returns only SECCOMP_RET_ALLOW or SECCOMP_RET_ERRNO: its
	// outcome is observable in a thread without killing it.
	Structured bool
}

// seccomp_data offsets a structured program may load: nr, arch and the
// argument words, not the instruction pointer.
var dataOffsets = []uint32{0, 4, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60}

var aluOps = []uint16{
	unix.BPF_ADD, unix.BPF_SUB, unix.BPF_MUL, unix.BPF_DIV, unix.BPF_AND,
	unix.BPF_OR, unix.BPF_XOR, unix.BPF_LSH, unix.BPF_RSH,
}

var jumpOps = []uint16{unix.BPF_JEQ, unix.BPF_JGT, unix.BPF_JGE, unix.BPF_JSET}

// seccompCodes are the codes the kernel accepts in a seccomp filter, and
// classicOnly the ones classic BPF has but seccomp refuses.
var seccompCodes, classicOnly = func() ([]uint16, []uint16) {
	codes := []uint16{
		unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, unix.BPF_LD | unix.BPF_W | unix.BPF_LEN,
		unix.BPF_LDX | unix.BPF_W | unix.BPF_LEN, unix.BPF_LD | unix.BPF_IMM, unix.BPF_LDX | unix.BPF_IMM,
		unix.BPF_LD | unix.BPF_MEM, unix.BPF_LDX | unix.BPF_MEM, unix.BPF_ST, unix.BPF_STX,
		unix.BPF_RET | unix.BPF_K, unix.BPF_RET | unix.BPF_A, unix.BPF_MISC | unix.BPF_TAX,
		unix.BPF_MISC | unix.BPF_TXA, unix.BPF_ALU | unix.BPF_NEG, unix.BPF_JMP | unix.BPF_JA,
	}
	for _, op := range jumpOps {
		codes = append(codes, unix.BPF_JMP|op|unix.BPF_K, unix.BPF_JMP|op|unix.BPF_X)
	}
	for _, op := range aluOps {
		codes = append(codes, unix.BPF_ALU|op|unix.BPF_K, unix.BPF_ALU|op|unix.BPF_X)
	}
	classic := []uint16{
		unix.BPF_ALU | unix.BPF_MOD | unix.BPF_K, unix.BPF_ALU | unix.BPF_MOD | unix.BPF_X,
		unix.BPF_LD | unix.BPF_H | unix.BPF_ABS, unix.BPF_LD | unix.BPF_B | unix.BPF_ABS,
		unix.BPF_LD | unix.BPF_W | unix.BPF_IND, unix.BPF_LDX | unix.BPF_B | unix.BPF_MSH,
		unix.BPF_ALU | unix.BPF_NEG | unix.BPF_X, unix.BPF_RET | unix.BPF_X,
	}
	return codes, classic
}()

const (
	retAllow = uint32(0x7fff0000) // SECCOMP_RET_ALLOW
	retErrno = uint32(0x00050000) // SECCOMP_RET_ERRNO
)

// retValues are the values a structured program returns: ALLOW, ALLOW
// with data bits, and ERRNO at the edges of what the kernel passes on
// (ERRNO(0) is a success; data above 4095 is capped).
var retValues = []uint32{retAllow, retAllow | 7, retErrno, retErrno | 1, retErrno | 4095, retErrno | 4096, retErrno | 0xffff}

// rawRetValues add what a raw program may return besides: KILL_THREAD,
// KILL_PROCESS, TRAP, TRACE, NOTIFY, LOG and an undefined action.
var rawRetValues = append([]uint32{0, 0x80000000, 0x00030001, 0x7ff00002, 0x7fc00000, 0x7ffc0000, 0x12340000}, retValues...)

// GenerateProgram builds a program from s. Three inputs in four give a
// structured program: loads of seccomp_data words, immediates, scratch
// memory (only cells the kernel's check_load_and_stores knows are
// written), ALU operations with K and X, forward jumps, and returns of
// ALLOW or ERRNO, ending in "and #0xfff; or #ERRNO; ret a" so that the
// final accumulator is observable as an errno. The fourth gives a raw
// program of arbitrary codes, jumps and constants, to compare verifiers.
func GenerateProgram(s *Source) GeneratedProgram {
	g := GeneratedProgram{Structured: s.IntN(4) != 0}
	if g.Structured {
		g.Insns = structuredProgram(s)
	} else {
		g.Insns = rawProgram(s)
	}
	for i := range g.Args {
		g.Args[i] = genValue(s)
	}
	return g
}

func ins(op uint16, jt, jf uint8, k uint32) bpf.RawInstruction {
	return bpf.RawInstruction{Op: op, Jt: jt, Jf: jf, K: k}
}

// genK returns an ALU or jump constant: small, a power of two, a
// boundary or random.
func genK(s *Source) uint32 {
	switch s.IntN(4) {
	case 0:
		return uint32(s.IntN(40))
	case 1:
		return 1 << s.IntN(32)
	case 2:
		return uint32(pick(s, Boundaries))
	}
	return s.Uint32()
}

func structuredProgram(s *Source) []bpf.RawInstruction {
	epilogue := []bpf.RawInstruction{
		ins(unix.BPF_ALU|unix.BPF_AND|unix.BPF_K, 0, 0, 0xfff),
		ins(unix.BPF_ALU|unix.BPF_OR|unix.BPF_K, 0, 0, retErrno),
		ins(unix.BPF_RET|unix.BPF_A, 0, 0, 0),
	}
	n := 1 + s.IntN(24)
	out := make([]bpf.RawInstruction, 0, n+len(epilogue))
	// The kernel's check_load_and_stores, run as we go: masks[pc] are the
	// cells written on every jump to pc, valid those written on the way
	// here. After a jump the kernel starts from "all written" and lets
	// masks narrow it.
	masks := make([]uint16, n+1)
	for i := range masks {
		masks[i] = 0xffff
	}
	valid := uint16(0)
	for pc := 0; pc < n; pc++ {
		valid &= masks[pc]
		left := n - pc - 1 // the farthest a jump may go: to the epilogue
		var in bpf.RawInstruction
		switch s.IntN(16) {
		case 0, 1, 2:
			in = ins(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, 0, 0, pick(s, dataOffsets))
		case 3:
			in = ins(pick(s, []uint16{unix.BPF_LD | unix.BPF_IMM, unix.BPF_LDX | unix.BPF_IMM}), 0, 0, genK(s))
		case 4:
			in = ins(pick(s, []uint16{unix.BPF_LD | unix.BPF_W | unix.BPF_LEN, unix.BPF_LDX | unix.BPF_W | unix.BPF_LEN,
				unix.BPF_MISC | unix.BPF_TAX, unix.BPF_MISC | unix.BPF_TXA, unix.BPF_ALU | unix.BPF_NEG}), 0, 0, 0)
		case 5, 6:
			op := pick(s, aluOps)
			k := genK(s)
			switch op {
			case unix.BPF_DIV:
				if k == 0 {
					k = 1
				}
			case unix.BPF_LSH, unix.BPF_RSH:
				k %= 32
			}
			in = ins(unix.BPF_ALU|op|unix.BPF_K, 0, 0, k)
		case 7, 8:
			op := pick(s, aluOps)
			if op == unix.BPF_DIV {
				op = unix.BPF_MUL // X may be 0, and that kills the thread
			}
			in = ins(unix.BPF_ALU|op|unix.BPF_X, 0, 0, 0)
		case 9:
			k := uint32(s.IntN(4))
			if s.Chance(1, 8) {
				k = uint32(s.IntN(16))
			}
			in = ins(pick(s, []uint16{unix.BPF_ST, unix.BPF_STX}), 0, 0, k)
			valid |= 1 << k
		case 10:
			k := uint32(s.IntN(16))
			for range 16 {
				if valid&(1<<k) != 0 {
					break
				}
				k = (k + 1) % 16
			}
			if valid&(1<<k) == 0 {
				in = ins(unix.BPF_MISC|unix.BPF_TXA, 0, 0, 0) // nothing to load
				break
			}
			in = ins(pick(s, []uint16{unix.BPF_LD | unix.BPF_MEM, unix.BPF_LDX | unix.BPF_MEM}), 0, 0, k)
		case 11, 12, 13:
			op := unix.BPF_JMP | pick(s, jumpOps) | pick(s, []uint16{unix.BPF_K, unix.BPF_X})
			jt, jf := uint8(s.IntN(left+1)), uint8(s.IntN(left+1))
			in = ins(op, jt, jf, genK(s))
			masks[pc+1+int(jt)] &= valid
			masks[pc+1+int(jf)] &= valid
			valid = 0xffff
		case 14:
			k := uint32(s.IntN(left + 1))
			in = ins(unix.BPF_JMP|unix.BPF_JA, 0, 0, k)
			masks[pc+1+int(k)] &= valid
			valid = 0xffff
		default:
			in = ins(unix.BPF_RET|unix.BPF_K, 0, 0, pick(s, retValues))
		}
		out = append(out, in)
	}
	return append(out, epilogue...)
}

func rawProgram(s *Source) []bpf.RawInstruction {
	n := 1 + s.IntN(16)
	out := make([]bpf.RawInstruction, 0, n)
	for i := range n {
		var code uint16
		switch s.IntN(16) {
		case 0:
			code = pick(s, classicOnly)
		case 1:
			code = uint16(s.Uint32())
		default:
			code = pick(s, seccompCodes)
		}
		// Mostly inside the program, sometimes one past its end.
		reach := n - i
		if s.Chance(1, 8) {
			reach++
		}
		jt, jf := uint8(s.IntN(reach)), uint8(s.IntN(reach))
		k := rawK(s, code, n-i)
		out = append(out, ins(code, jt, jf, k))
	}
	if s.Chance(3, 4) {
		out = append(out, ins(unix.BPF_RET|unix.BPF_K, 0, 0, pick(s, rawRetValues)))
	}
	return out
}

// rawK returns a constant for code that is mostly valid for it, and now
// and then one that is not (or just random).
func rawK(s *Source, code uint16, left int) uint32 {
	if s.Chance(1, 8) {
		return genK(s)
	}
	switch code {
	case unix.BPF_ST, unix.BPF_STX, unix.BPF_LD | unix.BPF_MEM, unix.BPF_LDX | unix.BPF_MEM:
		return uint32(s.IntN(17))
	case unix.BPF_LD | unix.BPF_W | unix.BPF_ABS:
		if s.Chance(1, 4) {
			return uint32(s.IntN(68))
		}
		return 4 * uint32(s.IntN(16))
	case unix.BPF_ALU | unix.BPF_LSH | unix.BPF_K, unix.BPF_ALU | unix.BPF_RSH | unix.BPF_K:
		return uint32(s.IntN(33))
	case unix.BPF_ALU | unix.BPF_DIV | unix.BPF_K:
		return uint32(s.IntN(5))
	case unix.BPF_RET | unix.BPF_K:
		return pick(s, rawRetValues)
	case unix.BPF_JMP | unix.BPF_JA:
		return uint32(s.IntN(left + 1))
	}
	return genK(s)
}
