//go:build linux

// Package seccomptest runs code under raw seccomp filters on a fresh,
// locked OS thread of the calling process. The kernel tests of several
// packages install hundreds of programs, some of them invalid on purpose,
// in one child process this way: a filter installed without TSYNC applies
// to the installing thread only, and the thread dies with its filter.
// Nothing here checks a program first; that is the point (the tests compare
// what the kernel accepts with what compile.Verify accepts).
package seccomptest

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Outcome is what happened on the thread.
type Outcome struct {
	// InstallErrno is the errno of prctl(PR_SET_NO_NEW_PRIVS) or
	// seccomp(SECCOMP_SET_MODE_FILTER), 0 when the filter was installed.
	InstallErrno int
	// Killed reports that the thread died before call returned (a
	// KILL_THREAD, or a filter that denied what the runtime needed).
	Killed bool
}

// OnNewThread installs insns, unverified, on a new locked OS thread with
// no_new_privs and no flags, then runs call there (if the install worked
// and call is not nil). The thread is never unlocked, so the runtime
// retires it, filter and all, when the goroutine ends. A thread the
// filter kills is noticed by polling its state, not by a deadline.
func OnNewThread(insns []bpf.RawInstruction, call func()) Outcome {
	tids := make(chan int, 1)
	done := make(chan Outcome, 1)
	go func() {
		runtime.LockOSThread()
		tids <- unix.Gettid()
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			var errno syscall.Errno
			errors.As(err, &errno)
			done <- Outcome{InstallErrno: int(errno)}
			return
		}
		filters := make([]unix.SockFilter, len(insns))
		for i, in := range insns {
			filters[i] = unix.SockFilter{Code: in.Op, Jt: in.Jt, Jf: in.Jf, K: in.K}
		}
		fprog := unix.SockFprog{Len: uint16(len(filters))}
		if len(filters) > 0 {
			fprog.Filter = &filters[0]
		}
		_, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&fprog)))
		runtime.KeepAlive(filters)
		if e == 0 && call != nil {
			call()
		}
		done <- Outcome{InstallErrno: int(e)}
	}()
	tid := <-tids
	for {
		select {
		case o := <-done:
			return o
		case <-time.After(100 * time.Microsecond):
		}
		if ThreadExited(tid) {
			select {
			case o := <-done: // it reported just before exiting
				return o
			default:
				return Outcome{Killed: true}
			}
		}
	}
}

// Syscall makes system call nr on the current thread and returns what the
// kernel returned: the value, or -errno.
func Syscall(nr uintptr, args [6]uint64) int64 {
	r, _, e := unix.Syscall6(nr, uintptr(args[0]), uintptr(args[1]), uintptr(args[2]), uintptr(args[3]), uintptr(args[4]), uintptr(args[5]))
	if e != 0 {
		return -int64(e)
	}
	return int64(r)
}

// ThreadExited reports whether thread tid of this process is gone or a
// zombie.
func ThreadExited(tid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/self/task/%d/stat", tid))
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 >= len(s) {
		return true
	}
	return s[i+2] == 'Z' || s[i+2] == 'X'
}
