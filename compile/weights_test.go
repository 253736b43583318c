package compile

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

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
		w := make([]float64, n)
		for i := range w {
			w[i] = 1 + float64(rng.IntN(100)) // no zero weights: no floor
		}
		split := optimalSplits(n, func(i int) float64 { return w[i] })
		got := treeCost(split, w, 0, n, 0)
		want := bestCost(w, 0, n)
		assert.InDelta(t, want, got, 1e-3*want, "weights %v", w)
		// Bisection is within two compares per call of the optimum.
		bis := treeCost(balancedByWeight(n, func(i int) float64 { return w[i] }), w, 0, n, 0)
		total := 0.0
		for _, x := range w {
			total += x
		}
		assert.LessOrEqual(t, bis, want+2*total, "bisection, weights %v", w)
	}
}
