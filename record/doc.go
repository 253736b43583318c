// Package record builds seccomp profiles from what programs actually do:
// by running a command and watching its system calls (Run), from the
// kernel's audit records of a program running under a logging profile
// (ParseAudit), and by the union of existing profiles (Merge).
//
// # Recording a command
//
// Run starts the command under a seccomp filter whose only instruction is
// "return SECCOMP_RET_USER_NOTIF", installed with
// SECCOMP_FILTER_FLAG_NEW_LISTENER. Each system call of the command then
// stops and is reported on the listener fd; Run notes the architecture,
// the number and (for a few syscalls, see ArgSyscalls) an argument, and
// answers SECCOMP_USER_NOTIF_FLAG_CONTINUE, which lets the call run
// exactly as if no filter were there (Linux 5.5).
//
// Why user notification and not ptrace: a seccomp filter is inherited by
// every thread and child a task creates, across fork, vfork, clone, clone3
// and execve, so every descendant is covered by the kernel itself, with
// no per-event bookkeeping and no race at creation time. The command is
// stopped once per syscall (ptrace's PTRACE_SYSCALL stops twice), ptrace
// stays free (the command can be debugged or traced by strace, and
// programs that look at TracerPid or ptrace themselves behave as usual),
// and signals and job-control stops are untouched, where a tracer must
// re-inject every signal and emulate group-stop. The costs: Linux 5.5 or
// later; no_new_privs when the recorder lacks CAP_SYS_ADMIN (then setuid
// programs do not gain privileges, as under any unprivileged seccomp
// filter); and a command that installs its own filter with a listener
// fails with EBUSY, since the kernel allows one listener per filter chain.
// Syscalls the command's own filters refuse are not recorded: they never
// ran.
//
// The filter must be installed by the command's own thread before execve
// and the listener fd must reach the recorder, but Go cannot run code
// between fork and exec. So Run starts this binary again as a small shim
// (recognized in this package's init by an argument and an environment
// variable): the shim installs the filter on one locked thread, sends the
// listener fd over a socketpair from another, unfiltered thread
// (SCM_RIGHTS), and execs the command from the filtered thread. What the
// shim's thread does before its execve is not recorded. A program that
// calls Run must therefore import this package (it does, by calling Run)
// and must not rewrite os.Args before package initialization.
//
// The recorder answers until the command exits and then, for the
// processes it left behind, until the kernel reports the filter unused;
// see Run for the details and for what happens to processes that outlive
// the recording.
//
// # From recordings to profiles
//
// Recording.Profile writes an allow-list: defaultAction SCMP_ACT_ERRNO
// with defaultErrnoRet 1, the architectures seen, the syscalls recorded by
// name. A container runtime makes some syscalls itself after it installed
// the filter and before it execs the program; ProfileOptions.Base adds
// them (BaseDocker: runc and crun, see BaseSyscalls for the list and where
// it comes from). With ProfileOptions.Args, personality, socket and clone
// are allowed only with the argument values seen.
//
// # Audit logs
//
// ParseAudit reads the kernel's SECCOMP audit records (type=1326), as
// auditd writes them to audit.log, as the kernel prints them to the
// console (dmesg, journalctl -k, syslog) when no audit daemon runs, and as
// ausearch -i interprets them, into a Recording.
//
// # Merging
//
// Merge is the union of profiles in the sense of the Security Profiles
// Operator: per syscall the less restrictive action wins; see Merge for
// what "less restrictive" means and how argument rules combine.
package record
