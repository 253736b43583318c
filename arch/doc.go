// Package arch describes the CPU architectures a seccomp filter can be
// written for: the AUDIT_ARCH_* value the kernel puts in seccomp_data.arch,
// the SCMP_ARCH_* name libseccomp and the OCI runtime spec use, the names Go
// and container tools use in profile "includes"/"excludes" sections, word
// size, byte order, and the sub-architectures a 64-bit kernel also runs.
//
// x86_64 and x32 share one audit value (AUDIT_ARCH_X86_64); the kernel tells
// them apart by bit 30 (X32SyscallBit) of the syscall number. Everything that
// dispatches on seccomp_data.arch must therefore treat the two together.
package arch
