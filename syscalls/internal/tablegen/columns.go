// Package tablegen turns the syscall tables in syscalls/internal/tables into
// the Go source of syscalls/ztables.go. It is the logic behind
// internal/cmd/gentables, kept in a package of its own so tests can check
// the merge (CSV versus hrw) without running the command.
package tablegen

// column ties one architecture column of libseccomp's syscalls.csv to the
// hrw/syscalls-table file for the same ABI, the ABI offset libseccomp leaves
// out of its CSV, and the arch package constants that share the column
// (big- and little-endian variants have the same numbers).
type column struct {
	CSV    string   // header name in libseccomp-syscalls.csv
	HRW    string   // file name suffix: syscalls-<HRW>
	Offset int      // added to every CSV number (hrw numbers already have it)
	Arches []string // arch.<ident> constants using this table; the first names the Go variable
}

// columns is every column libseccomp v2.6.1 has, in the CSV's order. A CSV
// with any other architecture column is rejected, so that a new libseccomp
// architecture is added here on purpose rather than dropped silently.
var columns = []column{
	{CSV: "x86", HRW: "i386", Arches: []string{"X86"}},
	{CSV: "x86_64", HRW: "x86_64", Arches: []string{"X86_64"}},
	// __X32_SYSCALL_BIT; libseccomp adds it in arch-x32.c.
	{CSV: "x32", HRW: "x32", Offset: 0x40000000, Arches: []string{"X32"}},
	{CSV: "arm", HRW: "arm", Arches: []string{"ARM"}},
	{CSV: "aarch64", HRW: "arm64", Arches: []string{"AArch64"}},
	{CSV: "loongarch64", HRW: "loongarch64", Arches: []string{"LoongArch64"}},
	{CSV: "m68k", HRW: "m68k", Arches: []string{"M68K"}},
	// MIPS ABIs number from 4000 (o32), 5000 (n64) and 6000 (n32); libseccomp
	// adds the base in arch-mips*.c.
	{CSV: "mips", HRW: "mipso32", Offset: 4000, Arches: []string{"MIPS", "MIPSEL"}},
	{CSV: "mips64", HRW: "mips64", Offset: 5000, Arches: []string{"MIPS64", "MIPSEL64"}},
	{CSV: "mips64n32", HRW: "mips64n32", Offset: 6000, Arches: []string{"MIPS64N32", "MIPSEL64N32"}},
	{CSV: "parisc", HRW: "parisc", Arches: []string{"PARISC"}},
	{CSV: "parisc64", HRW: "parisc64", Arches: []string{"PARISC64"}},
	{CSV: "ppc", HRW: "powerpc", Arches: []string{"PPC"}},
	{CSV: "ppc64", HRW: "powerpc64", Arches: []string{"PPC64", "PPC64LE"}},
	{CSV: "riscv64", HRW: "riscv64", Arches: []string{"RISCV64"}},
	{CSV: "s390", HRW: "s390", Arches: []string{"S390"}},
	{CSV: "s390x", HRW: "s390x", Arches: []string{"S390X"}},
	{CSV: "sh", HRW: "sh", Arches: []string{"SH", "SHEB"}},
}
