package arch

import (
	"errors"
	"fmt"
	"runtime"
)

// Arch identifies one seccomp architecture (one libseccomp SCMP_ARCH_*).
// The zero value is Unknown.
type Arch uint8

// The architectures libseccomp 2.6 supports, in libseccomp's order.
const (
	Unknown Arch = iota
	X86
	X86_64
	X32
	ARM
	AArch64
	LoongArch64
	M68K
	MIPS
	MIPSEL
	MIPS64
	MIPSEL64
	MIPS64N32
	MIPSEL64N32
	PARISC
	PARISC64
	PPC
	PPC64
	PPC64LE
	RISCV64
	S390
	S390X
	SH
	SHEB
	numArches
)

// X32SyscallBit is __X32_SYSCALL_BIT: x32 syscall numbers have it set.
const X32SyscallBit = 0x40000000

// ErrUnknown is returned (wrapped) for an architecture name this package
// does not know.
var ErrUnknown = errors.New("unknown architecture")

// Audit-arch building blocks from <linux/audit.h> and <linux/elf-em.h>.
const (
	audit64Bit = 0x80000000
	auditLE    = 0x40000000
	auditN32   = 0x20000000 // __AUDIT_ARCH_CONVENTION_MIPS64_N32

	emM68K    = 4
	emMIPS    = 8
	emPARISC  = 15
	emPPC     = 20
	emPPC64   = 21
	emS390    = 22
	emARM     = 40
	emSH      = 42
	em386     = 3
	emX86_64  = 62
	emAArch64 = 183
	emRISCV   = 243
	emLoong   = 258
)

// Info is everything this package knows about one architecture.
type Info struct {
	Arch Arch
	// Name is the libseccomp / OCI runtime-spec name, e.g. "SCMP_ARCH_X86_64".
	Name string
	// Audit is the AUDIT_ARCH_* value the kernel reports in seccomp_data.arch.
	Audit uint32
	// Bits is the width libseccomp uses for syscall arguments: 64, or 32
	// (x32 is 32: libseccomp compares only the low word of each argument).
	Bits int
	// BigEndian reports the byte order of seccomp_data on this architecture.
	BigEndian bool
	// SyscallBit is a bit set in every syscall number of this ABI
	// (X32SyscallBit for x32, 0 elsewhere).
	SyscallBit uint32
	// ProfileName is the string moby and containers/common compare
	// includes.arches / excludes.arches against on this architecture
	// ("amd64", "x86", "arm64", "s390x", ...).
	ProfileName string
	// Aliases are other names users write for this architecture (GOARCH,
	// uname -m, libseccomp's short names). Parse accepts all of them.
	Aliases []string
}

var infos = [numArches]Info{
	X86:         {X86, "SCMP_ARCH_X86", em386 | auditLE, 32, false, 0, "x86", []string{"386", "i386", "i686", "x86"}},
	X86_64:      {X86_64, "SCMP_ARCH_X86_64", emX86_64 | audit64Bit | auditLE, 64, false, 0, "amd64", []string{"amd64", "x86_64"}},
	X32:         {X32, "SCMP_ARCH_X32", emX86_64 | audit64Bit | auditLE, 32, false, X32SyscallBit, "x32", []string{"x32"}},
	ARM:         {ARM, "SCMP_ARCH_ARM", emARM | auditLE, 32, false, 0, "arm", []string{"arm", "armv7l", "armhf"}},
	AArch64:     {AArch64, "SCMP_ARCH_AARCH64", emAArch64 | audit64Bit | auditLE, 64, false, 0, "arm64", []string{"arm64", "aarch64"}},
	LoongArch64: {LoongArch64, "SCMP_ARCH_LOONGARCH64", emLoong | audit64Bit | auditLE, 64, false, 0, "loongarch64", []string{"loong64", "loongarch64"}},
	M68K:        {M68K, "SCMP_ARCH_M68K", emM68K, 32, true, 0, "m68k", []string{"m68k"}},
	MIPS:        {MIPS, "SCMP_ARCH_MIPS", emMIPS, 32, true, 0, "mips", []string{"mips"}},
	MIPSEL:      {MIPSEL, "SCMP_ARCH_MIPSEL", emMIPS | auditLE, 32, false, 0, "mipsel", []string{"mipsle", "mipsel"}},
	MIPS64:      {MIPS64, "SCMP_ARCH_MIPS64", emMIPS | audit64Bit, 64, true, 0, "mips64", []string{"mips64"}},
	MIPSEL64:    {MIPSEL64, "SCMP_ARCH_MIPSEL64", emMIPS | audit64Bit | auditLE, 64, false, 0, "mipsel64", []string{"mips64le", "mipsel64"}},
	MIPS64N32:   {MIPS64N32, "SCMP_ARCH_MIPS64N32", emMIPS | audit64Bit | auditN32, 32, true, 0, "mips64n32", []string{"mips64n32", "mips64p32"}},
	MIPSEL64N32: {MIPSEL64N32, "SCMP_ARCH_MIPSEL64N32", emMIPS | audit64Bit | auditLE | auditN32, 32, false, 0, "mips3l64n32", []string{"mipsel64n32", "mips64p32le", "mips3l64n32"}},
	PARISC:      {PARISC, "SCMP_ARCH_PARISC", emPARISC, 32, true, 0, "parisc", []string{"parisc"}},
	PARISC64:    {PARISC64, "SCMP_ARCH_PARISC64", emPARISC | audit64Bit, 64, true, 0, "parisc64", []string{"parisc64"}},
	PPC:         {PPC, "SCMP_ARCH_PPC", emPPC, 32, true, 0, "ppc", []string{"ppc", "powerpc"}},
	PPC64:       {PPC64, "SCMP_ARCH_PPC64", emPPC64 | audit64Bit, 64, true, 0, "ppc64", []string{"ppc64", "powerpc64"}},
	PPC64LE:     {PPC64LE, "SCMP_ARCH_PPC64LE", emPPC64 | audit64Bit | auditLE, 64, false, 0, "ppc64le", []string{"ppc64le", "powerpc64le"}},
	RISCV64:     {RISCV64, "SCMP_ARCH_RISCV64", emRISCV | audit64Bit | auditLE, 64, false, 0, "riscv64", []string{"riscv64"}},
	S390:        {S390, "SCMP_ARCH_S390", emS390, 32, true, 0, "s390", []string{"s390"}},
	S390X:       {S390X, "SCMP_ARCH_S390X", emS390 | audit64Bit, 64, true, 0, "s390x", []string{"s390x"}},
	SH:          {SH, "SCMP_ARCH_SH", emSH | auditLE, 32, false, 0, "sh", []string{"sh", "sh4"}},
	SHEB:        {SHEB, "SCMP_ARCH_SHEB", emSH, 32, true, 0, "sheb", []string{"sheb", "sh4eb"}},
}

// All returns every known architecture in a stable order.
func All() []Arch {
	out := make([]Arch, 0, numArches-1)
	for a := Arch(1); a < numArches; a++ {
		out = append(out, a)
	}
	return out
}

// Names returns the SCMP_ARCH_* names of as, in order: for messages and
// reports.
func Names(as []Arch) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	return out
}

// Info returns the description of a. It panics for an invalid Arch value,
// which only a programming error can produce.
func (a Arch) Info() Info {
	if !a.Valid() {
		panic(fmt.Sprintf("arch: invalid Arch %d", a))
	}
	return infos[a]
}

// Valid reports whether a is a known architecture.
func (a Arch) Valid() bool { return a > Unknown && a < numArches }

// String returns the SCMP_ARCH_* name.
func (a Arch) String() string {
	if !a.Valid() {
		return fmt.Sprintf("Arch(%d)", uint8(a))
	}
	return infos[a].Name
}

// Audit returns the AUDIT_ARCH_* value of a.
func (a Arch) Audit() uint32 { return a.Info().Audit }

// Is64Bit reports whether libseccomp compares 64-bit arguments on a.
func (a Arch) Is64Bit() bool { return a.Info().Bits == 64 }

// BigEndian reports whether seccomp_data is big-endian on a.
func (a Arch) BigEndian() bool { return a.Info().BigEndian }

// ShortName returns the lower-case name without the SCMP_ARCH_ prefix
// ("x86_64", "aarch64"), as scmp_sys_resolver -a takes it.
func (a Arch) ShortName() string {
	n := a.Info().Name[len("SCMP_ARCH_"):]
	b := []byte(n)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// MarshalText encodes a as its SCMP_ARCH_* name.
func (a Arch) MarshalText() ([]byte, error) {
	if !a.Valid() {
		return nil, fmt.Errorf("%w: %d", ErrUnknown, uint8(a))
	}
	return []byte(a.String()), nil
}

// UnmarshalText accepts exactly an SCMP_ARCH_* name.
func (a *Arch) UnmarshalText(b []byte) error {
	v, err := FromSCMPName(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// FromSCMPName maps an SCMP_ARCH_* name (case-sensitive, as runc reads it)
// to its Arch.
func FromSCMPName(name string) (Arch, error) {
	for a := Arch(1); a < numArches; a++ {
		if infos[a].Name == name {
			return a, nil
		}
	}
	return Unknown, fmt.Errorf("%w: %q (want an SCMP_ARCH_* name such as SCMP_ARCH_X86_64)", ErrUnknown, name)
}

// Parse accepts an SCMP_ARCH_* name, the libseccomp short name, a GOARCH
// value or a uname -m value ("SCMP_ARCH_AARCH64", "aarch64", "arm64").
func Parse(name string) (Arch, error) {
	if a, err := FromSCMPName(name); err == nil {
		return a, nil
	}
	for a := Arch(1); a < numArches; a++ {
		if a.ShortName() == name || infos[a].ProfileName == name {
			return a, nil
		}
		for _, alias := range infos[a].Aliases {
			if alias == name {
				return a, nil
			}
		}
	}
	return Unknown, fmt.Errorf("%w: %q", ErrUnknown, name)
}

// FromAudit returns the architectures whose seccomp_data.arch is audit.
// For AUDIT_ARCH_X86_64 that is both X86_64 and X32.
func FromAudit(audit uint32) []Arch {
	var out []Arch
	for a := Arch(1); a < numArches; a++ {
		if infos[a].Audit == audit {
			out = append(out, a)
		}
	}
	return out
}

// FromGOARCH maps a GOARCH value to the architecture a Go binary built for
// it runs as.
func FromGOARCH(goarch string) (Arch, error) {
	switch goarch {
	case "386":
		return X86, nil
	case "amd64":
		return X86_64, nil
	case "arm":
		return ARM, nil
	case "arm64":
		return AArch64, nil
	case "loong64":
		return LoongArch64, nil
	case "mips":
		return MIPS, nil
	case "mipsle":
		return MIPSEL, nil
	case "mips64":
		return MIPS64, nil
	case "mips64le":
		return MIPSEL64, nil
	case "ppc64":
		return PPC64, nil
	case "ppc64le":
		return PPC64LE, nil
	case "riscv64":
		return RISCV64, nil
	case "s390x":
		return S390X, nil
	}
	return Unknown, fmt.Errorf("%w: GOARCH %q has no seccomp architecture", ErrUnknown, goarch)
}

// Native returns the architecture this binary runs as. It returns Unknown
// on a GOARCH seccomp does not support (e.g. wasm).
func Native() Arch {
	a, _ := FromGOARCH(runtime.GOARCH)
	return a
}
