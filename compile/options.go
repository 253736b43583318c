package compile

// Options control Compile.
type Options struct {
	// NoShare turns off sharing of identical blocks and the removal of
	// redundant loads. The result is larger and decides the same; tests use
	// it to check the optimizer.
	NoShare bool
	// Balanced builds the syscall-number search tree balanced by the number
	// of intervals, ignoring what the leaves cost. By default the tree is
	// balanced by cost instead (see leafWeights).
	Balanced bool
	// Weights, if set, gives each syscall number of the native architecture
	// a relative call frequency; the search tree then puts frequent
	// intervals nearer the root. Nil gives a balanced tree.
	Weights map[int]float64
}

// DefaultOptions are the options Compile uses when given the zero value.
var DefaultOptions = Options{}
