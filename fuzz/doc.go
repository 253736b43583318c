// Package fuzz holds the fuzz targets that span packages, and the
// generators they share.
//
// The targets (in the package's tests) are:
//
//   - FuzzParse: arbitrary bytes into profile.Parse. It must never panic,
//     every error must be a *profile.Error matching profile.ErrInvalid, and
//     an accepted profile must survive json.Marshal and Parse unchanged and
//     must resolve and compile without a panic.
//   - FuzzCompile: the input drives GenerateProfile, a structured random
//     profile over real syscall names, every action, every comparison
//     operator and boundary argument values, for one of several native
//     architectures (big- and little-endian, 32- and 64-bit, with
//     sub-architectures) and runtimes. The compiled program, with and
//     without the optimizer, must decide exactly as profile.Policy.Decide
//     on boundary and random seccomp_data (CheckProgram).
//   - FuzzEmulator: the input drives GenerateProgram, a small classic-BPF
//     program, which runs both in compile's emulator and in the running
//     kernel (in a child process); the kernel's verdict and the emulator's
//     must agree, and so must compile.Verify and the kernel's verifier.
//
// A Source turns the fuzzer's bytes into choices deterministically, so a
// crashing input always regenerates the same profile or program.
// README.md says how to run the targets and what they found.
package fuzz
