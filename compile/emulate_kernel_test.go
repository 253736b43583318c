//go:build linux && amd64

package compile

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/seccompctl/seccompctl/internal/seccomptest"
	"github.com/seccompctl/seccompctl/profile"
)

// The real-kernel tests install filters in a child process (this test
// binary re-executed), never in the test process. Each program is
// installed on its own locked OS thread without TSYNC, so one child can try
// hundreds of programs: a filter only ever applies to the thread that
// installed it (and threads it creates). Every installed program starts
// with a prologue that allows everything but getppid, so the Go runtime's
// own system calls on that thread are never affected; the thread then
// calls getppid with chosen arguments and reports what happened.

const kernelHelperEnv = "SECCOMPCTL_COMPILE_KERNEL_HELPER"

// kernelCase is one program for the child to install and run.
type kernelCase struct {
	Prog []bpf.RawInstruction
	Args [6]uint64
}

// kernelOutcome is what the child saw.
type kernelOutcome struct {
	// InstallErrno is seccomp(SECCOMP_SET_MODE_FILTER)'s errno, 0 when
	// the filter was installed.
	InstallErrno int
	// Killed reports that the thread died in getppid (KILL_THREAD).
	Killed bool
	// Ret is getppid's return value as the kernel set it: the parent's
	// pid, or -errno. (Go's Syscall reports -4095 as a success, so the
	// child folds its errno back in.)
	Ret int64
}

const resultPrefix = "KERNEL-RESULT: "

// withPrologue makes body apply to getppid only:
//
//	0: ld nr
//	1: jeq #getppid, jt 3, jf 2
//	2: ret ALLOW
//	3: body...
//
// The prologue does not change what the verifiers decide about body: the
// scratch-memory state reaching instruction 3 is "nothing written", as at
// the start of a program, and body's jumps are relative.
func withPrologue(body []bpf.RawInstruction) []bpf.RawInstruction {
	return append([]bpf.RawInstruction{
		raw(codeLdAbsW, 0, 0, 0),
		raw(codeJeqK, 1, 0, unix.SYS_GETPPID),
		raw(codeRetK, 0, 0, retAllow),
	}, body...)
}

func kernelData(args [6]uint64) Data {
	return Data{Nr: unix.SYS_GETPPID, Arch: auditX86_64, Args: args}
}

// TestKernelHelperProcess is the child. It does nothing in a normal run.
func TestKernelHelperProcess(t *testing.T) {
	mode := os.Getenv(kernelHelperEnv)
	if mode == "" {
		t.Skip("helper process for the real-kernel tests")
	}
	var cases []kernelCase
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		fmt.Fprintln(os.Stderr, "helper: decode:", err)
		os.Exit(3)
	}
	if mode == "kill-process" {
		// Keep the SIGSYS core dump off the disk.
		_ = unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{})
	}
	out := bufio.NewWriter(os.Stdout)
	for _, c := range cases {
		o := runOnThread(c)
		b, _ := json.Marshal(o)
		fmt.Fprintf(out, "%s%s\n", resultPrefix, b)
		_ = out.Flush() // a child killed midway still reports what it did
	}
	_ = out.Flush()
	os.Exit(0)
}

// runOnThread installs c.Prog on a fresh locked thread and calls getppid.
func runOnThread(c kernelCase) kernelOutcome {
	var ret int64
	o := seccomptest.OnNewThread(c.Prog, func() { ret = seccomptest.Syscall(unix.SYS_GETPPID, c.Args) })
	if o.InstallErrno != 0 || o.Killed {
		return kernelOutcome{InstallErrno: o.InstallErrno, Killed: o.Killed}
	}
	return kernelOutcome{Ret: ret}
}

// runKernelChild runs the helper in the given mode on cases.
func runKernelChild(t *testing.T, mode string, cases []kernelCase) ([]kernelOutcome, *exec.Cmd, error) {
	t.Helper()
	in, err := json.Marshal(cases)
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0], "-test.run=^TestKernelHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), kernelHelperEnv+"="+mode)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var outs []kernelOutcome
	for _, line := range strings.Split(stdout.String(), "\n") {
		if rest, ok := strings.CutPrefix(line, resultPrefix); ok {
			var o kernelOutcome
			require.NoError(t, json.Unmarshal([]byte(rest), &o))
			outs = append(outs, o)
		}
	}
	if runErr != nil && stderr.Len() > 0 {
		t.Logf("helper stderr:\n%s", stderr.String())
	}
	return outs, cmd, runErr
}

// checkOutcome compares what the kernel did with the emulator's verdict.
func checkOutcome(t *testing.T, name string, want profile.Action, got kernelOutcome) {
	t.Helper()
	ppid := int64(os.Getpid())
	switch want.Kind() {
	case profile.ActAllow:
		assert.Equal(t, kernelOutcome{Ret: ppid}, got, "%s: emulator says %v", name, want)
	case profile.ActErrno:
		// The kernel caps the errno at MAX_ERRNO (4095); ERRNO(0) is a
		// successful return of 0.
		assert.Equal(t, kernelOutcome{Ret: -int64(min(want.Data(), 4095))}, got, "%s: emulator says %v", name, want)
	case profile.ActTrace, profile.ActNotify:
		// No tracer, no listener: the kernel fails the call with ENOSYS.
		assert.Equal(t, kernelOutcome{Ret: -int64(unix.ENOSYS)}, got, "%s: emulator says %v", name, want)
	case profile.ActKillThread:
		assert.Equal(t, kernelOutcome{Killed: true}, got, "%s: emulator says %v", name, want)
	default:
		t.Errorf("%s: test program returns %v, which this test cannot observe", name, want)
	}
}

type namedKernelCase struct {
	name string
	kernelCase
}

// fixedKernelCases are hand-written programs exercising each instruction
// kind, ALU edge cases and every action the test can observe.
func fixedKernelCases(t *testing.T) []namedKernelCase {
	ld := func(off uint32) bpf.Instruction { return bpf.LoadAbsolute{Off: off, Size: 4} }
	errnoA := []bpf.Instruction{
		bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0xffff},
		bpf.ALUOpConstant{Op: bpf.ALUOpOr, Val: 0x50000},
		bpf.RetA{},
	}
	args := [6]uint64{0x00000003_00000007, 0xffffffff_fffffff0, 12, 0x80000000, 1, 33}
	progs := []struct {
		name string
		body []bpf.Instruction
		args [6]uint64
	}{
		{"allow", []bpf.Instruction{bpf.RetConstant{Val: retAllow}}, args},
		{"errno 1", []bpf.Instruction{bpf.RetConstant{Val: 0x50001}}, args},
		{"errno 0", []bpf.Instruction{bpf.RetConstant{Val: 0x50000}}, args},
		{"errno 4095", []bpf.Instruction{bpf.RetConstant{Val: 0x50fff}}, args},
		{"errno capped", []bpf.Instruction{bpf.RetConstant{Val: 0x5ffff}}, args},
		{"trace without tracer", []bpf.Instruction{bpf.RetConstant{Val: 0x7ff00007}}, args},
		{"notify without listener", []bpf.Instruction{bpf.RetConstant{Val: 0x7fc00000}}, args},
		{"kill thread", []bpf.Instruction{bpf.RetConstant{Val: 0}}, args},
		{"arg low and high words", append([]bpf.Instruction{
			ld(16), bpf.TAX{}, ld(20), bpf.ALUOpConstant{Op: bpf.ALUOpMul, Val: 100}, bpf.ALUOpX{Op: bpf.ALUOpAdd}, // 3*100+7
		}, errnoA...), args},
		{"sub wraps", append([]bpf.Instruction{
			ld(24), bpf.ALUOpConstant{Op: bpf.ALUOpSub, Val: 0xfffffff0 - 77}, // 77
		}, errnoA...), args},
		{"mul wraps", append([]bpf.Instruction{
			bpf.LoadConstant{Dst: bpf.RegA, Val: 0x10001}, bpf.ALUOpConstant{Op: bpf.ALUOpMul, Val: 0x10003},
		}, errnoA...), args},
		{"div k and x", append([]bpf.Instruction{
			ld(24), bpf.ALUOpConstant{Op: bpf.ALUOpDiv, Val: 0x100000}, // 0xfff
			bpf.LoadConstant{Dst: bpf.RegX, Val: 7}, bpf.ALUOpX{Op: bpf.ALUOpDiv},
		}, errnoA...), args},
		{"div by x zero", append([]bpf.Instruction{
			bpf.LoadConstant{Dst: bpf.RegA, Val: 9}, bpf.ALUOpX{Op: bpf.ALUOpDiv},
		}, errnoA...), args},
		{"shift by x masks", append([]bpf.Instruction{
			bpf.LoadConstant{Dst: bpf.RegA, Val: 1}, bpf.LoadAbsolute{Off: 56, Size: 4}, bpf.TAX{}, // X = 33
			bpf.LoadConstant{Dst: bpf.RegA, Val: 3}, bpf.ALUOpX{Op: bpf.ALUOpShiftLeft}, // 3 << 1
		}, errnoA...), args},
		{"rsh by x masks", append([]bpf.Instruction{
			ld(40), bpf.TAX{}, // X = 0x80000000: shift count 0
			bpf.LoadConstant{Dst: bpf.RegA, Val: 0x1234}, bpf.ALUOpX{Op: bpf.ALUOpShiftRight},
		}, errnoA...), args},
		{"shift by k", append([]bpf.Instruction{
			ld(40), bpf.ALUOpConstant{Op: bpf.ALUOpShiftRight, Val: 20}, bpf.ALUOpConstant{Op: bpf.ALUOpShiftLeft, Val: 1},
		}, errnoA...), args},
		{"and or xor neg", append([]bpf.Instruction{
			ld(24), bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0xff}, bpf.ALUOpConstant{Op: bpf.ALUOpXor, Val: 0x0f},
			bpf.ALUOpConstant{Op: bpf.ALUOpOr, Val: 0x100}, bpf.NegateA{}, bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0x7ff},
		}, errnoA...), args},
		{"scratch and len", append([]bpf.Instruction{
			bpf.LoadExtension{Num: bpf.ExtLen}, bpf.StoreScratch{Src: bpf.RegA, N: 5},
			raw(codeLdxLen, 0, 0, 0), bpf.StoreScratch{Src: bpf.RegX, N: 15},
			bpf.LoadScratch{Dst: bpf.RegA, N: 15}, bpf.LoadScratch{Dst: bpf.RegX, N: 5}, bpf.ALUOpX{Op: bpf.ALUOpAdd}, // 128
			bpf.TAX{}, bpf.TXA{},
		}, errnoA...), args},
		{"arch and nr words", append([]bpf.Instruction{
			ld(4), bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0xff}, bpf.TAX{}, ld(0), bpf.ALUOpX{Op: bpf.ALUOpAdd}, // 0x3e+110
		}, errnoA...), args},
		{"jumps with k", []bpf.Instruction{
			ld(32),
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 12, SkipTrue: 0, SkipFalse: 5},
			bpf.JumpIf{Cond: bpf.JumpGreaterThan, Val: 12, SkipTrue: 4, SkipFalse: 0},
			bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: 12, SkipTrue: 0, SkipFalse: 3},
			bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: 4, SkipTrue: 0, SkipFalse: 2},
			bpf.Jump{Skip: 2},
			bpf.RetConstant{Val: 0x50001},
			bpf.RetConstant{Val: 0x50002},
			bpf.RetConstant{Val: 0x50003},
		}, args},
		{"jumps with x", []bpf.Instruction{
			ld(48), bpf.TAX{}, ld(32), // A = 12, X = 1
			bpf.JumpIfX{Cond: bpf.JumpGreaterThan, SkipTrue: 0, SkipFalse: 3},
			bpf.JumpIfX{Cond: bpf.JumpBitsSet, SkipTrue: 2, SkipFalse: 0},
			bpf.JumpIfX{Cond: bpf.JumpEqual, SkipTrue: 1, SkipFalse: 0},
			bpf.RetConstant{Val: 0x50005},
			bpf.RetConstant{Val: 0x50006},
		}, args},
		{"unsigned compare of a negative word", []bpf.Instruction{
			ld(28), bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: 0x80000000, SkipTrue: 1},
			bpf.RetConstant{Val: 0x50001}, bpf.RetConstant{Val: 0x50002},
		}, args},
	}
	var out []namedKernelCase
	for _, p := range progs {
		out = append(out, namedKernelCase{p.name, kernelCase{Prog: withPrologue(vmAsm(t, p.body...)), Args: p.args}})
	}
	return out
}

// randomBody returns a random program body that Verify accepts. It ends
// by returning ERRNO(A & 0xfff) so that the result is observable, but may
// also return ALLOW or KILL_THREAD (ret #0, or a division by X = 0) on the
// way.
func randomBody(rng *rand.Rand) []bpf.RawInstruction {
	aluOps := []uint16{unix.BPF_ADD, unix.BPF_SUB, unix.BPF_MUL, unix.BPF_DIV, unix.BPF_AND,
		unix.BPF_OR, unix.BPF_XOR, unix.BPF_LSH, unix.BPF_RSH}
	jumpOps := []uint16{unix.BPF_JEQ, unix.BPF_JGT, unix.BPF_JGE, unix.BPF_JSET}
	offsets := []uint32{0, 4, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60}
	k := func() uint32 {
		switch rng.IntN(3) {
		case 0:
			return uint32(rng.IntN(40))
		case 1:
			return rng.Uint32()
		}
		return 1 << rng.IntN(32)
	}
	epilogue := []bpf.RawInstruction{
		raw(codeAluK|unix.BPF_AND, 0, 0, 0xfff),
		raw(codeAluK|unix.BPF_OR, 0, 0, 0x50000),
		raw(codeRetA, 0, 0, 0),
	}
	for {
		n := 3 + rng.IntN(18)
		body := make([]bpf.RawInstruction, 0, n+len(epilogue))
		for i := 0; i < n; i++ {
			left := n - i - 1 // farthest skip: to the start of the epilogue
			var ins bpf.RawInstruction
			switch rng.IntN(14) {
			case 0, 1:
				ins = raw(codeLdAbsW, 0, 0, offsets[rng.IntN(len(offsets))])
			case 2:
				ins = raw([]uint16{codeLdImm, codeLdxImm}[rng.IntN(2)], 0, 0, k())
			case 3:
				ins = raw([]uint16{codeLdLen, codeLdxLen, codeTax, codeTxa, codeNeg}[rng.IntN(5)], 0, 0, 0)
			case 4, 5:
				op := aluOps[rng.IntN(len(aluOps))]
				v := k()
				switch op {
				case unix.BPF_DIV:
					v |= 1 << rng.IntN(4)
				case unix.BPF_LSH, unix.BPF_RSH:
					v %= 32
				}
				ins = raw(codeAluK|op, 0, 0, v)
			case 6, 7:
				ins = raw(codeAluX|aluOps[rng.IntN(len(aluOps))], 0, 0, 0)
			case 8:
				ins = raw([]uint16{codeSt, codeStx}[rng.IntN(2)], 0, 0, uint32(rng.IntN(3)))
			case 9:
				ins = raw([]uint16{codeLdMem, codeLdxMem}[rng.IntN(2)], 0, 0, uint32(rng.IntN(3)))
			case 10, 11:
				op := unix.BPF_JMP | jumpOps[rng.IntN(len(jumpOps))] | []uint16{unix.BPF_K, unix.BPF_X}[rng.IntN(2)]
				ins = raw(op, uint8(rng.IntN(left+1)), uint8(rng.IntN(left+1)), k())
			case 12:
				ins = raw(codeJa, 0, 0, uint32(rng.IntN(left+1)))
			case 13:
				ins = raw(codeRetK, 0, 0, []uint32{retAllow, 0, 0x50000 | uint32(rng.IntN(4096))}[rng.IntN(3)])
			}
			body = append(body, ins)
		}
		body = append(body, epilogue...)
		if Verify(withPrologue(body)) == nil {
			return body
		}
	}
}

func randomArgs(rng *rand.Rand) [6]uint64 {
	var a [6]uint64
	for i := range a {
		switch rng.IntN(3) {
		case 0:
			a[i] = uint64(rng.IntN(64))
		case 1:
			a[i] = rng.Uint64()
		default:
			a[i] = uint64(rng.Uint32()) << (32 * uint(rng.IntN(2)))
		}
	}
	return a
}

// TestKernelAgrees checks the emulator against the running kernel on
// hand-written and random programs, and the verifier against the kernel's
// on every verifyCases program, both ways.
func TestKernelAgrees(t *testing.T) {
	var named []namedKernelCase
	named = append(named, fixedKernelCases(t)...)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 300; i++ {
		named = append(named, namedKernelCase{fmt.Sprintf("random %d", i),
			kernelCase{Prog: withPrologue(randomBody(rng)), Args: randomArgs(rng)}})
	}
	for _, vc := range verifyCases() {
		prog := vmAsm(t, vc.prog...)
		if len(prog) > 0 {
			prog = withPrologue(prog)
		}
		named = append(named, namedKernelCase{"verify " + vc.name, kernelCase{Prog: prog}})
	}
	named = append(named, namedKernelCase{"verify too long", kernelCase{Prog: withPrologue(rets(KernelMaxInsns - 2))}})
	named = append(named, namedKernelCase{"verify longest", kernelCase{Prog: withPrologue(rets(KernelMaxInsns - 3))}})

	cases := make([]kernelCase, len(named))
	for i, c := range named {
		cases[i] = c.kernelCase
	}
	outs, _, err := runKernelChild(t, "batch", cases)
	require.NoError(t, err, "the child died after %d of %d programs", len(outs), len(cases))
	require.Len(t, outs, len(cases))

	var allowed, errnos, killed, rejected int
	for i, c := range named {
		got := outs[i]
		verr := Verify(c.Prog)
		if verr != nil {
			rejected++
			assert.Equal(t, int(unix.EINVAL), got.InstallErrno, "%s: our verifier says %v, the kernel's errno is %d", c.name, verr, got.InstallErrno)
			continue
		}
		if !assert.Zero(t, got.InstallErrno, "%s: our verifier accepts, the kernel says errno %d", c.name, got.InstallErrno) {
			continue
		}
		res, err := Emulate(c.Prog, kernelData(c.Args), binary.LittleEndian)
		require.NoError(t, err)
		checkOutcome(t, c.name, res.Action, got)
		switch res.Action.Kind() {
		case profile.ActAllow:
			allowed++
		case profile.ActKillThread:
			killed++
		default:
			errnos++
		}
	}
	t.Logf("%d programs: %d allowed, %d errno/enosys, %d killed threads, %d rejected by both verifiers", len(named), allowed, errnos, killed, rejected)
	// The random programs must reach every kind of outcome, or the test
	// has lost its teeth.
	assert.Positive(t, allowed)
	assert.Positive(t, killed)
	assert.Greater(t, errnos, 100)
	assert.Greater(t, rejected, 20)
}

// TestKernelKillProcess checks the one outcome that ends the whole child.
func TestKernelKillProcess(t *testing.T) {
	prog := withPrologue(vmAsm(t, bpf.RetConstant{Val: uint32(profile.ActKillProcess)}))
	res, err := Emulate(prog, kernelData([6]uint64{}), binary.LittleEndian)
	require.NoError(t, err)
	require.Equal(t, profile.ActKillProcess, res.Action)
	outs, cmd, err := runKernelChild(t, "kill-process", []kernelCase{{Prog: prog}})
	require.Error(t, err, "the child should have been killed")
	assert.Empty(t, outs)
	var exitErr *exec.ExitError
	require.True(t, errors.As(err, &exitErr))
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	require.True(t, ok)
	assert.True(t, ws.Signaled(), "child exit status %v", cmd.ProcessState)
	assert.Equal(t, syscall.SIGSYS, ws.Signal())
}
