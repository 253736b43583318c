package compile

import (
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
)

// Data is struct seccomp_data, what a filter sees of one system call.
type Data struct {
	// Nr is the system call number (with __X32_SYSCALL_BIT for x32).
	Nr int32
	// Arch is the AUDIT_ARCH_* value of the calling convention.
	Arch uint32
	// InstructionPointer is the address of the system call instruction.
	InstructionPointer uint64
	// Args are the six argument registers, zero-extended to 64 bits.
	Args [6]uint64
}

// Bytes lays d out as the kernel does in memory on an architecture with
// the given byte order: nr at 0, arch at 4, instruction_pointer at 8 and
// args[i] at 16+8i, each field in that byte order. On a little-endian
// machine the low word of a 64-bit field is at its offset and the high
// word at +4; on a big-endian machine it is the other way round.
func (d Data) Bytes(order binary.ByteOrder) [sizeofSeccompData]byte {
	var b [sizeofSeccompData]byte
	order.PutUint32(b[0:], uint32(d.Nr))
	order.PutUint32(b[4:], d.Arch)
	order.PutUint64(b[8:], d.InstructionPointer)
	for i, a := range d.Args {
		order.PutUint64(b[16+8*i:], a)
	}
	return b
}

// words returns the 32-bit words a BPF_LD|BPF_W|BPF_ABS at offset 4*i
// reads from d.Bytes(order), computed without the byte detour (and without
// the allocations calls through a ByteOrder interface cost).
func (d Data) words(bigEndian bool) [sizeofSeccompData / 4]uint32 {
	var w [sizeofSeccompData / 4]uint32
	w[0], w[1] = uint32(d.Nr), d.Arch
	put64 := func(i int, v uint64) {
		hi, lo := uint32(v>>32), uint32(v)
		if bigEndian {
			w[i], w[i+1] = hi, lo
		} else {
			w[i], w[i+1] = lo, hi
		}
	}
	put64(2, d.InstructionPointer)
	for i, a := range d.Args {
		put64(4+2*i, a)
	}
	return w
}

// Result is the outcome of running a filter on one seccomp_data.
type Result struct {
	// Action is the filter's 32-bit return value.
	Action profile.Action
	// Executed counts the instructions run, including the final return.
	// When a division by X = 0 ends the program (it returns 0, i.e.
	// KILL_THREAD, as the kernel does) the division is the last one
	// counted.
	Executed int
	// ReadArgs reports that the path taken loaded a word past nr and arch
	// (the instruction pointer or an argument). If it did not, every
	// seccomp_data with the same nr and arch takes the same path.
	ReadArgs bool
}

// Emulator runs one verified program. Creating it verifies the program
// once, so Run cannot fail; use it to run a program on many inputs.
type Emulator struct {
	insns     []bpf.RawInstruction
	bigEndian bool
}

// NewEmulator verifies insns (see Verify) and returns an emulator that
// lays out seccomp_data in the given byte order.
func NewEmulator(insns []bpf.RawInstruction, order binary.ByteOrder) (*Emulator, error) {
	if order == nil {
		return nil, errors.New("compile: NewEmulator: nil byte order")
	}
	if err := Verify(insns); err != nil {
		return nil, err
	}
	// A private copy: a caller changing its slice later must not make Run
	// index past a jump the verifier checked.
	return &Emulator{
		insns:     append([]bpf.RawInstruction(nil), insns...),
		bigEndian: isBigEndian(order),
	}, nil
}

// Emulate runs insns on d the way the kernel's seccomp runs a filter,
// with seccomp_data laid out in the given byte order. It returns an error,
// and runs nothing, for a program Verify rejects.
func Emulate(insns []bpf.RawInstruction, d Data, order binary.ByteOrder) (Result, error) {
	e, err := NewEmulator(insns, order)
	if err != nil {
		return Result{}, err
	}
	return e.Run(d), nil
}

// Run runs the program on d with seccomp_data in the byte order of the
// program's first architecture.
func (p *Program) Run(d Data) (Result, error) {
	order, err := p.byteOrder()
	if err != nil {
		return Result{}, err
	}
	return Emulate(p.Insns, d, order)
}

// byteOrder is the order seccomp_data has for the program's architectures.
// The kernel never mixes orders in one filter and neither does libseccomp
// (EDOM), so the first architecture decides.
func (p *Program) byteOrder() (binary.ByteOrder, error) {
	if len(p.Arches) == 0 {
		return nil, fmt.Errorf("%w: program has no architecture, so its byte order is unknown", ErrInvalidProgram)
	}
	return orderOf(p.Arches[0])
}

func orderOf(a arch.Arch) (binary.ByteOrder, error) {
	if !a.Valid() {
		return nil, fmt.Errorf("%w: %v", arch.ErrUnknown, a)
	}
	if a.BigEndian() {
		return binary.BigEndian, nil
	}
	return binary.LittleEndian, nil
}

// Run executes the program on d. The semantics are those of the kernel
// after bpf_convert_filter turned the classic program into eBPF
// (net/core/filter.c): A and X start at 0; ALU operations are 32-bit and
// unsigned; a shift by X uses the low 5 bits of X (the eBPF interpreter
// and JITs mask 32-bit shift counts); BPF_DIV by X = 0 ends the program
// with return value 0; the LEN loads yield sizeof(struct seccomp_data).
func (e *Emulator) Run(d Data) Result {
	data := d.words(e.bigEndian)
	var (
		a, x uint32
		mem  [memWords]uint32
		pc   int
		n    int
		args bool
	)
	for {
		ins := e.insns[pc]
		n++
		pc++
		switch ins.Op {
		case codeLdAbsW:
			a = data[ins.K/4]
			args = args || ins.K >= 8
		case codeLdLen:
			a = sizeofSeccompData
		case codeLdxLen:
			x = sizeofSeccompData
		case codeLdImm:
			a = ins.K
		case codeLdxImm:
			x = ins.K
		case codeLdMem:
			a = mem[ins.K]
		case codeLdxMem:
			x = mem[ins.K]
		case codeSt:
			mem[ins.K] = a
		case codeStx:
			mem[ins.K] = x
		case codeTax:
			x = a
		case codeTxa:
			a = x
		case codeNeg:
			a = -a
		case codeRetK:
			return Result{Action: profile.Action(ins.K), Executed: n, ReadArgs: args}
		case codeRetA:
			return Result{Action: profile.Action(a), Executed: n, ReadArgs: args}
		case codeJa:
			pc += int(ins.K)
		case codeJeqK, codeJeqX, codeJgtK, codeJgtX, codeJgeK, codeJgeX, codeJsetK, codeJsetX:
			operand := ins.K
			if ins.Op&unix.BPF_X != 0 {
				operand = x
			}
			var taken bool
			switch ins.Op &^ unix.BPF_X {
			case codeJeqK:
				taken = a == operand
			case codeJgtK:
				taken = a > operand
			case codeJgeK:
				taken = a >= operand
			case codeJsetK:
				taken = a&operand != 0
			}
			if taken {
				pc += int(ins.Jt)
			} else {
				pc += int(ins.Jf)
			}
		default:
			// Verify admitted only the ALU codes of seccompALUOps.
			operand := ins.K
			if ins.Op&unix.BPF_X != 0 {
				operand = x
			}
			switch ins.Op & 0xf0 {
			case unix.BPF_ADD:
				a += operand
			case unix.BPF_SUB:
				a -= operand
			case unix.BPF_MUL:
				a *= operand
			case unix.BPF_DIV:
				if operand == 0 {
					return Result{Action: 0, Executed: n, ReadArgs: args}
				}
				a /= operand
			case unix.BPF_AND:
				a &= operand
			case unix.BPF_OR:
				a |= operand
			case unix.BPF_XOR:
				a ^= operand
			case unix.BPF_LSH:
				a <<= operand & 31
			case unix.BPF_RSH:
				a >>= operand & 31
			}
		}
	}
}
