package loader

import (
	"fmt"
	"runtime"
	"slices"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
)

// InstallOptions control Install and InstallOnThisThread.
type InstallOptions struct {
	// Flags are passed to seccomp(2). FlagTSYNCESRCH is added when
	// FlagTSYNC and FlagNewListener are both set (the kernel refuses the
	// pair without it); Install always adds FlagTSYNC. FlagsFor derives
	// them from a profile the way runc and crun do.
	Flags Flags
	// SkipNoNewPrivs leaves no_new_privs alone instead of setting it. The
	// kernel then installs the filter only for a caller with CAP_SYS_ADMIN
	// in its user namespace (the error matches ErrPermission otherwise).
	// Use it only when the program started afterwards must gain privileges
	// through execve (setuid binaries, file capabilities), as runc does
	// without "noNewPrivileges".
	SkipNoNewPrivs bool
}

// DefaultInstallOptions: no flags beyond what Install adds, and
// no_new_privs set.
var DefaultInstallOptions = InstallOptions{}

// Filter describes a filter Install put in place.
type Filter struct {
	// Flags are the flags seccomp(2) was called with.
	Flags Flags
	// NoNewPrivs reports whether Install set no_new_privs.
	NoNewPrivs bool
	// Listener is the user-notification fd, set when Flags has
	// FlagNewListener. The caller owns it (Close it, or hand it to a
	// supervisor with SendListener).
	Listener *Listener
}

// Install puts prog on every thread of the calling process: it sets
// no_new_privs (unless opts.SkipNoNewPrivs), then calls
// seccomp(SECCOMP_SET_MODE_FILTER) with opts.Flags plus FlagTSYNC. A Go
// program has several threads and the runtime moves goroutines between
// them, so a filter on one thread only would protect an arbitrary part of
// the program; TSYNC makes the kernel put the filter (and no_new_privs) on
// all of them at once, or on none. Threads created later inherit it.
//
// Before touching the process, Install checks that the program passes
// compile.Verify, covers this process's architecture, and that the kernel
// implements every flag and every action the program can return; any
// failure is an error and nothing changes. See the package documentation
// for what a failure after that point leaves behind.
func Install(prog *compile.Program, opts InstallOptions) (*Filter, error) {
	return install(prog, opts, true)
}

// InstallOnThisThread is Install without TSYNC: the filter goes on the
// calling OS thread only (and on threads it creates later). The caller
// must have called runtime.LockOSThread, and must keep the goroutine
// locked: otherwise the goroutine may move to an unfiltered thread at any
// moment. It is meant for the runc pattern, where the thread that
// installs the filter calls execve right after; execve keeps only the
// calling thread, with its filter, so the new program is fully filtered.
// opts.Flags must not contain FlagTSYNC.
func InstallOnThisThread(prog *compile.Program, opts InstallOptions) (*Filter, error) {
	return install(prog, opts, false)
}

func install(prog *compile.Program, opts InstallOptions, allThreads bool) (*Filter, error) {
	flags, err := prepare(prog, opts, allThreads)
	if err != nil {
		return nil, err
	}
	filters := prog.SockFilters()
	fprog := unix.SockFprog{Len: uint16(len(filters)), Filter: &filters[0]}

	// no_new_privs is a per-thread attribute and the kernel checks it on
	// the thread calling seccomp(2), so both calls must run on one thread.
	// (With TSYNC the kernel copies no_new_privs to the other threads.)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	f := &Filter{Flags: flags}
	if !opts.SkipNoNewPrivs {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return nil, fmt.Errorf("loader: prctl(PR_SET_NO_NEW_PRIVS): %w", err)
		}
		f.NoNewPrivs = true
	}
	r, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, uintptr(flags), uintptr(unsafe.Pointer(&fprog)))
	if e == unix.ENOSYS && flags == 0 {
		// Before Linux 3.17 there is only the prctl interface, which
		// takes no flags.
		_, _, e2 := unix.Syscall6(unix.SYS_PRCTL, unix.PR_SET_SECCOMP, unix.SECCOMP_MODE_FILTER, uintptr(unsafe.Pointer(&fprog)), 0, 0, 0)
		r, e = 0, e2
	}
	runtime.KeepAlive(filters)
	if e != 0 {
		return nil, installError(e, flags, f.NoNewPrivs)
	}
	if flags&FlagNewListener == 0 {
		if r != 0 {
			// Without TSYNC_ESRCH a TSYNC failure is reported as the id
			// of the thread that could not be synchronized.
			return nil, &TSYNCError{TID: int(r)}
		}
		return f, nil
	}
	l, err := NewListener(int(r))
	if err != nil {
		// The filter is installed; the fd is useless to us. Closing it
		// makes every USER_NOTIF syscall fail with ENOSYS, which is the
		// kernel's fail-closed behaviour for a filter without listener.
		_ = unix.Close(int(r))
		return nil, fmt.Errorf("loader: filter installed, but its listener fd is unusable: %w", err)
	}
	f.Listener = l
	return f, nil
}

// prepare runs every check that can fail before the process is changed
// and returns the flags to pass.
func prepare(prog *compile.Program, opts InstallOptions, allThreads bool) (Flags, error) {
	if prog == nil || len(prog.Insns) == 0 {
		return 0, fmt.Errorf("loader: %w: empty program", ErrInvalidProgram)
	}
	if len(prog.Insns) > compile.KernelMaxInsns {
		return 0, fmt.Errorf("loader: %w: %w", ErrInvalidProgram, compile.TooLongError{Len: len(prog.Insns)})
	}
	if err := compile.Verify(prog.Insns); err != nil {
		return 0, fmt.Errorf("loader: %w: %w", ErrInvalidProgram, err)
	}
	if native := arch.Native(); len(prog.Arches) > 0 && !slices.Contains(prog.Arches, native) {
		return 0, fmt.Errorf("loader: %w: the program is for %v, not for this process's architecture %v: its next system call would get the bad-arch action",
			ErrInvalidProgram, prog.Arches, native)
	}

	flags := opts.Flags
	if allThreads {
		flags |= FlagTSYNC
	} else if flags&FlagTSYNC != 0 {
		return 0, fmt.Errorf("loader: %w: InstallOnThisThread with SECCOMP_FILTER_FLAG_TSYNC (use Install)", ErrInvalidFlags)
	}
	if flags&FlagWaitKillableRecv != 0 && flags&FlagNewListener == 0 {
		return 0, fmt.Errorf("loader: %w: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs SECCOMP_FILTER_FLAG_NEW_LISTENER", ErrInvalidFlags)
	}
	if flags&(FlagTSYNC|FlagNewListener) == FlagTSYNC|FlagNewListener {
		flags |= FlagTSYNCESRCH
	}
	if err := HaveFilterMode(); err != nil {
		return 0, fmt.Errorf("loader: %w", err)
	}
	if err := HaveFlag(flags); err != nil {
		return 0, fmt.Errorf("loader: %w", err)
	}
	for _, a := range returnedActions(prog.Insns) {
		if err := HaveAction(a); err != nil {
			return 0, fmt.Errorf("loader: the program returns %v: %w", a, err)
		}
		if a == profile.ActNotify && flags&FlagNewListener == 0 {
			return 0, fmt.Errorf("loader: %w (set FlagNewListener)", ErrNoListener)
		}
	}
	if flags&FlagNewListener != 0 {
		// The listener is useless without the notify API.
		if _, err := GetNotifSizes(); err != nil {
			return 0, fmt.Errorf("loader: %w", err)
		}
	}
	return flags, nil
}

// returnedActions lists the distinct action kinds the program's RET K
// instructions return, in program order. A "ret a" is not checked: its
// value is only known at run time, and the kernel treats an action it
// does not know as KILL_PROCESS, so it still fails closed.
func returnedActions(insns []bpf.RawInstruction) []profile.Action {
	var kinds []profile.Action
	for _, ins := range insns {
		if ins.Op == unix.BPF_RET|unix.BPF_K {
			k := profile.Action(ins.K).Kind()
			if !slices.Contains(kinds, k) {
				kinds = append(kinds, k)
			}
		}
	}
	return kinds
}

// installError explains an errno from seccomp(SECCOMP_SET_MODE_FILTER).
// The kernel installs atomically, so none of these leaves a filter.
func installError(e unix.Errno, flags Flags, nnp bool) error {
	switch e {
	case unix.EACCES:
		if !nnp {
			return fmt.Errorf("loader: seccomp: EACCES: %w: without no_new_privs the kernel requires CAP_SYS_ADMIN", ErrPermission)
		}
	case unix.ESRCH:
		if flags&FlagTSYNCESRCH != 0 {
			return fmt.Errorf("loader: seccomp: %w: another thread has a seccomp filter that is not an ancestor of this thread's (%w)", ErrThreadSync, e)
		}
	case unix.ENOMEM:
		return fmt.Errorf("loader: seccomp: the filters of this thread would exceed 32768 instructions in total (MAX_INSNS_PER_PATH), or the kernel is out of memory (%w)", e)
	case unix.EBUSY:
		return fmt.Errorf("loader: seccomp: a filter of this process already has a listener, and the kernel allows one per filter chain (%w)", e)
	case unix.EINVAL:
		return fmt.Errorf("loader: seccomp: the kernel refused the program or the flags %v (%w)", flags, e)
	}
	return fmt.Errorf("loader: seccomp(SECCOMP_SET_MODE_FILTER, %v): %w", flags, e)
}
