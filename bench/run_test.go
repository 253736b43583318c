package bench

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
)

func TestRunAndMarkdown(t *testing.T) {
	pol, err := Policy(DockerDefault, arch.X86_64)
	require.NoError(t, err)
	ours, err := compile.Compile(pol, compile.DefaultOptions)
	require.NoError(t, err)
	_, gccErr := exec.LookPath("gcc")
	opts := RunOptions{
		Profiles:      []string{DockerDefault},
		Libseccomp:    gccErr == nil,
		Raw:           []RawProgram{{Name: "copy of ours", Insns: ours.Insns}},
		Kernel:        true,
		KernelProfile: DockerDefault,
		KernelOptions: KernelOptions{Reps: 1, Iterations: 5, CPU: -1},
	}
	rep, err := Run(opts)
	require.NoError(t, err)
	require.Len(t, rep.Profiles, 1)
	p := rep.Profiles[0]
	def := p.Variant(VariantDefault)
	require.NotNil(t, def)
	require.NotNil(t, def.Cost)
	assert.Equal(t, ours.Insns, def.Insns)
	assert.Positive(t, def.NativeLen)
	assert.Less(t, def.NativeLen, len(def.Insns), "x86_64 alone is smaller than with x86 and x32")
	cp := p.Variant("copy of ours")
	require.NotNil(t, cp)
	require.NotNil(t, cp.Cost)
	assert.Equal(t, def.Cost.Arches, cp.Cost.Arches, "the same program measures the same")
	for _, m := range rep.Mixes {
		v := p.Variant(variantMixPrefix + m.Name)
		require.NotNil(t, v, m.Name)
		assert.Equal(t, m.Name, v.Weights)
	}
	loo := p.Variant(VariantLeaveOneOut)
	require.NotNil(t, loo)
	require.True(t, loo.WeightedOnly)
	assert.Len(t, loo.Cost.Arch(arch.X86_64).Weighted, len(rep.Mixes))
	if opts.Libseccomp {
		for _, name := range []string{VariantLibOpt1, VariantLibOpt2} {
			v := p.Variant(name)
			require.NotNil(t, v)
			require.NotNil(t, v.Cost, v.Err)
			assert.Greater(t, len(v.Insns), len(def.Insns))
		}
		assert.NotEmpty(t, rep.LibseccompVersion)
	}
	require.NotNil(t, rep.Kernel)
	assert.Equal(t, DockerDefault, rep.KernelProfile)
	assert.Contains(t, rep.Kernel.Variants, "no filter")
	assert.Contains(t, rep.Kernel.Variants, "allow-all (floor)")
	assert.Contains(t, rep.Kernel.Variants, VariantDefault)
	assert.NotContains(t, rep.Kernel.Variants, VariantBalanced)

	p.Compile = &CompileSpeed{NsPerOp: 350000, CPUNsPerOp: 250000, BytesPerOp: 400 << 10, AllocsPerOp: 1000, N: 10}
	var b strings.Builder
	require.NoError(t, WriteMarkdown(&b, rep))
	md := b.String()
	for _, want := range []string{
		"### Compile: JSON → raw program",
		"| docker-default | 350 | 250 | 400 | 1000 | ",
		"### docker-default: size and instructions executed per syscall (x86_64 + x86 + x32)",
		"#### docker-default: call-weighted mean on x86_64, every call runs the filter",
		"#### docker-default: call-weighted mean on x86_64, cached syscalls cost 0",
		"| copy of ours | ",
		"### Real kernel: ns per syscall in a child process (docker-default)",
		" EPERM | ",
		"### Issue 7 targets",
		"| compile ≤ 300 µs (CPU time; wall clock in parentheses) | 250 µs (350) |  | met |",
		"over the uncacheable floor",
		"| compile ≤ 300 KB allocated | 400 KB |  | +100 |",
	} {
		assert.Contains(t, md, want)
	}
}

func TestRunErrors(t *testing.T) {
	_, err := Run(RunOptions{Profiles: []string{}})
	require.Error(t, err)
	_, err = Run(RunOptions{Profiles: []string{"nope"}})
	require.Error(t, err)
	_, err = Run(RunOptions{Profiles: []string{DockerDefault}, Raw: []RawProgram{{Profile: ContainersDefault, Name: "x", Insns: AllowAll()}}})
	require.Error(t, err)
	_, err = Run(RunOptions{Profiles: []string{DockerDefault}, Kernel: true, KernelProfile: ContainersDefault, KernelOptions: KernelOptions{Reps: 1, Iterations: 1}})
	require.Error(t, err)
}

func TestGap(t *testing.T) {
	tests := []struct {
		x, goal float64
		want    string
	}{
		{5, 7, "met"},
		{7, 7, "met"},
		{7.32, 7, "+0.32"},
		{23, 16, "+7"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, gap(tt.x, tt.goal))
	}
}
