package arch_test

import (
	"fmt"

	"github.com/seccompctl/seccompctl/arch"
)

// Profiles and users name architectures in several ways; they all parse
// to the same Arch.
func ExampleParse() {
	for _, name := range []string{"SCMP_ARCH_AARCH64", "aarch64", "arm64"} {
		a, _ := arch.Parse(name)
		fmt.Println(name, "→", a, a.ShortName(), a.Info().ProfileName)
	}
	// Output:
	// SCMP_ARCH_AARCH64 → SCMP_ARCH_AARCH64 aarch64 arm64
	// aarch64 → SCMP_ARCH_AARCH64 aarch64 arm64
	// arm64 → SCMP_ARCH_AARCH64 aarch64 arm64
}

// x86_64 and x32 share one audit value; a filter tells them apart by bit 30
// of the syscall number.
func ExampleFromAudit() {
	fmt.Println(arch.FromAudit(arch.X86_64.Audit()))
	fmt.Printf("%#x\n", arch.X32.Info().SyscallBit)
	// Output:
	// [SCMP_ARCH_X86_64 SCMP_ARCH_X32]
	// 0x40000000
}
