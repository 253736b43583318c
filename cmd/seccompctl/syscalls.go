package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/syscalls"
)

func init() {
	register(command{name: "syscalls", summary: "look up syscall numbers and names per architecture", run: runSyscalls})
}

const syscallsUsage = `usage: seccompctl syscalls [--arch ARCH] [NAME|NUMBER...]

Without arguments, print the syscall table of ARCH as NUMBER<TAB>NAME lines
sorted by number. With arguments, print one answer per known argument, like
scmp_sys_resolver: the number of a NAME, the name of a NUMBER (decimal or
0x hex). Numbers include ABI offsets (mips o32 4000+, x32 0x40000000+).
Exit status 1 if an argument is unknown on ARCH (the others are still
printed), 2 on bad usage.

`

// runSyscalls implements `seccompctl syscalls`.
func runSyscalls(e *env) int {
	fs := flag.NewFlagSet("syscalls", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	archFlag := fs.String("arch", "", "architecture: an SCMP_ARCH_* name, libseccomp short name, GOARCH or uname -m (default: this machine's)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), syscallsUsage)
		fs.PrintDefaults()
	}
	if status, ok := parseFlags(e, fs); !ok {
		return status
	}

	a := arch.Native()
	if *archFlag != "" {
		var err error
		if a, err = arch.Parse(*archFlag); err != nil {
			return e.errorf(exitInput, "syscalls: --arch: %v", err)
		}
	} else if a == arch.Unknown {
		return e.errorf(exitInput, "syscalls: this machine has no seccomp architecture; use --arch")
	}

	w := bufio.NewWriter(e.stdout)
	status := exitOK
	if fs.NArg() == 0 {
		for _, s := range syscalls.Table(a) {
			fmt.Fprintf(w, "%d\t%s\n", s.Nr, s.Name)
		}
	}
	for _, arg := range fs.Args() {
		answer, st := resolveSyscall(e, a, arg)
		if st != exitOK {
			status = max(status, st)
			continue
		}
		fmt.Fprintln(w, answer)
	}
	if err := w.Flush(); err != nil {
		return e.errorf(exitInput, "syscalls: writing output: %v", err)
	}
	return status
}

// resolveSyscall answers one argument: a number for a name, a name for a
// number. On failure it prints the reason and returns a non-zero status.
func resolveSyscall(e *env, a arch.Arch, arg string) (string, int) {
	if arg != "" && arg[0] >= '0' && arg[0] <= '9' {
		nr, err := parseSyscallNr(arg)
		if err != nil {
			return "", e.errorf(exitInput, "syscalls: %q: not a syscall number (want decimal or 0x hex)", arg)
		}
		if name, ok := syscalls.Name(a, nr); ok {
			return name, exitOK
		}
		hint := ""
		if a == arch.X86_64 && nr&arch.X32SyscallBit != 0 {
			hint = " (x32 numbers: --arch x32)"
		}
		return "", e.errorf(exitFinding, "syscalls: %s: no syscall with this number on %v%s", arg, a, hint)
	}
	if nr, ok := syscalls.Number(a, arg); ok {
		return strconv.Itoa(nr), exitOK
	}
	if !syscalls.Known(arg) {
		return "", e.errorf(exitFinding, "syscalls: %q: unknown syscall", arg)
	}
	var on []string
	for _, other := range arch.All() {
		if _, ok := syscalls.Number(other, arg); ok {
			on = append(on, other.ShortName())
		}
	}
	return "", e.errorf(exitFinding, "syscalls: %q: not a syscall on %v (it is on %s)", arg, a, strings.Join(on, ", "))
}

// parseSyscallNr accepts decimal and 0x-prefixed hex; a leading 0 does not
// mean octal, so "010" is ten, as scmp_sys_resolver reads it.
func parseSyscallNr(s string) (int, error) {
	base := 10
	if rest, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		s, base = rest, 16
	}
	// 32 bits: seccomp_data.nr is an int; anything larger is no syscall, but
	// still a well-formed number, so it is looked up (and not found).
	n, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		var numErr *strconv.NumError
		if errors.As(err, &numErr) && errors.Is(numErr.Err, strconv.ErrRange) {
			return -1, nil
		}
		return 0, err
	}
	if n > 1<<31-1 {
		return -1, nil
	}
	return int(n), nil
}
