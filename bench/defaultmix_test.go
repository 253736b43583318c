package bench

import (
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite generated and golden files")

const defaultMixFile = "../compile/defaultmix.go"

// TestDefaultMixUpToDate: compile/defaultmix.go is what the recorded
// mixes generate (go test ./bench -run DefaultMix -update rewrites it).
func TestDefaultMixUpToDate(t *testing.T) {
	mixes, err := Mixes()
	require.NoError(t, err)
	want, err := GenerateDefaultMix(mixes)
	require.NoError(t, err)
	if *update {
		require.NoError(t, os.WriteFile(defaultMixFile, want, 0o644))
	}
	got, err := os.ReadFile(defaultMixFile)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "compile/defaultmix.go is stale: go test ./bench -run DefaultMix -update")
}
