package loader

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/seccompctl/seccompctl/profile"
)

// The kernel features the loader probes, with the first Linux version of
// each (kernel/seccomp.c history).
var (
	minSeccompSyscall = profile.KernelVersion{Kernel: 3, Major: 17} // seccomp(2)
	minModeFilter     = profile.KernelVersion{Kernel: 3, Major: 5}  // SECCOMP_MODE_FILTER
	minActionAvail    = profile.KernelVersion{Kernel: 4, Major: 14} // SECCOMP_GET_ACTION_AVAIL
	minNotifSizes     = profile.KernelVersion{Kernel: 5, Major: 0}  // SECCOMP_GET_NOTIF_SIZES
	minNotifContinue  = profile.KernelVersion{Kernel: 5, Major: 5}  // SECCOMP_USER_NOTIF_FLAG_CONTINUE
)

// actionFeatures are the SECCOMP_RET_* actions GET_ACTION_AVAIL answers
// for, with their kernel names and minimum versions.
var actionFeatures = []struct {
	action profile.Action
	name   string
	min    profile.KernelVersion
}{
	{profile.ActKillProcess, "SECCOMP_RET_KILL_PROCESS", profile.KernelVersion{Kernel: 4, Major: 14}},
	{profile.ActKillThread, "SECCOMP_RET_KILL_THREAD", minModeFilter},
	{profile.ActTrap, "SECCOMP_RET_TRAP", minModeFilter},
	{profile.ActErrno, "SECCOMP_RET_ERRNO", minModeFilter},
	{profile.ActNotify, "SECCOMP_RET_USER_NOTIF", profile.KernelVersion{Kernel: 5, Major: 0}},
	{profile.ActTrace, "SECCOMP_RET_TRACE", minModeFilter},
	{profile.ActLog, "SECCOMP_RET_LOG", profile.KernelVersion{Kernel: 4, Major: 14}},
	{profile.ActAllow, "SECCOMP_RET_ALLOW", minModeFilter},
}

// NotifSizes is struct seccomp_notif_sizes: the sizes the running kernel
// uses for the user-notification structures. Newer kernels may grow them;
// buffers must be at least this large.
type NotifSizes struct {
	Notif     uint16 // sizeof(struct seccomp_notif)
	Resp      uint16 // sizeof(struct seccomp_notif_resp)
	Data      uint16 // sizeof(struct seccomp_data)
	Available bool   // false on kernels before 5.0
}

// probeResult is what the kernel said, once per process.
type probeResult struct {
	filterMode   error // nil if seccomp filter mode exists at all
	seccompCall  error // nil if the seccomp(2) syscall exists
	actions      map[profile.Action]error
	flags        map[Flags]error
	notifSizes   NotifSizes
	notifSizeErr error
}

var probed = sync.OnceValue(probe)

// probe asks the kernel about every feature. None of the calls changes
// the calling thread's state: GET_ACTION_AVAIL and GET_NOTIF_SIZES only
// report, and the flag probes pass a NULL program, which the kernel fails
// to copy (EFAULT) after validating the flags and before looking at
// anything else; an unknown flag gives EINVAL first.
func probe() *probeResult {
	r := &probeResult{actions: map[profile.Action]error{}, flags: map[Flags]error{}}

	// PR_GET_SECCOMP fails with EINVAL when the kernel has no seccomp.
	if _, err := unix.PrctlRetInt(unix.PR_GET_SECCOMP, 0, 0, 0, 0); err != nil {
		r.filterMode = &UnsupportedFeatureError{Name: "SECCOMP_MODE_FILTER", MinimumVersion: minModeFilter}
	}
	_, _, e := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, 0)
	switch e {
	case unix.EFAULT:
	case unix.ENOSYS:
		r.seccompCall = &UnsupportedFeatureError{Name: "seccomp(2)", MinimumVersion: minSeccompSyscall}
	default:
		r.seccompCall = fmt.Errorf("probing seccomp(2): unexpected %w", e)
	}

	for _, a := range actionFeatures {
		r.actions[a.action] = probeAction(a.action, r.filterMode, &UnsupportedFeatureError{Name: a.name, MinimumVersion: a.min})
	}
	for _, f := range allFlags {
		flags := f.flag
		if f.flag == FlagWaitKillableRecv {
			flags |= FlagNewListener // the kernel refuses it alone
		}
		err := r.seccompCall
		if err == nil {
			_, _, e := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, uintptr(flags), 0)
			switch e {
			case unix.EFAULT:
			case unix.EINVAL:
				err = &UnsupportedFeatureError{Name: f.name, MinimumVersion: f.min}
			default:
				err = fmt.Errorf("probing %s: unexpected %w", f.name, e)
			}
		} else if errors.Is(err, ErrNotSupported) {
			err = &UnsupportedFeatureError{Name: f.name, MinimumVersion: f.min}
		}
		r.flags[f.flag] = err
	}

	var sizes struct{ notif, resp, data uint16 }
	_, _, e = unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_GET_NOTIF_SIZES, 0, uintptr(unsafe.Pointer(&sizes)))
	switch e {
	case 0:
		r.notifSizes = NotifSizes{Notif: sizes.notif, Resp: sizes.resp, Data: sizes.data, Available: true}
	case unix.EINVAL, unix.ENOSYS:
		r.notifSizeErr = &UnsupportedFeatureError{Name: "SECCOMP_GET_NOTIF_SIZES", MinimumVersion: minNotifSizes}
	default:
		r.notifSizeErr = fmt.Errorf("SECCOMP_GET_NOTIF_SIZES: %w", e)
	}
	return r
}

// probeAction asks GET_ACTION_AVAIL about one action. Kernels before 4.14
// lack the operation (EINVAL, or ENOSYS before seccomp(2)); they have the
// actions of Linux 3.5 and none of the later ones.
func probeAction(a profile.Action, filterMode error, unsupported error) error {
	if filterMode != nil {
		return unsupported
	}
	v := uint32(a)
	_, _, e := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_GET_ACTION_AVAIL, 0, uintptr(unsafe.Pointer(&v)))
	switch e {
	case 0:
		return nil
	case unix.EOPNOTSUPP:
		return unsupported
	case unix.EINVAL, unix.ENOSYS:
		switch a {
		case profile.ActKillThread, profile.ActTrap, profile.ActErrno, profile.ActTrace, profile.ActAllow:
			return nil
		}
		return unsupported
	}
	return fmt.Errorf("SECCOMP_GET_ACTION_AVAIL: unexpected %w", e)
}

// HaveAction reports whether the running kernel implements the action
// kind of a (its data bits are ignored): nil, or an
// *UnsupportedFeatureError matching ErrNotSupported. The kernel is asked
// once per process (SECCOMP_GET_ACTION_AVAIL) and the answers cached.
// A value that is no action at all is reported as unsupported with the
// minimum version left zero.
func HaveAction(a profile.Action) error {
	if err, ok := probed().actions[a.Kind()]; ok {
		return err
	}
	return &UnsupportedFeatureError{Name: fmt.Sprintf("seccomp action %#08x", uint32(a.Kind()))}
}

// HaveFlag reports whether the running kernel accepts every flag in f:
// nil, or an *UnsupportedFeatureError for the first one it lacks. Flags
// are probed once per process by calling seccomp(2) with the flag and a
// NULL program: EFAULT means the flag passed validation, EINVAL that the
// kernel does not know it.
func HaveFlag(f Flags) error {
	r := probed()
	for _, d := range allFlags {
		if f&d.flag != 0 {
			if err := r.flags[d.flag]; err != nil {
				return err
			}
			f &^= d.flag
		}
	}
	if f != 0 {
		return fmt.Errorf("%w: unknown flag bits %#x", ErrInvalidFlags, uint(f))
	}
	return nil
}

// HaveFilterMode reports whether the kernel supports seccomp filters at
// all (CONFIG_SECCOMP_FILTER).
func HaveFilterMode() error { return probed().filterMode }

// GetNotifSizes returns the kernel's user-notification structure sizes
// (SECCOMP_GET_NOTIF_SIZES, Linux 5.0), cached after the first call.
func GetNotifSizes() (NotifSizes, error) {
	r := probed()
	return r.notifSizes, r.notifSizeErr
}
