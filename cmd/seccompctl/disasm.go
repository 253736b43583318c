package main

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/net/bpf"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
)

func init() {
	register(command{name: "disasm", summary: "disassemble a raw seccomp BPF program", run: runDisasm})
}

// maxProgramFile is the largest raw program file read: BPF_MAXINSNS
// instructions of 8 bytes.
const maxProgramFile = compile.KernelMaxInsns * 8

// readProgram reads a raw struct sock_filter array from a file (or - for
// standard input), refusing anything larger than the kernel would take.
func readProgram(e *env, path string, a arch.Arch) ([]bpf.RawInstruction, error) {
	data, err := readInput(e, path, maxProgramFile)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > maxProgramFile {
		return nil, fmt.Errorf("%s: larger than %d bytes (%d instructions), the most a seccomp program can have", path, maxProgramFile, compile.KernelMaxInsns)
	}
	var order binary.ByteOrder = binary.LittleEndian
	if a.BigEndian() {
		order = binary.BigEndian
	}
	insns, err := compile.ParseRawOrder(data, order)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return insns, nil
}

func runDisasm(e *env) int {
	fs := newFlagSet(e, "disasm", "[--arch A] PROG.bpf")
	archName := fs.String("arch", "", "architecture the program is for (names syscalls; default: this machine's)")
	if status, ok := parseFlags(e, fs); !ok {
		return status
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitInput
	}
	a := arch.Native()
	if *archName != "" {
		var err error
		if a, err = arch.Parse(*archName); err != nil {
			return e.errorf(exitInput, "--arch: %v", err)
		}
	}
	insns, err := readProgram(e, fs.Arg(0), a)
	if err != nil {
		return e.errorf(exitInput, "%v", err)
	}
	if err := compile.Verify(insns); err != nil {
		fmt.Fprintf(e.stderr, "seccompctl: warning: %s: the kernel would refuse this program: %v\n", fs.Arg(0), err)
	}
	opts := compile.DefaultDisasmOptions
	opts.Arches = append([]arch.Arch{a}, arch.DefaultSubArches(a)...)
	opts.Order = binary.LittleEndian
	if a.BigEndian() {
		opts.Order = binary.BigEndian
	}
	fmt.Fprint(e.stdout, compile.Disassemble(insns, opts))
	return exitOK
}
