package policydiff

import (
	"slices"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/syscalls"
)

// probeRange is how many numbers from the start of an ABI's numbering are
// tried, whether or not the tables name them (new syscalls, runc's ENOSYS
// boundary).
const probeRange = 1024

// abiBase is where an ABI's syscall numbers start: 0, 4000/5000/6000 on
// mips, X32SyscallBit on x32.
func abiBase(a arch.Arch) uint32 {
	if a == arch.X32 {
		return arch.X32SyscallBit
	}
	t := syscalls.Table(a)
	if len(t) == 0 {
		return 0
	}
	return uint32(t[0].Nr) / 1000 * 1000
}

// numbersFor returns the syscall numbers to try on a: the first
// probeRange of the ABI, every number the tables name and its
// neighbours, the boundaries of runc's ENOSYS rule, the numbers a program
// compares nr with and their neighbours, and numbers at the edges of the
// 32-bit space. Only numbers that belong to a's ABI are kept (x86_64 and
// x32 share an audit value and split on bit 30).
func numbersFor(a arch.Arch, sides []*Side) []uint32 {
	set := map[uint32]struct{}{}
	add := func(vs ...uint32) {
		for _, v := range vs {
			set[v] = struct{}{}
		}
	}
	near := func(v uint32) { add(v-1, v, v+1) }
	base := abiBase(a)
	for i := uint32(0); i < probeRange; i++ {
		add(base + i)
	}
	for _, s := range syscalls.Table(a) {
		near(uint32(s.Nr))
	}
	near(uint32(syscalls.Max(a)) + 1)
	for _, s := range sides {
		if s.pol != nil {
			if ap := s.pol.Arch(a); ap != nil {
				if ap.ENOSYSAbove >= 0 {
					near(uint32(ap.ENOSYSAbove))
				}
				for _, sp := range ap.Syscalls {
					near(uint32(sp.Nr))
				}
			}
		}
		for _, k := range s.consts.nr {
			near(k)
		}
	}
	add(0, 0x3fffffff, 0x40000000, 0x40000001, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff)
	out := make([]uint32, 0, len(set))
	for v := range set {
		if abiOf(a, v) == a {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

// abiOf is the architecture a number is labelled with under a's audit
// value: x32 for numbers with bit 30 under AUDIT_ARCH_X86_64 (the all-ones
// number -1 stays with x86_64, where the filter treats it specially).
func abiOf(a arch.Arch, nr uint32) arch.Arch {
	if a != arch.X86_64 && a != arch.X32 {
		return a
	}
	if nr&arch.X32SyscallBit != 0 && nr != 0xffffffff {
		return arch.X32
	}
	return arch.X86_64
}

// wordSet collects candidate values for one 32-bit word.
type wordSet map[uint32]struct{}

func (w wordSet) near(v uint32) { w[v-1], w[v], w[v+1] = struct{}{}, struct{}{}, struct{}{} }

// masked adds values that do and do not match (x & mask) == datum.
func (w wordSet) masked(mask, datum uint32) {
	d := datum & mask
	w[d] = struct{}{}
	w[d|^mask] = struct{}{}
	if mask != 0 {
		low := mask & -mask
		high := uint32(1) << 31
		for high&mask == 0 {
			high >>= 1
		}
		w[d^low] = struct{}{}
		w[d^high] = struct{}{}
	}
}

// argCandidates returns, per argument index, the 64-bit values to try for
// (a, nr): built from the words the policies' argument trees and the
// programs' comparisons name, each with its neighbours, and 0 and all
// ones; an argument nothing compares is only tried as 0. On 32-bit ABIs only the low word reaches the filter and the high
// word is 0.
func argCandidates(a arch.Arch, nr int32, sides []*Side) [6][]uint64 {
	var lo, hi [6]wordSet
	for i := range lo {
		lo[i], hi[i] = wordSet{}, wordSet{}
	}
	var walk func(l *profile.Level)
	walk = func(l *profile.Level) {
		if l == nil {
			return
		}
		for _, n := range l.Nodes {
			w := lo[n.Arg]
			if n.Hi {
				w = hi[n.Arg]
			}
			if n.Op == profile.CmpMaskedEQ {
				w.masked(n.Mask, n.Datum)
			} else {
				w.near(n.Datum)
			}
			walk(n.True)
			walk(n.False)
		}
	}
	bigEndian := a.BigEndian()
	for _, s := range sides {
		walk(s.tree(a, nr))
		for off, cs := range s.consts.words {
			idx := (off - 16) / 8
			isHi := (off%8 == 4) != bigEndian
			for _, c := range cs {
				w := lo[idx]
				if isHi {
					w = hi[idx]
				}
				if c.mask != 0xffffffff {
					w.masked(c.mask, c.k)
				}
				w.near(c.k)
			}
		}
		for _, k := range s.consts.anywhere {
			for i := range lo {
				lo[i].near(k)
				hi[i].near(k)
			}
		}
	}
	var out [6][]uint64
	for i := range out {
		if len(lo[i]) == 0 && len(hi[i]) == 0 {
			out[i] = []uint64{0} // nothing looks at this argument
			continue
		}
		for _, w := range []wordSet{lo[i], hi[i]} {
			w[0], w[0xffffffff] = struct{}{}, struct{}{}
		}
		his := []uint32{0}
		if a.Is64Bit() {
			his = sortedWords(hi[i])
		}
		for _, h := range his {
			for _, l := range sortedWords(lo[i]) {
				out[i] = append(out[i], uint64(h)<<32|uint64(l))
			}
		}
	}
	return out
}

func sortedWords(w wordSet) []uint32 {
	out := make([]uint32, 0, len(w))
	for v := range w {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

// argVectors combines per-argument candidates into at most max vectors:
// every combination when there are few enough; otherwise every single
// argument varied with the others 0, every pair of arguments varied
// together, and then evenly spread combinations up to max.
func argVectors(cands [6][]uint64, max int) [][6]uint64 {
	total := 1
	for _, c := range cands {
		total *= len(c)
		if total > max {
			break
		}
	}
	var out [][6]uint64
	if total <= max {
		var rec func(i int, v [6]uint64)
		rec = func(i int, v [6]uint64) {
			if i == 6 {
				out = append(out, v)
				return
			}
			for _, x := range cands[i] {
				v[i] = x
				rec(i+1, v)
			}
		}
		rec(0, [6]uint64{})
		return out
	}
	seen := map[[6]uint64]bool{}
	push := func(v [6]uint64) {
		if !seen[v] && len(out) < max {
			seen[v] = true
			out = append(out, v)
		}
	}
	push([6]uint64{})
	for i := range cands {
		for _, x := range cands[i] {
			var v [6]uint64
			v[i] = x
			push(v)
		}
	}
	for i := range cands {
		for j := i + 1; j < 6; j++ {
			for _, x := range cands[i] {
				for _, y := range cands[j] {
					var v [6]uint64
					v[i], v[j] = x, y
					push(v)
				}
			}
		}
	}
	// Deterministic spread over the full product.
	var state uint64 = 0x9e3779b97f4a7c15
	for tries := 0; len(out) < max && tries < 4*max; tries++ {
		var v [6]uint64
		for i := range v {
			state ^= state << 13
			state ^= state >> 7
			state ^= state << 17
			v[i] = cands[i][state%uint64(len(cands[i]))]
		}
		push(v)
	}
	return out
}
