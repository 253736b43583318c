package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/loader"
)

func init() {
	register(command{name: "exec", summary: "install a seccomp filter and execve a command (an exec shim / ENTRYPOINT)", run: runExec})
}

// exitExecFailed is what container tools (docker run, podman run) return
// when they fail before the command runs.
const exitExecFailed = 125

const execUsage = `(--profile PROFILE.json | --bpf PROG.bpf) [flags] -- CMD [ARG...]

Compile PROFILE.json for this machine (or read the raw program PROG.bpf),
install it on this process and execve CMD, which then runs under the filter
with the same pid: its exit status and signals are seccompctl's. Meant as the
ENTRYPOINT of a distroless image. CMD is looked up in PATH.

The filter goes on the thread that calls execve, as runc does; with
--runtime crun and SECCOMP_FILTER_FLAG_TSYNC in the profile's flags it goes on
every thread (TSYNC). no_new_privs is set unless --no-new-privs=false, which
needs CAP_SYS_ADMIN. Flags follow runc (or crun): no "flags" in the profile
means SPEC_ALLOW, a NOTIFY rule sends the listener fd to the profile's
listenerPath before execve.

Any error before execve prints one line on stderr and exits 125.

`

func runExec(e *env) int {
	var tf targetFlags
	fs := newFlagSet(e, "exec", execUsage)
	tf.register(fs)
	profilePath := fs.String("profile", "", "seccomp profile (OCI/Docker JSON) to compile and install")
	bpfPath := fs.String("bpf", "", "raw struct sock_filter program to install instead (e.g. from 'seccompctl compile --format raw'), in this machine's byte order")
	nnp := fs.Bool("no-new-privs", true, "set no_new_privs before installing; false needs CAP_SYS_ADMIN and lets CMD gain privileges (setuid, file capabilities)")
	id := fs.String("id", "", "container id sent to the listenerPath agent (default: seccompctl-PID)")
	verbose := fs.Bool("v", false, "print the profile's warnings and the filter flags on stderr before execve")
	if err := fs.Parse(e.args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitExecFailed
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitExecFailed
	}
	fail := func(format string, a ...any) int { return e.errorf(exitExecFailed, "exec: "+format, a...) }
	if (*profilePath == "") == (*bpfPath == "") {
		return fail("give exactly one of --profile and --bpf")
	}

	tg, err := tf.target()
	if err != nil {
		return fail("%v", err)
	}
	native := arch.Native()
	if tg.Arch == arch.Unknown {
		if native == arch.Unknown {
			return fail("this machine has no seccomp architecture")
		}
		tg.Arch = native
	} else if tg.Arch.BigEndian() != native.BigEndian() {
		return fail("--arch %v: the kernel here reads the filter in %v's byte order", tg.Arch, native)
	}

	// Resolve CMD before the filter goes in, as runc does, so that a
	// missing command is an ordinary error.
	path, err := exec.LookPath(fs.Arg(0))
	if err != nil {
		var ee *exec.Error
		if errors.As(err, &ee) {
			return fail("%s: %v", ee.Name, ee.Err) // without os/exec's own "exec: " prefix
		}
		return fail("%v", err)
	}

	var (
		prog *compile.Program
		opts = loader.DefaultExecOptions
	)
	if *profilePath != "" {
		_, pol, err := loadPolicy(*profilePath, tg)
		if err != nil {
			return fail("%v", err)
		}
		if *verbose {
			for _, w := range pol.Warnings {
				fmt.Fprintf(e.stderr, "seccompctl: warning: %s\n", w)
			}
		}
		if prog, err = compile.Compile(pol, compile.DefaultOptions); err != nil {
			return fail("%s: %v", *profilePath, err)
		}
		opts.Install.Flags = loader.FlagsFor(pol)
		opts.ListenerPath = pol.ListenerPath
		opts.State.Metadata = pol.ListenerMeta
	} else {
		insns, err := readProgram(e, *bpfPath, tg.Arch)
		if err != nil {
			return fail("%v", err)
		}
		if err := compile.Verify(insns); err != nil {
			return fail("%s: %v", *bpfPath, err)
		}
		// The architectures of a raw program are unknown; the loader
		// then skips its architecture check. Flags as runc without
		// "flags": SPEC_ALLOW where supported.
		prog = &compile.Program{Insns: insns, Stats: compile.Stats{Len: len(insns)}}
		if loader.HaveFlag(loader.FlagSpecAllow) == nil {
			opts.Install.Flags = loader.FlagSpecAllow
		}
	}
	opts.Install.SkipNoNewPrivs = !*nnp
	opts.State.State.ID = *id
	if *id == "" {
		opts.State.State.ID = fmt.Sprintf("seccompctl-%d", os.Getpid())
	}
	if wd, err := os.Getwd(); err == nil {
		opts.State.State.Bundle = wd
	}
	if *verbose {
		fmt.Fprintf(e.stderr, "seccompctl: exec: %d instructions, flags %v, no_new_privs %v, execve %s\n", len(prog.Insns), opts.Install.Flags, *nnp, path)
	}

	err = loader.Exec(prog, path, fs.Args(), os.Environ(), opts)
	return fail("%v", err)
}
