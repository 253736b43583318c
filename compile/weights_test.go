package compile

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
)

// optimalSplits is optimalPlan without chains.
func optimalSplits(w []float64) func(lo, hi int) int { return optimalPlan(w, nil) }

// randomWeights returns n weights from 1 to 100 (no zero weights, so no
// floor).
func randomWeights(rng *rand.Rand, n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1 + float64(rng.IntN(100))
	}
	return w
}

// treeCost is the weighted sum of leaf depths of the tree split builds.
func treeCost(split func(lo, hi int) int, w []float64, lo, hi, depth int) float64 {
	if hi-lo == 1 {
		return w[lo] * float64(depth)
	}
	k := split(lo, hi)
	return treeCost(split, w, lo, k, depth+1) + treeCost(split, w, k, hi, depth+1)
}

// bestCost tries every tree: the optimum the dynamic program must reach.
func bestCost(w []float64, lo, hi int) float64 {
	if hi-lo == 1 {
		return 0
	}
	best := math.Inf(1)
	for k := lo + 1; k < hi; k++ {
		sum := 0.0
		for i := lo; i < hi; i++ {
			sum += w[i]
		}
		best = min(best, bestCost(w, lo, k)+bestCost(w, k, hi)+sum)
	}
	return best
}

func TestOptimalSplitsIsOptimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for trial := 0; trial < 200; trial++ {
		n := 2 + rng.IntN(8)
		w := randomWeights(rng, n)
		split := optimalSplits(w)
		got := treeCost(split, w, 0, n, 0)
		want := bestCost(w, 0, n)
		assert.InDelta(t, want, got, 1e-3*want, "weights %v", w)
		// Bisection is within two compares per call of the optimum.
		bis := treeCost(balancedByWeight(w), w, 0, n, 0)
		total := 0.0
		for _, x := range w {
			total += x
		}
		assert.LessOrEqual(t, bis, want+2*total, "bisection, weights %v", w)
	}
}

// planCost is treeCost for plans with chains (split 0: a leaf costing
// chain(lo, hi) below depth).
func planCost(split func(lo, hi int) int, chain func(lo, hi int) (float64, bool), w []float64, lo, hi, depth int) float64 {
	if hi-lo == 1 {
		return w[lo] * float64(depth)
	}
	k := split(lo, hi)
	if k == 0 {
		c, ok := chain(lo, hi)
		if !ok {
			return math.Inf(1)
		}
		sum := 0.0
		for i := lo; i < hi; i++ {
			sum += w[i]
		}
		return c + sum*float64(depth)
	}
	return planCost(split, chain, w, lo, k, depth+1) + planCost(split, chain, w, k, hi, depth+1)
}

// Chains are chosen only where they make the expected cost smaller: the
// plan never costs more than the best tree without them, and with chains
// that cost nothing every run allowed becomes one.
func TestOptimalPlanChains(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for trial := 0; trial < 200; trial++ {
		n := 2 + rng.IntN(10)
		w := randomWeights(rng, n)
		// A chain of three costs its leaves 1, 2 and 2 compares.
		chain := func(lo, hi int) (float64, bool) {
			if hi-lo != 3 {
				return 0, false
			}
			return w[lo] + 2*w[lo+1] + 2*w[lo+2], true
		}
		plan := optimalPlan(w, chain)
		got := planCost(plan, chain, w, 0, n, 0)
		assert.LessOrEqual(t, got, bestCost(w, 0, n)*(1+1e-6), "weights %v", w)
		free := optimalPlan(w, func(lo, hi int) (float64, bool) { return 0, hi-lo <= 3 })
		if n <= 3 {
			assert.Equal(t, 0, free(0, n), "weights %v", w)
		}
	}
}

func TestChainOf(t *testing.T) {
	allow := decision{action: 0x7fff0000}
	deny := decision{action: 0x50001}
	kill := decision{action: 0}
	var ivs []interval
	for _, iv := range []struct {
		lo uint32
		d  decision
	}{{0, allow}, {41, deny}, {42, allow}, {56, kill}, {57, allow}, {103, deny}, {200, allow}} {
		ivs = append(ivs, interval{d: iv.d, lo: iv.lo})
	}
	w := []float64{10, 1, 5, 2, 7, 1, 1}
	ch, cost := chainOf(ivs, 0, 5, w)
	require.GreaterOrEqual(t, cost, 0.0)
	assert.Equal(t, 0, ch.def)
	assert.Equal(t, []int{3, 1}, ch.exc[:ch.n], "heaviest exception first")
	assert.InDelta(t, (10+5+7)*2+2*1+1*2, cost, 1e-9)
	_, cost = chainOf(ivs, 0, 7, w)
	assert.Negative(t, cost, "[103, 200) is wider than one number and denied")
}

// BenchmarkOptimalPlan times the dynamic program on as many leaves as
// Docker's profile gives x86_64 (64 intervals, x32's leaf, a little room).
func BenchmarkOptimalPlan(b *testing.B) {
	w := make([]float64, 67)
	for i := range w {
		w[i] = float64((i*7919)%101) + 0.5
	}
	b.ReportAllocs()
	for b.Loop() {
		optimalPlan(w, nil)
	}
}

// TestCachedCall: UncachedOnly weighs nothing for the calls the kernel's
// action cache answers, and only those.
func TestCachedCall(t *testing.T) {
	g := newGraph()
	allow := g.ret(uint32(profile.ActAllow))
	leaves := []*block{
		allow,          // 0: allows without reading anything
		g.ret(0x50001), // 1: ERRNO(1)
		g.condLd(16, opJeqK, 0, allow, g.ret(0x50001)), // 2: reads args[0]
	}
	tests := []struct {
		name   string
		native arch.Arch
		leaf   int
		nr     uint32
		want   bool
	}{
		{"allowed, in the bitmap", arch.X86_64, 0, 0, true},
		{"denied", arch.X86_64, 1, 0, false},
		{"argument-filtered", arch.X86_64, 2, 0, false},
		{"x32's numbers lie past x86_64's bitmap", arch.X86_64, 0, arch.X32SyscallBit + 1, false},
		{"arm's private calls lie past the bitmap", arch.ARM, 0, 0xf0002, false},
		{"arm's ordinary calls", arch.ARM, 0, 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cached := cachedCall(leaves, tt.native)
			require.NotNil(t, cached)
			assert.Equal(t, tt.want, cached(tt.leaf, tt.nr))
		})
	}
	for _, a := range []arch.Arch{arch.X32, arch.MIPS64, arch.MIPSEL} {
		assert.Nil(t, cachedCall(leaves, a), "%v: no kernel keeps a bitmap, nothing is cached", a)
	}
}
