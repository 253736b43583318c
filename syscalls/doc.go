// Package syscalls maps Linux syscall names to numbers and back, per seccomp
// architecture, as a seccomp filter sees them in seccomp_data.nr.
//
// # Sources
//
// The tables are generated (see generate.go) from two public data sets kept
// under internal/tables with their licences:
//
//   - libseccomp v2.6.1's src/syscalls.csv, the primary source for every
//     architecture it covers. These are the numbers libseccomp, and so runc
//     and crun, put into filters, including syscalls the kernel removed but
//     still reserves a number for (x86_64 _sysctl = 156, uselib, nfsservctl),
//     which real profiles name.
//   - hrw/syscalls-table for kernel 7.2.0-rc1, used to cross-check the CSV and
//     to add what the CSV does not number on an architecture (for example
//     memfd_secret on loongarch64, or sync_file_range2, the uapi alias of
//     arm_sync_file_range on arm). Such entries have Syscall.Libseccomp false,
//     so callers can emulate "the names libseccomp 2.6.1 knows" exactly.
//
// Where both sources number a name differently the CSV wins; for the
// shipped inputs there is no such case.
//
// # Numbers and offsets
//
// Every number includes the ABI's offset, which libseccomp's CSV leaves out:
// 4000 for mips o32 (MIPS, MIPSEL), 5000 for mips n64 (MIPS64, MIPSEL64),
// 6000 for mips n32 (MIPS64N32, MIPSEL64N32) and X32SyscallBit (0x40000000)
// for x32. Big- and little-endian variants share one table. ARM-private
// calls (breakpoint, cacheflush, usr26, usr32, set_tls, get_tls) sit at
// 0xf0000 and above, as the kernel numbers them.
//
// # Pseudo-numbers
//
// libseccomp resolves a name an architecture lacks to a negative
// pseudo-number (__PNR_*, e.g. -10060 for socketcall on x86_64) and drops
// rules on it when generating a filter. This package never returns negative
// numbers: Number reports ok == false instead, and no pseudo-number can
// appear in a program built from these tables.
//
// # Multiplexed socket and IPC calls
//
// On x86, m68k, mips o32, ppc, ppc64, s390, s390x and sh (Multiplexed), socket
// and SysV IPC operations can also arrive through socketcall(2) and ipc(2),
// with the operation in the first argument. libseccomp therefore emits a
// rule on a socket syscall both for the direct syscall, where the
// architecture has one (x86 socket = 359 since Linux 4.3), and for
// socketcall with arg0 == SocketcallNumber(name); likewise ipc with
// IPCNumber. A filter that forgets the multiplexed path can be bypassed
// through it (containers/common#2280). SocketcallNr and IPCNr give the
// multiplexers' own numbers.
//
// Lookups do not allocate. Numbers are found by binary search over
// generated, read-only tables. Names go through one map from name to ID
// (IDOf), built on first use, and then a generated per-architecture table
// indexed by ID (LookupID), so a name asked about on several architectures
// is hashed once.
package syscalls
