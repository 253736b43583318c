package bench

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/syscalls"
)

func assemble(t *testing.T, prog ...bpf.Instruction) []bpf.RawInstruction {
	t.Helper()
	raw, err := bpf.Assemble(prog)
	require.NoError(t, err)
	return raw
}

// handProgram is small enough to count by hand:
//
//	x86_64: getppid → ALLOW (5 instructions, cacheable),
//	        personality → ALLOW if args[0].lo == 0xffffffff, else
//	        ERRNO(1) (8 instructions with zero args),
//	        anything else → ERRNO(1) (6 instructions);
//	any other arch → KILL_THREAD (3 instructions).
func handProgram(t *testing.T) []bpf.RawInstruction {
	getppid, _ := syscalls.Number(arch.X86_64, "getppid")
	personality, _ := syscalls.Number(arch.X86_64, "personality")
	return assemble(t,
		bpf.LoadAbsolute{Off: 4, Size: 4},                                       // 0
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: arch.X86_64.Audit(), SkipFalse: 7}, // 1 → 2, 9
		bpf.LoadAbsolute{Off: 0, Size: 4},                                       // 2
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(getppid), SkipTrue: 4},      // 3 → 8, 4
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(personality), SkipFalse: 2}, // 4 → 5, 7
		bpf.LoadAbsolute{Off: 16, Size: 4},                                      // 5
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0xffffffff, SkipTrue: 1},           // 6 → 8, 7
		bpf.RetConstant{Val: 0x00050001},                                        // 7
		bpf.RetConstant{Val: 0x7fff0000},                                        // 8
		bpf.RetConstant{Val: 0},                                                 // 9
	)
}

func distinctNumbers(a arch.Arch) int {
	seen := map[int]bool{}
	for _, s := range syscalls.Table(a) {
		seen[s.Nr] = true
	}
	return len(seen)
}

func TestMeasureHandCount(t *testing.T) {
	mix := &Mix{Name: "hand", Arch: arch.X86_64, Calls: map[string]int64{"getppid": 3, "personality": 1, "read": 4}}
	other := &Mix{Name: "x86 only", Arch: arch.X86, Calls: map[string]int64{"read": 1}}
	c, err := Measure(Subject{Name: "hand", Insns: handProgram(t), Arches: []arch.Arch{arch.X86_64, arch.X86}}, []*Mix{mix, other})
	require.NoError(t, err)
	assert.Equal(t, 10, c.Len)
	require.Len(t, c.Arches, 2)

	x := c.Arch(arch.X86_64)
	require.NotNil(t, x)
	n := distinctNumbers(arch.X86_64)
	require.Len(t, x.PerNr, n)
	assert.InDelta(t, float64(5+8+6*(n-2))/float64(n), x.Mean, 1e-9)
	assert.Equal(t, 8, x.Max)
	assert.Equal(t, "personality", x.MaxName)
	assert.Equal(t, 1, x.Cached, "only getppid's path is constant ALLOW")
	assert.InDelta(t, float64(8+6*(n-2))/float64(n), x.CachedMean, 1e-9)
	assert.Equal(t, NrCost{Nr: 110, Name: "getppid", Executed: 5, Cached: true}, *x.Lookup("getppid"))
	assert.Equal(t, 8, x.Lookup("personality").Executed)
	assert.Nil(t, x.Lookup("no_such_syscall"))
	// (3·5 + 1·8 + 4·6) / 8 calls; with the cache getppid costs 0.
	assert.InDelta(t, 47.0/8, x.Weighted["hand"], 1e-9)
	assert.InDelta(t, 32.0/8, x.WeightedCached["hand"], 1e-9)
	assert.NotContains(t, x.Weighted, "x86 only", "a mix applies only to the ABI it was recorded on")

	i386 := c.Arch(arch.X86)
	require.NotNil(t, i386)
	assert.InDelta(t, 3, i386.Mean, 1e-9)
	assert.Equal(t, 3, i386.Max)
	assert.Zero(t, i386.Cached, "KILL_THREAD is not cached")
	assert.InDelta(t, 3, i386.Weighted["x86 only"], 1e-9)

	assert.Nil(t, c.Arch(arch.X32))
}

func TestMeasureErrors(t *testing.T) {
	_, err := Measure(Subject{Name: "no arch", Insns: handProgram(t)}, nil)
	require.ErrorIs(t, err, ErrNoArch)
	_, err = Measure(Subject{Name: "falls off", Insns: assemble(t, bpf.LoadAbsolute{Off: 0, Size: 4}), Arches: []arch.Arch{arch.X86_64}}, nil)
	require.Error(t, err)
}
