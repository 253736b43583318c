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

// minGetFilter is the first Linux with PTRACE_SECCOMP_GET_FILTER.
var minGetFilter = profile.KernelVersion{Kernel: 4, Major: 4}

// maxFilters bounds the dump loop. The kernel caps the instructions of
// all filters of a task at 32768, each filter counting at least 5, so no
// task has more than 6553 filters.
const maxFilters = 32768 / 5

// DumpedFilter is one filter read back from a process.
type DumpedFilter struct {
	// Index is the filter's position: 0 is the oldest, the one installed
	// first. The kernel runs them all, newest first, and the most
	// restrictive answer wins.
	Index int
	// Program holds the instructions as the kernel keeps them. Arches is
	// this machine's architecture first (it decides the byte order of
	// seccomp_data for Emulate and Disassemble), then every other
	// architecture of the same byte order whose AUDIT_ARCH value the
	// program compares with.
	Program *compile.Program
	// Flags are the filter's flags as PTRACE_SECCOMP_GET_METADATA reports
	// them; the kernel remembers only FlagLog. Zero before Linux 4.16.
	Flags Flags
}

// Dump reads the seccomp filters of process pid (of its main thread, the
// one whose thread id is pid) with PTRACE_SECCOMP_GET_FILTER. It briefly
// stops the process: it attaches with PTRACE_SEIZE, interrupts it, reads
// the filters, and detaches, handing back any signal that arrived.
//
// The kernel allows this only to a caller with CAP_SYS_ADMIN that is not
// itself under seccomp (ErrPermission, ErrCallerFiltered), with ptrace
// access to the target (CAP_SYS_PTRACE or the usual ptrace rules), and
// only on kernels built with CONFIG_CHECKPOINT_RESTORE. A process
// without filters gives an empty list.
func Dump(pid int) ([]DumpedFilter, error) {
	if pid <= 0 {
		return nil, fmt.Errorf("loader: Dump: invalid pid %d", pid)
	}
	// ptrace requests must come from the thread that attached.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	self, err := ReadStatus(0)
	if err != nil {
		return nil, err
	}
	if self.Mode != ModeDisabled {
		return nil, fmt.Errorf("loader: dumping filters of pid %d: %w (Seccomp: %d in /proc/thread-self/status); the kernel refuses PTRACE_SECCOMP_GET_FILTER to such callers",
			pid, ErrCallerFiltered, self.Mode)
	}
	if !self.HasCap(capSysAdmin) {
		return nil, fmt.Errorf("loader: dumping filters of pid %d: %w: PTRACE_SECCOMP_GET_FILTER needs CAP_SYS_ADMIN", pid, ErrPermission)
	}
	target, err := ReadStatus(pid)
	if err != nil {
		return nil, err
	}
	switch target.Mode {
	case ModeDisabled:
		return nil, nil
	case ModeStrict:
		return nil, fmt.Errorf("loader: pid %d is in seccomp strict mode, which has no filters to dump", pid)
	}

	sig, err := seize(pid)
	if err != nil {
		return nil, err
	}
	filters, err := readFilters(pid)
	// PTRACE_DETACH resumes the process and delivers the signal it was
	// stopped for, if any.
	if derr := ptrace(unix.PTRACE_DETACH, pid, 0, uintptr(sig)); derr != nil && err == nil {
		err = fmt.Errorf("loader: detaching from pid %d: %w", pid, derr)
	}
	if err != nil {
		return nil, err
	}
	return filters, nil
}

// seize attaches to pid and waits until it is in a ptrace stop. It returns
// the signal to deliver on detach (non-zero when the stop was a
// signal-delivery stop rather than the interrupt's event stop).
func seize(pid int) (unix.Signal, error) {
	if err := ptrace(unix.PTRACE_SEIZE, pid, 0, 0); err != nil {
		switch err {
		case unix.EPERM:
			return 0, fmt.Errorf("loader: ptrace(PTRACE_SEIZE, %d): %w: needs CAP_SYS_PTRACE (or ptrace access), and the process must not be traced already (%w)", pid, ErrPermission, err)
		case unix.ESRCH:
			return 0, fmt.Errorf("loader: ptrace(PTRACE_SEIZE, %d): no such process (%w)", pid, err)
		}
		return 0, fmt.Errorf("loader: ptrace(PTRACE_SEIZE, %d): %w", pid, err)
	}
	if err := ptrace(unix.PTRACE_INTERRUPT, pid, 0, 0); err != nil {
		_ = ptrace(unix.PTRACE_DETACH, pid, 0, 0)
		return 0, fmt.Errorf("loader: ptrace(PTRACE_INTERRUPT, %d): %w", pid, err)
	}
	for {
		var ws unix.WaitStatus
		_, err := unix.Wait4(pid, &ws, unix.WALL, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("loader: waiting for pid %d to stop: %w", pid, err)
		}
		switch {
		case ws.Exited() || ws.Signaled():
			return 0, fmt.Errorf("loader: pid %d exited while being dumped", pid)
		case ws.Stopped():
			// An event stop (the interrupt's PTRACE_EVENT_STOP, a group
			// stop of a seized task) has the event in bits 16..23 and
			// carries nothing to hand back; a signal-delivery stop
			// carries the signal.
			if uint32(ws)>>16 != 0 {
				return 0, nil
			}
			return ws.StopSignal(), nil
		}
	}
}

func readFilters(pid int) ([]DumpedFilter, error) {
	var out []DumpedFilter
	for i := 0; i < maxFilters; i++ {
		n, err := ptraceRet(unix.PTRACE_SECCOMP_GET_FILTER, pid, uintptr(i), nil)
		if err == unix.ENOENT {
			return out, nil
		}
		if err != nil {
			return nil, getFilterError(pid, i, err)
		}
		if n == 0 || n > compile.KernelMaxInsns {
			return nil, fmt.Errorf("loader: pid %d filter %d: the kernel reports %d instructions", pid, i, n)
		}
		buf := make([]unix.SockFilter, n)
		m, err := ptraceRet(unix.PTRACE_SECCOMP_GET_FILTER, pid, uintptr(i), unsafe.Pointer(&buf[0]))
		if err != nil {
			return nil, getFilterError(pid, i, err)
		}
		if m != n {
			return nil, fmt.Errorf("loader: pid %d filter %d: the kernel reported %d instructions, then copied %d", pid, i, n, m)
		}
		insns := make([]bpf.RawInstruction, n)
		for j, f := range buf {
			insns[j] = bpf.RawInstruction{Op: f.Code, Jt: f.Jt, Jf: f.Jf, K: f.K}
		}
		flags, err := filterFlags(pid, i)
		if err != nil {
			return nil, err
		}
		out = append(out, DumpedFilter{
			Index:   i,
			Program: &compile.Program{Insns: insns, Arches: dumpedArches(insns), Stats: compile.Stats{Len: len(insns)}},
			Flags:   flags,
		})
	}
	return nil, fmt.Errorf("loader: pid %d reports more than %d filters", pid, maxFilters)
}

func getFilterError(pid, i int, err error) error {
	switch err {
	case unix.EACCES:
		return fmt.Errorf("loader: PTRACE_SECCOMP_GET_FILTER on pid %d: %w: needs CAP_SYS_ADMIN and a caller that is not under seccomp itself (%w)", pid, ErrPermission, err)
	case unix.EIO:
		return fmt.Errorf("loader: PTRACE_SECCOMP_GET_FILTER: %w (the kernel needs CONFIG_CHECKPOINT_RESTORE)",
			&UnsupportedFeatureError{Name: "PTRACE_SECCOMP_GET_FILTER", MinimumVersion: minGetFilter})
	case unix.EMEDIUMTYPE:
		return fmt.Errorf("loader: pid %d filter %d was not created from a classic BPF program and cannot be read back (%w)", pid, i, err)
	case unix.EINVAL:
		return fmt.Errorf("loader: pid %d is not in seccomp filter mode (%w)", pid, err)
	}
	return fmt.Errorf("loader: PTRACE_SECCOMP_GET_FILTER on pid %d filter %d: %w", pid, i, err)
}

// filterFlags asks PTRACE_SECCOMP_GET_METADATA for filter i's flags.
// Kernels before 4.16 do not know the request (EIO); their filters report
// no flags.
func filterFlags(pid, i int) (Flags, error) {
	md := struct{ filterOff, flags uint64 }{filterOff: uint64(i)}
	_, err := ptraceRet(unix.PTRACE_SECCOMP_GET_METADATA, pid, unsafe.Sizeof(md), unsafe.Pointer(&md))
	switch err {
	case nil:
		return Flags(md.flags), nil
	case unix.EIO:
		return 0, nil
	}
	return 0, fmt.Errorf("loader: PTRACE_SECCOMP_GET_METADATA on pid %d filter %d: %w", pid, i, err)
}

// dumpedArches guesses the architectures a filter read from the kernel
// was written for: the native one first (the kernel of this machine runs
// it, so seccomp_data is in its byte order), then those of the same byte
// order whose AUDIT_ARCH value a jeq compares with.
func dumpedArches(insns []bpf.RawInstruction) []arch.Arch {
	native := arch.Native()
	if native == arch.Unknown {
		return nil
	}
	out := []arch.Arch{native}
	for _, ins := range insns {
		if ins.Op != unix.BPF_JMP|unix.BPF_JEQ|unix.BPF_K {
			continue
		}
		for _, a := range arch.FromAudit(ins.K) {
			if a.BigEndian() == native.BigEndian() && !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	return out
}

func ptrace(req, pid int, addr, data uintptr) error {
	_, _, e := unix.Syscall6(unix.SYS_PTRACE, uintptr(req), uintptr(pid), addr, data, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// ptraceRet is ptrace for requests that return a count.
func ptraceRet(req, pid int, addr uintptr, data unsafe.Pointer) (int, error) {
	r, _, e := unix.Syscall6(unix.SYS_PTRACE, uintptr(req), uintptr(pid), addr, uintptr(data), 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}
