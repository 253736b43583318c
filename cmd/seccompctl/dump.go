package main

import (
	"bufio"
	"encoding/binary"
	"fmt"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/loader"
)

func init() {
	register(command{name: "dump", summary: "print the seccomp filters of a running process", run: runDump})
}

const dumpUsage = `--pid N [--format text|raw|base64|go|c] [--index I]

Read the seccomp filters of process N back from the kernel
(PTRACE_SECCOMP_GET_FILTER) and print them: as text, a disassembly naming
syscalls, one filter after the other, oldest first (the kernel runs them
newest first; the most restrictive answer wins); in the other formats one
filter, chosen with --index when there are several.

Needs CAP_SYS_ADMIN, ptrace access to N, and a seccompctl that is not itself
under seccomp (so not inside a container with a seccomp profile). The
process is stopped for the moment of reading.

`

func runDump(e *env) int {
	fs := newFlagSet(e, "dump", dumpUsage)
	pid := fs.Int("pid", 0, "process whose filters to read (its main thread)")
	format := fs.String("format", "text", "output format: text, raw, base64, go, c")
	index := fs.Int("index", -1, "the filter to print, 0 being the oldest (default: all for text, the only one otherwise)")
	if status, ok := parseFlags(e, fs); !ok {
		return status
	}
	if fs.NArg() != 0 || *pid <= 0 {
		fs.Usage()
		return exitInput
	}
	f, err := compile.ParseFormat(*format)
	if err != nil {
		return e.errorf(exitInput, "dump: --format: %v", err)
	}
	filters, err := loader.Dump(*pid)
	if err != nil {
		return e.errorf(exitInput, "dump: %v", err)
	}
	if *index >= 0 {
		if *index >= len(filters) {
			return e.errorf(exitInput, "dump: --index %d: pid %d has %d filter(s)", *index, *pid, len(filters))
		}
		filters = filters[*index : *index+1]
	}

	w := bufio.NewWriter(e.stdout)
	if f == compile.FormatText {
		if len(filters) == 0 {
			fmt.Fprintf(w, "# pid %d has no seccomp filters\n", *pid)
		}
		order := binary.ByteOrder(binary.LittleEndian)
		if arch.Native().BigEndian() {
			order = binary.BigEndian
		}
		for i, d := range filters {
			if i > 0 {
				fmt.Fprintln(w)
			}
			flags := ""
			if d.Flags != 0 {
				flags = ", flags " + d.Flags.String()
			}
			fmt.Fprintf(w, "# pid %d filter %d: %d instructions%s, architectures %v\n", *pid, d.Index, len(d.Program.Insns), flags, d.Program.Arches)
			fmt.Fprint(w, compile.Disassemble(d.Program.Insns, compile.DisasmOptions{Order: order, Arches: d.Program.Arches}))
		}
	} else {
		switch len(filters) {
		case 0:
			return e.errorf(exitInput, "dump: pid %d has no seccomp filters", *pid)
		case 1:
		default:
			return e.errorf(exitInput, "dump: pid %d has %d filters; choose one with --index for --format %v", *pid, len(filters), f)
		}
		if err := filters[0].Program.Export(w, f); err != nil {
			return e.errorf(exitInput, "dump: %v", err)
		}
	}
	if err := w.Flush(); err != nil {
		return e.errorf(exitInput, "dump: writing output: %v", err)
	}
	return exitOK
}
