// Package loader puts compiled seccomp programs into the kernel, serves
// their user notifications, and reads back the filters of running
// processes.
//
// # Installing a filter
//
// A seccomp filter is a classic-BPF program the kernel runs on every
// system call of a thread, before the call does anything. The program
// sees struct seccomp_data (syscall number, AUDIT_ARCH value, instruction
// pointer, six arguments) and returns an action: allow, fail with an
// errno, kill, trap, log, or ask a supervisor. Package compile builds such
// programs from profiles; this package installs them:
//
//	prog, err := compile.Compile(policy, compile.DefaultOptions)
//	...
//	f, err := loader.Install(prog, loader.InstallOptions{Flags: loader.FlagsFor(policy)})
//
// Install first checks everything it can without changing the process:
// the program passes compile.Verify (the same rules as the kernel's
// verifier), it covers the architecture of the running process, and the
// kernel implements every flag asked for and every action the program can
// return (see Probing). Only then does it set no_new_privs and call
// seccomp(SECCOMP_SET_MODE_FILTER). Filters cannot be removed; a later
// filter is added to the earlier ones, and the kernel runs all of them,
// the most restrictive answer winning.
//
// # Threads
//
// A filter belongs to a thread, not to a process, and a Go program always
// has several threads among which the runtime moves goroutines. A filter
// on one of them protects an arbitrary, changing part of the program.
// There are two correct ways to install:
//
//   - Install passes SECCOMP_FILTER_FLAG_TSYNC: the kernel puts the filter
//     (and no_new_privs) on every thread of the process in one step, or,
//     if one thread cannot take it, on none. Threads the runtime creates
//     later inherit it. The kernel can synchronize a thread only if the
//     filters it already has are ancestors of the caller's, so a thread
//     that installed a filter of its own makes TSYNC fail; the error is a
//     *TSYNCError naming that thread (with a listener, the kernel only
//     says ESRCH, and the error matches ErrThreadSync without a name).
//
//   - InstallOnThisThread filters only the calling thread. The caller must
//     have called runtime.LockOSThread and must stay locked. This is what
//     runc does in "runc init": the thread that installs the filter calls
//     execve right after, and execve keeps only that thread, so the new
//     program is filtered completely. Exec does exactly this.
//
// With TSYNC every runtime thread is under the filter from then on, so the
// Go runtime's own system calls (futex, mmap, madvise, rt_sigreturn,
// sched_yield, tgkill, epoll_pwait, ...) must be allowed. Docker's default
// profile allows them; a hand-written allow-list may not.
//
// # No new privileges
//
// The kernel installs a filter only for a thread that has no_new_privs
// set, or whose credentials include CAP_SYS_ADMIN; otherwise a filter
// could make a setuid program misbehave with its privileges. Install sets
// PR_SET_NO_NEW_PRIVS first unless InstallOptions.SkipNoNewPrivs says the
// caller holds CAP_SYS_ADMIN and wants the exec'd program to be able to
// gain privileges (setuid binaries, file capabilities), as runc does for a
// container without "noNewPrivileges". no_new_privs is per thread too;
// with TSYNC the kernel copies it to every thread.
//
// # Flags and runtimes
//
// FlagsFor derives the filter flags from a resolved profile the way the
// runtimes do: a profile without "flags" gets SECCOMP_FILTER_FLAG_SPEC_ALLOW
// where the kernel supports it, an explicit empty list gets none; LOG and
// SPEC_ALLOW are passed as listed; TSYNC is ignored in runc mode and passed
// in crun mode; NEW_LISTENER is set exactly when some rule returns
// SCMP_ACT_NOTIFY, and WAIT_KILLABLE_RECV only together with it. Install
// adds TSYNC_ESRCH whenever TSYNC and NEW_LISTENER meet, because the
// kernel's success value is then the listener fd and a thread id could not
// be told apart from it.
//
// # Probing
//
// HaveAction and HaveFlag ask the running kernel, once per process:
// actions through SECCOMP_GET_ACTION_AVAIL (Linux 4.14; older kernels have
// exactly the actions of 3.5), flags by calling seccomp(2) with the flag
// and a NULL program, which the kernel answers with EFAULT after accepting
// the flag and with EINVAL for a flag it does not know. A missing feature
// is an *UnsupportedFeatureError, which matches ErrNotSupported and names
// the first Linux version that has it:
//
//	SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_LOG, FLAG_LOG     4.14
//	SECCOMP_FILTER_FLAG_SPEC_ALLOW                          4.17
//	SECCOMP_RET_USER_NOTIF, FLAG_NEW_LISTENER               5.0
//	SECCOMP_USER_NOTIF_FLAG_CONTINUE                        5.5
//	SECCOMP_FILTER_FLAG_TSYNC_ESRCH                         5.7
//	SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV                  5.19
//
// # User notifications
//
// A SECCOMP_RET_USER_NOTIF rule stops the calling task and hands the
// system call to a supervisor through the listener fd that
// FlagNewListener returns (Filter.Listener). The supervisor loops on
// Listener.Receive and answers each Notification with Respond (a return
// value or an errno; the call itself is not run) or RespondContinue (the
// call runs as if allowed). IDValid tells whether the task is still
// waiting. The fd can be handed to an agent in another process:
// SendListener connects to the unix socket a profile names in
// "listenerPath" and sends runtime-spec's container process state as JSON
// with the fd attached (SCM_RIGHTS), the message runc sends; AcceptListener
// is the agent's side.
//
// # Dumping
//
// Dump reads the filters of a running process back with
// PTRACE_SECCOMP_GET_FILTER, oldest first, as compile.Programs that
// compile.Disassemble and compile.Emulate understand. It attaches with
// PTRACE_SEIZE, so the target stops briefly. The kernel allows it only to a
// caller with CAP_SYS_ADMIN that is not itself under seccomp.
//
// # Failure modes
//
// Install fails closed: every error means no filter was added. Checks
// that fail before the kernel is asked leave the process untouched; the
// kernel's own refusals (EINVAL, EACCES without no_new_privs or
// CAP_SYS_ADMIN, ENOMEM past 32768 instructions per thread, EBUSY for a
// second listener, a TSYNC conflict) are atomic. The one thing that cannot
// be undone is no_new_privs: Install sets it just before seccomp(2), and
// if that call fails the calling thread keeps no_new_privs without a
// filter. That only removes privileges, but a caller that wants to retry
// without no_new_privs cannot.
//
// Exec returns only on error. Errors before the filter is installed leave
// nothing behind; an error after it (handing over the listener fd, or
// execve itself, e.g. ENOENT) says that the filter is in place, and the
// caller should exit rather than continue under a filter meant for
// another program.
//
// # Security considerations
//
// A filter constrains system calls, not what their pointer arguments point
// to: it sees the address of a path, never the path, so it cannot make
// decisions about file names. Supervisors that read a task's memory for a
// notification (/proc/PID/mem) race with the task's other threads, which
// may change the memory after the check; RespondContinue after such a
// check is therefore no security boundary (the kernel documentation says
// as much), and a supervisor should check IDValid after reading, so that a
// recycled pid cannot fool it.
//
// Between Install and execve the installing process runs under the new
// filter: Exec connects to the listener socket and checks the target
// binary before installing, so that afterwards only sendmsg, close, the Go
// runtime's housekeeping and execve remain. A profile that denies these
// makes the shim fail (or die, with a KILL action) before the program
// starts, which is fail-closed but confusing.
//
// Which architectures a program covers matters as much as its rules: a
// system call made through another ABI (32-bit int 0x80 on x86_64, x32)
// carries another AUDIT_ARCH value and another syscall table. Programs
// from package compile return the bad-arch action (KILL_THREAD) for
// architectures the profile does not list.
//
// TRAP delivers SIGSYS to the thread. A Go program cannot catch it: the
// runtime's handler treats a seccomp SIGSYS as fatal and exits with status
// 2 after printing "SIGSYS: bad system call". TRACE without a tracer fails
// the call with ENOSYS.
package loader
