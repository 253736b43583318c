// Package bench measures seccompctl's compiler and the programs it emits,
// and puts other compilers' programs beside them.
//
// Three kinds of numbers come out of it:
//
//   - Compile speed: JSON bytes to a raw program (BenchmarkCompile, run
//     with `go test -run=NONE -bench . -benchmem ./bench/...`).
//   - Emulated cost: the instructions a program executes per system call,
//     on every number of an architecture's table with zero arguments
//     (mean and max) and weighted by syscall mixes recorded with
//     `strace -f -c` from real workloads (testdata/mixes), with and
//     without the kernel's action cache (syscalls the kernel caches as
//     ALLOW cost nothing, see compile.ConstAllow). See Measure.
//   - Real kernel: nanoseconds per system call in a child process under a
//     filter, against no filter and against a one-instruction allow-all
//     filter, the floor. See MeasureKernel.
//
// Programs from other compilers come in as raw struct sock_filter arrays
// (compile.ParseRaw). testdata/libseccomp holds a small C program that
// builds Docker's default profile with libseccomp the way runc does, and
// RuncStub adds runc's ENOSYS prologue to its output, so libseccomp's
// numbers can be measured in the same run as ours.
//
// The command cmd/seccompbench prints all of it as Markdown tables; the
// numbers in README.md come from it.
package bench
