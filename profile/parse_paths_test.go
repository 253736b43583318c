package profile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every error path of the reader and the decoder, each with the message
// and position it must give (the others are covered by the tests of
// parse_test.go and the files in ../shared/bad).
func TestParseErrorPaths(t *testing.T) {
	const base = `{"defaultAction":"SCMP_ACT_ALLOW",`
	tests := []struct {
		name, src, want string
	}{
		{"control byte outside a string", "{\x01}", `1:2: unexpected byte 0x01: want a member name in double quotes`},
		{"false is a value, not a string", base + `"syscalls":false}`, `1:46: syscalls: want an array of rules, got a boolean`},
		{"no colon after a key", `{"defaultAction" "x"}`, `1:18: defaultAction: unexpected '"': want ':' after the member name`},
		{"array without separator", base + `"flags":["a" "b"]}`, `1:48: flags: unexpected '"': want ',' or ']'`},
		{"minus without digits", base + `"defaultErrnoRet":-}`, `1:54: defaultErrnoRet: unexpected '}': want a digit`},
		{"fraction without digits", base + `"defaultErrnoRet":1.}`, `1:55: defaultErrnoRet: unexpected '}': want a digit after '.'`},
		{"exponent without digits", base + `"defaultErrnoRet":1e+}`, `1:56: defaultErrnoRet: unexpected '}': want a digit in the exponent`},
		{"escape at the end", `{"a\`, `1:4: unexpected end of input inside a string`},
		{"bad low surrogate", `{"\ud800\uzzzz":1}`, `1:11: invalid \u escape: want 4 hex digits`},
		{"short \\u escape", `{"\u00`, `1:5: unexpected end of input in a \u escape`},
		{"linux.seccomp not an object", `{"ociVersion":"1.2.0","linux":{"seccomp":[]}}`, `1:42: linux.seccomp: want an object, got an array`},
		{"architecture not a string", base + `"architectures":[1]}`, `1:52: architectures[0]: want a string, got a number`},
		{"architectures not an array", base + `"architectures":"SCMP_ARCH_X86"}`, `1:51: architectures: want an array of SCMP_ARCH_* names, got a string`},
		{"archMap not an array", base + `"archMap":{}}`, `1:45: archMap: want an array, got an object`},
		{"flag not a string", base + `"flags":[1]}`, `1:44: flags[0]: want a string, got a number`},
		{"args not an array", base + `"syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":{}}]}`, `1:98: syscalls[0].args: want an array of argument conditions, got an object`},
		{"index not a number", base + `"syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":"0","op":"SCMP_CMP_EQ"}]}]}`, `1:108: syscalls[0].args[0].index: want an unsigned integer, got a string`},
		{"minKernel not a string", base + `"syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","includes":{"minKernel":5}}]}`, `1:115: syscalls[0].includes.minKernel: want a string, got a number`},
		{"op not a string", base + `"syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"op":7}]}]}`, `1:115: syscalls[0].args[0].op: want a string, got a number`},
		{"name not a string", base + `"syscalls":[{"names":[1],"action":"SCMP_ACT_ERRNO"}]}`, `1:57: syscalls[0].names[0]: want a string, got a number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src))
			require.ErrorIs(t, err, ErrInvalid)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

func TestParseAcceptsNulls(t *testing.T) {
	p, err := Parse([]byte(`{"defaultAction":"SCMP_ACT_ALLOW","archMap":null,"architectures":null,"syscalls":[{"names":null,"action":"SCMP_ACT_LOG","args":null}]}`))
	require.NoError(t, err)
	assert.Nil(t, p.ArchMap)
	assert.Nil(t, p.Syscalls[0].Names)
}

func TestParseFileErrors(t *testing.T) {
	_, err := ParseFile(filepath.Join(t.TempDir(), "missing.json"))
	assert.ErrorIs(t, err, os.ErrNotExist)
	_, err = ParseFile(t.TempDir()) // a directory cannot be read
	assert.ErrorContains(t, err, "reading")
}

// syntaxError is internal; its text is the message alone (the decoder adds
// file, position and path).
func TestSyntaxErrorText(t *testing.T) {
	_, err := readJSON([]byte(`[`), 8)
	require.Error(t, err)
	assert.Equal(t, "unexpected end of input: want a value", err.Error())
}
