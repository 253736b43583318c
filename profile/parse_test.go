package profile_test

import (
	"errors"
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

// TestParseSharedProfiles: every real profile parses, except the pre-OCI
// file, which gets a clear "not an OCI seccomp profile" (issue 2; FEATURES.md
// "moby-default-2016-02-first.json ... a tool should say 'not an OCI seccomp
// profile'").
func TestParseSharedProfiles(t *testing.T) {
	for _, path := range sharedFiles(t, profilesDir) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			p, err := profile.ParseFile(path)
			if notOCI[name] {
				require.Error(t, err)
				assert.ErrorIs(t, err, profile.ErrNotProfile)
				assert.ErrorIs(t, err, profile.ErrInvalid)
				assert.Contains(t, err.Error(), "not an OCI seccomp profile")
				assert.True(t, strings.HasPrefix(err.Error(), path+":2:20: default_action: "), "error %q names file, position and key", err)
				return
			}
			require.NoError(t, err)
			assert.NotEmpty(t, p.DefaultAction)
			assert.Equal(t, path, p.Source.File)
			_, err = p.Resolve(x86_64Target)
			require.NoError(t, err, "every real profile resolves for x86_64")
		})
	}
}

// badCase is what bad/README.md says a correct tool does with one file.
type badCase struct {
	file string
	// For errors: the sentinel, JSON path, line:column and a phrase of the
	// message. accept is set for files that must parse.
	sentinel error
	path     string
	pos      string
	msg      string
	accept   bool
}

func TestParseBadFiles(t *testing.T) {
	tests := []badCase{
		// "accept with runc semantics, or clear error": we accept (decisions in TestDecideArgSevenArgs).
		{file: "arg-seven-args.json", accept: true},
		// "clear error (or strip BOM explicitly)".
		{file: "bom.json", sentinel: profile.ErrSyntax, path: "", pos: "1:1", msg: "byte-order mark"},
		// "clear error": JSON has no comments.
		{file: "comments.json", sentinel: profile.ErrSyntax, path: "", pos: "1:1", msg: `"//" comment`},
		// "accept + warn (or error)": warning checked in TestResolveBadFilesWarnings.
		{file: "conflicting-actions-same-syscall.json", accept: true},
		// "must not overflow the stack": depth limit 64, the 64th '[' is at column 44+63.
		{file: "deeply-nested-junk.json", sentinel: profile.ErrSyntax, path: "x-junk[0][0][0][0][0]…(56 levels)…[0][0]", pos: "1:107", msg: "nesting deeper than 64 levels"},
		// "'empty profile' error, not a zero-value profile".
		{file: "empty.json", sentinel: profile.ErrSyntax, path: "", pos: "1:1", msg: "empty input"},
		// "SECCOMP_RET_DATA is 16 bits and errno > 4095 is not an errno": the first offender is defaultErrnoRet.
		{file: "errnoRet-too-large.json", sentinel: profile.ErrInvalid, path: "defaultErrnoRet", pos: "3:22", msg: "errno 70000 is out of range"},
		// "accept parse; compile must fail clearly or optimize".
		{file: "filter-over-4096-insns.json", accept: true},
		// "includes.minKernel '4.x' ... invalid kernel version".
		{file: "minKernel-malformed.json", sentinel: profile.ErrInvalid, path: "syscalls[0].includes.minKernel", pos: "10:22", msg: `invalid kernel version "4.x"`},
		// "defaultAction is REQUIRED": the position is the object that lacks it.
		{file: "missing-defaultAction.json", sentinel: profile.ErrInvalid, path: "defaultAction", pos: "1:1", msg: "missing defaultAction"},
		// "both name and names non-empty".
		{file: "name-and-names.json", sentinel: profile.ErrInvalid, path: "syscalls[0].name", pos: "5:15", msg: "both name and names"},
		// "accept (dedupe) or size-limit error": 2 MiB is under the 4 MiB default limit.
		{file: "names-2mb-repeated.json", accept: true},
		// "SCMP_ACT_NOTIFY without listenerPath (runc refuses)". The position is
		// the action value the path names (8:17), as for every other error.
		// LEAD-FIX (fails on e835471): parse.go reports the rule start 4:5.
		{file: "notify-without-listener.json", sentinel: profile.ErrInvalid, path: "syscalls[0].action", pos: "8:17", msg: "needs listenerPath"},
		// "first line is a `# docker run …` shell comment".
		{file: "real-s3fs-fuse-hash-comment.json", sentinel: profile.ErrSyntax, path: "", pos: "1:1", msg: "'#' comment"},
		// "array instead of object".
		{file: "top-level-array.json", sentinel: profile.ErrNotProfile, path: "", pos: "1:1", msg: "top level is an array"},
		// "error must say unexpected end of input (offset/line)": EOF is after three tabs on line 388.
		{file: "truncated.json", sentinel: profile.ErrSyntax, path: "syscalls[0].names[324]", pos: "388:4", msg: "unexpected end of input"},
		// "SCMP_ACT_DENY ... fail at parse time".
		{file: "unknown-action.json", sentinel: profile.ErrUnknownAction, path: "syscalls[0].action", pos: "8:17", msg: `unknown action "SCMP_ACT_DENY"`},
		// "actions are case-sensitive in runc/libseccomp".
		{file: "unknown-default-action-lowercase.json", sentinel: profile.ErrUnknownAction, path: "defaultAction", pos: "2:20", msg: "case-sensitive"},
		// "SECCOMP_FILTER_FLAG_TURBO".
		{file: "unknown-flag.json", sentinel: profile.ErrUnknownFlag, path: "flags[0]", pos: "4:5", msg: `unknown flag "SECCOMP_FILTER_FLAG_TURBO"`},
		// "SCMP_CMP_IN".
		{file: "unknown-op.json", sentinel: profile.ErrUnknownOp, path: "syscalls[0].args[0].op", pos: "13:17", msg: `unknown operator "SCMP_CMP_IN"`},
		// "accept + warn": warning checked in TestResolveBadFilesWarnings.
		{file: "unknown-syscall-name.json", accept: true},
		// "uint64 field → error, do not wrap silently"; the message suggests the unsigned spelling.
		{file: "value-negative.json", sentinel: profile.ErrInvalid, path: "syscalls[0].args[0].value", pos: "12:20", msg: "18446744073709551516"},
		// "CONTROL: ... must not go through float64" (values checked in TestParseValueUint64Max).
		{file: "value-uint64-max-ok.json", accept: true},
		// "flags is a string".
		{file: "wrong-type-flags-string.json", sentinel: profile.ErrInvalid, path: "flags", pos: "3:12", msg: "got a string"},
		// "names: 'read' (string, not array)".
		{file: "wrong-type-names-string.json", sentinel: profile.ErrInvalid, path: "syscalls[0].names", pos: "5:16", msg: "want an array of strings, got a string"},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join(badDir, tt.file)
			p, err := profile.ParseFile(path)
			if tt.accept {
				require.NoError(t, err)
				_, err = p.Resolve(x86_64Target)
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Nil(t, p, "no partial profile on error")
			assertProfileError(t, err, path, tt.sentinel, tt.path, tt.pos, tt.msg)
		})
	}
	// Every file in bad/ has a row above.
	for _, f := range sharedFiles(t, badDir) {
		assert.True(t, covered[filepath.Base(f)], "bad/%s has no test case", filepath.Base(f))
	}
}

// assertProfileError checks a *profile.Error: sentinel, file, JSON path,
// line:column, message, and the one-line rendering
// "FILE:LINE:COL: path: message".
func assertProfileError(t *testing.T, err error, file string, sentinel error, path, pos, msg string) {
	t.Helper()
	var pe *profile.Error
	require.True(t, errors.As(err, &pe), "want a *profile.Error, got %T: %v", err, err)
	assert.ErrorIs(t, err, profile.ErrInvalid, "every input error matches ErrInvalid")
	if sentinel != nil {
		assert.ErrorIs(t, err, sentinel)
	}
	assert.Equal(t, file, pe.File, "file")
	assert.Equal(t, path, pe.Path, "JSON path")
	if pos != "-" {
		assert.Equal(t, pos, pe.Pos.String(), "line:column of %s", path)
	}
	assert.Contains(t, pe.Msg, msg)
	assert.NotContains(t, err.Error(), "\n", "one line")
	want := file + ":"
	if pe.Pos.IsValid() {
		want += pe.Pos.String() + ":"
	}
	want += " "
	if path != "" {
		want += path + ": "
	}
	assert.True(t, strings.HasPrefix(err.Error(), want), "error %q should start with %q", err, want)
}

// TestParseErrors covers the rejections the issue lists, on small crafted
// inputs. at is a substring of in whose first byte is where the error must
// point ("" = the start of the input, "-" = do not check the position).
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		sentinel error
		path     string
		at       string
		msg      string
	}{
		// Issue 2: "Reject: trailing data after the document".
		{"trailing object", `{"defaultAction":"SCMP_ACT_ALLOW"} {}`, profile.ErrSyntax, "", "{}", "after the end of the JSON document"},
		{"trailing junk", "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}\nx", profile.ErrSyntax, "", "x", "after the end of the JSON document"},
		{"trailing comment", "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}\n// done", profile.ErrSyntax, "", "//", "comment"},
		{"two documents", "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}\n{\"defaultAction\":\"SCMP_ACT_LOG\"}", profile.ErrSyntax, "", "{\"defaultAction\":\"SCMP_ACT_LOG", "after the end"},
		{"comment inside", `{"defaultAction": /* deny */ "SCMP_ACT_ALLOW"}`, profile.ErrSyntax, "defaultAction", "/*", `"/*" comment`},
		{"whitespace only", " \n\t ", profile.ErrSyntax, "", "-", "white space"},

		// "duplicate keys": the error is at the second key and names the first.
		{"duplicate top-level key", `{"defaultAction":"SCMP_ACT_ALLOW","defaultAction":"SCMP_ACT_LOG"}`, profile.ErrSyntax, "defaultAction", `"defaultAction":"SCMP_ACT_LOG"`, `duplicate key "defaultAction" (first at 1:2)`},
		{"duplicate key in a rule", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[\n {\"names\":[\"read\"],\n  \"action\":\"SCMP_ACT_LOG\",\n  \"names\":[\"write\"]}]}", profile.ErrSyntax, "syscalls[0].names", `"names":["write"]`, `duplicate key "names" (first at 2:3)`},
		{"duplicate key in an arg", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_LOG","args":[{"index":0,"value":1,"value":2,"op":"SCMP_CMP_EQ"}]}]}`, profile.ErrSyntax, "syscalls[0].args[0].value", `"value":2`, `duplicate key "value"`},

		// "invalid UTF-8": the position is the first bad byte.
		{"invalid UTF-8 byte", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"comment\":\"a\xffb\"}", profile.ErrSyntax, "comment", "\xff", "invalid UTF-8 byte 0xff"},
		{"truncated UTF-8 sequence", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"comment\":\"euro \xe2\x82\"}", profile.ErrSyntax, "comment", "\xe2", "invalid UTF-8"},
		{"overlong UTF-8", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"comment\":\"\xc0\xaf\"}", profile.ErrSyntax, "comment", "\xc0", "invalid UTF-8"},
		{"UTF-8 encoded surrogate", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"comment\":\"\xed\xa0\x80\"}", profile.ErrSyntax, "comment", "\xed", "invalid UTF-8"},
		{"invalid UTF-8 after an escape", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"comment\":\"\\n\xff\"}", profile.ErrSyntax, "comment", "\xff", "invalid UTF-8"},
		{"invalid UTF-8 in a key", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"k\xff\":1}", profile.ErrSyntax, "", "\xff", "invalid UTF-8"},
		{"invalid UTF-8 in a syscall name", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"re\xffad\"],\"action\":\"SCMP_ACT_LOG\"}]}", profile.ErrSyntax, "syscalls[0].names[0]", "\xff", "invalid UTF-8"},

		// "control characters" must be escaped inside strings.
		{"raw tab in a string", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"comment\":\"a\tb\"}", profile.ErrSyntax, "comment", "\t", "control character 0x09"},
		{"raw newline in a string", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"comment\":\"a\nb\"}", profile.ErrSyntax, "comment", "\nb", "control character 0x0a"},
		{"NUL in a string", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"comment\":\"a\x00b\"}", profile.ErrSyntax, "comment", "\x00", "control character 0x00"},

		// "bad escapes".
		{"unknown escape", `{"defaultAction":"SCMP_ACT_ALLOW","comment":"a\qb"}`, profile.ErrSyntax, "comment", `\q`, `invalid escape sequence \q`},
		{"short \\u escape", `{"defaultAction":"SCMP_ACT_ALLOW","comment":"\u12G4"}`, profile.ErrSyntax, "comment", "12G4", "4 hex digits"},
		{"lone high surrogate", `{"defaultAction":"SCMP_ACT_ALLOW","comment":"\ud800"}`, profile.ErrSyntax, "comment", "-", "surrogate"},
		{"reversed surrogate pair", `{"defaultAction":"SCMP_ACT_ALLOW","comment":"\udc00\ud800"}`, profile.ErrSyntax, "comment", "-", "surrogate"},
		{"unterminated string", `{"defaultAction":"SCMP_ACT_ALLOW","comment":"abc`, profile.ErrSyntax, "comment", "-", "unexpected end of input"},
		{"single quotes", `{'defaultAction':'SCMP_ACT_ALLOW'}`, profile.ErrSyntax, "", "'", "double quotes"},
		{"trailing comma", `{"defaultAction":"SCMP_ACT_ALLOW",}`, profile.ErrSyntax, "", "}", "member name"},

		// "values that are not exact unsigned 64-bit integers".
		{"value 1.0", rule(`"args":[{"index":0,"value":1.0,"op":"SCMP_CMP_EQ"}]`), profile.ErrInvalid, "syscalls[0].args[0].value", "1.0", "not an integer"},
		{"value 1e3", rule(`"args":[{"index":0,"value":1e3,"op":"SCMP_CMP_EQ"}]`), profile.ErrInvalid, "syscalls[0].args[0].value", "1e3", "not an integer"},
		{"value 1E3", rule(`"args":[{"index":0,"value":1E3,"op":"SCMP_CMP_EQ"}]`), profile.ErrInvalid, "syscalls[0].args[0].value", "1E3", "not an integer"},
		{"value 2^64", rule(`"args":[{"index":0,"value":18446744073709551616,"op":"SCMP_CMP_EQ"}]`), profile.ErrInvalid, "syscalls[0].args[0].value", "18446744073709551616", "does not fit in an unsigned 64-bit integer"},
		{"valueTwo 2^64", rule(`"args":[{"index":0,"value":1,"valueTwo":18446744073709551616,"op":"SCMP_CMP_MASKED_EQ"}]`), profile.ErrInvalid, "syscalls[0].args[0].valueTwo", "18446744073709551616", "does not fit"},
		{"value -1", rule(`"args":[{"index":0,"value":-1,"op":"SCMP_CMP_EQ"}]`), profile.ErrInvalid, "syscalls[0].args[0].value", "-1", "18446744073709551615"},
		{"value as a string", rule(`"args":[{"index":0,"value":"1","op":"SCMP_CMP_EQ"}]`), profile.ErrInvalid, "syscalls[0].args[0].value", `"1"`, "want an unsigned integer, got a string"},
		{"value with a leading zero", rule(`"args":[{"index":0,"value":01,"op":"SCMP_CMP_EQ"}]`), profile.ErrSyntax, "syscalls[0].args[0].value", "01", "leading zero"},
		{"value in hex", rule(`"args":[{"index":0,"value":0x10,"op":"SCMP_CMP_EQ"}]`), profile.ErrSyntax, "syscalls[0].args[0]", "x10", "unexpected"},
		{"index 6", rule(`"args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]`), profile.ErrInvalid, "syscalls[0].args[0].index", "6,", "argument index 6 is out of range"},
		{"index 1.0", rule(`"args":[{"index":1.0,"value":1,"op":"SCMP_CMP_EQ"}]`), profile.ErrInvalid, "syscalls[0].args[0].index", "1.0", "not an integer"},
		{"missing index", rule(`"args":[{"value":1,"op":"SCMP_CMP_EQ"}]`), profile.ErrInvalid, "syscalls[0].args[0].index", `{"value"`, "missing index"},
		{"missing op", rule(`"args":[{"index":0,"value":1}]`), profile.ErrInvalid, "syscalls[0].args[0].op", `{"index"`, "missing op"},
		{"op case", rule(`"args":[{"index":0,"value":1,"op":"scmp_cmp_eq"}]`), profile.ErrUnknownOp, "syscalls[0].args[0].op", `"scmp_cmp_eq"`, "unknown operator"},

		// "errno ≥ 4096" (bad/README errnoRet-too-large: "errno > 4095 is not an errno").
		{"errnoRet 4096", rule(`"errnoRet":4096`), profile.ErrInvalid, "syscalls[0].errnoRet", "4096", "errno 4096 is out of range"},
		{"errnoRet 65536", rule(`"errnoRet":65536`), profile.ErrInvalid, "syscalls[0].errnoRet", "65536", "out of range"},
		{"defaultErrnoRet 4096", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":4096}`, profile.ErrInvalid, "defaultErrnoRet", "4096", "out of range"},
		{"errnoRet 1.0", rule(`"errnoRet":1.0`), profile.ErrInvalid, "syscalls[0].errnoRet", "1.0", "not an integer"},

		// "errno on an action that takes none" (issue 2; runc ignores it, crun errors).
		// The position is the errnoRet value the path names.
		// LEAD-FIX (fails on e835471): parse.go points at the rule object for
		// these four errnoRet/errno cases, names .errnoRet when only "errno"
		// was given, and gives no position at all for defaultErrno.
		{"errnoRet on ALLOW", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","errnoRet":1}]}`, profile.ErrInvalid, "syscalls[0].errnoRet", "1}", "takes none"},
		{"errnoRet on KILL", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_KILL","errnoRet":1}]}`, profile.ErrInvalid, "syscalls[0].errnoRet", "1}", "takes none"},
		// The errno given by name (containers/common "errno") is the one at fault: path and position name it.
		{"errno name on ALLOW", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","errno":"EPERM"}]}`, profile.ErrInvalid, "syscalls[0].errno", `"EPERM"`, "takes none"},
		{"defaultErrnoRet on ALLOW", `{"defaultAction":"SCMP_ACT_ALLOW","defaultErrnoRet":1}`, profile.ErrInvalid, "defaultErrnoRet", "1}", "takes none"},
		{"defaultErrno name on ALLOW", `{"defaultAction":"SCMP_ACT_ALLOW","defaultErrno":"EPERM"}`, profile.ErrInvalid, "defaultErrno", `"EPERM"`, "takes none"},

		// LEAD-FIX (fails on e835471): the two NOTIFY rule errors point at the
		// rule object, not at the action value their path names.
		// "NOTIFY as default action or without a listener" (COMPAT §2: NOTIFY
		// banned as default action and on write; runc refuses NOTIFY without listenerPath).
		{"NOTIFY default", `{"defaultAction":"SCMP_ACT_NOTIFY","listenerPath":"/run/l.sock"}`, profile.ErrInvalid, "defaultAction", `"SCMP_ACT_NOTIFY"`, "cannot be the default action"},
		{"NOTIFY without listenerPath", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}]}`, profile.ErrInvalid, "syscalls[0].action", `"SCMP_ACT_NOTIFY"`, "needs listenerPath"},
		{"NOTIFY on write", `{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/run/l.sock","syscalls":[{"names":["read","write"],"action":"SCMP_ACT_NOTIFY"}]}`, profile.ErrInvalid, "syscalls[0].action", `"SCMP_ACT_NOTIFY"`, "write"},
		{"listenerMetadata without listenerPath", `{"defaultAction":"SCMP_ACT_ALLOW","listenerMetadata":"x"}`, profile.ErrInvalid, "listenerMetadata", `"x"`, "without listenerPath"},

		// moby: "both 'name' and 'names' are specified".
		{"name and names", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"name":"read","names":["write"],"action":"SCMP_ACT_ALLOW"}]}`, profile.ErrInvalid, "syscalls[0].name", `"read"`, "both name and names"},
		// runtime-spec: defaultAction is REQUIRED.
		{"missing defaultAction", `{"syscalls":[]}`, profile.ErrInvalid, "defaultAction", "", "missing defaultAction"},
		{"empty object", `{}`, profile.ErrInvalid, "defaultAction", "", "missing defaultAction"},
		{"empty defaultAction", `{"defaultAction":""}`, profile.ErrUnknownAction, "defaultAction", `""`, "unknown action"},
		{"missing action", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"]}]}`, profile.ErrInvalid, "syscalls[0].action", `{"names"`, "missing action"},
		// COMPAT §3: "architectures+archMap → error".
		{"architectures and archMap", `{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":null}]}`, profile.ErrInvalid, "archMap", `[{"architecture"`, "both architectures and archMap"},
		{"archMap entry without architecture", `{"defaultAction":"SCMP_ACT_ALLOW","archMap":[{"subArchitectures":["SCMP_ARCH_X86"]}]}`, profile.ErrInvalid, "archMap[0].architecture", `{"subArch`, "missing architecture"},

		// Keys differing only in case: encoding/json would match them, runc's
		// Go decoder too; we refuse and point at the key.
		{"key case defaultaction", `{"defaultaction":"SCMP_ACT_ALLOW"}`, profile.ErrInvalid, "defaultaction", `"defaultaction"`, `did you mean "defaultAction"`},
		{"key case Names", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"Names":["read"],"action":"SCMP_ACT_LOG"}]}`, profile.ErrInvalid, "syscalls[0].Names", `"Names"`, `did you mean "names"`},
		{"key case errnoret", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","errnoret":5}]}`, profile.ErrInvalid, "syscalls[0].errnoret", `"errnoret"`, `did you mean "errnoRet"`},

		// Unknown names in closed sets are errors, case-sensitive (runc).
		{"arch by Go name", `{"defaultAction":"SCMP_ACT_ALLOW","architectures":["amd64"]}`, profile.ErrUnknownArch, "architectures[0]", `"amd64"`, `did you mean "SCMP_ARCH_X86_64"`},
		{"arch lower case", `{"defaultAction":"SCMP_ACT_ALLOW","architectures":["scmp_arch_x86_64"]}`, profile.ErrUnknownArch, "architectures[0]", `"scmp_arch_x86_64"`, "unknown architecture"},
		{"arch in archMap", `{"defaultAction":"SCMP_ACT_ALLOW","archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_I386"]}]}`, profile.ErrUnknownArch, "archMap[0].subArchitectures[0]", `"SCMP_ARCH_I386"`, "unknown architecture"},
		{"flag lower case", `{"defaultAction":"SCMP_ACT_ALLOW","flags":["seccomp_filter_flag_log"]}`, profile.ErrUnknownFlag, "flags[0]", `"seccomp`, "unknown flag"},

		// Wrong JSON types name what was expected.
		{"defaultAction number", `{"defaultAction":2}`, profile.ErrInvalid, "defaultAction", "2}", "want a string, got a number"},
		{"syscalls object", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":{}}`, profile.ErrInvalid, "syscalls", "{}", "got an object"},
		{"rule is a string", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":["read"]}`, profile.ErrInvalid, "syscalls[0]", `"read"`, "want an object, got a string"},
		{"name number", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":[0],"action":"SCMP_ACT_LOG"}]}`, profile.ErrInvalid, "syscalls[0].names[0]", "0]", "want a string, got a number"},
		{"listenerPath bool", `{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":true}`, profile.ErrInvalid, "listenerPath", "true", "got a boolean"},
		{"includes caps string", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_LOG","includes":{"caps":"CAP_SYS_ADMIN"}}]}`, profile.ErrInvalid, "syscalls[0].includes.caps", `"CAP_SYS_ADMIN"`, "got a string"},
		// moby rejects "4.8.0" (FEATURES.md: moby-default-2018-11-minkernel.json).
		{"minKernel with patch level", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_LOG","includes":{"minKernel":"4.8.0"}}]}`, profile.ErrInvalid, "syscalls[0].includes.minKernel", `"4.8.0"`, "invalid kernel version"},

		// Errno names (containers/common "defaultErrno"/"errno") must agree with the numbers.
		{"defaultErrno disagrees", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"defaultErrno":"ENOSYS"}`, profile.ErrInvalid, "defaultErrno", `"ENOSYS"`, "ENOSYS is 38 but the numeric errno says 1"},
		{"errno disagrees", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","errnoRet":1,"errno":"EINVAL"}]}`, profile.ErrInvalid, "syscalls[0].errno", `"EINVAL"`, "EINVAL is 22 but the numeric errno says 1"},
		{"unknown errno name", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrno":"ENOPE"}`, profile.ErrInvalid, "defaultErrno", `"ENOPE"`, `unknown errno name "ENOPE"`},
		{"errno name lower case", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrno":"eperm"}`, profile.ErrInvalid, "defaultErrno", `"eperm"`, "unknown errno name"},
		{"errno as a number", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrno":1}`, profile.ErrInvalid, "defaultErrno", "1}", "want a string"},

		// A runtime-spec config.json: errors carry the linux.seccomp prefix.
		{"config.json bad op", `{"ociVersion":"1.2.0","linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_LOG","args":[{"index":0,"value":1,"op":"EQ"}]}]}}}`, profile.ErrUnknownOp, "linux.seccomp.syscalls[0].args[0].op", `"EQ"`, "unknown operator"},
		{"config.json without seccomp", `{"ociVersion":"1.2.0","process":{},"linux":{"namespaces":[]}}`, profile.ErrNotProfile, "linux.seccomp", "", "without linux.seccomp"},
		{"config.json missing defaultAction", `{"ociVersion":"1.2.0","linux":{"seccomp":{"syscalls":[]}}}`, profile.ErrInvalid, "linux.seccomp.defaultAction", `{"syscalls"`, "missing defaultAction"},
		{"not a profile: string", `"SCMP_ACT_ALLOW"`, profile.ErrNotProfile, "", "", "not an OCI seccomp profile"},
		{"not a profile: null", `null`, profile.ErrNotProfile, "", "", "not an OCI seccomp profile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := profile.ParseWithOptions([]byte(tt.in), profile.ParseOptions{File: "in.json"})
			require.Error(t, err)
			assert.Nil(t, p)
			pos := "-"
			if tt.at != "-" {
				pos = "1:1"
				if tt.at != "" {
					pos = posOf(t, tt.in, tt.at).String()
				}
			}
			assertProfileError(t, err, "in.json", tt.sentinel, tt.path, pos, tt.msg)
		})
	}
}

// rule wraps extra members of one ERRNO rule on read in a profile with an
// ALLOW default.
func rule(members string) string {
	return `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO",` + members + `}]}`
}

// TestParseAccepts: inputs that must parse, and what they parse to.
func TestParseAccepts(t *testing.T) {
	u := func(n uint) *uint { return &n }
	tests := []struct {
		name string
		in   string
		want profile.Profile
	}{
		{"minimal", `{"defaultAction":"SCMP_ACT_ALLOW"}`,
			profile.Profile{DefaultAction: "SCMP_ACT_ALLOW"}},
		// COMPAT §2/§12: flags nil → runc uses SPEC_ALLOW; [] → none. Keep the difference.
		{"flags absent", `{"defaultAction":"SCMP_ACT_ALLOW","flags":null}`,
			profile.Profile{DefaultAction: "SCMP_ACT_ALLOW"}},
		{"flags empty", `{"defaultAction":"SCMP_ACT_ALLOW","flags":[]}`,
			profile.Profile{DefaultAction: "SCMP_ACT_ALLOW", Flags: []profile.Flag{}}},
		{"flags", `{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_TSYNC","SECCOMP_FILTER_FLAG_LOG","SECCOMP_FILTER_FLAG_SPEC_ALLOW","SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]}`,
			profile.Profile{DefaultAction: "SCMP_ACT_ALLOW", Flags: []profile.Flag{profile.FlagTSYNC, profile.FlagLog, profile.FlagSpecAllow, profile.FlagWaitKillableRecv}}},
		// FEATURES.md: legacy "name"; `"name": ""` with names (antitree demo); `args: null`.
		{"legacy name", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"name":"read","action":"SCMP_ACT_ALLOW","args":null}]}`,
			profile.Profile{DefaultAction: "SCMP_ACT_ERRNO", Syscalls: []profile.Syscall{{Names: []string{"read"}, Action: "SCMP_ACT_ALLOW"}}}},
		{"empty name with names", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"name":"","names":["read","write"],"action":"SCMP_ACT_ALLOW"}]}`,
			profile.Profile{DefaultAction: "SCMP_ACT_ERRNO", Syscalls: []profile.Syscall{{Names: []string{"read", "write"}, Action: "SCMP_ACT_ALLOW"}}}},
		// FEATURES.md: `"subArchitectures": null` in 11 files.
		{"archMap with null subArchitectures", `{"defaultAction":"SCMP_ACT_ALLOW","archMap":[{"architecture":"SCMP_ARCH_RISCV64","subArchitectures":null}]}`,
			profile.Profile{DefaultAction: "SCMP_ACT_ALLOW", ArchMap: []profile.ArchMapEntry{{Arch: arch.RISCV64}}}},
		{"null syscalls", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":null,"architectures":null}`,
			profile.Profile{DefaultAction: "SCMP_ACT_ALLOW"}},
		// containers-common: names for errnos agreeing with numbers, or alone.
		{"defaultErrno alone", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrno":"ENOSYS"}`,
			profile.Profile{DefaultAction: "SCMP_ACT_ERRNO", DefaultErrnoRet: u(38)}},
		{"defaultErrno agrees", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"defaultErrno":"ENOSYS"}`,
			profile.Profile{DefaultAction: "SCMP_ACT_ERRNO", DefaultErrnoRet: u(38)}},
		{"errno name on a rule", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ERRNO","errnoRet":22,"errno":"EINVAL"},{"names":["bind"],"action":"SCMP_ACT_ERRNO","errno":"EWOULDBLOCK"}]}`,
			profile.Profile{DefaultAction: "SCMP_ACT_ERRNO", Syscalls: []profile.Syscall{
				{Names: []string{"socket"}, Action: "SCMP_ACT_ERRNO", ErrnoRet: u(22)},
				{Names: []string{"bind"}, Action: "SCMP_ACT_ERRNO", ErrnoRet: u(11), Index: 1}}}},
		{"TRACE with errno", `{"defaultAction":"SCMP_ACT_TRACE","defaultErrnoRet":5}`,
			profile.Profile{DefaultAction: "SCMP_ACT_TRACE", DefaultErrnoRet: u(5)}},
		// libseccomp takes ERRNO data below 4095 (compat/testdata/errno-4095.json).
		{"errnoRet 4094 and 0", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":0,"syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","errnoRet":4094}]}`,
			profile.Profile{DefaultAction: "SCMP_ACT_ERRNO", DefaultErrnoRet: u(0), Syscalls: []profile.Syscall{{Names: []string{"read"}, Action: "SCMP_ACT_ERRNO", ErrnoRet: u(4094)}}}},
		// Old name for KILL_THREAD and every other action name.
		{"every action", `{"defaultAction":"SCMP_ACT_KILL","syscalls":[{"names":["a"],"action":"SCMP_ACT_KILL_THREAD"},{"names":["b"],"action":"SCMP_ACT_KILL_PROCESS"},{"names":["c"],"action":"SCMP_ACT_TRAP"},{"names":["d"],"action":"SCMP_ACT_LOG"},{"names":["e"],"action":"SCMP_ACT_TRACE","errnoRet":3}]}`,
			profile.Profile{DefaultAction: "SCMP_ACT_KILL", Syscalls: []profile.Syscall{
				{Names: []string{"a"}, Action: "SCMP_ACT_KILL_THREAD"},
				{Names: []string{"b"}, Action: "SCMP_ACT_KILL_PROCESS", Index: 1},
				{Names: []string{"c"}, Action: "SCMP_ACT_TRAP", Index: 2},
				{Names: []string{"d"}, Action: "SCMP_ACT_LOG", Index: 3},
				{Names: []string{"e"}, Action: "SCMP_ACT_TRACE", ErrnoRet: u(3), Index: 4}}}},
		// NOTIFY with a listener, and a listener without NOTIFY rules (crun test, FEATURES.md).
		{"notify with listener", `{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/run/l.sock","listenerMetadata":"m","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}]}`,
			profile.Profile{DefaultAction: "SCMP_ACT_ALLOW", ListenerPath: "/run/l.sock", ListenerMeta: "m", Syscalls: []profile.Syscall{{Names: []string{"mkdir"}, Action: "SCMP_ACT_NOTIFY"}}}},
		{"listener without notify", `{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/run/l.sock"}`,
			profile.Profile{DefaultAction: "SCMP_ACT_ALLOW", ListenerPath: "/run/l.sock"}},
		// Escapes decode; a valid surrogate pair is one rune.
		{"escapes", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["r\u0065ad"],"action":"SCMP_ACT_LOG","comment":"\"\\\/\b\f\n\r\t \u00e9 \ud83d\ude00"}]}`,
			profile.Profile{DefaultAction: "SCMP_ACT_ALLOW", Syscalls: []profile.Syscall{{Names: []string{"read"}, Action: "SCMP_ACT_LOG", Comment: "\"\\/\b\f\n\r\t é 😀"}}}},
		// Unknown keys are ignored like moby and runc do (reported by Lint).
		{"unknown keys", `{"defaultAction":"SCMP_ACT_ALLOW","x-owner":{"a":[1,2.5,-3e9,true,null]},"syscalls":[{"names":["read"],"action":"SCMP_ACT_LOG","case":"x"}]}`,
			profile.Profile{DefaultAction: "SCMP_ACT_ALLOW", Syscalls: []profile.Syscall{{Names: []string{"read"}, Action: "SCMP_ACT_LOG"}}}},
		// Filters: moby's includes/excludes, minKernel "X.Y".
		{"filters", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["ptrace"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["amd64"],"caps":["CAP_SYS_PTRACE"],"minKernel":"4.8"},"excludes":{"arches":["x32"],"caps":[],"minKernel":null}}]}`,
			profile.Profile{DefaultAction: "SCMP_ACT_ERRNO", Syscalls: []profile.Syscall{{Names: []string{"ptrace"}, Action: "SCMP_ACT_ALLOW",
				Includes: &profile.Filter{Arches: []string{"amd64"}, Caps: []string{"CAP_SYS_PTRACE"}, MinKernel: &profile.KernelVersion{Kernel: 4, Major: 8}},
				Excludes: &profile.Filter{Arches: []string{"x32"}, Caps: []string{}}}}}},
		// Every op, values as exact uint64.
		{"args", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_LOG","args":[
			{"index":0,"value":0,"op":"SCMP_CMP_NE"},{"index":1,"value":1,"op":"SCMP_CMP_LT"},{"index":2,"value":2,"op":"SCMP_CMP_LE"},
			{"index":3,"value":3,"op":"SCMP_CMP_EQ"},{"index":4,"value":4,"op":"SCMP_CMP_GE"},{"index":5,"value":5,"op":"SCMP_CMP_GT"},
			{"index":5,"value":18446744073709551615,"valueTwo":9007199254740993,"op":"SCMP_CMP_MASKED_EQ"}]}]}`,
			profile.Profile{DefaultAction: "SCMP_ACT_ALLOW", Syscalls: []profile.Syscall{{Names: []string{"read"}, Action: "SCMP_ACT_LOG", Args: []profile.Arg{
				{Index: 0, Value: 0, Op: profile.OpNotEqual}, {Index: 1, Value: 1, Op: profile.OpLessThan}, {Index: 2, Value: 2, Op: profile.OpLessEqual},
				{Index: 3, Value: 3, Op: profile.OpEqualTo}, {Index: 4, Value: 4, Op: profile.OpGreaterEqual}, {Index: 5, Value: 5, Op: profile.OpGreaterThan},
				{Index: 5, Value: 18446744073709551615, ValueTwo: 9007199254740993, Op: profile.OpMaskedEqual}}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := profile.Parse([]byte(tt.in))
			require.NoError(t, err)
			if diff := cmp.Diff(&tt.want, got, ignoreSource...); diff != "" {
				t.Errorf("Parse mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseValueUint64Max: bad/value-uint64-max-ok.json "must not go through
// float64 (precision loss)".
func TestParseValueUint64Max(t *testing.T) {
	p, err := profile.ParseFile(filepath.Join(badDir, "value-uint64-max-ok.json"))
	require.NoError(t, err)
	require.Len(t, p.Syscalls, 1)
	want := []profile.Arg{
		{Index: 0, Value: 18446744073709551516, Op: profile.OpEqualTo},
		{Index: 2, Value: 0, ValueTwo: 18446744073709551615, Op: profile.OpMaskedEqual},
	}
	if diff := cmp.Diff(want, p.Syscalls[0].Args, ignoreSource...); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}
}

// TestParsePositions: rules and args remember where they start, for
// messages and lint findings.
func TestParsePositions(t *testing.T) {
	src := "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"syscalls\": [\n    {\"names\": [\"read\"], \"action\": \"SCMP_ACT_LOG\"},\n    {\"names\": [\"write\"], \"action\": \"SCMP_ACT_LOG\",\n     \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}\n  ]\n}\n"
	p := parse(t, src)
	require.Len(t, p.Syscalls, 2)
	assert.Equal(t, posOf(t, src, `{"names": ["read"]`), p.Syscalls[0].Pos)
	assert.Equal(t, posOf(t, src, `{"names": ["write"]`), p.Syscalls[1].Pos)
	assert.Equal(t, 1, p.Syscalls[1].Index)
	require.Len(t, p.Syscalls[1].Args, 1)
	assert.Equal(t, posOf(t, src, `{"index": 0`), p.Syscalls[1].Args[0].Pos)
}

// TestParseMaxSize: "Input-size limit (say 4 MiB, configurable) with its own
// error" (issue 2).
func TestParseMaxSize(t *testing.T) {
	small := []byte(`{"defaultAction":"SCMP_ACT_ALLOW"}`) // 34 bytes

	_, err := profile.ParseWithOptions(small, profile.ParseOptions{File: "p.json", MaxSize: 33})
	require.Error(t, err)
	assert.ErrorIs(t, err, profile.ErrTooLarge)
	assert.ErrorIs(t, err, profile.ErrInvalid)
	assert.Contains(t, err.Error(), "p.json")
	assert.Contains(t, err.Error(), "33")

	_, err = profile.ParseWithOptions(small, profile.ParseOptions{MaxSize: 34})
	require.NoError(t, err, "exactly MaxSize is fine")

	// Default 4 MiB: one byte more fails, in Parse and in ParseFile.
	assert.Equal(t, 4<<20, profile.DefaultMaxSize)
	big := append([]byte(`{"defaultAction":"SCMP_ACT_ALLOW"}`), make([]byte, profile.DefaultMaxSize)...)
	for i := len(small); i < len(big); i++ {
		big[i] = ' '
	}
	_, err = profile.Parse(big)
	assert.ErrorIs(t, err, profile.ErrTooLarge)

	_, err = profile.ParseWithOptions(big, profile.ParseOptions{MaxSize: -1})
	require.NoError(t, err, "a negative MaxSize means no limit")

	path := filepath.Join(t.TempDir(), "big.json")
	require.NoError(t, os.WriteFile(path, big, 0o600))
	_, err = profile.ParseFile(path)
	require.Error(t, err)
	assert.ErrorIs(t, err, profile.ErrTooLarge)
	assert.True(t, strings.HasPrefix(err.Error(), path+": "), "error %q names the file", err)
}

// TestParseMaxDepth: "deeply nested ... must not overflow the stack" with a
// configurable bound; a real profile is 5 levels deep (root, syscalls,
// rule, args, arg).
func TestParseMaxDepth(t *testing.T) {
	src := []byte(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_LOG","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}]}`)
	_, err := profile.ParseWithOptions(src, profile.ParseOptions{MaxDepth: 5})
	require.NoError(t, err)
	_, err = profile.ParseWithOptions(src, profile.ParseOptions{MaxDepth: 4})
	require.Error(t, err)
	assert.ErrorIs(t, err, profile.ErrSyntax)
	assert.Contains(t, err.Error(), "nesting deeper than 4 levels")
	assert.Contains(t, err.Error(), "syscalls[0].args[0]")

	// A million nested arrays: an error, not a stack overflow.
	deep := `{"defaultAction":"SCMP_ACT_ALLOW","x":` + strings.Repeat("[", 1_000_000) + strings.Repeat("]", 1_000_000) + `}`
	_, err = profile.ParseWithOptions([]byte(deep), profile.ParseOptions{MaxSize: -1})
	assert.ErrorIs(t, err, profile.ErrSyntax)
	assert.Equal(t, 64, profile.DefaultMaxDepth)
}

// TestParseRuntimeConfig: "accept a runtime-spec config.json and use its
// linux.seccomp" (issue 2; FEATURES.md: the youki file holds a whole moby
// profile with archMap and includes/excludes).
func TestParseRuntimeConfig(t *testing.T) {
	path := filepath.Join(profilesDir, "youki-config-linux-seccomp.json")
	p, err := profile.ParseFile(path)
	require.NoError(t, err)
	assert.Equal(t, profile.ActionName("SCMP_ACT_ERRNO"), p.DefaultAction)
	assert.NotEmpty(t, p.ArchMap, "moby's archMap extension survives inside linux.seccomp")
	assert.NotEmpty(t, p.Syscalls)

	pol, err := p.Resolve(x86_64Target)
	require.NoError(t, err)
	assert.Equal(t, []arch.Arch{arch.X86_64, arch.X86, arch.X32}, pol.Arches)
	assert.Equal(t, profile.ActAllow, pol.Decide(arch.X86_64.Audit(), nr(t, arch.X86_64, "read"), args()))

	// The same profile inline: config.json and the bare profile agree.
	bare := `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`
	cfg := `{"ociVersion":"1.2.0","process":{"args":["sh"]},"linux":{"seccomp":` + bare + `}}`
	pb, pc := parse(t, bare), parse(t, cfg)
	if diff := cmp.Diff(pb, pc, ignoreSource...); diff != "" {
		t.Errorf("config.json vs bare profile (-bare +config):\n%s", diff)
	}
}
