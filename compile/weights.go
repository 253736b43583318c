package compile

import "sort"

// chainRoot marks, in a plan's root table, a run of leaves that is one
// chain; the low bits still hold the best split, which bounds the roots
// of the runs around it.
const chainRoot = 1 << 15

// optimalPlan returns a split function for the search tree over the
// leaves weighted w that minimizes the weighted sum of leaf depths (the
// expected number of compares per call): the dynamic program for optimal
// alphabetic trees with Knuth's monotonicity of the root, O(n^2) time.
// A run of leaves [lo, hi) may also become one leaf of the search that
// costs chain(lo, hi) (the compares it makes, weighted), when chain (nil:
// never) says it can. Such runs are marked by a split of 0. Knuth's bound on the root no longer holds exactly once some
// subtrees are chains; it is still used, so the tree is optimal among the
// trees it looks at, and always correct. The tables take about 6 bytes
// per run of leaves (float32 costs, uint16 roots): n is a few hundred
// leaves at most, and this runs on every compile.
func optimalPlan(w []float64, chain func(lo, hi int) (float64, bool)) func(lo, hi int) int {
	n := len(w)
	total := 0.0
	for _, x := range w {
		total += max(x, 0)
	}
	// Intervals nobody calls still need a place in the tree; a small floor
	// keeps them from piling up into a deep chain on one side.
	floor := 1.0
	if total > 0 {
		floor = total / float64(n) * 1e-3
	}
	pre := make([]float64, n+1)
	for i, x := range w {
		pre[i+1] = pre[i] + max(x, floor)
	}
	// The tables are triangles: row i holds the runs [i, i+1) .. [i, n),
	// run [i, j) at base[i]+j. Runs of one leaf cost 0, so the sum over
	// the splits needs no test for them.
	base := make([]int, n+1)
	for i := range base {
		base[i] = i*n - i*(i-1)/2 - i - 1 // rows before i hold n, n-1, ... runs
	}
	size := n * (n + 1) / 2
	cost := make([]float32, size)
	root := make([]uint16, size)
	for length := 2; length <= n; length++ {
		for i := 0; i+length <= n; i++ {
			j := i + length
			bi := base[i]
			lo, hi := i+1, j-1
			if length > 2 {
				lo = max(int(root[bi+j-1]&^chainRoot), i+1)
				hi = min(int(root[base[i+1]+j]&^chainRoot), j-1)
			}
			// [i, k) and [k, j)
			best, bestK := cost[bi+lo]+cost[base[lo]+j], lo
			for k := lo + 1; k <= hi; k++ {
				if c := cost[bi+k] + cost[base[k]+j]; c < best {
					best, bestK = c, k
				}
			}
			// Every leaf below gets one compare deeper.
			c := best + float32(pre[j]-pre[i])
			r := uint16(bestK)
			if chain != nil && length <= maxChainRun {
				if cc, ok := chain(i, j); ok && float32(cc) < c {
					c, r = float32(cc), r|chainRoot
				}
			}
			cost[bi+j], root[bi+j] = c, r
		}
	}
	return func(lo, hi int) int {
		r := root[base[lo]+hi]
		if r&chainRoot != 0 {
			return 0
		}
		return int(r)
	}
}

// balancedByWeight returns a split function that puts the root of every
// subtree where the leaves' weight w is split most evenly (Mehlhorn's
// bisection rule). The tree is within two compares per leaf of the
// optimal one and costs O(n log n) to build instead of O(n^2).
func balancedByWeight(w []float64) func(lo, hi int) int {
	pre := make([]float64, len(w)+1)
	for i, x := range w {
		pre[i+1] = pre[i] + max(x, 0)
	}
	return func(lo, hi int) int {
		half := (pre[lo] + pre[hi]) / 2
		// The first k in (lo, hi) whose prefix reaches half, or the one
		// before it if that splits more evenly.
		k := sort.SearchFloat64s(pre[lo+1:hi], half) + lo + 1
		if k > lo+1 && half-pre[k-1] < pre[k]-half {
			k--
		}
		return min(max(k, lo+1), hi-1)
	}
}
