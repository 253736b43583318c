package compat

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/opencontainers/runc/libcontainer/configs"
	runcseccomp "github.com/opencontainers/runc/libcontainer/seccomp"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Sentinel errors of Capture.
var (
	// ErrRuncWithoutSeccomp means runc's seccomp support is not compiled
	// in: build with CGO_ENABLED=1 and -tags seccomp.
	ErrRuncWithoutSeccomp = errors.New("runc's libcontainer/seccomp was built without seccomp support: build with CGO_ENABLED=1 -tags seccomp")
	// ErrRuncRefused means runc's InitSeccomp returned an error, i.e. runc
	// would fail to start the container. The error text is runc's.
	ErrRuncRefused = errors.New("runc refuses the configuration")
	// ErrChild means the child process or the ptrace read-back failed.
	ErrChild = errors.New("capturing the loaded filter failed")
)

// childEnv marks the re-executed binary as a capture child.
const childEnv = "SECCOMPCTL_COMPAT_CAPTURE_CHILD"

// CaptureOptions tunes Capture.
type CaptureOptions struct {
	// Timeout bounds the whole capture (child start, load, read-back).
	Timeout time.Duration
}

// DefaultCaptureOptions returns the options Capture uses.
func DefaultCaptureOptions() CaptureOptions {
	return CaptureOptions{Timeout: 30 * time.Second}
}

// Capture loads cfg with runc's InitSeccomp in a child process and returns
// the program the kernel accepted, read back with
// ptrace(PTRACE_SECCOMP_GET_FILTER). The caller needs CAP_SYS_ADMIN (for
// the read-back) and must not be in seccomp mode itself; the calling
// binary must call RunChildIfRequested at start-up.
func Capture(cfg *configs.Seccomp) ([]bpf.RawInstruction, error) {
	return CaptureWithOptions(cfg, DefaultCaptureOptions())
}

// CaptureWithOptions is Capture with options.
func CaptureWithOptions(cfg *configs.Seccomp, opts CaptureOptions) ([]bpf.RawInstruction, error) {
	if !runcseccomp.Enabled {
		return nil, ErrRuncWithoutSeccomp
	}
	if cfg == nil {
		return nil, fmt.Errorf("%w: nil config", ErrChild)
	}
	// runc's parent hands the config to "runc init" as JSON too, so the
	// child sees exactly what a container's init would.
	data, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: encoding config: %w", ErrChild, err)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrChild, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), opts.Timeout)
	defer cancel()

	// -test.run=^$ keeps a test binary from running tests should the
	// environment variable get lost.
	cmd := exec.CommandContext(ctx, exe, "-test.run=^$")
	cmd.Env = append(os.Environ(),
		childEnv+"=1",
		// The filtered thread spins without system calls until the parent
		// has read the filter: no async preemption signals (their handler
		// returns through rt_sigreturn) and no garbage collection (which
		// would wait forever for the spinning goroutine).
		"GODEBUG=asyncpreemptoff=1",
		"GOGC=off",
		"GOMAXPROCS=4",
	)
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrChild, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: starting child: %w", ErrChild, err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()

	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("%w: child said nothing (%w); stderr: %s", ErrChild, err, strings.TrimSpace(stderr.String()))
	}
	line = strings.TrimSuffix(line, "\n")
	switch {
	case strings.HasPrefix(line, "error "):
		return nil, fmt.Errorf("%w: %s", ErrRuncRefused, strings.TrimPrefix(line, "error "))
	case strings.HasPrefix(line, "loaded "):
	default:
		return nil, fmt.Errorf("%w: unexpected child output %q", ErrChild, line)
	}
	tid, err := strconv.Atoi(strings.TrimPrefix(line, "loaded "))
	if err != nil || tid <= 0 {
		return nil, fmt.Errorf("%w: bad thread id in %q", ErrChild, line)
	}
	insns, err := readFilter(tid)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrChild, err)
	}
	return insns, nil
}

// readFilter attaches to thread tid, stops it, reads its newest seccomp
// filter and detaches. ptrace requests must come from the thread that
// attached, hence the locked OS thread.
func readFilter(tid int) ([]bpf.RawInstruction, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	if err := unix.PtraceSeize(tid); err != nil {
		return nil, fmt.Errorf("PTRACE_SEIZE %d: %w", tid, err)
	}
	detach := func() { _ = unix.PtraceDetach(tid) }
	if err := unix.PtraceInterrupt(tid); err != nil {
		detach()
		return nil, fmt.Errorf("PTRACE_INTERRUPT %d: %w", tid, err)
	}
	var ws unix.WaitStatus
	if _, err := unix.Wait4(tid, &ws, unix.WALL, nil); err != nil {
		detach()
		return nil, fmt.Errorf("waiting for thread %d to stop: %w", tid, err)
	}
	if !ws.Stopped() {
		return nil, fmt.Errorf("thread %d did not stop (status %#x): did the filter kill it?", tid, uint32(ws))
	}
	defer detach()

	// Index 0 is the newest filter; with a nil buffer the kernel returns
	// the instruction count.
	n, _, errno := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_SECCOMP_GET_FILTER, uintptr(tid), 0, 0, 0, 0)
	if errno != 0 {
		return nil, fmt.Errorf("PTRACE_SECCOMP_GET_FILTER %d: %w", tid, errno)
	}
	if n == 0 {
		return nil, fmt.Errorf("thread %d has an empty filter", tid)
	}
	buf := make([]unix.SockFilter, n)
	m, _, errno := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_SECCOMP_GET_FILTER, uintptr(tid), 0,
		uintptr(unsafe.Pointer(&buf[0])), 0, 0)
	runtime.KeepAlive(buf)
	if errno != 0 {
		return nil, fmt.Errorf("PTRACE_SECCOMP_GET_FILTER %d: %w", tid, errno)
	}
	if m != n {
		return nil, fmt.Errorf("filter of thread %d changed size while reading (%d, then %d)", tid, n, m)
	}
	// A second filter would mean we read something other than runc's.
	if _, _, errno := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_SECCOMP_GET_FILTER, uintptr(tid), 1, 0, 0, 0); errno != unix.ENOENT {
		return nil, fmt.Errorf("thread %d has more than one seccomp filter (PTRACE_SECCOMP_GET_FILTER index 1: %v)", tid, errno)
	}
	out := make([]bpf.RawInstruction, n)
	for i, f := range buf {
		out[i] = bpf.RawInstruction{Op: f.Code, Jt: f.Jt, Jf: f.Jf, K: f.K}
	}
	return out, nil
}

// RunChildIfRequested turns the process into a capture child when Capture
// started it, and then never returns. Otherwise it returns at once. Call it
// first thing in main or TestMain.
func RunChildIfRequested() {
	if os.Getenv(childEnv) == "" {
		return
	}
	os.Exit(runChild(os.Stdin, os.Stdout))
}

// runChild reads a configs.Seccomp from in, installs it on a dedicated
// thread with runc's InitSeccomp, reports "loaded <tid>" or
// "error <message>" on out and then waits to be killed. The filtered
// thread spins without making a single system call, so even a filter that
// denies everything cannot kill it before the parent has read it.
func runChild(in io.Reader, out io.Writer) int {
	data, err := io.ReadAll(in)
	if err != nil {
		fmt.Fprintf(out, "error reading config: %v\n", err)
		return 1
	}
	var cfg configs.Seccomp
	if err := json.Unmarshal(data, &cfg); err != nil {
		fmt.Fprintf(out, "error decoding config: %v\n", err)
		return 1
	}
	var (
		state   atomic.Int32 // 0 running, 1 loaded, 2 failed
		tid     atomic.Int64
		loadErr error
	)
	go func() {
		// Never unlocked: the thread carries the filter and must not run
		// other goroutines.
		runtime.LockOSThread()
		tid.Store(int64(unix.Gettid()))
		if _, err := runcseccomp.InitSeccomp(&cfg); err != nil {
			loadErr = err
			state.Store(2)
			return
		}
		state.Store(1)
		for {
			// Spin: no function calls, so no preemption point and no
			// system call on the filtered thread.
		}
	}()
	for state.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	if state.Load() == 2 {
		fmt.Fprintf(out, "error %s\n", strings.ReplaceAll(loadErr.Error(), "\n", " "))
		return 1
	}
	fmt.Fprintf(out, "loaded %d\n", tid.Load())
	select {}
}
