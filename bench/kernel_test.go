package bench

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
)

// TestMeasureKernelChildren runs the kernel benchmark's children for a few
// iterations and checks what the calls returned, not how long they took:
// the filter really is installed in the child (setns is EPERM under
// Docker's profile and EBADF without), the argument-filtered call is
// allowed, and the test process itself stays unfiltered.
func TestMeasureKernelChildren(t *testing.T) {
	pol, err := Policy(DockerDefault, arch.X86_64)
	require.NoError(t, err)
	prog, err := compile.Compile(pol, compile.DefaultOptions)
	require.NoError(t, err)
	variants := []KernelVariant{{Name: "none"}, {Name: "floor", Insns: AllowAll()}, {Name: "uncached", Insns: AllowAllUncached()}, {Name: "docker", Insns: prog.Insns}}
	res, err := MeasureKernel(variants, DefaultKernelCalls, KernelOptions{Reps: 2, Iterations: 10, CPU: -1})
	require.NoError(t, err)
	want := map[string]map[string]unix.Errno{
		"none":     {"getppid": 0, "personality(0xffffffff)": 0, "setns(-1, 0)": unix.EBADF},
		"floor":    {"getppid": 0, "personality(0xffffffff)": 0, "setns(-1, 0)": unix.EBADF},
		"uncached": {"getppid": 0, "personality(0xffffffff)": 0, "setns(-1, 0)": unix.EBADF},
		"docker":   {"getppid": 0, "personality(0xffffffff)": 0, "setns(-1, 0)": unix.EPERM},
	}
	for v, calls := range want {
		for call, errno := range calls {
			s := res.Sample(v, call)
			require.NotNil(t, s, "%s %s", v, call)
			assert.Equal(t, errno, s.Errno, "%s %s", v, call)
			assert.Len(t, s.NsPerCall, 2)
			for _, ns := range s.NsPerCall {
				assert.Positive(t, ns)
			}
		}
	}
	assert.Nil(t, res.Sample("docker", "no such call"))
	// The uncached floor really is uncacheable, the floor cacheable.
	assert.False(t, compile.ConstAllow(AllowAllUncached(), arch.X86_64.Audit(), 110, nil))
	assert.True(t, compile.ConstAllow(AllowAll(), arch.X86_64.Audit(), 110, nil))
	// The parent is not filtered.
	_, _, errno := unix.RawSyscall(unix.SYS_SETNS, ^uintptr(0), 0, 0)
	assert.Equal(t, unix.EBADF, errno)
}

func TestMeasureKernelErrors(t *testing.T) {
	_, err := MeasureKernel(nil, DefaultKernelCalls, KernelOptions{})
	require.Error(t, err)
	bad := []bpf.RawInstruction{{Op: opLdAbsW, K: 0}}
	_, err = MeasureKernel([]KernelVariant{{Name: "falls off", Insns: bad}}, DefaultKernelCalls, KernelOptions{Reps: 1, Iterations: 1, CPU: -1})
	require.Error(t, err)
	// A filter the kernel takes but that kills the child on its first
	// call: the child dies without answering.
	kill := []bpf.RawInstruction{{Op: opRetK, K: uint32(profile.ActKillProcess)}}
	_, err = MeasureKernel([]KernelVariant{{Name: "kill", Insns: kill}}, DefaultKernelCalls, KernelOptions{Reps: 1, Iterations: 1, CPU: -1})
	require.ErrorIs(t, err, ErrChild)
}

func TestKernelSampleStats(t *testing.T) {
	s := KernelSample{NsPerCall: []float64{5, 1, 3, 2, 4}}
	assert.InDelta(t, 3, s.Median(), 1e-12)
	assert.InDelta(t, 2, s.Spread(), 1e-12) // 4 - 2
	assert.InDelta(t, 1, s.Min(), 1e-12)
	assert.InDelta(t, 2.5, KernelSample{NsPerCall: []float64{2, 3}}.Median(), 1e-12)
	assert.Zero(t, KernelSample{}.Median())
}
