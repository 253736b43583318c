package profile_test

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
	got := p.Lint()
	want := []profile.Warning{
		{File: "inline.json", Pos: posOf(t, src, `"x-owner"`), Path: "x-owner", Code: "unknown-key"},
		{File: "inline.json", Pos: posOf(t, src, `"comment": "no"`), Path: "archMap[0].comment", Code: "unknown-key"},
		{File: "inline.json", Pos: posOf(t, src, `"errno_ret"`), Path: "syscalls[0].errno_ret", Code: "unknown-key"},
		{File: "inline.json", Pos: posOf(t, src, `{"index": 1`), Path: "syscalls[0].args[0]", Code: "masked-eq-zero-mask"},
		{File: "inline.json", Pos: posOf(t, src, `{"index": 2`), Path: "syscalls[0].args[1]", Code: "masked-eq-zero-mask"},
		{File: "inline.json", Pos: posOf(t, src, `"note"`), Path: "syscalls[0].args[1].note", Code: "unknown-key"},
		{File: "inline.json", Pos: posOf(t, src, `"min_kernel"`), Path: "syscalls[1].includes.min_kernel", Code: "unknown-key"},
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
// with the mask in valueTwo and value: 0, i.e. swapped w.r.t. moby)"; the
// default profiles are clean.
func TestLintRealProfiles(t *testing.T) {
	for _, f := range sharedFiles(t, profilesDir) {
		name := filepath.Base(f)
		if notOCI[name] {
			continue
		}
		p, err := profile.ParseFile(f)
		require.NoError(t, err)
		found := p.Lint()
		if name == "cessa-nginx2.json" {
			require.NotEmpty(t, found)
			for _, w := range found {
				assert.Equal(t, "masked-eq-zero-mask", w.Code)
				assert.Contains(t, w.Msg, "swapped")
			}
			continue
		}
		assert.Empty(t, found, "%s", name)
	}
}

// TestLintRuntimeConfig: unknown keys inside linux.seccomp carry its path.
func TestLintRuntimeConfig(t *testing.T) {
	p := parse(t, `{"ociVersion":"1.2.0","linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","x":1}}}`)
	got := p.Lint()
	require.Len(t, got, 1)
	assert.Equal(t, "linux.seccomp.x", got[0].Path)
}
