package compile

// Options control Compile.
type Options struct {
	// NoShare turns off sharing of identical blocks and the removal of
	// redundant loads. The result is larger and decides the same; tests use
	// it to check the optimizer.
	NoShare bool
	// Balanced builds the syscall-number search tree balanced by the number
	// of intervals, ignoring call frequencies and what the leaves cost.
	Balanced bool
	// Weights gives each syscall number of the native architecture a
	// relative call frequency; the search tree puts frequent intervals
	// nearer the root, with a floor that grows with what each leaf costs
	// so that rare syscalls do not sink deep (see leafWeights). Nil means
	// DefaultMix of the native architecture.
	Weights map[int]float64
	// UncachedOnly counts, of those frequencies, only the calls that run
	// the filter on Linux 5.11 and later: syscalls the filter allows
	// whatever their arguments are answered from the kernel's action
	// cache, so they weigh nothing and the tree favours argument-filtered
	// and denied syscalls. For filters that only run on such kernels; on
	// older ones every call runs the filter and the default is better.
	UncachedOnly bool
}

// DefaultOptions are the options Compile uses when given the zero value.
var DefaultOptions = Options{}
