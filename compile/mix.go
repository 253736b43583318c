package compile

import (
	"maps"
	"slices"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/syscalls"
)

// DefaultMix returns syscall weights for Options.Weights on a: every
// number of a's syscall table gets DefaultMixFloor, plus the recorded
// frequency of its name (defaultmix.go, generated from bench/testdata/mixes).
// The mixes were recorded on x86_64; on other architectures a name carries
// its weight to the number it has there, and names a lacks (newfstatat on
// x86, say) contribute nothing. The map is new on every call; callers may
// change it.
func DefaultMix(a arch.Arch) map[int]float64 {
	table := syscalls.Table(a)
	w := make(map[int]float64, len(table))
	for _, s := range table {
		w[s.Nr] = DefaultMixFloor
	}
	// Sorted, so that names sharing a number add up the same way on every
	// call.
	for _, name := range slices.Sorted(maps.Keys(defaultMix)) {
		if nr, ok := syscalls.Number(a, name); ok {
			w[nr] += defaultMix[name]
		}
	}
	return w
}
