package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/record"
)

func init() {
	register(command{name: "record", summary: "run a command and write a profile allowing the syscalls it made", run: runRecord})
}

func runRecord(e *env) int {
	fs := newFlagSet(e, "record", "-o PROFILE.json [--base docker] [--args] -- CMD [ARG...]")
	out := fs.String("o", "", "where to write the recorded profile (required; - for standard output)")
	base := fs.String("base", "none", "add the syscalls a container runtime needs before exec: none or docker")
	args := fs.Bool("args", false, "record arguments of "+fmt.Sprint(record.ArgSyscalls())+" and allow only the values seen")
	nnp := fs.Bool("no-new-privs", false, "always set no_new_privs for the command (it is set anyway without CAP_SYS_ADMIN)")
	noWait := fs.Bool("no-wait", false, "stop recording when the command exits, even if processes it started still run")
	errno := fs.Uint("errno", 1, "errno of the default action SCMP_ACT_ERRNO")
	if status, ok := parseFlags(e, fs); !ok {
		return status
	}
	if *out == "" || fs.NArg() == 0 {
		fs.Usage()
		return exitInput
	}
	b, err := record.ParseBase(*base)
	if err != nil {
		return e.errorf(exitInput, "--base: %v", err)
	}
	if *errno == 0 || *errno > 4095 {
		return e.errorf(exitInput, "--errno: %d is not in 1..4095", *errno)
	}
	if *out != "-" {
		// Fail before running the command, not after.
		if st, err := os.Stat(filepath.Dir(*out)); err != nil || !st.IsDir() {
			return e.errorf(exitInput, "-o: %s: no such directory", filepath.Dir(*out))
		}
	}
	opts := record.DefaultOptions
	opts.Stdin, opts.Stdout, opts.Stderr = e.stdin, e.stdout, e.stderr
	opts.NoNewPrivs = *nnp
	opts.NoWaitDescendants = *noWait
	res, err := record.Run(e.ctx, fs.Args(), opts)
	if err != nil {
		return e.errorf(exitInput, "%v", err)
	}
	p, warnings, err := res.Recording.Profile(record.ProfileOptions{Base: b, Args: *args, DefaultErrnoRet: *errno, Native: arch.Native()})
	if err != nil {
		return e.errorf(exitInput, "record: %v", err)
	}
	for _, w := range warnings {
		fmt.Fprintf(e.stderr, "seccompctl: warning: %s\n", w)
	}
	data, err := record.Marshal(p)
	if err != nil {
		return e.errorf(exitInput, "record: %v", err)
	}
	// Fail closed: never write a profile our own parser would refuse.
	if _, err := profile.Parse(data); err != nil {
		return e.errorf(exitInput, "record: internal error: the recorded profile does not parse: %v", err)
	}
	if err := writeOutput(e, *out, data); err != nil {
		return e.errorf(exitInput, "%v", err)
	}
	return res.ExitStatus()
}

// writeOutput writes data to path atomically, or to standard output for -.
func writeOutput(e *env, path string, data []byte) error {
	if path == "-" {
		_, err := e.stdout.Write(data)
		return err
	}
	return writeFileAtomic(path, data, 0o644)
}
