package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/seccompctl/seccompctl/compile"
)

func init() {
	register(command{name: "compile", summary: "compile a profile to a seccomp BPF program", run: runCompile})
}

func runCompile(e *env) int {
	var tf targetFlags
	fs := newFlagSet(e, "compile", "[flags] PROFILE")
	tf.register(fs)
	format := fs.String("format", "text", "output format: raw, base64, text, go, c")
	out := fs.String("o", "-", "output file (- for standard output)")
	balanced := fs.Bool("balanced", false, "balance the search tree by interval count instead of by cost")
	if status, ok := parseFlags(e, fs); !ok {
		return status
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitInput
	}
	f, err := compile.ParseFormat(*format)
	if err != nil {
		return e.errorf(exitInput, "--format: %v", err)
	}
	tg, err := tf.target()
	if err != nil {
		return e.errorf(exitInput, "%v", err)
	}
	_, pol, err := loadPolicy(fs.Arg(0), tg)
	if err != nil {
		return e.errorf(exitInput, "%v", err)
	}
	prog, err := compile.Compile(pol, compile.Options{Balanced: *balanced})
	if err != nil {
		return e.errorf(exitInput, "%s: %v", fs.Arg(0), err)
	}
	var buf bytes.Buffer
	if err := prog.Export(&buf, f); err != nil {
		return e.errorf(exitInput, "%v", err)
	}
	if *out == "-" {
		if _, err := e.stdout.Write(buf.Bytes()); err != nil {
			return e.errorf(exitInput, "writing output: %v", err)
		}
		return exitOK
	}
	if err := writeFileAtomic(*out, buf.Bytes(), 0o644); err != nil {
		return e.errorf(exitInput, "%v", err)
	}
	return exitOK
}

// writeFileAtomic writes data to a temporary file in path's directory and
// renames it into place, so a reader never sees a partial file.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
