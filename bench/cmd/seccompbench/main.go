// Command seccompbench measures seccompctl's compiler and programs and
// puts other compilers' programs beside them. It prints Markdown tables
// (the numbers in bench/README.md).
//
//	go run ./bench/cmd/seccompbench                   # compile speed, emulated cost, libseccomp
//	go run ./bench/cmd/seccompbench -kernel           # ... and ns per syscall on this kernel
//	go run ./bench/cmd/seccompbench -raw crun=prog.raw -profiles docker-default
//	go run ./bench/cmd/seccompbench -raw-runc-stub -raw runc=libseccomp.raw
//	go run ./bench/cmd/seccompbench -rules docker-default   # runc's libseccomp calls
//	go run ./bench/cmd/seccompbench -gen-default-mix compile/defaultmix.go
//	go run ./bench/cmd/seccompbench -disasm docker-default  # seccompctl's program
//
// A raw program is a little-endian struct sock_filter array, as
// seccomp_export_bpf writes it; it is measured on the architectures of
// the profile it belongs to (-raw PROFILE:NAME=FILE, or NAME=FILE for the
// first profile).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/bench"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
)

const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

func main() {
	bench.RunChildIfRequested()
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

type rawFlags []bench.RawProgram

func (r *rawFlags) String() string { return fmt.Sprint(len(*r), " programs") }

func (r *rawFlags) Set(s string) error {
	spec, file, ok := strings.Cut(s, "=")
	if !ok || spec == "" || file == "" {
		return errors.New("want [PROFILE:]NAME=FILE")
	}
	prof, name, hasProf := strings.Cut(spec, ":")
	if !hasProf {
		prof, name = "", spec
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	insns, err := compile.ParseRaw(data)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	*r = append(*r, bench.RawProgram{Profile: prof, Name: name, Insns: insns})
	return nil
}

func run(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("seccompbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		raws       rawFlags
		profiles   = fs.String("profiles", strings.Join(bench.ProfileNames(), ","), "built-in profiles to measure, comma-separated")
		native     = fs.String("arch", "x86_64", "native architecture the profiles are resolved for")
		lsc        = fs.Bool("libseccomp", true, "build testdata/libseccomp/lsc-export.c with gcc and measure libseccomp's programs (OPTIMIZE=1, 2) with runc's stub")
		speed      = fs.Bool("compile", true, "time JSON → raw program")
		kernel     = fs.Bool("kernel", false, "time syscalls in child processes under the filters of -kernel-profile")
		kprof      = fs.String("kernel-profile", bench.DockerDefault, "profile whose programs -kernel measures")
		reps       = fs.Int("reps", bench.DefaultKernelOptions.Reps, "kernel: repetitions per filter")
		iters      = fs.Int("iterations", bench.DefaultKernelOptions.Iterations, "kernel: calls per repetition")
		rounds     = fs.Int("rounds", bench.DefaultKernelOptions.Rounds, "kernel: timed loops per repetition; a repetition counts its fastest loop")
		cpu        = fs.Int("cpu", bench.DefaultKernelOptions.CPU, "kernel: CPU to pin the timing thread to, -1 for none")
		rules      = fs.String("rules", "", "print runc's libseccomp calls for a built-in profile (the input of lsc-export) and exit")
		disasm     = fs.String("disasm", "", "print seccompctl's program for a built-in profile and exit")
		genMix     = fs.String("gen-default-mix", "", "write compile/defaultmix.go from testdata/mixes to this file and exit")
		weightsArg = fs.String("weights", "", "with -disasm: weight the tree by default-mix or a mix name")
		rawStub    = fs.Bool("raw-runc-stub", false, "prepend runc's ENOSYS stub (limits from the profile) to every -raw program, as runc does to libseccomp's output")
	)
	fs.Var(&raws, "raw", "another compiler's program: [PROFILE:]NAME=FILE (raw struct sock_filter array, little-endian); repeatable")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "seccompbench: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	a, err := arch.Parse(*native)
	if err != nil {
		fmt.Fprintf(stderr, "seccompbench: -arch: %v\n", err)
		return exitUsage
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "seccompbench: %v\n", err)
		return exitError
	}
	switch {
	case *genMix != "":
		mixes, err := bench.Mixes()
		if err != nil {
			return fail(err)
		}
		src, err := bench.GenerateDefaultMix(mixes)
		if err != nil {
			return fail(err)
		}
		if err := os.WriteFile(*genMix, src, 0o644); err != nil {
			return fail(err)
		}
		return exitOK
	case *rules != "":
		data, err := bench.ProfileJSON(*rules)
		if err != nil {
			return fail(err)
		}
		p, err := profile.Parse(data)
		if err != nil {
			return fail(err)
		}
		text, err := bench.RuncRules(p, bench.Target(a))
		if err != nil {
			return fail(err)
		}
		_, err = io.WriteString(stdout, text)
		if err != nil {
			return fail(err)
		}
		return exitOK
	case *disasm != "":
		pol, err := bench.Policy(*disasm, a)
		if err != nil {
			return fail(err)
		}
		opts := compile.Options{}
		switch *weightsArg {
		case "":
		case "default-mix":
			opts.Weights = compile.DefaultMix(a)
		default:
			mixes, err := bench.Mixes()
			if err != nil {
				return fail(err)
			}
			for _, m := range mixes {
				if m.Name == *weightsArg {
					opts.Weights, _ = m.Numbers(a)
				}
			}
			if opts.Weights == nil {
				return fail(fmt.Errorf("-weights: no mix %q", *weightsArg))
			}
		}
		prog, err := compile.Compile(pol, opts)
		if err != nil {
			return fail(err)
		}
		if _, err := fmt.Fprintf(stdout, "%v", prog); err != nil {
			return fail(err)
		}
		return exitOK
	}
	for i := range raws {
		raws[i].RuncStub = *rawStub
	}
	opts := bench.RunOptions{
		Profiles:      strings.Split(*profiles, ","),
		Native:        a,
		CompileSpeed:  *speed,
		Libseccomp:    *lsc,
		Raw:           raws,
		Kernel:        *kernel,
		KernelProfile: *kprof,
		KernelOptions: bench.KernelOptions{Reps: *reps, Iterations: *iters, Rounds: *rounds, CPU: *cpu},
	}
	rep, err := bench.Run(opts)
	if err != nil {
		return fail(err)
	}
	if err := bench.WriteMarkdown(stdout, rep); err != nil {
		return fail(err)
	}
	return exitOK
}
