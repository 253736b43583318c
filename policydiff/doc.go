// Package policydiff compares two seccomp filters by what they decide,
// not by how they are written: for each architecture, syscall number and,
// where either filter looks at them, argument values, it reports the
// action that changes from A to B.
//
// A side is a resolved profile (profile.Policy, whose Decide is the
// reference semantics) or a raw classic-BPF program (run in compile's
// emulator, as the kernel runs it), so a profile can be compared with a
// program compiled from it by another tool or dumped from a running
// process.
//
// Decisions are compared on probes chosen so that two filters that differ
// anywhere differ on a probe: every number in the first 1024 of each ABI
// and every number the syscall tables, the policies' rules (including
// runc's ENOSYS boundary) and the programs' comparisons name, with their
// neighbours; and, for a syscall either side decides by its arguments,
// every value the argument trees or the program's comparisons name, with
// its neighbours, 0 and all ones, in combination (up to
// Options.MaxArgVectors per syscall). A policy's argument tree compares
// 32-bit words with constants, so these values reach every region of
// every comparison; masked comparisons are probed at matching and
// non-matching values, which covers them in practice but not in every
// combination of bits. Constants in a program are attributed to nr or to
// an argument word by a forward pass that follows the accumulator; what
// it cannot follow is tried on every argument.
package policydiff
