package compile

import "github.com/seccompctl/seccompctl/arch"

// The syscall-number search: a binary search tree over the intervals of
// one architecture. Each internal node compares the number with the first
// number of its right half (jge); leaves are returns, jumps into argument
// trees, or chains of jeq for a few single numbers before a common leaf.
// With n intervals a balanced tree takes ceil(log2 n) compares; with
// weights (see weights.go) the tree minimizes the expected number of
// compares instead.

// searchTree returns the entry block of a search over ivs, whose leaves
// are leaves[i], built for tw (nil: balanced by count).
func (c *codegen) searchTree(ivs []interval, tw *treeWeights, leaves []*block) *block {
	// Where x86_64 and x32 share the tree, abi is the first x32 interval.
	abi := -1
	for i, iv := range ivs {
		if iv.lo == arch.X32SyscallBit {
			abi = i
		}
	}
	var split func(lo, hi int) int
	var weight []float64
	switch {
	case tw == nil && abi > 0:
		// Split the ABIs first: each then pays one compare for the
		// other's existence, not a deeper tree.
		split = func(lo, hi int) int {
			if lo < abi && abi < hi {
				return abi
			}
			return balancedSplit(lo, hi)
		}
	case tw == nil:
		split = balancedSplit
	case tw.freq == nil:
		weight = tw.cost
		split = balancedByWeight(weight)
	default:
		// Frequencies count as much as the longest path allows (x32's
		// paths do not depend on them).
		upto := len(ivs)
		if abi > 0 {
			upto = abi
		}
		limit := maxPath(ivs, balancedByWeight(tw.cost), tw.cost, tw.path, upto) + maxRegret
		weight = make([]float64, len(ivs))
		for share := mixShare; ; share /= 2 {
			if share < mixShare/8 {
				share = 0
			}
			for i := range weight {
				weight[i] = share*tw.freq[i] + (1-share)*tw.cost[i]
			}
			split = c.weightedSplits(ivs, weight, abi)
			if share == 0 || maxPath(ivs, split, weight, tw.path, upto) <= limit {
				break
			}
		}
	}
	var build func(lo, hi int) *block // intervals [lo, hi)
	build = func(lo, hi int) *block {
		if hi-lo == 1 {
			return leaves[lo]
		}
		mid := split(lo, hi)
		if mid == 0 {
			// A chain: jeq for each exception, then the common leaf.
			ch, _ := chainOf(ivs, lo, hi, weight)
			b := leaves[ch.def]
			for p := ch.n - 1; p >= 0; p-- {
				x := ch.exc[p]
				b = c.g.cond(nil, opJeqK, ivs[x].lo, leaves[x], b)
			}
			return b
		}
		right := build(mid, hi)
		left := build(lo, mid)
		return c.g.cond(nil, opJgeK, ivs[mid].lo, right, left)
	}
	return build(0, len(ivs))
}

// Chains: a run of intervals that all share one decision except a few
// single numbers (Docker's profile allows 0-102 on x86_64 except socket,
// clone, and so on) can be one leaf of the search: jeq for each of those
// numbers, then the common decision. The dynamic program (optimalPlan)
// chooses between such a chain and splitting the run further.
const (
	maxExceptions = 3 // jeq in a chain
	maxChainRun   = 2*maxExceptions + 1
)

// chain is the plan of one chain leaf: the interval whose leaf the
// others share, and the exceptions in the order they are tested.
type chain struct {
	def int
	exc [maxExceptions]int
	n   int
}

// singleNumber reports whether interval i holds one number.
func singleNumber(ivs []interval, i int) bool {
	if i+1 < len(ivs) {
		return ivs[i+1].lo == ivs[i].lo+1
	}
	return ivs[i].lo == 0xffffffff
}

// chainOf returns the chain for intervals [lo, hi) and whether they form
// one, with its cost: the compares it makes, weighted by weight.
func chainOf(ivs []interval, lo, hi int, weight []float64) (chain, float64) {
	var ch chain
	if hi-lo > maxChainRun {
		return ch, -1
	}
	// The common decision is that of every interval wider than one
	// number; with single numbers only, the heaviest one's.
	ch.def = -1
	for i := lo; i < hi; i++ {
		if !singleNumber(ivs, i) {
			if ch.def >= 0 && !ivs[i].d.equal(ivs[ch.def].d) {
				return ch, -1
			}
			if ch.def < 0 {
				ch.def = i
			}
		}
	}
	if ch.def < 0 {
		ch.def = lo
		for i := lo; i < hi; i++ {
			if weight[i] > weight[ch.def] {
				ch.def = i
			}
		}
	}
	common := 0.0
	for i := lo; i < hi; i++ {
		if ivs[i].d.equal(ivs[ch.def].d) {
			common += weight[i]
			continue
		}
		if ch.n == maxExceptions {
			return ch, -1
		}
		// Insert by weight, heaviest first (ties: lower number first).
		p := ch.n
		for p > 0 && weight[ch.exc[p-1]] < weight[i] {
			ch.exc[p] = ch.exc[p-1]
			p--
		}
		ch.exc[p] = i
		ch.n++
	}
	cost := common * float64(ch.n)
	for p := 0; p < ch.n; p++ {
		cost += weight[ch.exc[p]] * float64(p+1)
	}
	return ch, cost
}

// maxPath is the most instructions the path to a leaf below upto runs
// (zero arguments) in the tree split builds: the compares down to it and
// path[i].
func maxPath(ivs []interval, split func(lo, hi int) int, weight []float64, path []int, upto int) int {
	var walk func(lo, hi, depth int) int
	walk = func(lo, hi, depth int) int {
		switch {
		case lo >= upto:
			return 0
		case hi-lo == 1:
			return depth + path[lo]
		}
		mid := split(lo, hi)
		if mid == 0 {
			ch, _ := chainOf(ivs, lo, hi, weight)
			most := depth + ch.n + path[ch.def]
			for p := 0; p < ch.n; p++ {
				most = max(most, depth+p+1+path[ch.exc[p]])
			}
			return most
		}
		return max(walk(lo, mid, depth+1), walk(mid, hi, depth+1))
	}
	return walk(0, len(ivs), 0)
}

// balancedSplit splits [lo, hi) in the middle.
func balancedSplit(lo, hi int) int { return lo + (hi-lo+1)/2 }
