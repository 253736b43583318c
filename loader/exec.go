package loader

import (
	"errors"
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sys/unix"

	"github.com/seccompctl/seccompctl/compile"
)

// ExecOptions control Exec.
type ExecOptions struct {
	// Install is passed to the install call. Without FlagTSYNC the
	// filter goes on the calling thread only (InstallOnThisThread), which
	// is enough because execve keeps only that thread; with FlagTSYNC
	// (crun honours it from a profile) on every thread (Install).
	Install InstallOptions
	// ListenerPath is the unix socket of the seccomp agent that answers
	// SECCOMP_RET_USER_NOTIF. It is required when Install.Flags has
	// FlagNewListener, and ignored otherwise.
	ListenerPath string
	// State is sent to the agent with the listener fd, with the defaults
	// of Handoff.Send (this process's pid, which it keeps across execve).
	State ProcessState
}

// DefaultExecOptions: the defaults of InstallOptions, no listener.
var DefaultExecOptions = ExecOptions{}

// Exec installs prog and replaces the process image with the program at
// path, running with argv and envv (execve(2)); it is an exec shim such
// as a container entrypoint: after it, the new program runs under the
// filter with the same pid, and its exit status and signals are the
// process's own.
//
// Exec returns only on error. Everything that can be checked is checked
// before the filter goes in: the program and flags (as Install does),
// that path is an executable file, and the agent at ListenerPath accepts
// a connection. After the filter is in place only sendmsg(2) and close(2)
// (to hand over the listener fd), whatever the Go runtime needs to keep
// the calling thread running, and execve(2) remain; the profile must
// allow them, as runc's profiles must allow close and execve. An error
// returned after that point says so; the calling goroutine stays locked
// to its filtered thread and the caller should exit.
func Exec(prog *compile.Program, path string, argv, envv []string, opts ExecOptions) error {
	flags := opts.Install.Flags
	if flags&FlagNewListener != 0 && opts.ListenerPath == "" {
		return fmt.Errorf("loader: %w: the program notifies a listener, but no listenerPath names an agent to answer", ErrNoListener)
	}
	if err := unix.Access(path, unix.X_OK); err != nil {
		return fmt.Errorf("loader: %s: %w", path, err)
	}
	if fi, err := os.Stat(path); err != nil {
		return fmt.Errorf("loader: %w", err)
	} else if !fi.Mode().IsRegular() {
		return fmt.Errorf("loader: %s: not a regular file", path)
	}
	allThreads := flags&FlagTSYNC != 0
	if _, err := prepare(prog, opts.Install, allThreads); err != nil {
		return err
	}

	var h *Handoff
	if flags&FlagNewListener != 0 {
		var err error
		if h, err = DialHandoff(opts.ListenerPath); err != nil {
			return err
		}
	}

	// From here on the goroutine stays on this thread for good: the
	// filter, no_new_privs and execve must all be on one thread.
	runtime.LockOSThread()
	var (
		f   *Filter
		err error
	)
	if allThreads {
		f, err = Install(prog, opts.Install)
	} else {
		f, err = InstallOnThisThread(prog, opts.Install)
	}
	if err != nil {
		if h != nil {
			_ = h.Close()
		}
		// Nothing was installed; the thread is as it was (except perhaps
		// no_new_privs, see the package documentation).
		runtime.UnlockOSThread()
		return err
	}
	where := "this thread"
	if allThreads {
		where = "every thread"
	}

	if f.Listener != nil {
		err := h.Send(f.Listener, opts.State)
		// Our copies go before execve either way (the listener fd is
		// close-on-exec too): the agent holds the only one that matters.
		err = errors.Join(err, h.Close(), f.Listener.Close())
		if err != nil {
			return fmt.Errorf("loader: filter installed on %s, then: %w", where, err)
		}
	}

	err = unix.Exec(path, argv, envv)
	return fmt.Errorf("loader: filter installed on %s, then execve %s: %w", where, path, err)
}
