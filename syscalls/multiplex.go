package syscalls

import "github.com/seccompctl/seccompctl/arch"

// SocketcallNumber returns the socketcall(2) call number (arg0, SYS_* in
// <linux/net.h>) of a socket syscall name, e.g. 1 for "socket".
func SocketcallNumber(name string) (call int, ok bool) {
	switch name {
	case "socket":
		return 1, true
	case "bind":
		return 2, true
	case "connect":
		return 3, true
	case "listen":
		return 4, true
	case "accept":
		return 5, true
	case "getsockname":
		return 6, true
	case "getpeername":
		return 7, true
	case "socketpair":
		return 8, true
	case "send":
		return 9, true
	case "recv":
		return 10, true
	case "sendto":
		return 11, true
	case "recvfrom":
		return 12, true
	case "shutdown":
		return 13, true
	case "setsockopt":
		return 14, true
	case "getsockopt":
		return 15, true
	case "sendmsg":
		return 16, true
	case "recvmsg":
		return 17, true
	case "accept4":
		return 18, true
	case "recvmmsg":
		return 19, true
	case "sendmmsg":
		return 20, true
	}
	return 0, false
}

// IPCNumber returns the ipc(2) call number (arg0, from <linux/ipc.h>) of a
// SysV IPC syscall name, e.g. 21 for "shmat".
func IPCNumber(name string) (call int, ok bool) {
	switch name {
	case "semop":
		return 1, true
	case "semget":
		return 2, true
	case "semctl":
		return 3, true
	case "semtimedop":
		return 4, true
	case "msgsnd":
		return 11, true
	case "msgrcv":
		return 12, true
	case "msgget":
		return 13, true
	case "msgctl":
		return 14, true
	case "shmat":
		return 21, true
	case "shmdt":
		return 22, true
	case "shmget":
		return 23, true
	case "shmctl":
		return 24, true
	}
	return 0, false
}

// Multiplexed reports whether libseccomp 2.6.1 treats a as an architecture
// with the socketcall and ipc multiplexers: a rule on a socket or SysV IPC
// syscall is then also a rule on socketcall/ipc with arg0 equal to the call
// number (and, where the direct syscall exists too, a rule on that).
// These are the architectures whose libseccomp arch_def sets sys_socketcall
// and sys_ipc: x86, m68k, mips o32, ppc, ppc64, s390, s390x and sh.
func Multiplexed(a arch.Arch) bool {
	switch a {
	case arch.X86, arch.M68K, arch.MIPS, arch.MIPSEL, arch.PPC, arch.PPC64, arch.PPC64LE,
		arch.S390, arch.S390X, arch.SH, arch.SHEB:
		return true
	}
	return false
}

// SocketcallNr returns the number of socketcall(2) on a, when a is
// Multiplexed.
func SocketcallNr(a arch.Arch) (nr int, ok bool) {
	if !Multiplexed(a) {
		return 0, false
	}
	return Number(a, "socketcall")
}

// IPCNr returns the number of ipc(2) on a, when a is Multiplexed.
func IPCNr(a arch.Arch) (nr int, ok bool) {
	if !Multiplexed(a) {
		return 0, false
	}
	return Number(a, "ipc")
}

// Multiplexer returns the multiplexer through which name can also be
// called on a — "socketcall" or "ipc", its number on a, and name's call
// number there (arg0) — when a is Multiplexed and name is one of the
// socket or SysV IPC syscalls. libseccomp applies a rule on name to that
// syscall too.
func Multiplexer(a arch.Arch, name string) (mux string, nr, call int, ok bool) {
	if call, ok = SocketcallNumber(name); ok {
		nr, ok = SocketcallNr(a)
		return "socketcall", nr, call, ok
	}
	if call, ok = IPCNumber(name); ok {
		nr, ok = IPCNr(a)
		return "ipc", nr, call, ok
	}
	return "", 0, 0, false
}
