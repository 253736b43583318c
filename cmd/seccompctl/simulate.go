package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/bpf"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/syscalls"
)

func init() {
	register(command{name: "simulate", summary: "show what a profile or program does with one syscall", run: runSimulate})
}

type simulation struct {
	Arch     string   `json:"arch"`
	Syscall  string   `json:"syscall,omitempty"`
	Nr       int32    `json:"nr"`
	Args     []uint64 `json:"args"`
	Action   string   `json:"action"`
	Reason   string   `json:"reason,omitempty"`
	Rules    []string `json:"rules,omitempty"`
	Executed int      `json:"executed"`
	Agrees   *bool    `json:"agreesWithReference,omitempty"`
}

func runSimulate(e *env) int {
	var tf targetFlags
	fs := newFlagSet(e, "simulate", "[flags] PROFILE.json|PROG.bpf SYSCALL [ARG...]")
	tf.registerAs(fs, "native")
	abi := fs.String("arch", "", "architecture of the calling process (default: the native one; may be a sub-architecture such as x86 or x32)")
	output := fs.String("output", "text", "text or json")
	if status, ok := parseFlags(e, fs); !ok {
		return status
	}
	if fs.NArg() < 2 || fs.NArg() > 8 {
		fs.Usage()
		return exitInput
	}
	tg, err := tf.target()
	if err != nil {
		return e.errorf(exitInput, "%v", err)
	}
	native := tg.Arch
	if native == arch.Unknown {
		native = arch.Native()
	}
	a := native
	if *abi != "" {
		if a, err = arch.Parse(*abi); err != nil {
			return e.errorf(exitInput, "--arch: %v", err)
		}
		if tf.arch == "" && a != native && !slices.Contains(arch.DefaultSubArches(native), a) {
			native = a // simulating another machine
		}
	}
	tg.Arch = native
	nr, name, err := parseSyscallArg(a, fs.Arg(1))
	if err != nil {
		return e.errorf(exitInput, "%v", err)
	}
	var args [6]uint64
	for i, s := range fs.Args()[2:] {
		v, err := strconv.ParseUint(s, 0, 64)
		if err != nil {
			iv, ierr := strconv.ParseInt(s, 0, 64)
			if ierr != nil {
				return e.errorf(exitInput, "argument %d: %q is not a number", i, s)
			}
			v = uint64(iv)
		}
		args[i] = v
	}
	sim := simulation{Arch: a.String(), Syscall: name, Nr: nr, Args: args[:]}
	d := compile.Data{Nr: nr, Arch: a.Audit(), Args: args}

	file := fs.Arg(0)
	var ref *profile.Action // the reference decision, for a profile
	var insns []bpf.RawInstruction
	var order binary.ByteOrder = binary.LittleEndian
	if native.BigEndian() {
		order = binary.BigEndian
	}
	if strings.HasSuffix(file, ".bpf") || strings.HasSuffix(file, ".raw") {
		if insns, err = readProgram(e, file, native); err != nil {
			return e.errorf(exitInput, "%v", err)
		}
	} else {
		p, pol, err := loadPolicy(file, tg)
		if err != nil {
			return e.errorf(exitInput, "%v", err)
		}
		prog, err := compile.Compile(pol, compile.DefaultOptions)
		if err != nil {
			return e.errorf(exitInput, "%s: %v", file, err)
		}
		insns = prog.Insns
		why := pol.Explain(a.Audit(), nr, args)
		sim.Reason = why.Reason
		if why.Syscall != nil {
			for _, i := range why.Syscall.Rules {
				s := p.Syscalls[i]
				sim.Rules = append(sim.Rules, fmt.Sprintf("%s:%s: syscalls[%d] %s", file, s.Pos, i, s.Action))
			}
		}
		ref = &why.Action
	}
	res, err := compile.Emulate(insns, d, order)
	if err != nil {
		return e.errorf(exitInput, "%s: %v", file, err)
	}
	sim.Action, sim.Executed = res.Action.String(), res.Executed
	if ref != nil {
		agrees := res.Action == *ref
		sim.Agrees = &agrees
		if !agrees {
			// Never expected: the compiler is tested against Decide.
			fmt.Fprintf(e.stderr, "seccompctl: internal error: the compiled program returns %v, the reference semantics %v\n", res.Action, *ref)
			printSimulation(e, &sim, *output)
			return exitFinding
		}
	}
	return printSimulation(e, &sim, *output)
}

func printSimulation(e *env, sim *simulation, output string) int {
	if output == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(sim); err != nil {
			return e.errorf(exitInput, "%v", err)
		}
		return exitOK
	}
	call := sim.Syscall
	if call == "" {
		call = fmt.Sprintf("syscall %d", sim.Nr)
	}
	fmt.Fprintf(e.stdout, "%s %s(%#x, %#x, %#x, %#x, %#x, %#x): %s\n", sim.Arch, call,
		sim.Args[0], sim.Args[1], sim.Args[2], sim.Args[3], sim.Args[4], sim.Args[5], sim.Action)
	if sim.Reason != "" {
		fmt.Fprintf(e.stdout, "  why: %s\n", sim.Reason)
	}
	for _, r := range sim.Rules {
		fmt.Fprintf(e.stdout, "  rule: %s\n", r)
	}
	fmt.Fprintf(e.stdout, "  instructions executed: %d\n", sim.Executed)
	return exitOK
}

// parseSyscallArg accepts a syscall name or number for architecture a.
func parseSyscallArg(a arch.Arch, s string) (int32, string, error) {
	if n, err := strconv.ParseInt(s, 0, 64); err == nil {
		name, _ := syscalls.Name(a, int(n))
		return int32(n), name, nil
	}
	nr, ok := syscalls.Number(a, s)
	if !ok {
		return 0, "", fmt.Errorf("unknown syscall %q on %s", s, a)
	}
	return int32(nr), s, nil
}
