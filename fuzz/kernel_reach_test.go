//go:build linux && amd64

package fuzz

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
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

// TestKernelChildReplaced: the fuzzer once killed the helper child after
// some 10 000 killed threads (Go's thread limit; testdata/fuzz/FuzzEmulator/
// 35c88dacec16d9fc was the input it happened on). The child must be
// replaced before that, transparently.
func TestKernelChildReplaced(t *testing.T) {
	defer func(n int) { maxKills = n }(maxKills)
	maxKills = 20
	req := kernelRequest{Call: true}
	for _, in := range append(append([]bpf.RawInstruction(nil), prologue...), ins(unix.BPF_RET|unix.BPF_K, 0, 0, 0)) {
		req.Prog = append(req.Prog, [4]uint32{uint32(in.Op), uint32(in.Jt), uint32(in.Jf), in.K})
	}
	pids := map[int]bool{}
	for range 3*maxKills + 1 {
		c := kernel(t)
		pids[c.cmd.Process.Pid] = true
		r, err := c.run(req)
		require.NoError(t, err)
		require.Equal(t, kernelReply{Killed: true}, r)
	}
	assert.Len(t, pids, 4, "a new child after every %d killed threads", maxKills)
}
