package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
)

// targetFlags are the flags every command that resolves a profile takes.
type targetFlags struct {
	arch, caps, kernel, runtime string
}

func (t *targetFlags) register(fs *flag.FlagSet) { t.registerAs(fs, "arch") }

// registerAs names the native-architecture flag archFlag.
func (t *targetFlags) registerAs(fs *flag.FlagSet, archFlag string) {
	fs.StringVar(&t.arch, archFlag, "", "native architecture of the target (default: this machine's)")
	fs.StringVar(&t.caps, "caps", "docker", "capability bounding set: a comma-separated list, or the presets docker, podman, none")
	fs.StringVar(&t.kernel, "kernel", "", "kernel version X.Y for includes.minKernel (default: the running kernel)")
	fs.StringVar(&t.runtime, "runtime", "runc", "whose reading of the profile to reproduce: runc or crun")
}

// target turns the flags into a profile.Target.
func (t *targetFlags) target() (profile.Target, error) {
	var tg profile.Target
	if t.arch != "" {
		a, err := arch.Parse(t.arch)
		if err != nil {
			return tg, fmt.Errorf("--arch: %w", err)
		}
		tg.Arch = a
	}
	switch t.caps {
	case "docker":
		tg.Caps = profile.DockerDefaultCaps
	case "podman":
		tg.Caps = profile.PodmanDefaultCaps
	case "none", "":
	default:
		for _, c := range strings.Split(t.caps, ",") {
			c = strings.ToUpper(strings.TrimSpace(c))
			if c == "" {
				continue
			}
			if !strings.HasPrefix(c, "CAP_") {
				c = "CAP_" + c
			}
			tg.Caps = append(tg.Caps, c)
		}
	}
	if t.kernel != "" {
		k, err := profile.ParseKernelVersion(t.kernel)
		if err != nil {
			return tg, fmt.Errorf("--kernel: %w", err)
		}
		tg.Kernel = k
	}
	switch profile.Runtime(t.runtime) {
	case profile.RuntimeRunc, profile.RuntimeCrun:
		tg.Runtime = profile.Runtime(t.runtime)
	default:
		return tg, fmt.Errorf("--runtime: %q is not runc or crun", t.runtime)
	}
	return tg, nil
}

// loadPolicy parses a profile file and resolves it for the target.
func loadPolicy(file string, tg profile.Target) (*profile.Profile, *profile.Policy, error) {
	p, err := profile.ParseFile(file)
	if err != nil {
		return nil, nil, err
	}
	pol, err := p.Resolve(tg)
	if err != nil {
		return p, nil, fmt.Errorf("%s: %w", file, err)
	}
	return p, pol, nil
}

// parseFlags parses the command's arguments into fs. ok is false when the
// command should stop at once, with status: 0 after -h, 2 for a bad flag
// (the flag package has printed why).
func parseFlags(e *env, fs *flag.FlagSet) (status int, ok bool) {
	if err := fs.Parse(e.args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitInput, false
	}
	return exitOK, true
}

// newFlagSet returns a flag set that reports to the command's stderr.
func newFlagSet(e *env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: seccompctl %s %s\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}
