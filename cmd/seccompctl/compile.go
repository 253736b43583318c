package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/bench"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/syscalls"
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
	balanced := fs.Bool("balanced", false, "balance the search tree by interval count instead of by call frequency and cost (same as --weights none)")
	weights := fs.String("weights", "default", "search-tree weights: default (the built-in mix of recorded workloads), none (a balanced tree), or FILE: a JSON object of syscall name to relative call frequency, or an strace -f -c summary")
	uncached := fs.Bool("uncached-only", false, "weight only the calls Linux 5.11+'s action cache does not answer (argument-filtered and denied syscalls), for filters that only run on such kernels")
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
	opts := compile.Options{Balanced: *balanced, UncachedOnly: *uncached}
	switch *weights {
	case "default":
	case "none":
		opts.Balanced = true
	default:
		w, missing, err := loadWeights(e, *weights, pol.Target.Arch)
		if err != nil {
			return e.errorf(exitInput, "--weights: %v", err)
		}
		if len(missing) > 0 {
			fmt.Fprintf(e.stderr, "seccompctl: --weights: %s: no number on %s for %s (ignored)\n", *weights, pol.Target.Arch, strings.Join(missing, ", "))
		}
		opts.Weights = w
	}
	prog, err := compile.Compile(pol, opts)
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

// maxWeightsFile bounds a --weights file; strace summaries are a few KB.
const maxWeightsFile = 1 << 20

// loadWeights reads a --weights FILE (- for standard input) for the native architecture a: a JSON
// object of syscall name → relative frequency, or a `strace -c` summary.
// Names a lacks are returned in missing.
func loadWeights(e *env, file string, a arch.Arch) (weights map[int]float64, missing []string, err error) {
	data, err := readInput(e, file, maxWeightsFile)
	if err != nil {
		return nil, nil, err
	}
	if len(data) > maxWeightsFile {
		return nil, nil, fmt.Errorf("%s: larger than %d bytes", file, maxWeightsFile)
	}
	byName := map[string]float64{}
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '{' {
		if err := json.Unmarshal(trimmed, &byName); err != nil {
			return nil, nil, fmt.Errorf("%s: not a JSON object of syscall name to number: %w", file, err)
		}
	} else {
		mix, err := bench.ParseStrace(file, data)
		if err != nil {
			return nil, nil, err
		}
		for name, n := range mix.Calls {
			byName[name] = float64(n)
		}
	}
	weights = map[int]float64{}
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		v := byName[name]
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, nil, fmt.Errorf("%s: %s: weight %v is not a finite number ≥ 0", file, name, v)
		}
		nr, ok := syscalls.Number(a, name)
		if !ok {
			missing = append(missing, name)
			continue
		}
		weights[nr] += v
	}
	if len(weights) == 0 {
		return nil, nil, fmt.Errorf("%s: no syscall of %s has a weight", file, a)
	}
	return weights, missing, nil
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
