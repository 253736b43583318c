package compile

// optimalSplits returns a split function for the search tree over n leaves
// with the given weights that minimizes the weighted sum of leaf depths
// (the expected number of compares per call): the classic O(n^3) dynamic
// program for optimal alphabetic trees, with Knuth's monotonicity to make
// it O(n^2). n is at most a few hundred intervals.
func optimalSplits(n int, weight func(i int) float64) func(lo, hi int) int {
	// prefix sums of weights
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
	// cost[i][j] for leaves [i, j): minimal sum of weight*depth.
	// root[i][j]: best split point k in (i, j).
	cost := make([][]float64, n+1)
	root := make([][]int, n+1)
	for i := range cost {
		cost[i] = make([]float64, n+1)
		root[i] = make([]int, n+1)
	}
	for length := 2; length <= n; length++ {
		for i := 0; i+length <= n; i++ {
			j := i + length
			lo, hi := i+1, j-1
			if length > 2 {
				lo, hi = root[i][j-1], root[i+1][j]
				if lo < i+1 {
					lo = i + 1
				}
				if hi > j-1 {
					hi = j - 1
				}
			}
			best, bestK := -1.0, lo
			for k := lo; k <= hi; k++ {
				c := cost[i][k] + cost[k][j]
				if best < 0 || c < best {
					best, bestK = c, k
				}
			}
			// Every leaf below gets one compare deeper.
			cost[i][j] = best + (pre[j] - pre[i])
			root[i][j] = bestK
		}
	}
	return func(lo, hi int) int { return root[lo][hi] }
}
