package compile_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/syscalls"
)

func TestDefaultMix(t *testing.T) {
	tests := []struct {
		name     string
		a        arch.Arch
		frequent []string // names the recorded workloads make often
	}{
		{"x86_64", arch.X86_64, []string{"read", "close", "openat", "newfstatat", "futex", "mmap"}},
		{"aarch64", arch.AArch64, []string{"read", "close", "openat", "newfstatat", "futex", "mmap"}},
		{"x86 lacks newfstatat", arch.X86, []string{"read", "close", "openat", "futex"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := compile.DefaultMix(tt.a)
			table := syscalls.Table(tt.a)
			require.NotEmpty(t, table)
			sum := 0.0
			for _, s := range table {
				require.Contains(t, w, s.Nr, "%s (%d) has no weight", s.Name, s.Nr)
				assert.GreaterOrEqual(t, w[s.Nr], compile.DefaultMixFloor, s.Name)
			}
			for nr, f := range w {
				_, known := syscalls.Name(tt.a, nr)
				assert.True(t, known, "weight for %d, which is not in the %s table", nr, tt.a)
				sum += f
			}
			// The blend sums to 1 (rounded to 3 digits per name); names the
			// arch lacks lose their share.
			floors := compile.DefaultMixFloor * float64(len(w))
			assert.InDelta(t, 1, sum-floors, 0.2)
			for _, name := range tt.frequent {
				nr, ok := syscalls.Number(tt.a, name)
				require.True(t, ok, name)
				assert.Greater(t, w[nr], 10*compile.DefaultMixFloor, "%s should weigh more than the floor", name)
			}
			// Fresh map each call.
			w[-1] = 42
			assert.NotContains(t, compile.DefaultMix(tt.a), -1)
		})
	}
	assert.Empty(t, compile.DefaultMix(arch.Unknown))
	_, ok := syscalls.Number(arch.X86, "newfstatat")
	assert.False(t, ok, "the x86 case above is meant to cover a name the arch lacks")
}

// TestDefaultMixCompiles: a tree weighted by the default mix decides like
// the unweighted one on every number.
func TestDefaultMixCompiles(t *testing.T) {
	p, err := profile.ParseFile("../examples/docker-default.json")
	require.NoError(t, err)
	pol, err := p.Resolve(profile.Target{Arch: arch.X86_64, Caps: profile.DockerDefaultCaps, Kernel: profile.KernelVersion{Kernel: 6, Major: 1}})
	require.NoError(t, err)
	weighted, err := compile.Compile(pol, compile.Options{Weights: compile.DefaultMix(arch.X86_64)})
	require.NoError(t, err)
	plain, err := compile.Compile(pol, compile.Options{})
	require.NoError(t, err)
	for _, a := range pol.Arches {
		for _, s := range syscalls.Table(a) {
			d := compile.Data{Nr: int32(s.Nr), Arch: a.Audit()}
			rw, err := weighted.Run(d)
			require.NoError(t, err)
			rp, err := plain.Run(d)
			require.NoError(t, err)
			require.Equal(t, rp.Action, rw.Action, "%s %s", a, s.Name)
		}
	}
}

func ExampleDefaultMix() {
	w := compile.DefaultMix(arch.X86_64)
	read, _ := syscalls.Number(arch.X86_64, "read")
	kexec, _ := syscalls.Number(arch.X86_64, "kexec_load")
	fmt.Println(w[read] > 100*w[kexec], w[kexec] == compile.DefaultMixFloor)
	// Output: true true
}
