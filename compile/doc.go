// Package compile turns a resolved seccomp policy (profile.Policy) into a
// classic-BPF program the Linux kernel runs on every system call, and
// provides the tools to check such programs: a verifier that accepts what
// the kernel accepts, an emulator of the kernel's seccomp BPF machine, the
// kernel's action-cache analysis, a disassembler and export formats.
//
// # What the program looks like
//
// A seccomp filter sees struct seccomp_data: the syscall number (nr, at
// offset 0), the AUDIT_ARCH_* value of the calling ABI (arch, at 4), the
// instruction pointer (8) and six 64-bit arguments (16 + 8*i). It returns
// an action such as SECCOMP_RET_ALLOW or SECCOMP_RET_ERRNO|errno. The
// program Compile emits has three parts:
//
//  1. Architecture dispatch: load arch, one jeq per audit value of the
//     policy (native first). Any other value gets the bad-arch action
//     (KILL_THREAD, as libseccomp).
//  2. Per audit value, load nr and search a binary tree over intervals of
//     syscall numbers that share one decision. Neighbours with the same
//     action merge, so Docker's default profile has 64 intervals on
//     x86_64 and the search takes about six compares. runc's ENOSYS rule
//     (numbers above the largest the profile names get ENOSYS), the x32
//     ABI (numbers with bit 30 set, sharing x86_64's audit value) and the
//     bad-arch range are just more intervals. The tree uses only jge with
//     constants, and a syscall allowed regardless of its arguments reaches
//     "ret ALLOW" having loaded only nr and arch, so Linux 5.11 and later
//     cache it and never run the filter for it (see CacheReport).
//  3. Argument trees: for a syscall whose decision depends on its
//     arguments, the comparisons libseccomp would make, in libseccomp's
//     order (profile.Level), on 32-bit words: a 64-bit argument is tested
//     high word then low word, with the high word at offset +4 on
//     little-endian and +0 on big-endian architectures; 32-bit
//     architectures (x32 included) test only the low word.
//
// The search tree minimizes the expected instructions per call (an
// optimal alphabetic tree, Knuth's dynamic program) for a blend of two
// weightings of the native architecture's intervals: how often real
// workloads make each syscall (80%: DefaultMix, or Options.Weights), and
// a floor of 2^(instructions the interval's leaf runs) per syscall in it
// (20%), which keeps argument-filtered and rarely called syscalls from
// sinking deep. Should the longest path still come out more than one
// instruction longer than in the tree balanced by that floor alone, the
// frequencies' share is halved until it does not. A run of intervals that
// share one decision but for a few single numbers (socket and clone among
// allowed syscalls) can be one leaf: a jeq per exception, then the common
// decision. x32's numbers (and the other audit values, x86 next to
// x86_64) get a tree that bisects the floor alone. Options.Balanced gives
// a tree balanced by interval count.
//
// In argument trees, the tests on one word that decide among single
// values (personality's five allowed values) become a search over those
// values, and a masked compare with zero is a jset.
//
// Identical blocks and returns are shared, loads of a word the accumulator
// already holds are dropped, and jumps are symbolic until the assembler
// lays the blocks out. Conditional jumps reach 255 instructions; a farther
// return is reached through a nearby copy of it, anything else through a
// ja.
//
// # What can go wrong
//
// Compile never returns a program the kernel would refuse: every program
// passes Verify first, and one longer than 4096 instructions fails with a
// TooLongError (matching ErrTooLong) instead of failing at container start.
// Compile does not install anything; see package loader.
//
// The compiler must decide exactly what runc with libseccomp decides for
// the same profile. That is tested three ways: every compiled program is
// emulated for every architecture, syscall number and interesting argument
// value and compared with profile.Policy.Decide, the reference semantics;
// the compat module compares Decide with the filters runc itself builds
// through libseccomp; and the loader's tests install programs in the real
// kernel.
//
// # Security considerations
//
// A seccomp filter that is wrong fails open. Read a program before
// trusting it: Disassemble names syscalls and argument words, Emulate runs
// it on a chosen seccomp_data, and CacheReport shows which syscalls the
// kernel will allow without running it at all.
package compile
