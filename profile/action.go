package profile

import (
	"fmt"
	"slices"
	"strings"
)

// Action is a seccomp filter return value as the kernel reads it: the
// SECCOMP_RET_* action in the high 16 bits and, for ERRNO, TRACE and TRAP,
// 16 bits of data in the low half. Two rules "have the same action" exactly
// when their Action values are equal, which is how runc compares a rule's
// action with the default.
type Action uint32

// SECCOMP_RET_* values from <linux/seccomp.h>.
const (
	ActKillProcess Action = 0x80000000
	ActKillThread  Action = 0x00000000
	ActTrap        Action = 0x00030000
	ActErrno       Action = 0x00050000
	ActNotify      Action = 0x7fc00000 // SECCOMP_RET_USER_NOTIF
	ActTrace       Action = 0x7ff00000
	ActLog         Action = 0x7ffc0000
	ActAllow       Action = 0x7fff0000

	// ActionMask (SECCOMP_RET_ACTION_FULL) selects the action bits,
	// DataMask (SECCOMP_RET_DATA) the data bits.
	ActionMask Action = 0xffff0000
	DataMask   Action = 0x0000ffff
)

// Kind returns the action without its data.
func (a Action) Kind() Action { return a & ActionMask }

// Data returns the 16-bit data (the errno for ERRNO).
func (a Action) Data() uint16 { return uint16(a & DataMask) }

// Errno returns ActErrno with the given errno.
func Errno(errno uint16) Action { return ActErrno | Action(errno) }

// Trace returns ActTrace with the given message data.
func Trace(data uint16) Action { return ActTrace | Action(data) }

// IsAllowLike reports whether the kernel lets the syscall run
// (ALLOW and LOG).
func (a Action) IsAllowLike() bool { return a == ActAllow || a == ActLog }

// String gives the action as libseccomp names it, with its data:
// "SCMP_ACT_ERRNO(1)", "SCMP_ACT_ALLOW".
func (a Action) String() string {
	switch a.Kind() {
	case ActKillProcess:
		return "SCMP_ACT_KILL_PROCESS"
	case ActKillThread:
		return "SCMP_ACT_KILL_THREAD"
	case ActTrap:
		if a.Data() != 0 {
			return fmt.Sprintf("SCMP_ACT_TRAP(%d)", a.Data())
		}
		return "SCMP_ACT_TRAP"
	case ActErrno:
		return fmt.Sprintf("SCMP_ACT_ERRNO(%d)", a.Data())
	case ActNotify:
		return "SCMP_ACT_NOTIFY"
	case ActTrace:
		return fmt.Sprintf("SCMP_ACT_TRACE(%d)", a.Data())
	case ActLog:
		return "SCMP_ACT_LOG"
	case ActAllow:
		return "SCMP_ACT_ALLOW"
	}
	return fmt.Sprintf("Action(%#08x)", uint32(a))
}

// actionNames maps the names the JSON format allows to their action kind.
// SCMP_ACT_KILL is libseccomp's old name for KILL_THREAD.
var actionNames = map[string]Action{
	"SCMP_ACT_KILL":         ActKillThread,
	"SCMP_ACT_KILL_THREAD":  ActKillThread,
	"SCMP_ACT_KILL_PROCESS": ActKillProcess,
	"SCMP_ACT_TRAP":         ActTrap,
	"SCMP_ACT_ERRNO":        ActErrno,
	"SCMP_ACT_TRACE":        ActTrace,
	"SCMP_ACT_ALLOW":        ActAllow,
	"SCMP_ACT_LOG":          ActLog,
	"SCMP_ACT_NOTIFY":       ActNotify,
}

// ActionName is an action as written in a profile ("SCMP_ACT_ERRNO").
type ActionName string

// Kind returns the action kind the name stands for.
func (n ActionName) Kind() (Action, bool) {
	a, ok := actionNames[string(n)]
	return a, ok
}

// TakesData reports whether the action carries an errno/data value
// (errnoRet) in the profile format: ERRNO and TRACE.
func (n ActionName) TakesData() bool {
	return n == "SCMP_ACT_ERRNO" || n == "SCMP_ACT_TRACE"
}

func validActionNames() string {
	names := make([]string, 0, len(actionNames))
	for n := range actionNames {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
