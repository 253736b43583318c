//go:build linux && amd64

package fuzz

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestEmulatorReach runs the FuzzEmulator body on pseudo-random inputs
// and checks that they reach every outcome: programs that run and return
// errnos and ALLOW, and raw programs both verifiers refuse or accept. A
// generator whose programs all failed to verify would leave the
// comparison untested.
func TestEmulatorReach(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	outcomes := map[string]int{}
	const n = 600
	for range n {
		data := make([]byte, 16+rng.IntN(200))
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		outcomes[checkEmulator(t, data)]++
	}
	t.Logf("outcomes of %d programs: %v", n, outcomes)
	assert.Greater(t, outcomes["structured ran"], n/2)
	assert.Zero(t, outcomes["structured rejected"]+outcomes["structured installed"]+outcomes["structured killed"])
	for _, o := range []string{"raw ran", "raw rejected", "raw installed", "raw killed"} {
		assert.Positive(t, outcomes[o], o)
	}
}
