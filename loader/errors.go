package loader

import (
	"errors"
	"fmt"

	"github.com/seccompctl/seccompctl/profile"
)

// Sentinel errors of package loader. Errors returned by this package wrap
// one of them (or a syscall.Errno); test with errors.Is.
var (
	// ErrNotSupported means the running kernel lacks a seccomp feature the
	// program or the options need. The error is an
	// *UnsupportedFeatureError naming the feature and the first Linux
	// version that has it.
	ErrNotSupported = errors.New("not supported by the running kernel")
	// ErrInvalidProgram means the program is empty or breaks a rule of
	// the kernel's verifier (see compile.Verify); nothing was installed.
	ErrInvalidProgram = errors.New("invalid seccomp program")
	// ErrInvalidFlags means a combination of flags the kernel refuses,
	// such as WAIT_KILLABLE_RECV without NEW_LISTENER, or TSYNC asked of
	// InstallOnThisThread.
	ErrInvalidFlags = errors.New("invalid seccomp filter flags")
	// ErrNoListener means the program returns SECCOMP_RET_USER_NOTIF but
	// FlagNewListener was not given: nothing could ever answer the
	// notifications, and the kernel would fail those syscalls with ENOSYS.
	ErrNoListener = errors.New("program returns SECCOMP_RET_USER_NOTIF without a listener")
	// ErrPermission means the kernel refused for lack of privilege:
	// installing without no_new_privs needs CAP_SYS_ADMIN, dumping filters
	// needs CAP_SYS_ADMIN (and ptrace access to the target).
	ErrPermission = errors.New("permission denied")
	// ErrThreadSync means SECCOMP_FILTER_FLAG_TSYNC could not put the
	// filter on every thread. When the kernel names the thread the error
	// is a *TSYNCError.
	ErrThreadSync = errors.New("cannot synchronize the filter to all threads")
	// ErrCallerFiltered means the calling process is itself under seccomp,
	// and the kernel refuses PTRACE_SECCOMP_GET_FILTER to such callers.
	ErrCallerFiltered = errors.New("the calling process is itself under seccomp")
	// ErrListenerClosed is returned by Listener.Receive once no process
	// uses the filter any more (the kernel reports POLLHUP) or after
	// Close.
	ErrListenerClosed = errors.New("seccomp listener closed")
	// ErrNotificationGone means the notification is no longer valid: the
	// task that made the syscall died or was interrupted (the kernel's
	// ENOENT from NOTIF_SEND or NOTIF_ID_VALID).
	ErrNotificationGone = errors.New("seccomp notification no longer valid")
)

// UnsupportedFeatureError names a seccomp feature the running kernel
// lacks. It matches ErrNotSupported with errors.Is.
type UnsupportedFeatureError struct {
	// Name is the kernel's name for the feature, e.g.
	// "SECCOMP_FILTER_FLAG_TSYNC_ESRCH" or "SECCOMP_RET_USER_NOTIF".
	Name string
	// MinimumVersion is the first Linux version that has it.
	MinimumVersion profile.KernelVersion
}

func (e *UnsupportedFeatureError) Error() string {
	if e.MinimumVersion.IsZero() {
		return fmt.Sprintf("%s %v", e.Name, ErrNotSupported)
	}
	return fmt.Sprintf("%s %v (requires Linux >= %v)", e.Name, ErrNotSupported, e.MinimumVersion)
}

// Is makes errors.Is(err, ErrNotSupported) true.
func (e *UnsupportedFeatureError) Is(target error) bool { return target == ErrNotSupported }

// TSYNCError reports the thread that SECCOMP_FILTER_FLAG_TSYNC could not
// synchronize: the kernel's seccomp(2) returns its thread id when that
// thread already runs a filter that is not an ancestor of the caller's
// (typically because it installed one of its own). It matches
// ErrThreadSync with errors.Is.
type TSYNCError struct {
	TID int
}

func (e *TSYNCError) Error() string {
	return fmt.Sprintf("%v: thread %d has a seccomp filter that is not an ancestor of this thread's (it installed its own?)", ErrThreadSync, e.TID)
}

// Is makes errors.Is(err, ErrThreadSync) true.
func (e *TSYNCError) Is(target error) bool { return target == ErrThreadSync }
