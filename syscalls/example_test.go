package syscalls_test

import (
	"fmt"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/syscalls"
)

func Example() {
	nr, _ := syscalls.Number(arch.X86_64, "openat")
	fmt.Println("x86_64 openat =", nr)

	nr, _ = syscalls.Number(arch.MIPSEL64N32, "read") // n32 numbers start at 6000
	fmt.Println("mipsel64n32 read =", nr)

	name, _ := syscalls.Name(arch.AArch64, 56)
	fmt.Println("aarch64 56 =", name)

	_, ok := syscalls.Number(arch.AArch64, "open")
	fmt.Println("aarch64 has open:", ok)
	// Output:
	// x86_64 openat = 257
	// mipsel64n32 read = 6000
	// aarch64 56 = openat
	// aarch64 has open: false
}

// A rule on a socket syscall must also cover socketcall(2) on architectures
// that multiplex, or the filter can be bypassed through it.
func ExampleMultiplexed() {
	for _, a := range []arch.Arch{arch.X86_64, arch.X86, arch.S390X} {
		direct, _ := syscalls.Number(a, "socket")
		fmt.Printf("%s: socket = %d", a.ShortName(), direct)
		if syscalls.Multiplexed(a) {
			sc, _ := syscalls.SocketcallNr(a)
			call, _ := syscalls.SocketcallNumber("socket")
			fmt.Printf(", and socketcall (%d) with arg0 == %d", sc, call)
		}
		fmt.Println()
	}
	// Output:
	// x86_64: socket = 41
	// x86: socket = 359, and socketcall (102) with arg0 == 1
	// s390x: socket = 359, and socketcall (102) with arg0 == 1
}

// Emulating a runtime linked against libseccomp 2.6.1: names it does not
// know on an architecture are skipped there.
func ExampleSyscall_libseccomp() {
	for _, s := range syscalls.Table(arch.LoongArch64) {
		if !s.Libseccomp {
			fmt.Printf("%s (%d) is unknown to libseccomp 2.6.1 on loongarch64\n", s.Name, s.Nr)
		}
	}
	// Output:
	// memfd_secret (447) is unknown to libseccomp 2.6.1 on loongarch64
}
