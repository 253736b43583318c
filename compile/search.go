package compile

import "github.com/seccompctl/seccompctl/arch"

// The syscall-number search: a binary search tree over the intervals of
// one architecture, built from jge only. Each internal node compares the
// number with the first number of its right half; leaves are returns or
// jumps into argument trees. With n intervals a balanced tree takes
// ceil(log2 n) compares; with weights (see weights.go) the tree minimizes
// the expected number of compares instead.

// searchTree returns the entry block of a search over ivs, whose leaves
// are made by leaf.
func (c *codegen) searchTree(ivs []interval, weight func(i int) float64, leaf func(iv interval) *block) *block {
	split := balancedSplit
	if weight != nil {
		split = c.splitter(len(ivs), weight)
	}
	// Where x86_64 and x32 share the tree, split them first: each ABI then
	// pays one compare for the other's existence, not a deeper tree.
	abi := -1
	for i, iv := range ivs {
		if iv.lo == arch.X32SyscallBit {
			abi = i
		}
	}
	if abi > 0 && weight == nil {
		inner := split
		split = func(lo, hi int) int {
			if lo < abi && abi < hi {
				return abi
			}
			return inner(lo, hi)
		}
	}
	var build func(lo, hi int) *block // intervals [lo, hi)
	build = func(lo, hi int) *block {
		if hi-lo == 1 {
			return leaf(ivs[lo])
		}
		mid := split(lo, hi)
		right := build(mid, hi)
		left := build(lo, mid)
		return c.g.cond(nil, opJgeK, ivs[mid].lo, right, left)
	}
	return build(0, len(ivs))
}

// balancedSplit splits [lo, hi) in the middle.
func balancedSplit(lo, hi int) int { return lo + (hi-lo+1)/2 }
