package compat

import (
	"errors"
	"fmt"

	mobyseccomp "github.com/moby/profiles/seccomp"
	"github.com/opencontainers/runc/libcontainer/configs"
	"github.com/opencontainers/runc/libcontainer/specconv"
	"github.com/opencontainers/runtime-spec/specs-go"
)

// ErrSeccompDisabled means the profile turns seccomp off in runc (no
// defaultAction and no syscalls), so there is no filter to compare.
var ErrSeccompDisabled = errors.New("profile disables seccomp (no defaultAction and no syscalls)")

// RuncConfig turns profile JSON into the configuration runc's init process
// installs, the way Docker does it: moby's LoadProfile against a spec whose
// capability bounding set is caps (the native architecture is the one this
// binary runs on, as in dockerd; minKernel is checked against the running
// kernel), then runc's specconv.SetupSeccomp.
func RuncConfig(profileJSON []byte, caps []string) (*configs.Seccomp, error) {
	spec := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{
		Bounding:  caps,
		Effective: caps,
		Permitted: caps,
	}}}
	ls, err := mobyseccomp.LoadProfile(string(profileJSON), spec)
	if err != nil {
		return nil, fmt.Errorf("moby LoadProfile: %w", err)
	}
	cfg, err := specconv.SetupSeccomp(ls)
	if err != nil {
		return nil, fmt.Errorf("runc specconv.SetupSeccomp: %w", err)
	}
	if cfg == nil {
		return nil, ErrSeccompDisabled
	}
	return cfg, nil
}
