package fuzz

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
)

// Regression tests for what the fuzz targets found in the packages they
// test. Each is added failing, passes once the package is fixed, and stays. (Crashes of the harness itself are next to the harness:
// TestKernelChildReplaced.)

// Found by FuzzCompile's Resolve check, fixed in 2035d32. profile/errors.go says
// "every error about bad input matches ErrInvalid", and Resolve's EDOM
// error for mixed byte orders does, but its refusal of PA-RISC (not in
// runc's architecture table) matches only ErrUnknownArch. A caller that
// tells "runc would refuse this profile" from "internal error" with
// errors.Is(err, profile.ErrInvalid), as compile's tests do, gets it wrong.
func TestRegressResolveUnknownArchIsInvalid(t *testing.T) {
	for _, a := range []string{"SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64"} {
		p, err := profile.Parse([]byte(`{"defaultAction":"SCMP_ACT_ALLOW","architectures":["` + a + `"]}`))
		require.NoError(t, err)
		_, err = p.Resolve(profile.Target{Arch: arch.PARISC64, Kernel: profile.KernelVersion{Kernel: 6, Major: 1}})
		require.Error(t, err, a)
		assert.ErrorIs(t, err, profile.ErrUnknownArch, a)
		assert.ErrorIs(t, err, profile.ErrInvalid, a)
	}
}
