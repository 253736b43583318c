// Package profile reads seccomp profiles in the OCI/Docker JSON format and
// gives them meaning.
//
// Parse reads a profile (or an OCI runtime config.json, using its
// linux.seccomp) strictly: every error names the file, the JSON path such
// as syscalls[3].args[0].op and the line and column, and says what was
// expected. Trailing data, duplicate keys, invalid UTF-8, byte-order marks,
// comments, unknown actions, operators, architectures and flags, values
// that are not exact unsigned 64-bit integers and errnos above 4095 are
// rejected rather than guessed at. Keys the format does not define are
// kept as warnings, as moby and runc ignore them.
//
// Resolve applies a profile to a Target (native architecture, capability
// set, kernel version, runtime) the way moby and containers/common do
// (includes, excludes, archMap) and then the way runc hands the rules to
// libseccomp: unknown names skipped, rules equal to the default action
// dropped, a repeated argument index splitting a rule into OR-ed rules,
// socket and SysV IPC rules also applied to socketcall/ipc on the
// architectures that multiplex them, several rules on one syscall merged
// into libseccomp's argument tree (the first unconditional rule wins,
// conflicting rules are refused with ErrConflict as libseccomp refuses
// them with EEXIST), and runc's ENOSYS rule for syscall numbers above the
// largest the profile names.
//
// # Limits
//
// Input is bounded by ParseOptions: DefaultMaxSize (4 MiB) and
// DefaultMaxDepth (64 levels of JSON nesting; deeper input is refused after
// reading that far, so 10^5 nested arrays cost about 0.1 ms); no limit
// lets through more than 2 GiB - 1, the most the reader can index. Within them,
// time and memory grow linearly with the input, except that rules with
// argument conditions on one syscall are merged into its tree one by one
// (as libseccomp does), quadratic in their number. Measured with
// BenchmarkHostile on a 2-core VM: 10^5 names in one rule parse and resolve
// in about 5 ms and 5 MB; 10^4 conditional rules on one syscall in about
// 15 ms and 10 MB.
//
// Lint finds what a profile says that does not do what it seems to: rules
// the runtime drops or overrides, conditions the socketcall multiplexer or
// sign extension defeat, ERRNO 0, dangerous allows, an inverted default.
// Each finding has a stable rule ID (Warning.Code, listed with its
// Severity in LintRules), the field path and the position of the value.
//
// Policy.Decide is the reference semantics: given an audit architecture,
// a syscall number and six arguments, it returns the action the filter
// runc installs would return. It is written to be read, not to be fast;
// package compile must agree with it for every input.
package profile
