package main

import (
	"strings"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/policydiff"
	"github.com/seccompctl/seccompctl/profile"
)

func init() {
	register(command{name: "diff", summary: "show what a second profile or program decides differently (exit 1 if anything)", run: runDiff})
}

func runDiff(e *env) int {
	var tf targetFlags
	fs := newFlagSet(e, "diff", "[flags] A.json|A.bpf B.json|B.bpf")
	tf.registerAs(fs, "native")
	only := fs.String("arch", "", "compare only these architectures (comma-separated; default: every one either side covers)")
	output := fs.String("output", "text", "text or json")
	if status, ok := parseFlags(e, fs); !ok {
		return status
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return exitInput
	}
	if *output != "text" && *output != "json" {
		return e.errorf(exitInput, "--output: %q is not text or json", *output)
	}
	tg, err := tf.target()
	if err != nil {
		return e.errorf(exitInput, "%v", err)
	}
	if tg.Arch == arch.Unknown {
		tg.Arch = arch.Native()
	}
	opts := policydiff.DefaultOptions
	if *only != "" {
		for _, s := range strings.Split(*only, ",") {
			a, err := arch.Parse(strings.TrimSpace(s))
			if err != nil {
				return e.errorf(exitInput, "--arch: %v", err)
			}
			opts.Arches = append(opts.Arches, a)
		}
	}
	var sides [2]*policydiff.Side
	for i, file := range fs.Args() {
		if sides[i], err = loadSide(e, file, tg); err != nil {
			return e.errorf(exitInput, "%v", err)
		}
	}
	res, err := policydiff.Diff(sides[0], sides[1], opts)
	if err != nil {
		return e.errorf(exitInput, "%v", err)
	}
	if *output == "json" {
		err = res.WriteJSON(e.stdout)
	} else {
		err = res.WriteText(e.stdout)
	}
	if err != nil {
		return e.errorf(exitInput, "writing output: %v", err)
	}
	if !res.Equivalent() {
		return exitFinding
	}
	return exitOK
}

// loadSide reads a raw program (.bpf, .raw) or resolves a profile.
func loadSide(e *env, file string, tg profile.Target) (*policydiff.Side, error) {
	if strings.HasSuffix(file, ".bpf") || strings.HasSuffix(file, ".raw") {
		insns, err := readProgram(e, file, tg.Arch)
		if err != nil {
			return nil, err
		}
		return policydiff.FromProgram(file, insns, tg.Arch)
	}
	_, pol, err := loadPolicy(file, tg)
	if err != nil {
		return nil, err
	}
	return policydiff.FromPolicy(file, pol)
}
