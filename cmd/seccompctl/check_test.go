package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
)

const (
	dockerDefault = "../../examples/docker-default.json"
	sharedBad     = "../../../shared/bad"
	sharedReal    = "../../../shared/profiles"
)

// check runs `seccompctl check ARGS...` in-process with stdin.
func check(t *testing.T, stdin string, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	status = run(t.Context(), append([]string{"check"}, args...), strings.NewReader(stdin), &out, &errb)
	return status, out.String(), errb.String()
}

// lines splits output into lines, without the final empty one.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// writeProfile writes a small profile into a temp dir and returns its path.
func writeProfile(t *testing.T, name, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(src), 0o600))
	return path
}

// nativeCount is what the summary must report as "syscalls with rules":
// computed with the library, so the test checks the command's plumbing and
// format, not the syscall tables.
func nativeCount(t *testing.T, file string, tg profile.Target) int {
	t.Helper()
	p, err := profile.ParseFile(file)
	require.NoError(t, err)
	pol, err := p.Resolve(tg)
	require.NoError(t, err)
	return len(pol.Arch(tg.Arch).Syscalls)
}

func TestCheckDockerDefault(t *testing.T) {
	k := profile.KernelVersion{Kernel: 6, Major: 1}
	n := nativeCount(t, dockerDefault, profile.Target{Arch: arch.X86_64, Caps: profile.DockerDefaultCaps, Kernel: k})
	assert.Greater(t, n, 300)
	status, stdout, stderr := check(t, "", "--arch", "x86_64", "--kernel", "6.1", dockerDefault)
	assert.Equal(t, exitOK, status, "warnings and notes alone do not fail without --strict")
	assert.Empty(t, stderr)
	out := lines(stdout)
	require.NotEmpty(t, out)
	assert.Equal(t, []string{
		"297:5: note: syscalls[0].names[233] [unknown-on-target]", // riscv_hwprobe
		"430:5: note: syscalls[1].names[0] [dangerous-allow]",     // process_vm_readv
		"431:5: note: syscalls[1].names[1] [dangerous-allow]",     // process_vm_writev
		"432:5: note: syscalls[1].names[2] [dangerous-allow]",     // ptrace (minKernel 4.8)
		"445:5: warning: syscalls[2].args [socketcall-bypass]",    // socket(a0 < 38) on x86
		"458:5: warning: syscalls[3].args [socketcall-bypass]",    // socket(a0 == 39)
		"471:5: warning: syscalls[4].args [socketcall-bypass]",    // socket(a0 > 40)
		"536:5: warning: syscalls[9].args[0] [sign-extension]",    // personality(0xffffffff)
	}, findingKeys(t, dockerDefault, out[:len(out)-1]))
	assert.Equal(t, dockerDefault+": ok: SCMP_ACT_ERRNO(1) default, 3 arches, "+
		strconv.Itoa(n)+" x86_64 syscalls with rules, 4 warnings, 4 notes", out[len(out)-1])
	assert.Contains(t, out[4], "socket on SCMP_ARCH_X86 can also be called through socketcall(2)")
	assert.Contains(t, out[4], "socketcall itself always gets SCMP_ACT_ALLOW (syscalls[0])")

	// --strict fails on the warnings.
	status, _, _ = check(t, "", "--strict", "--arch", "x86_64", "--kernel", "6.1", dockerDefault)
	assert.Equal(t, exitFinding, status)

	// Another native arch: archMap picks aarch64 + arm, which have no
	// socketcall; the names only x86 has are one note.
	na := nativeCount(t, dockerDefault, profile.Target{Arch: arch.AArch64, Caps: profile.DockerDefaultCaps, Kernel: k})
	status, stdout, _ = check(t, "", "--arch", "arm64", "--kernel", "6.1", dockerDefault)
	assert.Equal(t, exitOK, status)
	out = lines(stdout)
	require.NotEmpty(t, out)
	assert.Equal(t, []string{
		"68:5: note: syscalls[0].names[4] [unknown-on-target]", // alarm, and 14 more
		"430:5: note: syscalls[1].names[0] [dangerous-allow]",
		"431:5: note: syscalls[1].names[1] [dangerous-allow]",
		"432:5: note: syscalls[1].names[2] [dangerous-allow]",
		"536:5: warning: syscalls[9].args[0] [sign-extension]",
		"559:5: note: syscalls[11].names[2] [unknown-on-target]", // sync_file_range2
	}, findingKeys(t, dockerDefault, out[:len(out)-1]))
	assert.Contains(t, out[0], "14 names have no syscall number on SCMP_ARCH_AARCH64, SCMP_ARCH_ARM")
	assert.Equal(t, dockerDefault+": ok: SCMP_ACT_ERRNO(1) default, 2 arches, "+
		strconv.Itoa(na)+" aarch64 syscalls with rules, 1 warning, 5 notes", out[len(out)-1])

	// The default kernel is the running one: no error, same output shape.
	status, stdout, stderr = check(t, "", dockerDefault)
	assert.Equal(t, exitOK, status, stderr)
	assert.Contains(t, stdout, ": ok: SCMP_ACT_ERRNO(1) default")
}

// findingKeys reduces finding lines "FILE:L:C: SEVERITY: path: message
// [code]" to "L:C: SEVERITY: path [code]".
func findingKeys(t *testing.T, file string, ls []string) []string {
	t.Helper()
	var out []string
	for _, l := range ls {
		rest, ok := strings.CutPrefix(l, file+":")
		require.True(t, ok, l)
		i := strings.Index(rest, ": ")               // after L:C
		j := strings.Index(rest[i+2:], ": ") + i + 2 // after SEVERITY
		k := strings.Index(rest[j+2:], ": ") + j + 2 // after path
		code := rest[strings.LastIndexByte(rest, '['):]
		out = append(out, rest[:k]+" "+code)
	}
	return out
}

// TestCheckWarnings: one line per finding, "FILE:LINE:COL: SEVERITY: path:
// message [code]", before the file's summary; --strict makes warnings
// exit 1.
func TestCheckWarnings(t *testing.T) {
	file := filepath.Join(sharedBad, "unknown-syscall-name.json")
	status, stdout, stderr := check(t, "", "--arch", "x86_64", "--kernel", "6.1", file)
	assert.Equal(t, exitOK, status)
	assert.Empty(t, stderr)
	assert.Equal(t, []string{
		file + `:8:9: warning: syscalls[0].names[2]: unknown syscall "definitely_not_a_syscall" is skipped (runc ignores names libseccomp does not know) [unknown-syscall]`,
		file + ": ok: SCMP_ACT_ERRNO(1) default, 1 arch, 2 x86_64 syscalls with rules, 1 warning",
	}, lines(stdout))

	status, stdout, _ = check(t, "", "--strict", "--arch", "x86_64", "--kernel", "6.1", file)
	assert.Equal(t, exitFinding, status)
	assert.Len(t, lines(stdout), 2, "--strict prints the same")

	// Lint findings and resolver warnings, in file order.
	src := "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\n" +
		"\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},\n" +
		"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_KILL\",\"comments\":\"typo\"}]}"
	f := writeProfile(t, "p.json", src)
	status, stdout, _ = check(t, "", "--strict", "--arch", "x86_64", "--kernel", "6.1", f)
	assert.Equal(t, exitFinding, status)
	out := lines(stdout)
	require.Len(t, out, 3)
	assert.Equal(t, f+":3:28: warning: syscalls[1].action: read on SCMP_ARCH_X86_64: this rule gives SCMP_ACT_KILL_THREAD, an earlier unconditional rule gives SCMP_ACT_ALLOW: libseccomp keeps the first and ignores this one [conflicting-actions]", out[0])
	assert.Equal(t, f+`:3:44: warning: syscalls[1].comments: unknown key "comments" is ignored (runtimes ignore keys the profile format does not define) [unknown-key]`, out[1])
	assert.Equal(t, f+": ok: SCMP_ACT_ERRNO(1) default, 1 arch, 1 x86_64 syscall with rules, 2 warnings", out[2])
}

// TestCheckInvalid: "2 invalid input (one error line, then continue with
// the next file; exit 2 at the end)".
func TestCheckInvalid(t *testing.T) {
	truncated := filepath.Join(sharedBad, "truncated.json")
	missing := filepath.Join(t.TempDir(), "nope.json")
	conflict := writeProfile(t, "conflict.json", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
{"names":["read"],"action":"SCMP_ACT_ERRNO","errnoRet":5,"args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]},
{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}]}`)
	status, stdout, stderr := check(t, "", "--arch", "x86_64", "--kernel", "6.1", truncated, dockerDefault, missing, conflict, dockerDefault)
	assert.Equal(t, exitInput, status)
	errs := lines(stderr)
	require.Len(t, errs, 3, stderr)
	assert.Equal(t, "seccompctl: "+truncated+":388:4: syscalls[0].names[324]: unexpected end of input: want a value", errs[0])
	assert.Equal(t, "seccompctl: "+missing+": no such file or directory", errs[1])
	assert.True(t, strings.HasPrefix(errs[2], "seccompctl: "+conflict+":3:1: syscalls[1]: "), errs[2])
	assert.Contains(t, errs[2], "EEXIST")
	var summaries []string
	for _, l := range lines(stdout) {
		if strings.HasPrefix(l, dockerDefault+": ok: ") {
			summaries = append(summaries, l)
		}
	}
	assert.Len(t, summaries, 2, "the valid files are still checked")
}

// TestCheckJSON: --output json is one document with stable field names.
func TestCheckJSON(t *testing.T) {
	good := filepath.Join(sharedBad, "unknown-syscall-name.json")
	bad := filepath.Join(sharedBad, "unknown-op.json")
	status, stdout, stderr := check(t, "", "--output", "json", "--arch", "amd64", "--caps", "podman", "--kernel", "5.10", good, bad)
	assert.Equal(t, exitInput, status)
	assert.Equal(t, []string{"seccompctl: " + bad + `:13:17: syscalls[0].args[0].op: unknown operator "SCMP_CMP_IN": want one of SCMP_CMP_EQ, SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_GT, SCMP_CMP_GE, SCMP_CMP_MASKED_EQ`}, lines(stderr))

	var doc map[string]any
	dec := json.NewDecoder(strings.NewReader(stdout))
	require.NoError(t, dec.Decode(&doc))
	assert.False(t, dec.More(), "one document")
	assert.ElementsMatch(t, []string{"target", "files", "status", "totals"}, keys(doc))
	assert.Equal(t, float64(exitInput), doc["status"])

	target := doc["target"].(map[string]any)
	assert.Equal(t, "SCMP_ARCH_X86_64", target["arch"])
	assert.Equal(t, "5.10", target["kernel"])
	assert.Equal(t, "runc", target["runtime"])
	assert.Len(t, target["caps"], len(profile.PodmanDefaultCaps))

	assert.Equal(t, map[string]any{"files": 2.0, "invalid": 1.0, "errors": 0.0, "warnings": 1.0, "notes": 0.0}, doc["totals"])

	files := doc["files"].([]any)
	require.Len(t, files, 2)
	f0 := files[0].(map[string]any)
	assert.ElementsMatch(t, []string{"file", "ok", "defaultAction", "arches", "syscalls", "warnings"}, keys(f0))
	assert.Equal(t, good, f0["file"])
	assert.Equal(t, true, f0["ok"])
	assert.Equal(t, "SCMP_ACT_ERRNO(1)", f0["defaultAction"])
	assert.Equal(t, []any{"SCMP_ARCH_X86_64"}, f0["arches"])
	assert.Equal(t, 2.0, f0["syscalls"])
	ws := f0["warnings"].([]any)
	require.Len(t, ws, 1)
	assert.Equal(t, map[string]any{
		"file": good, "line": 8.0, "column": 9.0, "path": "syscalls[0].names[2]", "code": "unknown-syscall", "severity": "warning",
		"message": `unknown syscall "definitely_not_a_syscall" is skipped (runc ignores names libseccomp does not know)`,
	}, ws[0])

	f1 := files[1].(map[string]any)
	assert.Equal(t, false, f1["ok"])
	assert.Equal(t, map[string]any{
		"kind": "invalid", "line": 13.0, "column": 17.0, "path": "syscalls[0].args[0].op",
		"message": bad + `:13:17: syscalls[0].args[0].op: unknown operator "SCMP_CMP_IN": want one of SCMP_CMP_EQ, SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_GT, SCMP_CMP_GE, SCMP_CMP_MASKED_EQ`,
	}, f1["error"])

	// Error kinds.
	for file, kind := range map[string]string{
		"truncated.json":       "syntax",
		"empty.json":           "syntax",
		"top-level-array.json": "not-profile",
		"unknown-action.json":  "invalid",
	} {
		_, stdout, _ := check(t, "", "--output", "json", "--kernel", "6.1", filepath.Join(sharedBad, file))
		var rep checkReport
		require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
		require.Len(t, rep.Files, 1)
		require.NotNil(t, rep.Files[0].Error, file)
		assert.Equal(t, kind, rep.Files[0].Error.Kind, file)
	}
	// --strict: warnings give status 1 in the document too.
	status, stdout, _ = check(t, "", "--output", "json", "--strict", "--kernel", "6.1", good)
	assert.Equal(t, exitFinding, status)
	var rep checkReport
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
	assert.Equal(t, exitFinding, rep.Status)
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestCheckTargetFlags: --caps (list or docker/podman preset), --kernel and
// --arch change which rules apply (moby includes/excludes).
func TestCheckTargetFlags(t *testing.T) {
	f := writeProfile(t, "caps.json", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
		{"names":["mount"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN"]}},
		{"names":["socket"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_AUDIT_WRITE"]}},
		{"names":["ptrace"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"5.8"}},
		{"names":["arch_prctl"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["amd64"]}}]}`)
	tests := []struct {
		name  string
		flags []string
		count string
	}{
		{"docker preset (default)", []string{"--kernel", "5.7"}, "2 x86_64 syscalls"}, // socket, arch_prctl
		{"podman preset: no CAP_AUDIT_WRITE", []string{"--caps", "podman", "--kernel", "5.7"}, "1 x86_64 syscall "},
		{"explicit list", []string{"--caps", "CAP_SYS_ADMIN,CAP_AUDIT_WRITE", "--kernel", "5.7"}, "3 x86_64 syscalls"},
		{"list without CAP_ prefix", []string{"--caps", "sys_admin", "--kernel", "5.7"}, "2 x86_64 syscalls"},
		{"no caps", []string{"--caps", "none", "--kernel", "5.7"}, "1 x86_64 syscall "},
		{"new kernel", []string{"--kernel", "5.8"}, "3 x86_64 syscalls"},
		{"another arch", []string{"--arch", "aarch64", "--kernel", "5.7"}, "1 aarch64 syscall "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--arch", "x86_64"}, tt.flags...)
			status, stdout, stderr := check(t, "", append(args, f)...)
			require.Equal(t, exitOK, status, stderr)
			assert.Contains(t, stdout, ", "+tt.count)
		})
	}
}

func TestCheckUsage(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		status int
		stderr string
	}{
		{"no profile", nil, exitInput, "usage: seccompctl check"},
		{"help", []string{"-h"}, exitOK, "usage: seccompctl check"},
		{"unknown flag", []string{"--frob", dockerDefault}, exitInput, "flag provided but not defined"},
		{"bad output", []string{"--output", "yaml", dockerDefault}, exitInput, `--output: "yaml" is not text or json`},
		{"bad arch", []string{"--arch", "vax", dockerDefault}, exitInput, "--arch"},
		{"bad kernel", []string{"--kernel", "5", dockerDefault}, exitInput, "--kernel"},
		{"bad runtime", []string{"--runtime", "youki", dockerDefault}, exitInput, "--runtime"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, stdout, stderr := check(t, "", tt.args...)
			assert.Equal(t, tt.status, status)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tt.stderr)
		})
	}
}

// TestCheckStdin: "-" reads the profile from standard input.
func TestCheckStdin(t *testing.T) {
	status, stdout, stderr := check(t, `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mount"],"action":"SCMP_ACT_ERRNO"}]}`,
		"--arch", "x86_64", "--kernel", "6.1", "-")
	assert.Equal(t, exitOK, status, stderr)
	out := lines(stdout)
	require.Len(t, out, 2)
	assert.True(t, strings.HasPrefix(out[0], "<stdin>:1:18: note: defaultAction: defaultAction SCMP_ACT_ALLOW allows add_key, bpf, "), out[0])
	assert.Equal(t, "<stdin>: ok: SCMP_ACT_ALLOW default, 1 arch, 1 x86_64 syscall with rules, 0 warnings, 1 note", out[1])

	status, _, stderr = check(t, `{"defaultAction":"SCMP_ACT_ALLOW",}`, "--kernel", "6.1", "-")
	assert.Equal(t, exitInput, status)
	assert.True(t, strings.HasPrefix(stderr, "seccompctl: <stdin>:1:35: "), stderr)

	big := `{"defaultAction":"SCMP_ACT_ALLOW"}` + strings.Repeat(" ", profile.DefaultMaxSize)
	status, _, stderr = check(t, big, "--kernel", "6.1", "-")
	assert.Equal(t, exitInput, status)
	assert.Contains(t, stderr, "limit")
}

// TestCheckSharedFiles: every real profile checks, except the pre-OCI one;
// every bad file either checks or gets exactly one error line.
func TestCheckSharedFiles(t *testing.T) {
	real, err := filepath.Glob(filepath.Join(sharedReal, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, real)
	status, stdout, stderr := check(t, "", append([]string{"--arch", "x86_64", "--kernel", "6.1"}, real...)...)
	assert.Equal(t, exitInput, status)
	errs := lines(stderr)
	require.Len(t, errs, 1, stderr)
	assert.Contains(t, errs[0], "moby-default-2016-02-first.json:2:20: default_action: not an OCI seccomp profile")
	assert.Equal(t, len(real)-1, strings.Count(stdout, ": ok: "))

	bad, err := filepath.Glob(filepath.Join(sharedBad, "*.json"))
	require.NoError(t, err)
	_, stdout, stderr = check(t, "", append([]string{"--arch", "x86_64", "--kernel", "6.1"}, bad...)...)
	errs = lines(stderr)
	for _, l := range errs {
		assert.True(t, strings.HasPrefix(l, "seccompctl: "+sharedBad+"/"), l)
	}
	assert.Equal(t, len(bad), len(errs)+strings.Count(stdout, ": ok: "), "one result per file")
}

// TestCheckTooLong: a profile that parses but compiles to more than 4096
// instructions is an error finding: exit 1 even without --strict.
func TestCheckTooLong(t *testing.T) {
	file := filepath.Join(sharedBad, "filter-over-4096-insns.json")
	status, stdout, stderr := check(t, "", "--arch", "x86_64", "--kernel", "6.1", file)
	assert.Equal(t, exitFinding, status)
	assert.Empty(t, stderr)
	out := lines(stdout)
	require.Len(t, out, 2, stdout)
	assert.Regexp(t, `^`+regexp.QuoteMeta(file)+`:1:1: error: the compiled filter for SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32 has 4[0-9]{3} instructions; the kernel accepts at most 4096, so no runtime can install it`, out[0])
	assert.True(t, strings.HasSuffix(out[0], "[too-long]"), out[0])
	assert.True(t, strings.HasSuffix(out[1], ", 1 error, 0 warnings"), out[1])

	// One architecture fits.
	status, stdout, _ = check(t, "", "--arch", "aarch64", "--kernel", "6.1", file)
	assert.Equal(t, exitOK, status, stdout)
	assert.NotContains(t, stdout, "too-long")

	_, stdout, _ = check(t, "", "--output", "json", "--arch", "x86_64", "--kernel", "6.1", file)
	var rep checkReport
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
	assert.Equal(t, exitFinding, rep.Status)
	assert.Equal(t, 1, rep.Totals.Errors)
	require.NotEmpty(t, rep.Files[0].Warnings)
	assert.Equal(t, "too-long", rep.Files[0].Warnings[0].Code)
	assert.Equal(t, "error", rep.Files[0].Warnings[0].Severity)
}

// TestCheckSocketcallS390X: containers/common#2280, on the real profile:
// with Podman's capabilities (no CAP_AUDIT_WRITE) containers-common's
// NETLINK_AUDIT rules apply, and on s390x socketcall bypasses them.
func TestCheckSocketcallS390X(t *testing.T) {
	file := filepath.Join(sharedReal, "containers-common-2025-04.json")
	_, stdout, stderr := check(t, "", "--output", "json", "--arch", "s390x", "--caps", "podman", "--kernel", "6.1", file)
	assert.Empty(t, stderr)
	var rep checkReport
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
	require.Len(t, rep.Files, 1)
	var bypass []string
	for _, w := range rep.Files[0].Warnings {
		assert.NotEmpty(t, w.Severity)
		assert.Positive(t, w.Line, "every finding has a line: %v", w)
		if w.Code == "socketcall-bypass" {
			bypass = append(bypass, w.Path)
			assert.Contains(t, w.Message, "SCMP_ARCH_S390X, SCMP_ARCH_S390")
		}
	}
	assert.Equal(t, []string{"syscalls[31].args", "syscalls[32].args", "syscalls[33].args", "syscalls[34].args"}, bypass)

	// With Docker's capabilities the rules are excluded: no finding.
	_, stdout, _ = check(t, "", "--arch", "s390x", "--kernel", "6.1", file)
	assert.NotContains(t, stdout, "socketcall-bypass")
}
