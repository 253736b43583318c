package record

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The shim is this same binary started again with these arguments and
// environment; init below recognizes it before main runs. Both markers
// are required so that a user's program that happens to get the argument
// is not taken over.
const (
	shimArg      = "__seccompctl-record-shim"
	shimEnv      = "SECCOMPCTL_RECORD_SHIM"
	shimEnvValue = "1"
	shimSockFd   = 3 // the socket, passed as the first ExtraFiles entry
)

// Messages on the shim socket (SOCK_SEQPACKET, so each is one read).
const (
	msgListener = "listener" // carries the fd (SCM_RIGHTS)
	msgError    = "error:"   // failed before exec; the text follows
	msgExec     = "exec:"    // execve failed; the error text follows
)

func init() {
	if len(os.Args) >= 5 && os.Args[1] == shimArg && os.Getenv(shimEnv) == shimEnvValue {
		os.Exit(shimMain(os.Args[2:]))
	}
}

// shimMain runs in the shim process: args are NNP-MODE "--" CMD [ARG...].
//
// It installs the recording filter (every syscall → SECCOMP_RET_USER_NOTIF,
// with a new listener) on one locked thread, hands the listener fd to the
// recorder, and execs CMD from that thread. The filter is per thread (no
// TSYNC): the shim's other threads stay unfiltered, which is what lets the
// main goroutine send the fd at all (a filtered sendmsg would wait for an
// answer from a recorder that has no listener yet). execve keeps only the
// calling thread, so CMD starts with the filter and every process and
// thread it creates inherits it.
//
// After the filter exists, every syscall of the filtered thread waits for
// the recorder. Until the recorder has the fd, nothing may wait on that
// thread: so everything the main goroutine needs is allocated before, the
// fd is passed between the goroutines through atomics (a channel could
// make the filtered thread wake another through futex), and the main
// goroutine sends with a raw sendmsg that allocates nothing.
func shimMain(args []string) int {
	if runtime.GOMAXPROCS(0) < 2 {
		runtime.GOMAXPROCS(2) // the spinning threads below must not share one P
	}
	debug.SetGCPercent(-1) // no stop-the-world while a thread may be waiting
	os.Unsetenv(shimEnv)
	sock := shimSockFd
	unix.CloseOnExec(sock)
	fail := func(status int, format string, a ...any) int {
		_ = unix.Sendmsg(sock, []byte(msgError+fmt.Sprintf(format, a...)), nil, nil, 0)
		return status
	}
	if len(args) < 3 || args[1] != "--" {
		return fail(125, "shim: bad arguments %q", args)
	}
	forceNNP := args[0] == "nnp"
	argv := args[2:]
	path, err := exec.LookPath(argv[0])
	if err != nil {
		status := 127
		if !errors.Is(err, exec.ErrNotFound) && !errors.Is(err, os.ErrNotExist) {
			status = 126
		}
		return fail(status, "%v", err)
	}
	env := os.Environ()

	// Prepared before the filter exists (see above).
	filter := []unix.SockFilter{{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_USER_NOTIF}}
	prog := &unix.SockFprog{Len: 1, Filter: &filter[0]}
	payload := []byte(msgListener)
	oob := unix.UnixRights(0)
	iov := &unix.Iovec{Base: &payload[0]}
	iov.SetLen(len(payload))
	msg := &unix.Msghdr{Iov: iov, Iovlen: 1, Control: &oob[0]}
	msg.SetControllen(len(oob))
	fdSlot := oob[unix.CmsgLen(0):]

	var result atomic.Int64 // 0: pending; fd+1; or -errno
	var sent atomic.Bool
	execErr := make(chan error, 1)
	go func() {
		// Never unlocked: the thread carries the filter and must not run
		// other goroutines; if this goroutine ends, the thread ends.
		runtime.LockOSThread()
		fd, e := installListener(prog, forceNNP)
		if e != 0 {
			result.Store(-int64(e))
			return
		}
		result.Store(int64(fd) + 1)
		for !sent.Load() {
			// Spin without syscalls until the recorder has the fd.
		}
		execErr <- syscall.Exec(path, argv, env)
	}()
	var r int64
	for r = result.Load(); r == 0; r = result.Load() {
		runtime.Gosched()
	}
	if r < 0 {
		e := syscall.Errno(-r)
		return fail(126, "seccomp(SECCOMP_SET_MODE_FILTER, NEW_LISTENER): %v", e)
	}
	binary.NativeEndian.PutUint32(fdSlot, uint32(r-1))
	if _, _, e := unix.Syscall(unix.SYS_SENDMSG, uintptr(sock), uintptr(unsafe.Pointer(msg)), 0); e != 0 {
		// The recorder is gone; the filtered thread dies with us.
		return 125
	}
	sent.Store(true)
	err = <-execErr
	_ = unix.Sendmsg(sock, []byte(msgExec+err.Error()), nil, nil, 0)
	if errors.Is(err, syscall.ENOENT) {
		return 127
	}
	return 126
}

// installListener installs the recording filter on the calling thread.
// Without CAP_SYS_ADMIN the kernel requires no_new_privs (EACCES); it is
// set, on this thread only, when needed or when forced. Only raw
// syscalls: nothing here may involve the Go scheduler.
func installListener(prog *unix.SockFprog, forceNNP bool) (int, syscall.Errno) {
	setNNP := func() syscall.Errno {
		_, _, e := unix.RawSyscall6(unix.SYS_PRCTL, unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0)
		return e
	}
	if forceNNP {
		if e := setNNP(); e != 0 {
			return -1, e
		}
	}
	install := func() (int, syscall.Errno) {
		fd, _, e := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER,
			unix.SECCOMP_FILTER_FLAG_NEW_LISTENER, uintptr(unsafe.Pointer(prog)))
		return int(fd), e
	}
	fd, e := install()
	if e == unix.EACCES && !forceNNP {
		if e := setNNP(); e != 0 {
			return -1, e
		}
		fd, e = install()
	}
	return fd, e
}

// shimArgs are the arguments Run passes to the shim.
func shimArgs(argv []string, forceNNP bool) []string {
	mode := "auto"
	if forceNNP {
		mode = "nnp"
	}
	return append([]string{shimArg, mode, "--"}, argv...)
}
