package compile

import (
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/syscalls"
)

// DisasmOptions tunes Disassemble.
type DisasmOptions struct {
	// Order is the byte order of seccomp_data. It decides which word of a
	// 64-bit field a load reads: on little-endian args[i] has its low word
	// at 16+8i, on big-endian its high word. Nil means little-endian.
	Order binary.ByteOrder
	// Arches are the architectures the program is for. Syscall numbers are
	// named only where the control flow pins down one architecture's table
	// (or several that agree); nil means every known architecture.
	Arches []arch.Arch
	// Raw prefixes each line with the encoded instruction: code, jt, jf, k
	// in hex.
	Raw bool
}

// DefaultDisasmOptions: little-endian, any architecture, no raw encoding.
var DefaultDisasmOptions = DisasmOptions{}

// Format makes Program a fmt.Formatter: %v and %s print the disassembly
// (with the program's byte order and architectures), %+v adds the raw
// encoding of each instruction.
func (p *Program) Format(f fmt.State, verb rune) {
	if p == nil {
		_, _ = io.WriteString(f, "<nil>")
		return
	}
	switch verb {
	case 'v', 's':
		opts := DisasmOptions{Arches: p.Arches, Raw: f.Flag('+')}
		if order, err := p.byteOrder(); err == nil {
			opts.Order = order
		}
		_, _ = io.WriteString(f, Disassemble(p.Insns, opts))
	default:
		_, _ = fmt.Fprintf(f, "%%!%c(*compile.Program=%d instructions)", verb, len(p.Insns))
	}
}

// Disassemble prints insns one instruction per line: index, mnemonic,
// operands, absolute jump targets, and where it can a symbolic reading of
// the constants ("ld args[2].hi", "jeq #SCMP_ARCH_X86_64", "jeq #openat",
// "ret ERRNO(1)") with the raw number in a trailing comment. It accepts any
// instructions, including ones Verify rejects, which it marks as invalid.
//
// To name syscalls it follows the control flow forward and keeps, for each
// instruction, which value A holds (nr, arch, an argument word, ...) and
// which architectures can reach it: a "jeq #AUDIT_ARCH_X86_64" narrows the
// true branch to x86_64 and x32, and a test of bit 30 of nr (jge
// #0x40000000, jgt #0x3fffffff or jset #0x40000000) splits those two.
func Disassemble(insns []bpf.RawInstruction, opts DisasmOptions) string {
	order := opts.Order
	if order == nil {
		order = binary.LittleEndian
	}
	states := flowStates(insns, opts.Arches)
	width := len(strconv.Itoa(max(len(insns)-1, 0)))
	var b strings.Builder
	for i, ins := range insns {
		mn, ops, comment := disasmInsn(i, ins, states[i], order)
		line := fmt.Sprintf("%*d: ", width, i)
		if opts.Raw {
			line += fmt.Sprintf("%04x %02x %02x %08x  ", ins.Op, ins.Jt, ins.Jf, ins.K)
		}
		line += fmt.Sprintf("%-4s %s", mn, ops)
		if comment != "" {
			line = fmt.Sprintf("%-*s ; %s", width+2+rawWidth(opts.Raw)+44, line, comment)
		}
		b.WriteString(strings.TrimRight(line, " "))
		b.WriteByte('\n')
	}
	return b.String()
}

func rawWidth(raw bool) int {
	if raw {
		return len("0000 00 00 00000000  ")
	}
	return 0
}

// aKind is what the disassembler knows about register A.
type aKind uint8

const (
	aUnknown aKind = iota
	aNr
	aArch
	aOther // a load of another seccomp_data word, a constant, ...
)

// flowState is what reaches one instruction.
type flowState struct {
	reached bool
	a       aKind
	arches  uint64 // bit i: arch.Arch(i) may be running
}

func (s *flowState) merge(in flowState) {
	if !s.reached {
		*s = in
		return
	}
	s.arches |= in.arches
	if s.a != in.a {
		s.a = aUnknown
	}
}

// flowStates runs the forward data flow. Classic BPF only jumps forward, so
// one pass in index order sees every predecessor before its successor.
func flowStates(insns []bpf.RawInstruction, arches []arch.Arch) []flowState {
	var all uint64
	if len(arches) == 0 {
		arches = arch.All()
	}
	for _, a := range arches {
		if a.Valid() {
			all |= 1 << a
		}
	}
	states := make([]flowState, len(insns))
	if len(insns) == 0 {
		return states
	}
	states[0] = flowState{reached: true, arches: all}
	flow := func(to int, s flowState) {
		if to >= 0 && to < len(states) {
			states[to].merge(s)
		}
	}
	for i, ins := range insns {
		s := states[i]
		if !s.reached {
			continue
		}
		switch {
		case ins.Op == codeRetK || ins.Op == codeRetA:
			continue
		case ins.Op == codeJa:
			flow(i+1+int(ins.K), s)
			continue
		case isCondJump(ins.Op):
			t, f := s, s
			if ins.Op&unix.BPF_X == 0 {
				t.arches, f.arches = narrow(s, ins)
			}
			flow(i+1+int(ins.Jt), t)
			flow(i+1+int(ins.Jf), f)
			continue
		case ins.Op == codeLdAbsW:
			switch ins.K {
			case 0:
				s.a = aNr
			case 4:
				s.a = aArch
			default:
				s.a = aOther
			}
		case ins.Op&0x07 == unix.BPF_LD, ins.Op&0x07 == unix.BPF_ALU, ins.Op == codeTxa:
			s.a = aOther
		}
		flow(i+1, s)
	}
	return states
}

// narrow returns the architectures that can take the true and the false
// branch of a conditional jump with a constant operand.
func narrow(s flowState, ins bpf.RawInstruction) (t, f uint64) {
	t, f = s.arches, s.arches
	switch s.a {
	case aArch:
		if ins.Op != codeJeqK {
			return
		}
		var match uint64
		for _, a := range arch.FromAudit(ins.K) {
			match |= 1 << a
		}
		return s.arches & match, s.arches &^ match
	case aNr:
		if isX32Split(ins) {
			return s.arches &^ (1 << arch.X86_64), s.arches &^ (1 << arch.X32)
		}
	}
	return
}

// isX32Split reports whether ins tests bit 30 of nr, true meaning x32.
func isX32Split(ins bpf.RawInstruction) bool {
	switch ins.Op {
	case codeJgeK, codeJsetK:
		return ins.K == arch.X32SyscallBit
	case codeJgtK:
		return ins.K == arch.X32SyscallBit-1
	}
	return false
}

var aluNames = map[uint16]string{
	unix.BPF_ADD: "add", unix.BPF_SUB: "sub", unix.BPF_MUL: "mul", unix.BPF_DIV: "div",
	unix.BPF_MOD: "mod", unix.BPF_AND: "and", unix.BPF_OR: "or", unix.BPF_XOR: "xor",
	unix.BPF_LSH: "lsh", unix.BPF_RSH: "rsh",
}

var jumpNames = map[uint16]string{
	unix.BPF_JEQ: "jeq", unix.BPF_JGT: "jgt", unix.BPF_JGE: "jge", unix.BPF_JSET: "jset",
}

// disasmInsn returns the mnemonic, operands and comment of one instruction.
func disasmInsn(i int, ins bpf.RawInstruction, s flowState, order binary.ByteOrder) (mn, ops, comment string) {
	k := ins.K
	if classOf(ins.Op) != codeSeccomp {
		return ".insn", fmt.Sprintf("0x%02x, %d, %d, %#x", ins.Op, ins.Jt, ins.Jf, k),
			"invalid: " + invalidWhy(ins.Op)
	}
	switch ins.Op {
	case codeLdAbsW:
		if k >= sizeofSeccompData || k&3 != 0 {
			return "ld", fmt.Sprintf("[%d]", k), "invalid: not an aligned seccomp_data word"
		}
		return "ld", fieldName(k, order), ""
	case codeLdLen:
		return "ld", "len", "64"
	case codeLdxLen:
		return "ldx", "len", "64"
	case codeLdImm:
		return "ld", imm(k), ""
	case codeLdxImm:
		return "ldx", imm(k), ""
	case codeLdMem:
		return "ld", fmt.Sprintf("M[%d]", k), ""
	case codeLdxMem:
		return "ldx", fmt.Sprintf("M[%d]", k), ""
	case codeSt:
		return "st", fmt.Sprintf("M[%d]", k), ""
	case codeStx:
		return "stx", fmt.Sprintf("M[%d]", k), ""
	case codeTax:
		return "tax", "", ""
	case codeTxa:
		return "txa", "", ""
	case codeNeg:
		return "neg", "", ""
	case codeRetA:
		return "ret", "a", ""
	case codeRetK:
		ops, comment := retText(k)
		return "ret", ops, comment
	case codeJa:
		return "ja", strconv.Itoa(i + 1 + int(k)), ""
	}
	if isCondJump(ins.Op) {
		mn := jumpNames[ins.Op&0xf0]
		operand := "x"
		if ins.Op&unix.BPF_X == 0 {
			operand = imm(k)
			if sym, ok := symbol(ins, s); ok {
				operand, comment = "#"+sym, numText(k)
			}
		}
		return mn, fmt.Sprintf("%-20s jt %d  jf %d", operand, i+1+int(ins.Jt), i+1+int(ins.Jf)), comment
	}
	// ALU with K or X.
	mn = aluNames[ins.Op&0xf0]
	if ins.Op&unix.BPF_X != 0 {
		return mn, "x", ""
	}
	return mn, imm(k), ""
}

// symbol names the constant of a conditional jump when A is known to hold
// the arch or the syscall number.
func symbol(ins bpf.RawInstruction, s flowState) (string, bool) {
	switch s.a {
	case aArch:
		if as := arch.FromAudit(ins.K); len(as) > 0 && ins.Op == codeJeqK {
			return as[0].String(), true
		}
	case aNr:
		if ins.Op == codeJsetK || isX32Split(ins) {
			return "", false
		}
		name := ""
		for a := range arch.Arch(64) {
			if s.arches&(1<<a) == 0 {
				continue
			}
			n, ok := syscalls.Name(a, int(int32(ins.K)))
			if !ok {
				continue
			}
			if name != "" && n != name {
				return "", false // the possible architectures disagree
			}
			name = n
		}
		return name, name != ""
	}
	return "", false
}

func retText(k uint32) (string, string) {
	act := profile.Action(k)
	s := act.String()
	if !strings.HasPrefix(s, "SCMP_ACT_") {
		return imm(k), "unknown action"
	}
	name := strings.TrimPrefix(s, "SCMP_ACT_")
	if act.Kind() == profile.ActAllow || act.Kind() == profile.ActLog ||
		act.Kind() == profile.ActNotify || act.Kind() == profile.ActKillThread ||
		act.Kind() == profile.ActKillProcess {
		if act.Data() != 0 {
			// The kernel ignores data on these; show it anyway.
			name += fmt.Sprintf("(data %d)", act.Data())
		}
	}
	return name, ""
}

// fieldName names the seccomp_data word at offset k (4-byte aligned, < 64).
func fieldName(k uint32, order binary.ByteOrder) string {
	switch k {
	case 0:
		return "nr"
	case 4:
		return "arch"
	}
	// For a 64-bit field, the word at the field's offset is its low half
	// on little-endian and its high half on big-endian.
	half := ".lo"
	if (k%8 == 0) == isBigEndian(order) {
		half = ".hi"
	}
	if k < 16 {
		return "ip" + half
	}
	return fmt.Sprintf("args[%d]%s", (k-16)/8, half)
}

func imm(k uint32) string { return "#" + numText(k) }

// numText prints small numbers in decimal and large ones (masks, actions,
// audit values) in hex.
func numText(k uint32) string {
	if k < 4096 {
		return strconv.FormatUint(uint64(k), 10)
	}
	return fmt.Sprintf("%#x", k)
}

func invalidWhy(code uint16) string {
	if classOf(code) == codeClassic {
		return classicName(code) + " is not allowed in seccomp filters"
	}
	return "unknown instruction code"
}

func isBigEndian(order binary.ByteOrder) bool {
	return order.Uint16([]byte{0, 1}) == 1
}
