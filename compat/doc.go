// Package compat checks seccompctl's reference semantics against the real
// thing: the filter runc builds with libseccomp for a profile.
//
// It lives in its own Go module (cgo, Debian's libseccomp-dev) so that the
// main module stays cgo-free; nothing in the main module imports it.
//
// The route a profile takes is the one Docker takes:
//
//  1. RuncConfig: profile JSON → runtime-spec LinuxSeccomp with moby's own
//     loader (github.com/moby/profiles/seccomp: archMap, includes/excludes
//     against a capability bounding set, minKernel), then → runc's
//     configs.Seccomp with runc's specconv.SetupSeccomp.
//  2. Capture: a child process (a re-exec of the running binary) calls
//     runc's libcontainer/seccomp.InitSeccomp, which adds the rules to a
//     libseccomp filter, exports it, prepends runc's ENOSYS stub and loads
//     it on the calling thread. The parent reads the loaded program back
//     with ptrace(PTRACE_SECCOMP_GET_FILTER) and kills the child. The
//     program is therefore byte for byte what the kernel runs under runc.
//  3. Compare: the captured program is emulated (compile.Emulator) on many
//     seccomp_data inputs and each result is compared with
//     (*profile.Policy).Decide.
//
// A binary using Capture must call RunChildIfRequested first thing in main
// (or TestMain): the child is that same binary.
//
// runc compiles its seccomp support only with the "seccomp" build tag (its
// Makefile sets BUILDTAGS=seccomp), so this module is tested with
//
//	CGO_ENABLED=1 go test -tags seccomp ./...
//
// Without the tag, Capture fails with ErrRuncWithoutSeccomp.
package compat
