package compat

import (
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"slices"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/syscalls"
)

// Input is one seccomp_data the filters are run on (the instruction
// pointer is irrelevant to both sides and left zero).
type Input struct {
	Arch uint32 // AUDIT_ARCH_*
	Nr   uint32
	Args [6]uint64
}

// InputOptions bounds how many argument vectors Inputs makes.
type InputOptions struct {
	// MaxNr: every number 0..MaxNr is tried, and the same with the x32 bit.
	MaxNr uint32
	// Seed makes the random vectors reproducible; the profile's name is
	// mixed in so profiles do not all get the same vectors.
	Seed uint64
	// PairCap bounds the vectors for one pair of argument positions of
	// one syscall; FullCap the full cartesian product over all positions
	// (above it, FullSample random points of it are taken).
	PairCap, FullCap, FullSample int
	// RandomPerCond is the number of random vectors per conditional
	// syscall drawn from the interesting values; RandomPerNr the number of
	// fully random vectors for every number.
	RandomPerCond, RandomPerNr int
}

// DefaultInputOptions gives 10^4 to 10^5 inputs per profile.
func DefaultInputOptions() InputOptions {
	return InputOptions{MaxNr: 1023, Seed: 0x5ecc0c71, PairCap: 4096, FullCap: 8192, FullSample: 2048,
		RandomPerCond: 256, RandomPerNr: 3}
}

// specialValues are tried in every referenced argument position.
var specialValues = []uint64{
	0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 1 << 32, 1<<32 + 1,
	0xffffffff00000000, 0x8000000000000000, ^uint64(0),
}

// extraNrs are numbers beyond 0..MaxNr worth one try each: the x32 and
// sign boundaries, libseccomp's "-1" and ARM's private range.
var extraNrs = []uint32{
	0x3fffffff, 0x7fffffff, 0x80000000, 0xbfffffff, 0xc0000000,
	0xfffffffe, 0xffffffff, 4095, 4096, 0xffff, 0x10000, 0xf0000, 0xf0001, 0xf0002, 0xf0005,
}

// badAudits are architectures that are usually not in a filter.
var badAudits = []uint32{
	0, 0xffffffff,
	arch.X86.Audit(), arch.X86_64.Audit(), arch.AArch64.Audit(), arch.ARM.Audit(),
	arch.S390X.Audit(), arch.RISCV64.Audit(),
}

// Inputs returns the seccomp_data values to compare a filter for pol on:
// for every audit architecture of the filter, every number 0..MaxNr (and
// with the x32 bit, and extraNrs) with zero arguments and RandomPerNr
// random vectors; for syscalls whose decision depends on arguments (in pol
// or in the profile's rules), every interesting value (the rules' values
// ±1 and their word halves, masks, specialValues) in every referenced
// position, pairs of them, and the full product or a sample of it; and a
// few numbers on architectures outside the filter.
func Inputs(pol *profile.Policy, p *profile.Profile, name string, opts InputOptions) []Input {
	h := fnv.New64a()
	h.Write([]byte(name))
	rng := rand.New(rand.NewPCG(opts.Seed, h.Sum64()))

	var out []Input
	var audits []uint32
	for _, a := range pol.Arches {
		if !slices.Contains(audits, a.Audit()) {
			audits = append(audits, a.Audit())
		}
	}
	nrs := make([]uint32, 0, 2*int(opts.MaxNr+1)+len(extraNrs))
	for nr := uint32(0); nr <= opts.MaxNr; nr++ {
		nrs = append(nrs, nr, nr|arch.X32SyscallBit)
	}
	nrs = append(nrs, extraNrs...)
	for _, au := range audits {
		for _, nr := range nrs {
			out = append(out, Input{Arch: au, Nr: nr})
			for range opts.RandomPerNr {
				var in Input
				in.Arch, in.Nr = au, nr
				for i := range in.Args {
					in.Args[i] = randomValue(rng)
				}
				out = append(out, in)
			}
		}
	}
	for _, au := range badAudits {
		if slices.Contains(audits, au) {
			continue
		}
		for _, nr := range []uint32{0, 1, 59, 0x40000000, 0xffffffff} {
			out = append(out, Input{Arch: au, Nr: nr})
		}
	}

	for _, a := range pol.Arches {
		cv := conditionalValues(pol, p, a)
		// Sorted, so the random draws are the same on every run.
		for _, nr := range slices.Sorted(maps.Keys(cv)) {
			out = append(out, argVectors(a.Audit(), uint32(nr), cv[nr], rng, opts)...)
		}
	}
	return out
}

// randomValue draws small, 32-bit and full 64-bit values alike.
func randomValue(rng *rand.Rand) uint64 {
	switch rng.IntN(4) {
	case 0:
		return uint64(rng.IntN(64))
	case 1:
		return uint64(rng.Uint32())
	case 2:
		return specialValues[rng.IntN(len(specialValues))]
	}
	return rng.Uint64()
}

// conditionalValues maps each syscall number on a whose decision may
// depend on arguments to the interesting values per argument position.
func conditionalValues(pol *profile.Policy, p *profile.Profile, a arch.Arch) map[int]map[int][]uint64 {
	out := map[int]map[int][]uint64{}
	add := func(nr, pos int, vs ...uint64) {
		if pos < 0 || pos > 5 {
			return
		}
		if out[nr] == nil {
			out[nr] = map[int][]uint64{}
		}
		out[nr][pos] = append(out[nr][pos], vs...)
	}
	ap := pol.Arch(a)
	if ap == nil {
		return out
	}
	for _, sp := range ap.Syscalls {
		if sp.Tree != nil {
			walkTree(sp.Tree, func(n *profile.Node) {
				add(sp.Nr, n.Arg, nodeValues(n)...)
			})
		}
	}
	// The profile's own conditions, on every number the names map to
	// (including socketcall/ipc), whether or not our policy kept them.
	for _, s := range p.Syscalls {
		if len(s.Args) == 0 {
			continue
		}
		var targets []int
		for _, n := range s.Names {
			if nr, ok := syscalls.Number(a, n); ok {
				targets = append(targets, nr)
			}
			if multiplexed(a, n) {
				if c, ok := syscalls.SocketcallNumber(n); ok {
					if mnr, ok := syscalls.SocketcallNr(a); ok {
						targets = append(targets, mnr)
						add(mnr, 0, expand(uint64(c))...)
					}
				}
				if c, ok := syscalls.IPCNumber(n); ok {
					if mnr, ok := syscalls.IPCNr(a); ok {
						targets = append(targets, mnr)
						add(mnr, 0, expand(uint64(c))...)
					}
				}
			}
		}
		for _, nr := range targets {
			for _, arg := range s.Args {
				vs := expand(arg.Value)
				if arg.Op == profile.OpMaskedEqual {
					vs = append(vs, maskedValues(arg.Value, arg.ValueTwo)...)
				} else {
					vs = append(vs, expand(arg.ValueTwo)...)
				}
				add(nr, int(arg.Index), vs...)
			}
		}
	}
	for nr, byPos := range out {
		for pos, vs := range byPos {
			vs = append(vs, specialValues...)
			slices.Sort(vs)
			byPos[pos] = slices.Compact(vs)
		}
		out[nr] = byPos
	}
	return out
}

func walkTree(l *profile.Level, f func(*profile.Node)) {
	if l == nil {
		return
	}
	for _, n := range l.Nodes {
		f(n)
		walkTree(n.True, f)
		walkTree(n.False, f)
	}
}

// nodeValues are values around one 32-bit word comparison, placed in the
// word the node tests, plus the rule's whole value around which it was
// built.
func nodeValues(n *profile.Node) []uint64 {
	vs := expand(n.DatumFull)
	words := []uint32{n.Datum, n.Datum - 1, n.Datum + 1}
	if n.Op == profile.CmpMaskedEQ {
		low := n.Mask & -n.Mask
		words = append(words, n.Datum|^n.Mask, n.Datum^low, n.Mask, ^n.Mask)
	}
	for _, w := range words {
		if n.Hi {
			vs = append(vs, uint64(w)<<32, uint64(w)<<32|0xffffffff, uint64(w)<<32|uint64(uint32(n.DatumFull)))
		} else {
			vs = append(vs, uint64(w), uint64(w)|1<<32, uint64(w)|0xffffffff00000000, n.DatumFull&^0xffffffff|uint64(w))
		}
	}
	return vs
}

// expand is v with its neighbours and 32-bit variants.
func expand(v uint64) []uint64 {
	return []uint64{v, v - 1, v + 1, v & 0xffffffff, v | 0xffffffff00000000, v + 1<<32, v >> 32}
}

// maskedValues are values around (x & mask) == datum&mask.
func maskedValues(mask, datum uint64) []uint64 {
	d := datum & mask
	low := mask & -mask
	vs := []uint64{d, d | ^mask, d ^ low, mask, ^mask, datum}
	vs = append(vs, expand(d)...)
	return vs
}

// argVectors combines the interesting values of one syscall.
func argVectors(audit, nr uint32, vals map[int][]uint64, rng *rand.Rand, opts InputOptions) []Input {
	positions := make([]int, 0, len(vals))
	for pos := range vals {
		positions = append(positions, pos)
	}
	slices.Sort(positions)
	base := Input{Arch: audit, Nr: nr}
	var out []Input
	for _, p := range positions {
		for _, v := range vals[p] {
			in := base
			in.Args[p] = v
			out = append(out, in)
		}
	}
	for i, p := range positions {
		for _, q := range positions[i+1:] {
			vp, vq := vals[p], vals[q]
			n := len(vp) * len(vq)
			for k := range min(n, opts.PairCap) {
				idx := k
				if n > opts.PairCap {
					idx = rng.IntN(n)
				}
				in := base
				in.Args[p], in.Args[q] = vp[idx%len(vp)], vq[idx/len(vp)]
				out = append(out, in)
			}
		}
	}
	if len(positions) > 2 {
		total := 1
		for _, p := range positions {
			total *= len(vals[p])
			if total > opts.FullCap {
				break
			}
		}
		if total <= opts.FullCap {
			for k := range total {
				in := base
				for _, p := range positions {
					in.Args[p] = vals[p][k%len(vals[p])]
					k /= len(vals[p])
				}
				out = append(out, in)
			}
		} else {
			for range opts.FullSample {
				in := base
				for _, p := range positions {
					in.Args[p] = vals[p][rng.IntN(len(vals[p]))]
				}
				out = append(out, in)
			}
		}
	}
	for range opts.RandomPerCond {
		in := base
		for i := range in.Args {
			if vs, ok := vals[i]; ok && rng.IntN(4) != 0 {
				in.Args[i] = vs[rng.IntN(len(vs))]
			} else {
				in.Args[i] = randomValue(rng)
			}
		}
		out = append(out, in)
	}
	return out
}
