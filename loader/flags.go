package loader

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/seccompctl/seccompctl/profile"
)

// Flags are SECCOMP_FILTER_FLAG_* bits for seccomp(SECCOMP_SET_MODE_FILTER).
type Flags uint

// The filter flags, with the Linux version that introduced each.
const (
	// FlagTSYNC puts the filter on every thread of the process (3.17).
	FlagTSYNC Flags = unix.SECCOMP_FILTER_FLAG_TSYNC
	// FlagLog logs every action except ALLOW to the audit log (4.14).
	FlagLog Flags = unix.SECCOMP_FILTER_FLAG_LOG
	// FlagSpecAllow keeps speculative store bypass mitigation off, which
	// seccomp otherwise turns on (4.17).
	FlagSpecAllow Flags = unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW
	// FlagNewListener returns a user-notification fd (5.0).
	FlagNewListener Flags = unix.SECCOMP_FILTER_FLAG_NEW_LISTENER
	// FlagTSYNCESRCH makes a TSYNC failure return ESRCH instead of a
	// thread id, so that the success value can be the listener fd (5.7).
	// Install adds it whenever TSYNC and NEW_LISTENER are both set.
	FlagTSYNCESRCH Flags = unix.SECCOMP_FILTER_FLAG_TSYNC_ESRCH
	// FlagWaitKillableRecv makes a task waiting for its notification to
	// be received killable only, not interruptible by other signals
	// (5.19). Only valid with FlagNewListener.
	FlagWaitKillableRecv Flags = unix.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
)

// allFlags lists the flags in bit order, with their kernel names and
// minimum versions.
var allFlags = []struct {
	flag Flags
	name string
	min  profile.KernelVersion
}{
	{FlagTSYNC, "SECCOMP_FILTER_FLAG_TSYNC", profile.KernelVersion{Kernel: 3, Major: 17}},
	{FlagLog, "SECCOMP_FILTER_FLAG_LOG", profile.KernelVersion{Kernel: 4, Major: 14}},
	{FlagSpecAllow, "SECCOMP_FILTER_FLAG_SPEC_ALLOW", profile.KernelVersion{Kernel: 4, Major: 17}},
	{FlagNewListener, "SECCOMP_FILTER_FLAG_NEW_LISTENER", profile.KernelVersion{Kernel: 5, Major: 0}},
	{FlagTSYNCESRCH, "SECCOMP_FILTER_FLAG_TSYNC_ESRCH", profile.KernelVersion{Kernel: 5, Major: 7}},
	{FlagWaitKillableRecv, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", profile.KernelVersion{Kernel: 5, Major: 19}},
}

// String lists the set flags by kernel name, joined with "|"; "0" when
// none is set.
func (f Flags) String() string {
	if f == 0 {
		return "0"
	}
	var names []string
	for _, d := range allFlags {
		if f&d.flag != 0 {
			names = append(names, d.name)
			f &^= d.flag
		}
	}
	if f != 0 {
		names = append(names, fmt.Sprintf("%#x", uint(f)))
	}
	return strings.Join(names, "|")
}

// FlagsFor returns the filter flags the runtime named by pol.Target.Runtime
// passes for the policy, as runc and crun derive them from the profile:
//
//   - "flags" absent (nil): SPEC_ALLOW where the kernel supports it
//     (runc's default), nothing otherwise. An explicit empty list: none.
//   - SECCOMP_FILTER_FLAG_LOG and _SPEC_ALLOW are passed as listed.
//   - SECCOMP_FILTER_FLAG_TSYNC is ignored by runc (runc init is
//     single-threaded where it matters and never passes it) and passed by
//     crun.
//   - NEW_LISTENER is set exactly when some rule of the policy returns
//     SCMP_ACT_NOTIFY; WAIT_KILLABLE_RECV is passed only together with it
//     (libseccomp drops it otherwise).
//
// The flags are not checked against the kernel here, except to decide the
// SPEC_ALLOW default; Install checks them.
func FlagsFor(pol *profile.Policy) Flags {
	var f Flags
	if pol.Flags == nil {
		if HaveFlag(FlagSpecAllow) == nil {
			f |= FlagSpecAllow
		}
	}
	for _, pf := range pol.Flags {
		switch pf {
		case profile.FlagLog:
			f |= FlagLog
		case profile.FlagSpecAllow:
			f |= FlagSpecAllow
		case profile.FlagTSYNC:
			if pol.Target.Runtime == profile.RuntimeCrun {
				f |= FlagTSYNC
			}
		case profile.FlagWaitKillableRecv:
			f |= FlagWaitKillableRecv
		}
	}
	if policyNotifies(pol) {
		f |= FlagNewListener
	} else {
		f &^= FlagWaitKillableRecv
	}
	return f
}

// policyNotifies reports whether any rule of pol, on any architecture and
// in any argument branch, returns SCMP_ACT_NOTIFY.
func policyNotifies(pol *profile.Policy) bool {
	if pol.Default.Kind() == profile.ActNotify {
		return true
	}
	for _, a := range pol.Arches {
		ap := pol.Arch(a)
		if ap == nil {
			continue
		}
		for _, sp := range ap.Syscalls {
			if sp.Action.Kind() == profile.ActNotify || levelNotifies(sp.Tree) {
				return true
			}
		}
	}
	return false
}

func levelNotifies(lvl *profile.Level) bool {
	if lvl == nil {
		return false
	}
	for _, n := range lvl.Nodes {
		if n.HasActT && n.ActT.Kind() == profile.ActNotify || n.HasActF && n.ActF.Kind() == profile.ActNotify {
			return true
		}
		if levelNotifies(n.True) || levelNotifies(n.False) {
			return true
		}
	}
	return false
}
