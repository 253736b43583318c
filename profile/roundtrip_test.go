package profile_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/profile"
)

// ignoreSource compares profiles by content: where things were in the file
// (Source, Pos) is not part of a profile's meaning.
var ignoreSource = []cmp.Option{
	cmpopts.IgnoreFields(profile.Profile{}, "Source"),
	cmpopts.IgnoreFields(profile.Syscall{}, "Pos"),
	cmpopts.IgnoreFields(profile.Arg{}, "Pos"),
	cmpopts.IgnoreUnexported(profile.Profile{}, profile.Syscall{}),
}

// TestRoundTrip: "It marshals back to JSON with encoding/json" (types.go).
// For every accepted profile, json.Marshal then Parse gives the same
// profile, so a tool can rewrite a profile without changing its meaning.
func TestRoundTrip(t *testing.T) {
	var files []string
	files = append(files, sharedFiles(t, profilesDir)...)
	files = append(files, sharedFiles(t, badDir)...)
	n := 0
	for _, path := range files {
		p, err := profile.ParseFile(path)
		if err != nil {
			continue // rejected inputs are covered by the parse tests
		}
		n++
		t.Run(filepath.Base(path), func(t *testing.T) {
			out, err := json.Marshal(p)
			require.NoError(t, err)
			again, err := profile.Parse(out)
			require.NoError(t, err, "re-parsing %s", out)
			// Empty lists are omitted, which changes nothing, except for
			// flags: nil means "runc's default SPEC_ALLOW", [] means none
			// (COMPAT §2), so that difference must survive.
			opts := append([]cmp.Option{cmpopts.EquateEmpty()}, ignoreSource...)
			if diff := cmp.Diff(p, again, opts...); diff != "" {
				t.Errorf("round trip changed the profile (-parsed +reparsed):\n%s", diff)
			}
			assert.Equal(t, p.Flags == nil, again.Flags == nil, "flags absent vs empty")
		})
	}
	require.Greater(t, n, 60, "most shared profiles are accepted")
}
