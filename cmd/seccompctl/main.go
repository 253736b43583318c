// Command seccompctl compiles, checks, simulates, installs and distributes
// seccomp profiles in the OCI/Docker JSON format.
//
// Each subcommand lives in its own file and registers itself in init with
// register; main only dispatches. Exit status: 0 ok, 1 a finding (or, for
// exec, whatever the command returns), 2 bad usage or invalid input.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// Exit statuses shared by every subcommand.
const (
	exitOK      = 0
	exitFinding = 1
	exitInput   = 2
)

// env is what a subcommand may touch: its arguments and standard streams.
// Tests run subcommands in-process with buffers in place of the streams.
type env struct {
	ctx    context.Context
	args   []string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// errorf prints one line on stderr, prefixed with the program name, and
// returns status so callers can write `return e.errorf(exitInput, ...)`.
func (e *env) errorf(status int, format string, a ...any) int {
	fmt.Fprintf(e.stderr, "seccompctl: "+format+"\n", a...)
	return status
}

type command struct {
	name    string
	summary string
	run     func(e *env) int
}

var commands = map[string]command{}

func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("seccompctl: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: seccompctl COMMAND [OPTIONS] [ARGS]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'seccompctl COMMAND -h' for a command's options.")
}

// run dispatches args (without the program name) and returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitInput
	}
	switch args[0] {
	case "-h", "--help", "help":
		usage(stdout)
		return exitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "seccompctl: unknown command %q\n", args[0])
		usage(stderr)
		return exitInput
	}
	return c.run(&env{ctx: ctx, args: args[1:], stdin: stdin, stdout: stdout, stderr: stderr})
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	status := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(status)
}
