package loader

// The real-kernel tests never install a filter in the test process. Each
// one re-executes this test binary as a child (TestMain sees childEnv),
// sends it a childSpec on stdin, and reads one childResult line from its
// stdout, or looks at how it died.

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
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
)

const (
	childEnv     = "SECCOMPCTL_LOADER_CHILD"
	resultPrefix = "CHILD-RESULT: "
	readyLine    = "CHILD-READY"
)

func init() {
	if os.Getenv(childEnv) != "" {
		// Keep the main goroutine on the main thread (the one whose tid
		// is the pid), which is the thread Dump reads.
		runtime.LockOSThread()
	}
}

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(runChild())
	}
	os.Exit(m.Run())
}

// childSpec says what a child does.
type childSpec struct {
	Scenario   string
	Insns      []bpf.RawInstruction
	Arches     []arch.Arch
	Insns2     []bpf.RawInstruction // a second program (dump, tsync-conflict)
	Flags      Flags
	AllThreads bool // Install instead of InstallOnThisThread
	SkipNNP    bool
	DropAdmin  bool // drop CAP_SYS_ADMIN from this thread's effective set first
	Nr         int
	Args       [6]uint64
	Threads    int
	Dir        string
	Socket     string
	Metadata   string
	Shell      string
}

// threadResult is what one thread saw.
type threadResult struct {
	TID        int
	Errno      int
	Mode       int
	NoNewPrivs bool
}

// childResult is what a child reports.
type childResult struct {
	Err      string   // the install (or Exec) error, if any
	Is       []string // the sentinels Err matches
	TID      int      // TSYNCError.TID
	Feature  string   // UnsupportedFeatureError.Name
	Ret      int64
	Errno    int
	Mode     int // Seccomp of the installing thread afterwards
	NNP      bool
	Threads  []threadResult
	Steps    []string // the notify scenario's log
	Conflict int      // the tid of the thread with its own filter
}

var sentinels = map[string]error{
	"ErrNotSupported":     ErrNotSupported,
	"ErrInvalidProgram":   ErrInvalidProgram,
	"ErrInvalidFlags":     ErrInvalidFlags,
	"ErrNoListener":       ErrNoListener,
	"ErrPermission":       ErrPermission,
	"ErrThreadSync":       ErrThreadSync,
	"ErrCallerFiltered":   ErrCallerFiltered,
	"ErrListenerClosed":   ErrListenerClosed,
	"ErrNotificationGone": ErrNotificationGone,
}

func (r *childResult) setErr(err error) {
	if err == nil {
		return
	}
	r.Err = err.Error()
	for name, s := range sentinels {
		if errors.Is(err, s) {
			r.Is = append(r.Is, name)
		}
	}
	var te *TSYNCError
	if errors.As(err, &te) {
		r.TID = te.TID
	}
	var ufe *UnsupportedFeatureError
	if errors.As(err, &ufe) {
		r.Feature = ufe.Name
	}
}

func rawCall(nr int, a [6]uint64) (int64, int) {
	r, _, e := unix.Syscall6(uintptr(nr), uintptr(a[0]), uintptr(a[1]), uintptr(a[2]), uintptr(a[3]), uintptr(a[4]), uintptr(a[5]))
	if e != 0 {
		return -1, int(e)
	}
	return int64(r), 0
}

func threadStatus() (int, bool) {
	st, err := ReadStatus(0)
	if err != nil {
		return -1, false
	}
	return st.Mode, st.NoNewPrivs
}

func runChild() int {
	// A child killed by SIGSYS must not leave a core file behind.
	_ = unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{})
	dec := json.NewDecoder(os.Stdin)
	var spec childSpec
	if err := dec.Decode(&spec); err != nil {
		fmt.Fprintln(os.Stderr, "child: decoding spec:", err)
		return 3
	}
	prog := &compile.Program{Insns: spec.Insns, Arches: spec.Arches}
	opts := InstallOptions{Flags: spec.Flags, SkipNoNewPrivs: spec.SkipNNP}
	install := func(p *compile.Program, o InstallOptions) (*Filter, error) {
		if spec.AllThreads {
			return Install(p, o)
		}
		return InstallOnThisThread(p, o)
	}
	var res childResult
	report := func() int {
		b, _ := json.Marshal(res)
		fmt.Printf("%s%s\n", resultPrefix, b)
		return 0
	}

	switch spec.Scenario {
	case "call":
		if spec.DropAdmin {
			if err := dropSysAdmin(); err != nil {
				fmt.Fprintln(os.Stderr, "child: capset:", err)
				return 3
			}
		}
		_, err := install(prog, opts)
		res.setErr(err)
		res.Mode, res.NNP = threadStatus()
		if err == nil {
			res.Ret, res.Errno = rawCall(spec.Nr, spec.Args)
		}
		return report()

	case "tsync":
		res.Threads = tsyncChild(spec, prog, opts, &res)
		return report()

	case "tsync-conflict":
		tsyncConflictChild(spec, prog, &res)
		return report()

	case "notify":
		notifyChild(spec, prog, opts, &res)
		return report()

	case "handoff":
		f, err := install(prog, opts)
		res.setErr(err)
		if err != nil {
			return report()
		}
		err = SendListener(spec.Socket, f.Listener, ProcessState{Metadata: spec.Metadata, State: ContainerState{ID: "test"}})
		res.setErr(err)
		_ = f.Listener.Close()
		if err == nil {
			res.Ret, res.Errno = rawCall(spec.Nr, spec.Args)
		}
		return report()

	case "dump-target":
		if _, err := Install(prog, opts); err != nil {
			fmt.Fprintln(os.Stderr, "child: first install:", err)
			return 3
		}
		if _, err := Install(&compile.Program{Insns: spec.Insns2, Arches: spec.Arches}, InstallOptions{}); err != nil {
			fmt.Fprintln(os.Stderr, "child: second install:", err)
			return 3
		}
		fmt.Println(readyLine)
		_, _ = io.Copy(io.Discard, os.Stdin) // until the parent closes it
		return 0

	case "dump-while-filtered":
		if _, err := Install(prog, opts); err != nil {
			fmt.Fprintln(os.Stderr, "child: install:", err)
			return 3
		}
		_, err := Dump(os.Getppid())
		res.setErr(err)
		return report()

	case "exec":
		err := Exec(prog, "/bin/sh", []string{"sh", "-c", spec.Shell}, os.Environ(), ExecOptions{Install: opts})
		res.setErr(err)
		return report()
	}
	fmt.Fprintln(os.Stderr, "child: unknown scenario", spec.Scenario)
	return 3
}

// dropSysAdmin removes CAP_SYS_ADMIN from the calling thread's effective
// set (capabilities are per thread; the caller is locked to it).
func dropSysAdmin() error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return err
	}
	data[0].Effective &^= 1 << capSysAdmin
	return unix.Capset(&hdr, &data[0])
}

// tsyncChild starts spec.Threads locked threads, installs with TSYNC from
// the main thread, then lets every thread try spec.Nr.
func tsyncChild(spec childSpec, prog *compile.Program, opts InstallOptions, res *childResult) []threadResult {
	n := spec.Threads
	var ready, installed sync.WaitGroup
	ready.Add(n)
	installed.Add(1)
	results := make([]threadResult, n+1)
	var done sync.WaitGroup
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
			results[i+1].TID = unix.Gettid()
			ready.Done()
			installed.Wait()
			_, results[i+1].Errno = rawCall(spec.Nr, spec.Args)
			results[i+1].Mode, results[i+1].NoNewPrivs = threadStatus()
		}()
	}
	ready.Wait()
	_, err := Install(prog, opts)
	res.setErr(err)
	installed.Done()
	done.Wait()
	results[0].TID = unix.Gettid()
	_, results[0].Errno = rawCall(spec.Nr, spec.Args)
	results[0].Mode, results[0].NoNewPrivs = threadStatus()
	return results
}

// tsyncConflictChild gives one thread a filter of its own, then tries
// Install (TSYNC) from the main thread, without and with a listener.
func tsyncConflictChild(spec childSpec, prog *compile.Program, res *childResult) {
	tidc := make(chan int)
	errc := make(chan error)
	release := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		_, err := InstallOnThisThread(prog, InstallOptions{})
		errc <- err
		tidc <- unix.Gettid()
		<-release
	}()
	if err := <-errc; err != nil {
		res.Steps = append(res.Steps, "own filter: "+err.Error())
		return
	}
	res.Conflict = <-tidc
	_, err := Install(prog, InstallOptions{})
	res.setErr(err)
	res.Mode, res.NNP = threadStatus()
	// With a listener the kernel reports ESRCH instead of a tid.
	_, err = Install(&compile.Program{Insns: spec.Insns2, Arches: spec.Arches}, InstallOptions{Flags: FlagNewListener})
	var r2 childResult
	r2.setErr(err)
	res.Steps = append(res.Steps, fmt.Sprintf("with listener: %s %v", r2.Err, r2.Is))
	close(release)
}

// notifyChild installs a NOTIFY program on the main thread and serves it
// from a supervisor goroutine: the first mkdirat gets EACCES, the second
// CONTINUE, getppid gets the value 4242.
func notifyChild(spec childSpec, prog *compile.Program, opts InstallOptions, res *childResult) {
	f, err := InstallOnThisThread(prog, opts)
	res.setErr(err)
	if err != nil {
		return
	}
	var (
		mu    sync.Mutex
		steps []string
	)
	logf := func(format string, a ...any) {
		mu.Lock()
		steps = append(steps, fmt.Sprintf(format, a...))
		mu.Unlock()
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() {
		defer close(served)
		mkdirs := 0
		for {
			n, err := f.Listener.Receive(ctx)
			if err != nil {
				logf("receive: %v", err)
				return
			}
			valid, err := f.Listener.IDValid(n.ID)
			logf("notif nr=%d arch=%#x pid-ok=%v valid=%v err=%v", n.Data.Nr, n.Data.Arch, int(n.Pid) == unix.Getpid() || n.Pid != 0, valid, err)
			switch n.Data.Nr {
			case unix.SYS_MKDIRAT:
				mkdirs++
				if mkdirs == 1 {
					logf("respond EACCES: %v", f.Listener.Respond(n.ID, 0, unix.EACCES))
				} else {
					logf("respond CONTINUE: %v", f.Listener.RespondContinue(n.ID))
				}
			case unix.SYS_GETPPID:
				logf("respond 4242: %v", f.Listener.Respond(n.ID, 4242, 0))
			default:
				logf("respond ENOSYS: %v", f.Listener.Respond(n.ID, 0, unix.ENOSYS))
			}
			valid, err = f.Listener.IDValid(n.ID)
			logf("after answer valid=%v err=%v", valid, err)
		}
	}()
	e1 := unix.Mkdirat(unix.AT_FDCWD, spec.Dir+"/first", 0o755)
	logf("mkdirat first: %v", e1)
	e2 := unix.Mkdirat(unix.AT_FDCWD, spec.Dir+"/second", 0o755)
	logf("mkdirat second: %v", e2)
	r, errno := rawCall(unix.SYS_GETPPID, [6]uint64{})
	logf("getppid: %d errno %d", r, errno)
	cancel()
	<-served
	logf("close: %v", f.Listener.Close())
	res.Steps = steps
}

// child is a running child process.
type child struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr *lockedBuffer
	out    string // stdout, after finish
}

// lockedBuffer is a bytes.Buffer that a test may read while os/exec
// still copies the child's output into it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func startChild(t *testing.T, spec childSpec) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Dir = t.TempDir()
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stderr := new(lockedBuffer)
	cmd.Stderr = stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	require.NoError(t, json.NewEncoder(stdin).Encode(spec))
	return &child{cmd: cmd, stdin: stdin, stdout: bufio.NewReader(stdout), stderr: stderr}
}

// finish closes stdin, reads the result line (if any) and waits.
func (c *child) finish(t *testing.T) (*childResult, *os.ProcessState) {
	t.Helper()
	_ = c.stdin.Close()
	out, _ := io.ReadAll(c.stdout)
	_ = c.cmd.Wait()
	c.out = string(out)
	var res *childResult
	for _, line := range strings.Split(string(out), "\n") {
		if s, ok := strings.CutPrefix(line, resultPrefix); ok {
			res = new(childResult)
			require.NoError(t, json.Unmarshal([]byte(s), res))
		}
	}
	return res, c.cmd.ProcessState
}

// runChildSpec runs a child to the end.
func runChildSpec(t *testing.T, spec childSpec) (*childResult, *os.ProcessState, string) {
	t.Helper()
	c := startChild(t, spec)
	res, st := c.finish(t)
	return res, st, c.stderr.String()
}

// compileProfile compiles a profile for this machine, runc mode unless
// rt says otherwise, and checks the program with our verifier.
func compileProfile(t *testing.T, src string, rt profile.Runtime) (*compile.Program, *profile.Policy) {
	t.Helper()
	p, err := profile.Parse([]byte(src))
	require.NoError(t, err)
	pol, err := p.Resolve(profile.Target{Caps: profile.DockerDefaultCaps, Runtime: rt})
	require.NoError(t, err)
	prog, err := compile.Compile(pol, compile.Options{})
	require.NoError(t, err)
	require.NoError(t, compile.Verify(prog.Insns), "our verifier must accept every program the tests install")
	return prog, pol
}

// requireSysAdmin skips tests that need CAP_SYS_ADMIN (dumping,
// installing without no_new_privs) when the tests run without it.
func requireSysAdmin(t *testing.T) {
	t.Helper()
	st, err := ReadStatus(0)
	require.NoError(t, err)
	if !st.HasCap(capSysAdmin) {
		t.Skip("needs CAP_SYS_ADMIN")
	}
}

func specFor(prog *compile.Program) childSpec {
	return childSpec{Insns: prog.Insns, Arches: prog.Arches}
}
