package compile

import "sort"

// optimalSplits returns a split function for the search tree over n leaves
// with the given weights that minimizes the weighted sum of leaf depths
// (the expected number of compares per call): the dynamic program for
// optimal alphabetic trees with Knuth's monotonicity of the root, O(n^2)
// time. The tables are triangular and compact (float32 costs, uint16
// roots): n is a few hundred intervals at most.
func optimalSplits(n int, weight func(i int) float64) func(lo, hi int) int {
	return optimalPlan(n, weight, nil)
}

// optimalPlan is optimalSplits where a run of leaves [lo, hi) may also
// become one leaf of the search that costs chain(lo, hi) (the compares it
// makes, weighted), when chain says it can. Such runs are marked by a
// split of 0. Knuth's bound on the root no longer holds exactly once some
// subtrees are chains; it is still used, so the tree is optimal among the
// trees it looks at, and always correct.
func optimalPlan(n int, weight func(i int) float64, chain func(lo, hi int) (float64, bool)) func(lo, hi int) int {
	// Intervals nobody calls still need a place in the tree; a small floor
	// keeps them from piling up into a deep chain on one side.
	ws := make([]float64, n)
	total := 0.0
	for i := range ws {
		ws[i] = max(weight(i), 0)
		total += ws[i]
	}
	floor := 1.0
	if total > 0 {
		floor = total / float64(n) * 1e-3
	}
	pre := make([]float64, n+1)
	for i, w := range ws {
		pre[i+1] = pre[i] + max(w, floor)
	}
	// Row i of the triangle holds j = i+1 .. n; idx maps (i, j) into it.
	rowStart := make([]int, n+1)
	for i := 1; i <= n; i++ {
		rowStart[i] = rowStart[i-1] + (n - (i - 1))
	}
	idx := func(i, j int) int { return rowStart[i] + (j - i - 1) }
	size := rowStart[n]
	cost := make([]float32, size)
	root := make([]uint16, size)
	var leaf []bool
	if chain != nil {
		leaf = make([]bool, size)
	}
	for length := 2; length <= n; length++ {
		for i := 0; i+length <= n; i++ {
			j := i + length
			lo, hi := i+1, j-1
			if length > 2 {
				lo = max(int(root[idx(i, j-1)]), i+1)
				hi = min(int(root[idx(i+1, j)]), j-1)
			}
			best, bestK := float32(-1), lo
			for k := lo; k <= hi; k++ {
				var c float32
				if k-i > 1 {
					c += cost[idx(i, k)]
				}
				if j-k > 1 {
					c += cost[idx(k, j)]
				}
				if best < 0 || c < best {
					best, bestK = c, k
				}
			}
			// Every leaf below gets one compare deeper.
			c := best + float32(pre[j]-pre[i])
			if chain != nil && length <= maxChainRun {
				if cc, ok := chain(i, j); ok && float32(cc) < c {
					c, leaf[idx(i, j)] = float32(cc), true
				}
			}
			cost[idx(i, j)] = c
			root[idx(i, j)] = uint16(bestK)
		}
	}
	return func(lo, hi int) int {
		if leaf != nil && leaf[idx(lo, hi)] {
			return 0
		}
		return int(root[idx(lo, hi)])
	}
}

// balancedByWeight returns a split function that puts the root of every
// subtree where the leaves' weight is split most evenly (Mehlhorn's
// bisection rule). The tree is within two compares per leaf of the
// optimal one and costs O(n log n) to build instead of O(n^2).
func balancedByWeight(n int, weight func(i int) float64) func(lo, hi int) int {
	pre := make([]float64, n+1)
	for i := 0; i < n; i++ {
		pre[i+1] = pre[i] + max(weight(i), 0)
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
