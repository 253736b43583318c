package loader

import (
	"encoding/binary"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
)

// TestLoaderDump installs two filters in a child, reads them back, and
// checks that they are the programs installed, in order, with the LOG flag
// on the first, and that they decide like the compiled programs.
func TestLoaderDump(t *testing.T) {
	requireSysAdmin(t)
	first, _ := compileProfile(t, dockerDefault(t), "")
	second, _ := compileProfile(t, oneRule("SCMP_ACT_ERRNO", `,"errnoRet":9`), "")
	spec := specFor(first)
	spec.Scenario, spec.Insns2, spec.Flags = "dump-target", second.Insns, FlagLog
	c := startChild(t, spec)
	line, err := c.stdout.ReadString('\n')
	require.NoError(t, err, c.stderr.String())
	require.Equal(t, readyLine, strings.TrimSpace(line))

	st, err := ReadStatus(c.cmd.Process.Pid)
	require.NoError(t, err)
	assert.Equal(t, ModeFilter, st.Mode)
	if st.Filters >= 0 {
		assert.Equal(t, 2, st.Filters, "Seccomp_filters")
	}

	got, err := Dump(c.cmd.Process.Pid)
	require.NoError(t, err)
	require.Len(t, got, 2)
	for i, want := range []*compile.Program{first, second} {
		d := got[i]
		assert.Equal(t, i, d.Index)
		assert.Equal(t, want.Insns, d.Program.Insns, "filter %d", i)
		require.NoError(t, compile.Verify(d.Program.Insns))
		require.NotEmpty(t, d.Program.Arches)
		assert.Equal(t, arch.Native(), d.Program.Arches[0])
		// Recovered from the jeq #AUDIT_ARCH tests; x86_64 and x32 share
		// one AUDIT_ARCH value, so both come back for either.
		assert.Subset(t, d.Program.Arches, want.Arches)
		for _, a := range d.Program.Arches {
			assert.True(t, slices.ContainsFunc(want.Arches, func(w arch.Arch) bool { return w.Audit() == a.Audit() }), "%v", a)
		}
		assertSameDecisions(t, want, d.Program)
		assert.NotEmpty(t, compile.Disassemble(d.Program.Insns, compile.DisasmOptions{Arches: d.Program.Arches}))
	}
	assert.Equal(t, FlagLog, got[0].Flags)
	assert.Equal(t, Flags(0), got[1].Flags)

	// The child is running again: it still answers (reads stdin to EOF).
	_, state := c.finish(t)
	assert.True(t, state.Success(), c.stderr.String())
}

// assertSameDecisions emulates both programs on every syscall number of
// every architecture (plus a few argument vectors) and compares.
func assertSameDecisions(t *testing.T, want, got *compile.Program) {
	t.Helper()
	order := binary.ByteOrder(binary.LittleEndian)
	if arch.Native().BigEndian() {
		order = binary.BigEndian
	}
	emu, err := compile.NewEmulator(got.Insns, order)
	require.NoError(t, err)
	ref, err := compile.NewEmulator(want.Insns, order)
	require.NoError(t, err)
	args := [][6]uint64{{}, {1, 2, 3, 4, 5, 6}, {^uint64(0), 0x7e020000, 1 << 32}}
	diffs := 0
	for _, a := range append(want.Arches, arch.MIPS) { // MIPS: a bad arch
		for nr := int32(-1); nr < 1100; nr++ {
			n := nr
			if a.Info().SyscallBit != 0 {
				n |= int32(a.Info().SyscallBit)
			}
			for _, av := range args {
				d := compile.Data{Nr: n, Arch: a.Audit(), Args: av}
				if w, g := ref.Run(d), emu.Run(d); w.Action != g.Action {
					diffs++
					if diffs < 5 {
						t.Errorf("%v nr %d args %v: compiled %v, dumped %v", a, n, av, w.Action, g.Action)
					}
				}
			}
		}
	}
	assert.Zero(t, diffs)
}

func TestLoaderDumpUnfiltered(t *testing.T) {
	requireSysAdmin(t)
	cmd := exec.Command("cat")
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	defer func() { _ = stdin.Close(); _ = cmd.Wait() }()
	got, err := Dump(cmd.Process.Pid)
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestLoaderDumpErrors(t *testing.T) {
	_, err := Dump(0)
	assert.ErrorContains(t, err, "invalid pid")
	requireSysAdmin(t)
	_, err = Dump(1 << 30)
	assert.ErrorIs(t, err, os.ErrNotExist, "no such process")

	// A caller under seccomp is refused, and told why.
	prog, _ := compileProfile(t, `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdirat"],"action":"SCMP_ACT_ERRNO"}]}`, "")
	spec := specFor(prog)
	spec.Scenario = "dump-while-filtered"
	res, _, stderr := runChildSpec(t, spec)
	require.NotNil(t, res, stderr)
	assert.Contains(t, res.Is, "ErrCallerFiltered", res.Err)
	assert.Contains(t, res.Err, "Seccomp: 2")
}

func TestParseStatus(t *testing.T) {
	st, err := parseStatus([]byte("Name:\tx\nNoNewPrivs:\t1\nSeccomp:\t2\nSeccomp_filters:\t3\nCapEff:\t000001ffffffffff\n"), "t")
	require.NoError(t, err)
	assert.Equal(t, Status{Mode: 2, Filters: 3, NoNewPrivs: true, CapEff: 0x1ffffffffff}, st)
	assert.True(t, st.HasCap(capSysAdmin))
	assert.False(t, st.HasCap(64))

	st, err = parseStatus([]byte("Seccomp:\t0\n"), "t")
	require.NoError(t, err)
	assert.Equal(t, -1, st.Filters, "not reported before Linux 5.9")

	_, err = parseStatus([]byte("Name:\tx\n"), "t")
	assert.ErrorIs(t, err, ErrNotSupported)
	_, err = parseStatus([]byte("Seccomp:\tx\n"), "t")
	assert.Error(t, err)
}
