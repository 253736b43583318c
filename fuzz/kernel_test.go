//go:build linux && amd64

package fuzz

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/internal/seccomptest"
	"github.com/seccompctl/seccompctl/profile"
)

// FuzzEmulator runs each generated program in the real kernel and in
// compile's emulator and compares the verdicts, and compares compile.Verify
// with the kernel's verifier.
//
// Filters are installed only in a helper child (this test binary run again
// with kernelChildEnv set), never in the test process. The child is started
// once per process and kept: each program goes to a fresh locked OS thread
// of the child, which installs it (filters are per thread) and calls
// getppid with the program's arguments, then exits with its filter. Every
// installed filter starts with a prologue that returns ALLOW for every
// syscall but getppid, which the Go runtime never makes, so the child's
// other threads and runtime calls are unaffected; and a Go thread created
// by a locked one comes from the runtime's clean template thread.
func FuzzEmulator(f *testing.F) {
	for _, seed := range emulatorSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkEmulator(t, data)
	})
}

// emulatorSeeds: structured and raw programs of several shapes.
func emulatorSeeds() [][]byte {
	return [][]byte{
		{},
		{1, 5, 0, 2, 16, 5, 1, 0xff, 0x00, 0, 0, 2, 5},
		{1, 23, 2, 4, 11, 0, 3, 3, 7, 0, 9, 0, 10, 3, 12, 2, 1, 14, 1, 15, 2, 6, 5},
		{2, 20, 11, 0, 4, 2, 1, 13, 1, 3, 2, 0x80, 0, 0, 0, 12, 1, 0, 5, 1, 2, 9, 3, 10, 1},
		{3, 16, 5, 3, 1, 7, 1, 6, 8, 4, 2, 3, 14, 0, 1, 1, 0xff, 0xff, 0xff, 0xff},
		{0, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20},
		{4, 12, 9, 3, 3, 40, 1, 13, 2, 2, 0, 0, 1, 0, 1, 2, 3, 0, 4, 5},
	}
}

const kernelChildEnv = "SECCOMPCTL_FUZZ_KERNEL_CHILD"

// prologue makes a filter apply to getppid only (see FuzzEmulator):
//
//	ld [0]; jeq #getppid, jt 1, jf 0; ret ALLOW
//
// It changes nothing the verifiers decide about the body that follows:
// the body's jumps are relative and no scratch cell is written yet.
var prologue = []bpf.RawInstruction{
	ins(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, 0, 0, 0),
	ins(unix.BPF_JMP|unix.BPF_JEQ|unix.BPF_K, 1, 0, unix.SYS_GETPPID),
	ins(unix.BPF_RET|unix.BPF_K, 0, 0, retAllow),
}

// kernelRequest is one program for the child.
type kernelRequest struct {
	Prog [][4]uint32 // op, jt, jf, k
	Args [6]uint64
	// Call says whether to call getppid after installing; false when the
	// program would kill, trap or read the instruction pointer.
	Call bool
}

// kernelReply is what the child saw.
type kernelReply struct {
	InstallErrno int   // seccomp(2)'s errno; 0 when installed
	Killed       bool  // the thread died in getppid
	Ret          int64 // getppid's result, -errno on failure
}

// checkEmulator is FuzzEmulator's body, shared with the regression tests.
// It reports the outcome: "rejected" (both verifiers refuse), "installed"
// (both accept; not called), "ran" or "killed" (the thread, as expected),
// prefixed with "structured " or "raw ".
func checkEmulator(t *testing.T, data []byte) string {
	t.Helper()
	s := NewSource(data)
	g := GenerateProgram(s)
	kind := "raw "
	if g.Structured {
		kind = "structured "
	}
	prog := append(append([]bpf.RawInstruction(nil), prologue...), g.Insns...)
	d := compile.Data{Nr: unix.SYS_GETPPID, Arch: auditX86_64, InstructionPointer: 0x7fffdeadbeef, Args: g.Args}

	verr := compile.Verify(prog)
	var want profile.Action
	req := kernelRequest{Args: g.Args}
	for _, in := range prog {
		req.Prog = append(req.Prog, [4]uint32{uint32(in.Op), uint32(in.Jt), uint32(in.Jf), in.K})
	}
	if verr == nil {
		res, err := compile.Emulate(prog, d, binary.LittleEndian)
		if err != nil {
			t.Fatalf("Emulate refuses a program Verify accepts: %v", err)
		}
		want = res.Action
		_, observable := expectedReply(want)
		req.Call = observable && !readsIP(prog)
		if g.Structured && (!req.Call || want.Kind() != profile.ActAllow && want.Kind() != profile.ActErrno) {
			t.Fatalf("structured program returns %v, which the generator promises it does not\n%s", want, disasm(prog))
		}
	} else if g.Structured {
		t.Fatalf("structured program fails Verify: %v\n%s", verr, disasm(prog))
	}

	got, err := kernel(t).run(req)
	if err != nil {
		t.Fatalf("kernel child: %v\nprogram:\n%s", err, disasm(prog))
	}
	switch {
	case verr != nil:
		if got.InstallErrno != int(unix.EINVAL) {
			t.Fatalf("Verify refuses (%v) but the kernel says errno %d\n%s", verr, got.InstallErrno, disasm(prog))
		}
		return kind + "rejected"
	case got.InstallErrno != 0:
		t.Fatalf("Verify accepts but the kernel refuses with errno %d\n%s", got.InstallErrno, disasm(prog))
	case !req.Call:
		return kind + "installed"
	}
	expect, _ := expectedReply(want)
	if got != expect {
		t.Fatalf("args %#x: emulator returns %v (kernel should give %+v), kernel gave %+v\n%s",
			g.Args, want, expect, got, disasm(prog))
	}
	if got.Killed {
		return kind + "killed"
	}
	return kind + "ran"
}

const auditX86_64 = 0xc000003e

// expectedReply is what getppid in the child gives when the filter
// returns act, and whether a thread can observe it without harm: ALLOW
// runs the call; ERRNO fails it with the errno capped at MAX_ERRNO (4095;
// ERRNO(0) is a success returning 0); TRACE and NOTIFY without a tracer or
// listener fail with ENOSYS; KILL_THREAD ends the thread. KILL_PROCESS,
// TRAP (a SIGSYS the Go runtime dies of), LOG (an audit record per call)
// and undefined actions (the kernel kills the process) are not observed.
func expectedReply(act profile.Action) (kernelReply, bool) {
	switch act.Kind() {
	case profile.ActAllow:
		return kernelReply{Ret: int64(os.Getpid())}, true
	case profile.ActErrno:
		return kernelReply{Ret: -int64(min(act.Data(), 4095))}, true
	case profile.ActTrace, profile.ActNotify:
		return kernelReply{Ret: -int64(unix.ENOSYS)}, true
	case profile.ActKillThread:
		return kernelReply{Killed: true}, true
	}
	return kernelReply{}, false
}

// readsIP reports whether prog loads seccomp_data.instruction_pointer,
// which differs between the emulator's input and the real call.
func readsIP(prog []bpf.RawInstruction) bool {
	for _, in := range prog {
		if in.Op == unix.BPF_LD|unix.BPF_W|unix.BPF_ABS && (in.K == 8 || in.K == 12) {
			return true
		}
	}
	return false
}

func disasm(prog []bpf.RawInstruction) string {
	return compile.Disassemble(prog, compile.DisasmOptions{})
}

// kernelChild is the parent's handle on the helper process.
type kernelChild struct {
	mu     sync.Mutex
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	stderr *tail
	// kills counts the child's threads the kernel killed. Each leaves the
	// Go runtime an M stuck in a system call for good, and at 10 000 Ms
	// the runtime aborts ("thread exhaustion"), so the child is replaced
	// long before.
	kills int
}

// maxKills is how many killed threads a child may collect.
var maxKills = 1000

// tail keeps the last bytes written to it: the child's stderr, for the
// report when it dies.
type tail struct {
	mu sync.Mutex
	b  []byte
}

func (w *tail) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b = append(w.b, p...)
	if len(w.b) > 8<<10 {
		w.b = append([]byte(nil), w.b[len(w.b)-8<<10:]...)
	}
	return len(p), nil
}

func (w *tail) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.b)
}

var (
	childMu sync.Mutex
	child   *kernelChild
)

// kernel returns the helper, starting it if needed.
func kernel(t *testing.T) *kernelChild {
	childMu.Lock()
	defer childMu.Unlock()
	if child != nil {
		return child
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestKernelChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), kernelChildEnv+"=1")
	stderr := &tail{}
	cmd.Stderr = stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the kernel child: %v", err)
	}
	child = &kernelChild{cmd: cmd, in: in, out: bufio.NewReader(out), stderr: stderr}
	return child
}

const replyPrefix = "FUZZ-KERNEL-REPLY "

// run sends one request and reads the reply. When the child is gone it
// is forgotten, so the next call starts a new one.
func (c *kernelChild) run(req kernelRequest) (kernelReply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, err := json.Marshal(req)
	if err != nil {
		return kernelReply{}, err
	}
	if _, err := c.in.Write(append(b, '\n')); err != nil {
		return kernelReply{}, c.died(err)
	}
	for {
		line, err := c.out.ReadString('\n')
		if err != nil {
			return kernelReply{}, c.died(err)
		}
		// The test framework may print its own lines; ours are marked.
		if rest, ok := strings.CutPrefix(line, replyPrefix); ok {
			var r kernelReply
			if err := json.Unmarshal([]byte(rest), &r); err != nil {
				return kernelReply{}, err
			}
			if r.Killed {
				c.kills++
				if c.kills >= maxKills {
					c.retire()
				}
			}
			return r, nil
		}
	}
}

func (c *kernelChild) died(err error) error {
	werr := c.retire()
	return fmt.Errorf("the child died (%v): %v; its stderr ends:\n%s", werr, err, c.stderr)
}

// retire makes the next request start a new child, and ends this one:
// it exits when its stdin closes.
func (c *kernelChild) retire() error {
	childMu.Lock()
	if child == c {
		child = nil
	}
	childMu.Unlock()
	_ = c.in.Close()
	return c.cmd.Wait()
}

// TestKernelChild is the helper process. In a normal run it does nothing.
func TestKernelChild(t *testing.T) {
	if os.Getenv(kernelChildEnv) == "" {
		t.Skip("helper process for FuzzEmulator")
	}
	// A SIGSYS core dump, should a program kill the process, helps no one.
	_ = unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{})
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(nil, 1<<20)
	out := bufio.NewWriter(os.Stdout)
	for in.Scan() {
		var req kernelRequest
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			fmt.Fprintln(os.Stderr, "kernel child:", err)
			os.Exit(3)
		}
		b, _ := json.Marshal(runOnThread(req))
		fmt.Fprintf(out, "%s%s\n", replyPrefix, b)
		_ = out.Flush()
	}
	// stdin closed: the parent is done (or gone).
	os.Exit(0)
}

// runOnThread installs req.Prog on a new locked thread and, if asked,
// calls getppid there.
func runOnThread(req kernelRequest) kernelReply {
	insns := make([]bpf.RawInstruction, len(req.Prog))
	for i, p := range req.Prog {
		insns[i] = bpf.RawInstruction{Op: uint16(p[0]), Jt: uint8(p[1]), Jf: uint8(p[2]), K: p[3]}
	}
	var call func()
	var ret int64
	if req.Call {
		call = func() { ret = seccomptest.Syscall(unix.SYS_GETPPID, req.Args) }
	}
	o := seccomptest.OnNewThread(insns, call)
	if o.InstallErrno != 0 || o.Killed || !req.Call {
		return kernelReply{InstallErrno: o.InstallErrno, Killed: o.Killed}
	}
	return kernelReply{Ret: ret}
}
