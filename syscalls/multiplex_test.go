package syscalls

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/seccompctl/seccompctl/arch"
)

// Call numbers from <linux/net.h> (SYS_SOCKET..SYS_SENDMMSG) and
// <linux/ipc.h> (SEMOP..SHMCTL); libseccomp derives the same ones from its
// pseudo-numbers (__PNR_socket = -101 → call 1, __PNR_shmctl = -224 → 24).
func TestCallNumbers(t *testing.T) {
	socket := map[string]int{
		"socket": 1, "bind": 2, "connect": 3, "listen": 4, "accept": 5, "getsockname": 6,
		"getpeername": 7, "socketpair": 8, "send": 9, "recv": 10, "sendto": 11, "recvfrom": 12,
		"shutdown": 13, "setsockopt": 14, "getsockopt": 15, "sendmsg": 16, "recvmsg": 17,
		"accept4": 18, "recvmmsg": 19, "sendmmsg": 20,
	}
	ipc := map[string]int{
		"semop": 1, "semget": 2, "semctl": 3, "semtimedop": 4, "msgsnd": 11, "msgrcv": 12,
		"msgget": 13, "msgctl": 14, "shmat": 21, "shmdt": 22, "shmget": 23, "shmctl": 24,
	}
	for _, name := range Names() {
		call, ok := SocketcallNumber(name)
		if want, isSocket := socket[name]; ok != isSocket || call != want {
			t.Errorf("SocketcallNumber(%s) = %d, %t; want %d, %t", name, call, ok, want, isSocket)
		}
		call, ok = IPCNumber(name)
		if want, isIPC := ipc[name]; ok != isIPC || call != want {
			t.Errorf("IPCNumber(%s) = %d, %t; want %d, %t", name, call, ok, want, isIPC)
		}
	}
	// Every call name is a real syscall name somewhere, so the loop above
	// saw all of them.
	for name := range socket {
		if !Known(name) {
			t.Errorf("%s unknown", name)
		}
	}
	for name := range ipc {
		if !Known(name) {
			t.Errorf("%s unknown", name)
		}
	}
	for _, bad := range []string{"", "socketcall", "ipc", "SOCKET", "semtimedop_time64"} {
		if _, ok := SocketcallNumber(bad); ok {
			t.Errorf("SocketcallNumber(%q) ok", bad)
		}
		if _, ok := IPCNumber(bad); ok {
			t.Errorf("IPCNumber(%q) ok", bad)
		}
	}
}

func TestMultiplexNrs(t *testing.T) {
	type nrs struct{ Socketcall, IPC int }
	want := map[arch.Arch]nrs{
		arch.X86:     {102, 117},
		arch.M68K:    {102, 117},
		arch.MIPS:    {4102, 4117},
		arch.MIPSEL:  {4102, 4117},
		arch.PPC:     {102, 117},
		arch.PPC64:   {102, 117},
		arch.PPC64LE: {102, 117},
		arch.S390:    {102, 117},
		arch.S390X:   {102, 117},
		arch.SH:      {102, 117},
		arch.SHEB:    {102, 117},
	}
	got := map[arch.Arch]nrs{}
	for _, a := range arch.All() {
		sc, okS := SocketcallNr(a)
		ipc, okI := IPCNr(a)
		if okS != Multiplexed(a) || okI != Multiplexed(a) {
			t.Errorf("%v: Multiplexed %t, SocketcallNr ok %t, IPCNr ok %t", a, Multiplexed(a), okS, okI)
		}
		if okS || okI {
			got[a] = nrs{sc, ipc}
		}
		// libseccomp multiplexes exactly where the tables have both
		// multiplexers; a mismatch means the hand-kept list is stale.
		_, hasS := Number(a, "socketcall")
		_, hasI := Number(a, "ipc")
		if hasS != Multiplexed(a) || hasI != Multiplexed(a) {
			t.Errorf("%v: Multiplexed %t but table has socketcall %t, ipc %t", a, Multiplexed(a), hasS, hasI)
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("multiplexer numbers (-want +got):\n%s", d)
	}
}

func TestMultiplexer(t *testing.T) {
	tests := []struct {
		a         arch.Arch
		name, mux string
		nr, call  int
		ok        bool
	}{
		{arch.X86, "socket", "socketcall", 102, 1, true},
		{arch.S390X, "recv", "socketcall", 102, 10, true},
		{arch.X86, "shmget", "ipc", 117, 23, true},
		{arch.MIPS, "sendmmsg", "socketcall", 4102, 20, true},
		{arch.X86_64, "socket", "", 0, 0, false}, // not multiplexed
		{arch.AArch64, "shmget", "", 0, 0, false},
		{arch.X86, "read", "", 0, 0, false}, // not a socket or IPC call
	}
	for _, tt := range tests {
		mux, nr, call, ok := Multiplexer(tt.a, tt.name)
		if ok != tt.ok || (ok && (mux != tt.mux || nr != tt.nr || call != tt.call)) {
			t.Errorf("Multiplexer(%v, %q) = %q, %d, %d, %t; want %q, %d, %d, %t", tt.a, tt.name, mux, nr, call, ok, tt.mux, tt.nr, tt.call, tt.ok)
		}
	}
}
