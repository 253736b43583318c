package record

import (
	"fmt"
	"slices"
)

// Base names a set of syscalls a profile needs besides the program's own:
// those a container runtime makes itself after it installed the filter and
// before execve starts the program.
type Base string

// The bases.
const (
	// BaseNone adds nothing: the profile allows what was recorded.
	BaseNone Base = ""
	// BaseDocker adds what runc (Docker, containerd, Kubernetes) and crun
	// (Podman, CRI-O) do between installing the filter and execve.
	BaseDocker Base = "docker"
)

// ParseBase accepts "", "none" and "docker".
func ParseBase(s string) (Base, error) {
	switch s {
	case "", "none":
		return BaseNone, nil
	case "docker", "runc", "crun":
		return BaseDocker, nil
	}
	return BaseNone, fmt.Errorf("unknown base %q: want none or docker", s)
}

// dockerBase is what a container's init process does under the filter
// before execve, read from the runtimes' sources (and COMPAT.md
// checklist item 13). With noNewPrivileges (Docker's and Kubernetes'
// default) both runtimes install the filter as late as they can:
//
//   - runc, libcontainer/standard_init_linux.go (linuxStandardInit.Init),
//     after seccomp.InitSeccomp: closes the sync pipe and the log pipe
//     (close); opens the exec FIFO through /proc/thread-self/fd (openat),
//     writes to it (write) and closes it; reads its pid for the hooks'
//     state (getpid); utils.UnsafeCloseFrom lists /proc/thread-self/fd
//     (openat, fstatfs to check it is procfs, getdents64, and epoll_ctl
//     when os.File registers the directory with the poller) and closes
//     every fd above the passed ones (close); then execve, or execveat
//     for runc-dmz (system.Fexecve). Go's syscall.Exec first restores
//     RLIMIT_NOFILE (prlimit64). Other runc paths use close_range
//     (utils.CloseExecFrom) and fcntl.
//   - The Go runtime on that thread (runc init is Go): futex, sched_yield,
//     nanosleep, rt_sigreturn, rt_sigprocmask, sigaltstack, mmap, munmap,
//     madvise, tgkill, gettid, getpid; GC and signal delivery can run any
//     of them on the init thread.
//   - crun, src/libcrun/container.c (container_init) and seccomp.c
//     (libcrun_apply_seccomp): after the filter, waits for the helper that
//     passes a listener fd (wait4), unmaps its shared page (munmap),
//     closes fds (close), seeks stdio after start hooks (lseek) and calls
//     execv (execve); free() may use munmap or brk.
//
// Names of other architectures' spellings are included (mmap2, sigreturn,
// fstatfs64, _llseek, ...): a name an architecture lacks is ignored there.
// Start hooks that run programs in the container (OCI startContainer) are
// not covered: they run under the filter with whatever they need.
var dockerBase = []string{
	// runc and crun themselves
	"close", "close_range", "openat", "write", "getpid", "fstatfs", "fstatfs64",
	"getdents64", "epoll_ctl", "fcntl", "fcntl64", "execve", "execveat", "prlimit64",
	"wait4", "waitpid", "munmap", "brk", "lseek", "_llseek",
	// the Go runtime of runc init
	"futex", "futex_time64", "sched_yield", "nanosleep", "clock_nanosleep",
	"clock_nanosleep_time64", "rt_sigreturn", "sigreturn", "rt_sigprocmask",
	"sigaltstack", "mmap", "mmap2", "madvise", "tgkill", "gettid",
	// the program's end, which it reaches even when nothing else ran
	"exit", "exit_group",
}

// BaseSyscalls returns the names a base adds, sorted.
func BaseSyscalls(b Base) []string {
	if b != BaseDocker {
		return nil
	}
	out := slices.Clone(dockerBase)
	slices.Sort(out)
	return slices.Compact(out)
}
