package profile_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
)

func TestLint(t *testing.T) {
	src := `{
  "defaultAction": "SCMP_ACT_ERRNO",
  "x-owner": "team",
  "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": null, "comment": "no"}],
  "syscalls": [
    {"names": ["ioctl"], "action": "SCMP_ACT_ALLOW", "errno_ret": 5,
     "args": [{"index": 1, "value": 0, "valueTwo": 21505, "op": "SCMP_CMP_MASKED_EQ"},
              {"index": 2, "value": 0, "op": "SCMP_CMP_MASKED_EQ", "note": "x"}]},
    {"names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "includes": {"min_kernel": "4.8"},
     "args": [{"index": 0, "value": 255, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]}
  ]
}`
	p := parse(t, src)
	got := p.Lint(nil)
	w := profile.SeverityWarning
	want := []profile.Warning{
		{File: "inline.json", Pos: posOf(t, src, `"x-owner"`), Path: "x-owner", Code: "unknown-key", Severity: w},
		{File: "inline.json", Pos: posOf(t, src, `"comment": "no"`), Path: "archMap[0].comment", Code: "unknown-key", Severity: w},
		{File: "inline.json", Pos: posOf(t, src, `"errno_ret"`), Path: "syscalls[0].errno_ret", Code: "unknown-key", Severity: w},
		{File: "inline.json", Pos: posOf(t, src, `{"index": 1`), Path: "syscalls[0].args[0]", Code: "masked-eq-zero-mask", Severity: w},
		{File: "inline.json", Pos: posOf(t, src, `{"index": 2`), Path: "syscalls[0].args[1]", Code: "masked-eq-zero-mask", Severity: w},
		{File: "inline.json", Pos: posOf(t, src, `"note"`), Path: "syscalls[0].args[1].note", Code: "unknown-key", Severity: w},
		{File: "inline.json", Pos: posOf(t, src, `"min_kernel"`), Path: "syscalls[1].includes.min_kernel", Code: "unknown-key", Severity: w},
	}
	ignoreMsg := cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Msg" }, cmp.Ignore())
	if diff := cmp.Diff(want, got, ignoreMsg); diff != "" {
		t.Errorf("Lint (-want +got):\n%s", diff)
	}
	require.Len(t, got, len(want))
	assert.Contains(t, got[0].Msg, `unknown key "x-owner"`)
	assert.Contains(t, got[3].Msg, "swapped")
	assert.NotContains(t, got[4].Msg, "swapped", "nothing to swap when valueTwo is 0 too")
}

// TestLintRealProfiles: FEATURES.md "non-zero valueTwo: only Cessa (MASKED_EQ
// with the mask in valueTwo and value: 0, i.e. swapped w.r.t. moby)".
// Without a target only the findings that hold everywhere are reported.
func TestLintRealProfiles(t *testing.T) {
	for _, f := range sharedFiles(t, profilesDir) {
		name := filepath.Base(f)
		if notOCI[name] {
			continue
		}
		p, err := profile.ParseFile(f)
		require.NoError(t, err)
		found := p.Lint(nil)
		zeroMask := 0
		for _, w := range found {
			assert.Contains(t, []string{"unknown-key", "masked-eq-zero-mask", "sign-extension", "errno-zero"}, w.Code, "%s: %v", name, w)
			if w.Code == "masked-eq-zero-mask" {
				zeroMask++
				assert.Contains(t, w.Msg, "swapped")
			}
		}
		if name == "cessa-nginx2.json" {
			assert.Positive(t, zeroMask)
		} else {
			assert.Zero(t, zeroMask, name)
		}
	}
}

// TestLintRuntimeConfig: unknown keys inside linux.seccomp carry its path.
func TestLintRuntimeConfig(t *testing.T) {
	p := parse(t, `{"ociVersion":"1.2.0","linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","x":1}}}`)
	got := p.Lint(nil)
	require.Len(t, got, 1)
	assert.Equal(t, "linux.seccomp.x", got[0].Path)
}

// finding is what the table tests compare: the rule ID, the field path
// and the line:column.
type finding struct{ Code, Path, Pos string }

func findings(ws []profile.Warning) []finding {
	out := []finding{}
	for _, w := range ws {
		out = append(out, finding{w.Code, w.Path, w.Pos.String()})
	}
	return out
}

// TestLintFindings: every rule ID on a crafted profile that has it, and
// on a near miss that must not have it. Lines and columns point at the
// field the finding is about.
func TestLintFindings(t *testing.T) {
	x86_64 := x86_64Target // with its sub-architectures x86 and x32
	x86_64Only := profile.Target{Arch: arch.X86_64, Kernel: x86_64.Kernel}
	s390x := profile.Target{Arch: arch.S390X, Kernel: x86_64.Kernel}
	arm := profile.Target{Arch: arch.ARM, Kernel: x86_64.Kernel}
	tests := []struct {
		name   string
		target profile.Target
		src    string
		want   []finding
		msg    string // a part of the first finding's message
	}{
		{"errno-zero in a rule", x86_64,
			`{"defaultAction":"SCMP_ACT_KILL","syscalls":[
{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","errnoRet":0}]}`,
			[]finding{{"errno-zero", "syscalls[0].errnoRet", "2:57"}}, "returns 0 (success)"},
		{"errno-zero by default", x86_64,
			`{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":0,"syscalls":[
{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`,
			[]finding{{"errno-zero", "defaultErrnoRet", "1:53"}}, "every syscall no rule allows"},
		{"errno 1 is fine", x86_64,
			`{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"syscalls":[
{"names":["mkdir"],"action":"SCMP_ACT_KILL"},{"names":["read"],"action":"SCMP_ACT_ERRNO","errnoRet":5}]}`,
			[]finding{}, ""},
		{"sign-extension: -100 (AT_FDCWD) sign-extended", x86_64Only,
			`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["openat"],"action":"SCMP_ACT_ALLOW",
"args":[{"index":0,"value":18446744073709551516,"op":"SCMP_CMP_EQ"}]}]}`,
			[]finding{{"sign-extension", "syscalls[0].args[0]", "2:9"}}, "is the 32-bit number -100 sign-extended"},
		{"sign-extension: personality 0xffffffff zero-extended (moby)", x86_64Only,
			`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["personality"],"action":"SCMP_ACT_ALLOW",
"args":[{"index":0,"value":4294967295,"op":"SCMP_CMP_EQ"}]}]}`,
			[]finding{{"sign-extension", "syscalls[0].args[0]", "2:9"}}, "sign-extended (0xffffffffffffffff) is not matched"},
		{"sign-extension: a masked compare that ignores the high word is safe", x86_64Only,
			`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["personality"],"action":"SCMP_ACT_ALLOW",
"args":[{"index":0,"value":4294967295,"valueTwo":4294967295,"op":"SCMP_CMP_MASKED_EQ"}]}]}`,
			[]finding{}, ""},
		{"sign-extension: a full-width mask is not", x86_64Only,
			`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["personality"],"action":"SCMP_ACT_ALLOW",
"args":[{"index":0,"value":18446744073709551615,"valueTwo":4294967295,"op":"SCMP_CMP_MASKED_EQ"}]}]}`,
			[]finding{{"sign-extension", "syscalls[0].args[0]", "2:9"}}, "SCMP_CMP_MASKED_EQ value 0xffffffff"},
		{"sign-extension: 32-bit only filters compare the low word", arm,
			`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["personality"],"action":"SCMP_ACT_ALLOW",
"args":[{"index":0,"value":4294967295,"op":"SCMP_CMP_EQ"}]}]}`,
			[]finding{}, ""},
		{"sign-extension: small and 64-bit values are unambiguous", x86_64Only,
			`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["personality"],"action":"SCMP_ACT_ALLOW",
"args":[{"index":0,"value":2147483647,"op":"SCMP_CMP_LE"},{"index":1,"value":4294967296,"op":"SCMP_CMP_NE"}]}]}`,
			[]finding{}, ""},
		{"socketcall-bypass on x86 (Docker's AF_VSOCK rules)", x86_64,
			`{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"],"syscalls":[
{"names":["socketcall"],"action":"SCMP_ACT_ALLOW"},
{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":40,"op":"SCMP_CMP_NE"}]}]}`,
			[]finding{{"socketcall-bypass", "syscalls[1].args", "3:55"}}, "socket on SCMP_ARCH_X86 can also be called through socketcall(2)"},
		{"socketcall-bypass on s390x (containers/common#2280's NETLINK_AUDIT rule)", s390x,
			`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
{"names":["socket"],"action":"SCMP_ACT_ERRNO","errnoRet":22,"args":[{"index":0,"value":16,"op":"SCMP_CMP_EQ"},{"index":2,"value":9,"op":"SCMP_CMP_EQ"}]}]}`,
			[]finding{{"dangerous-allow", "defaultAction", "1:18"}, {"socketcall-bypass", "syscalls[0].args", "2:69"}}, "allows add_key, bpf"},
		{"socketcall-bypass: not on x86_64 alone", x86_64Only,
			`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":40,"op":"SCMP_CMP_NE"}]}]}`,
			[]finding{}, ""},
		{"socketcall-bypass: SysV IPC through ipc(2)", profile.Target{Arch: arch.X86, Kernel: x86_64.Kernel},
			`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
{"names":["shmget","read"],"action":"SCMP_ACT_ALLOW","args":[{"index":2,"value":0,"op":"SCMP_CMP_EQ"}]}]}`,
			[]finding{{"socketcall-bypass", "syscalls[0].args", "2:62"}}, "shmget on SCMP_ARCH_X86 can also be called through ipc(2)"},
		{"inverted-default", x86_64Only,
			`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
{"names":["read","write","exit"],"action":"SCMP_ACT_ALLOW"}]}`,
			[]finding{
				{"inverted-default", "defaultAction", "1:18"},
				{"dangerous-allow", "defaultAction", "1:18"},
				{"same-as-default", "syscalls[0].action", "2:43"},
			}, "looks like an allow-list with an inverted default"},
		{"a deny-list under ALLOW is not inverted", x86_64Only,
			`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
{"names":["ptrace","bpf","add_key","keyctl","request_key","kexec_load","kexec_file_load","init_module","finit_module","delete_module",
"open_by_handle_at","io_uring_setup","io_uring_enter","io_uring_register","userfaultfd","perf_event_open","process_vm_readv",
"process_vm_writev","unshare","setns"],"action":"SCMP_ACT_ERRNO"}]}`,
			[]finding{}, ""},
		{"dangerous-allow by rule", x86_64,
			`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
{"names":["read","bpf"],"action":"SCMP_ACT_ALLOW"},
{"names":["ptrace"],"action":"SCMP_ACT_LOG","args":[{"index":0,"value":0,"op":"SCMP_CMP_EQ"}]},
{"names":["keyctl"],"action":"SCMP_ACT_ERRNO","errnoRet":38}]}`,
			[]finding{{"dangerous-allow", "syscalls[0].names[1]", "2:18"}, {"dangerous-allow", "syscalls[1].names[0]", "3:11"}},
			"bpf is allowed: it loads eBPF programs"},
		{"unknown-on-target and unknown-syscall", x86_64Only,
			`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
{"names":["read","arm_fadvise64_64","nosuchcall"],"action":"SCMP_ACT_ALLOW"}]}`,
			[]finding{{"unknown-on-target", "syscalls[0].names[1]", "2:18"}, {"unknown-syscall", "syscalls[0].names[2]", "2:37"}},
			"arm_fadvise64_64 has no syscall number on SCMP_ARCH_X86_64, so the rule does nothing with them"},
		{"socket names through socketcall are on target", profile.Target{Arch: arch.S390X, Kernel: x86_64.Kernel},
			`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"name":"recv","action":"SCMP_ACT_ALLOW"}]}`,
			[]finding{}, ""},
		{"conflicting-actions", x86_64Only,
			`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
{"names":["read"],"action":"SCMP_ACT_ALLOW"},{"names":["read"],"action":"SCMP_ACT_KILL_PROCESS"}]}`,
			[]finding{{"conflicting-actions", "syscalls[1].action", "2:73"}}, "read on SCMP_ARCH_X86_64: this rule gives SCMP_ACT_KILL_PROCESS"},
		{"shadowed (containers/common#419)", x86_64Only,
			`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
{"names":["socket"],"action":"SCMP_ACT_ALLOW"},
{"names":["socket"],"action":"SCMP_ACT_ERRNO","errnoRet":22,"args":[{"index":0,"value":16,"op":"SCMP_CMP_EQ"}]}]}`,
			[]finding{{"shadowed", "syscalls[1]", "3:1"}},
			"socket on SCMP_ARCH_X86_64: this rule is ignored"},
		{"socketcall on x86_64 alone does nothing", x86_64Only,
			`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["socketcall"],"action":"SCMP_ACT_ALLOW"}]}`,
			[]finding{{"unknown-on-target", "syscalls[0].names[0]", "1:57"}}, "socketcall has no syscall number on SCMP_ARCH_X86_64"},
		{"name instead of names", x86_64Only,
			`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"name":"kexec_load","action":"SCMP_ACT_ALLOW"}]}`,
			[]finding{{"dangerous-allow", "syscalls[0].name", "1:55"}}, "replaces the running kernel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := parse(t, tt.src)
			pol, err := p.Resolve(tt.target)
			require.NoError(t, err)
			got := p.Lint(pol)
			if diff := cmp.Diff(tt.want, findings(got)); diff != "" {
				t.Fatalf("findings (-want +got):\n%s\n%v", diff, got)
			}
			for _, w := range got {
				assert.Equal(t, "inline.json", w.File)
				assert.NotEmpty(t, w.Severity)
				assert.Equal(t, w.Severity, ruleSeverity(t, w.Code), "%s", w.Code)
			}
			if tt.msg != "" {
				assert.Contains(t, got[0].Msg, tt.msg)
			}
		})
	}
}

func ruleSeverity(t *testing.T, code string) profile.Severity {
	t.Helper()
	for _, r := range profile.LintRules {
		if r.Code == code {
			return r.Severity
		}
	}
	t.Fatalf("rule %q is not in LintRules", code)
	return ""
}

// TestLintRulesDocumented: every rule ID is unique, has a severity and
// summary, and the README's table lists it.
func TestLintRulesDocumented(t *testing.T) {
	readme := string(readFile(t, "../README.md"))
	seen := map[string]bool{}
	for _, r := range profile.LintRules {
		assert.False(t, seen[r.Code], "duplicate %s", r.Code)
		seen[r.Code] = true
		assert.Contains(t, []profile.Severity{profile.SeverityError, profile.SeverityWarning, profile.SeverityNote}, r.Severity)
		assert.NotEmpty(t, r.Summary)
		row := "| `" + r.Code + "` | " + string(r.Severity) + " |"
		assert.True(t, strings.Contains(readme, row), "README's table of check findings lacks %q", row)
	}
}

var updateLint = flag.Bool("update", false, "rewrite testdata/lint.golden")

// TestLintGolden: every finding, with its message, for every real profile
// resolved for x86_64 (with x86 and x32) with Docker's capabilities on
// Linux 6.1, and for s390x with Podman's (containers/common#2280's case).
// `go test ./profile -run TestLintGolden -update` rewrites the file; read
// the diff before committing it.
func TestLintGolden(t *testing.T) {
	var b strings.Builder
	targets := []struct {
		name string
		tgt  profile.Target
	}{
		{"x86_64, Docker's caps", x86_64Target},
		{"s390x, Podman's caps", profile.Target{Arch: arch.S390X, Caps: profile.PodmanDefaultCaps, Kernel: x86_64Target.Kernel}},
	}
	for _, tg := range targets {
		fmt.Fprintf(&b, "# %s, Linux %s\n", tg.name, tg.tgt.Kernel)
		for _, f := range sharedFiles(t, profilesDir) {
			name := filepath.Base(f)
			if notOCI[name] {
				continue
			}
			p, err := profile.ParseWithOptions(readFile(t, f), profile.ParseOptions{File: name})
			require.NoError(t, err)
			pol, err := p.Resolve(tg.tgt)
			if err != nil {
				fmt.Fprintf(&b, "%s: Resolve: %v\n", name, err)
				continue
			}
			for _, w := range p.Lint(pol) {
				fmt.Fprintf(&b, "%s [%s %s]\n", w, w.Severity, w.Code)
			}
		}
	}
	golden := filepath.Join("testdata", "lint.golden")
	if *updateLint {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(golden, []byte(b.String()), 0o644))
	}
	want := string(readFile(t, golden))
	if diff := cmp.Diff(strings.Split(want, "\n"), strings.Split(b.String(), "\n")); diff != "" {
		t.Errorf("findings differ from %s (-want +got; -update rewrites it):\n%s", golden, diff)
	}
}
