package record

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/syscalls"
)

// Options control Run.
type Options struct {
	// Stdin, Stdout and Stderr are the command's standard streams (nil:
	// the null device, as os/exec does).
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Env is the command's environment; nil means os.Environ().
	Env []string
	// Dir is the command's working directory; "" means the current one.
	Dir string
	// ShimPath is the binary started as the shim; it must import this
	// package. "" means os.Executable(), this program.
	ShimPath string
	// NoNewPrivs sets no_new_privs for the command even when it is not
	// needed. Without CAP_SYS_ADMIN the kernel requires it anyway; with
	// it, leaving it unset lets setuid programs and file capabilities work
	// as they do without the recorder.
	NoNewPrivs bool
	// NoWaitDescendants stops recording when the command itself exits.
	// By default Run goes on answering the processes it left behind until
	// they are gone (see Run). The ones still running then find every
	// further syscall failing with ENOSYS.
	NoWaitDescendants bool
	// KillDelay is how long Run waits, after ctx ends and the command got
	// SIGTERM, before it kills the command. Zero means 5 seconds.
	KillDelay time.Duration
}

// DefaultOptions: no standard streams, this environment, wait for
// descendants.
var DefaultOptions = Options{}

// Result is what Run observed.
type Result struct {
	// Recording holds every syscall the command and its descendants made.
	Recording *Recording
	// State is the command's exit state.
	State *os.ProcessState
	// Notifications counts the syscalls the recorder answered.
	Notifications uint64
}

// ExitStatus returns the command's exit status as a shell reports it:
// the exit code, or 128+N when signal N ended it.
func (r *Result) ExitStatus() int {
	ws, ok := r.State.Sys().(syscall.WaitStatus)
	if ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return r.State.ExitCode()
}

// minKernel is the first kernel with SECCOMP_USER_NOTIF_FLAG_CONTINUE.
var minKernel = profile.KernelVersion{Kernel: 5, Major: 5}

// settleQuiet is how long Run waits without notifications, after the
// command exited, before it checks whether the processes it recorded are
// all gone.
const settleQuiet = 100 * time.Millisecond

// Run runs argv (looked up in PATH like a shell does) and records every
// system call it and every process and thread it starts make.
//
// The command runs under a filter that sends each system call to Run,
// which notes it and lets it proceed unchanged (see the package
// documentation). The command's output goes where opts says; its exit
// status is in the Result. Run returns an error only when recording fails
// (the command cannot be started, the kernel lacks the support); a command
// that fails is not an error.
//
// After the command exits, Run keeps answering its descendants, if any are
// left, until the kernel reports the filter unused (Linux 5.8 and later),
// or until every task it has seen is gone or a zombie and none made a
// syscall for 100 ms, or until ctx ends. With opts.NoWaitDescendants it
// stops when the command exits.
func Run(ctx context.Context, argv []string, opts Options) (*Result, error) {
	if len(argv) == 0 {
		return nil, fmt.Errorf("%w: no command", ErrStart)
	}
	if k, err := profile.RunningKernel(); err == nil && !k.AtLeast(minKernel) {
		return nil, fmt.Errorf("%w: kernel %s; recording needs SECCOMP_USER_NOTIF_FLAG_CONTINUE (Linux 5.5)", ErrUnsupported, k)
	}
	if _, _, err := notifSizes(); err != nil {
		return nil, err
	}
	shim := opts.ShimPath
	if shim == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("%w: finding this program for the shim: %v", ErrStart, err)
		}
		shim = exe
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("%w: socketpair: %v", ErrStart, err)
	}
	sock := fds[0]
	defer unix.Close(sock)
	childEnd := os.NewFile(uintptr(fds[1]), "record-shim-socket")

	cmd := exec.CommandContext(ctx, shim, shimArgs(argv, opts.NoNewPrivs)...)
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	cmd.Env = append(append([]string(nil), env...), shimEnv+"="+shimEnvValue)
	cmd.Dir = opts.Dir
	cmd.Stdin, cmd.Stdout, cmd.Stderr = opts.Stdin, opts.Stdout, opts.Stderr
	cmd.ExtraFiles = []*os.File{childEnd}
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = opts.KillDelay
	if cmd.WaitDelay == 0 {
		cmd.WaitDelay = 5 * time.Second
	}
	err = cmd.Start()
	childEnd.Close()
	if err != nil {
		return nil, fmt.Errorf("%w: starting the shim %s: %v", ErrStart, shim, err)
	}

	lfd, err := receiveListener(sock)
	if err != nil {
		_ = cmd.Wait()
		return nil, err
	}
	l, err := newListener(lfd)
	if err != nil {
		unix.Close(lfd)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, err
	}
	s, err := newServer(l)
	if err != nil {
		unix.Close(lfd)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, err
	}
	defer s.close()
	go s.serve()

	// The socket closes on a successful execve (it is close-on-exec in
	// the shim); otherwise the shim says why exec failed.
	if execErr := readExecResult(sock); execErr != nil {
		waitErr := cmd.Wait()
		s.stop()
		<-s.done
		if waitErr != nil && !isExit(waitErr) {
			return nil, fmt.Errorf("%w: %v (%v)", ErrStart, execErr, waitErr)
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrStart, argv[0], execErr)
	}

	waitErr := cmd.Wait()
	var serveErr error
	if opts.NoWaitDescendants || ctx.Err() != nil {
		s.stop()
		serveErr = <-s.done
	} else {
		s.settle()
		select {
		case serveErr = <-s.done:
		case <-ctx.Done():
			s.stop()
			serveErr = <-s.done
		}
	}
	// After ctx ends, Wait may report ctx.Err() for a command that then
	// exited by itself; the command's state is what counts.
	if waitErr != nil && !isExit(waitErr) && cmd.ProcessState == nil {
		return nil, fmt.Errorf("record: waiting for %s: %w", argv[0], waitErr)
	}
	if serveErr != nil {
		return nil, serveErr
	}
	return &Result{Recording: s.rec, State: cmd.ProcessState, Notifications: s.count}, nil
}

func isExit(err error) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee)
}

// receiveListener reads the shim's first message: the listener fd, or why
// the shim could not install the filter.
func receiveListener(sock int) (int, error) {
	buf := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(4))
	for {
		n, oobn, _, _, err := unix.Recvmsg(sock, buf, oob, unix.MSG_CMSG_CLOEXEC)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return -1, fmt.Errorf("%w: reading from the shim: %v", ErrStart, err)
		}
		msg := string(buf[:n])
		var fds []int
		if oobn > 0 {
			cmsgs, err := unix.ParseSocketControlMessage(oob[:oobn])
			if err != nil {
				return -1, fmt.Errorf("%w: shim message: %v", ErrStart, err)
			}
			for _, c := range cmsgs {
				got, err := unix.ParseUnixRights(&c)
				if err == nil {
					fds = append(fds, got...)
				}
			}
		}
		switch {
		case msg == msgListener && len(fds) == 1:
			return fds[0], nil
		case strings.HasPrefix(msg, msgError):
			closeAll(fds)
			return -1, fmt.Errorf("%w: %s", ErrStart, strings.TrimPrefix(msg, msgError))
		case n == 0:
			closeAll(fds)
			return -1, fmt.Errorf("%w: the shim exited without installing the filter (the shim binary must import package record)", ErrStart)
		}
		closeAll(fds)
		return -1, fmt.Errorf("%w: unexpected message from the shim: %q", ErrStart, msg)
	}
}

func closeAll(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}

// readExecResult waits until execve succeeded (the socket closes) or
// failed (the shim says why).
func readExecResult(sock int) error {
	buf := make([]byte, 4096)
	for {
		n, err := unix.Read(sock, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("reading from the shim: %w", err)
		}
		if n == 0 {
			return nil
		}
		msg := string(bytes.TrimPrefix(buf[:n], []byte(msgExec)))
		return errors.New(msg)
	}
}

// server answers notifications on one goroutine and records them.
type server struct {
	l            *listener
	wakeR, wakeW int
	rec          *Recording
	count        uint64
	tids         map[uint32]struct{}
	// started turns true at the shim's execve: what the shim's thread
	// did before it (Go's syscall.Exec restoring RLIMIT_NOFILE, the
	// runtime's futex and signal returns) is not the command's.
	started  bool
	execveNr int32
	ctl      chan int // settle or stop requests
	done     chan error
}

const (
	ctlSettle = iota
	ctlStop
)

func newServer(l *listener) (*server, error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		return nil, fmt.Errorf("record: pipe: %w", err)
	}
	execve, ok := syscalls.Number(arch.Native(), "execve")
	if !ok {
		return nil, fmt.Errorf("%w: no execve on %s", ErrUnsupported, arch.Native())
	}
	return &server{l: l, wakeR: p[0], wakeW: p[1], rec: NewRecording(), execveNr: int32(execve),
		tids: map[uint32]struct{}{}, ctl: make(chan int, 2), done: make(chan error, 1)}, nil
}

func (s *server) request(c int) {
	s.ctl <- c
	_, _ = unix.Write(s.wakeW, []byte{0})
}

func (s *server) settle() { s.request(ctlSettle) }
func (s *server) stop()   { s.request(ctlStop) }

// close releases the fds once serve has returned. Tasks still filtered
// get ENOSYS from their syscalls once the listener is closed.
func (s *server) close() {
	unix.Close(s.l.fd)
	unix.Close(s.wakeR)
	unix.Close(s.wakeW)
}

func (s *server) serve() {
	settling := false
	var drain [16]byte
	for {
		timeout := -1
		if settling {
			timeout = int(settleQuiet / time.Millisecond)
		}
		pfds := []unix.PollFd{{Fd: int32(s.l.fd), Events: unix.POLLIN}, {Fd: int32(s.wakeR), Events: unix.POLLIN}}
		n, err := unix.Poll(pfds, timeout)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			s.done <- fmt.Errorf("record: poll: %w", err)
			return
		}
		if pfds[1].Revents != 0 {
			_, _ = unix.Read(s.wakeR, drain[:])
			for len(s.ctl) > 0 {
				switch <-s.ctl {
				case ctlStop:
					s.done <- nil
					return
				case ctlSettle:
					settling = true
				}
			}
		}
		switch {
		case pfds[0].Revents&unix.POLLIN != 0:
			if err := s.handle(); err != nil {
				s.done <- err
				return
			}
			continue
		case pfds[0].Revents&(unix.POLLHUP|unix.POLLERR) != 0:
			// No task uses the filter any more (Linux 5.8+).
			s.done <- nil
			return
		}
		if n == 0 && settling && !s.anyAlive() {
			s.done <- nil
			return
		}
	}
}

func (s *server) handle() error {
	n, err := s.l.receive()
	if err == errGone {
		return nil
	}
	if err != nil {
		return err
	}
	if !s.started && n.nr == s.execveNr && n.auditArch == arch.Native().Audit() {
		s.started = true
	}
	if s.started {
		s.rec.Add(n.auditArch, n.nr, n.args)
	}
	s.count++
	s.tids[n.pid] = struct{}{}
	if err := s.l.allow(n.id); err != nil && err != errGone {
		return err
	}
	return nil
}

// anyAlive reports whether a task that made a notified syscall still runs
// (is neither gone nor a zombie), forgetting those that do not.
func (s *server) anyAlive() bool {
	for tid := range s.tids {
		if taskRunning(tid) {
			return true
		}
		delete(s.tids, tid)
	}
	return false
}

// taskRunning reads /proc/TID/stat: the state follows the last ')'.
func taskRunning(tid uint32) bool {
	b, err := os.ReadFile("/proc/" + strconv.FormatUint(uint64(tid), 10) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return false
	}
	switch b[i+2] {
	case 'Z', 'X', 'x':
		return false
	}
	return true
}
