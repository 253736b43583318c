package fuzz

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/profile"
)

// TestGeneratorReach runs the FuzzCompile body on pseudo-random inputs and
// checks the generator's reach: most inputs must get through Resolve and
// Compile to the comparison, with conditional rules, on every native
// architecture and both runtimes. A generator that only produced refused
// profiles would make FuzzCompile pass while testing nothing.
func TestGeneratorReach(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	outcomes := map[string]int{}
	natives := map[string]int{}
	runtimes := map[profile.Runtime]int{}
	conditional, inputs := 0, 0
	const n = 150
	for range n {
		data := make([]byte, 64+rng.IntN(1024))
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		outcomes[checkCompile(t, data)]++
		s := NewSource(data)
		g := GenerateProfile(s)
		natives[g.Target.Arch.String()]++
		runtimes[g.Target.Runtime]++
		p, err := profile.Parse(g.JSON)
		require.NoError(t, err)
		if pol, err := p.Resolve(g.Target); err == nil {
			inputs += len(Inputs(pol, s))
			for _, a := range pol.Arches {
				for _, sp := range pol.Arch(a).Syscalls {
					if sp.Conditional() {
						conditional++
					}
				}
			}
		}
	}
	t.Logf("outcomes %v; natives %v; runtimes %v; %d conditional syscalls; %d inputs compared", outcomes, natives, runtimes, conditional, inputs)
	assert.Greater(t, outcomes["checked"], n/2, "most generated profiles reach the comparison")
	assert.Positive(t, outcomes["resolve"], "some profiles are refused as runc would")
	assert.Len(t, natives, len(NativeArches))
	assert.Len(t, runtimes, 2)
	assert.Greater(t, conditional, n)
}

// TestParseReach runs the FuzzParse body on every shared file: the bad
// inputs must be refused (most of them) and the real profiles must get all
// the way through Resolve, Compile and the comparison.
func TestParseReach(t *testing.T) {
	outcomes := map[string]int{}
	for _, dir := range []string{"profiles", "bad"} {
		files, err := filepath.Glob(filepath.Join(sharedDir, dir, "*.json"))
		require.NoError(t, err)
		for _, f := range files {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			outcomes[dir+" "+checkParse(t, b)]++
		}
	}
	t.Logf("outcomes: %v", outcomes)
	assert.Greater(t, outcomes["profiles compiled"], 50)
	assert.Greater(t, outcomes["bad refused"], 15)
}
