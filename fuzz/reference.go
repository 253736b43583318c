package fuzz

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/syscalls"
)

// Mismatch is one seccomp_data on which a compiled program and the
// reference semantics (profile.Policy.Explain) disagree.
type Mismatch struct {
	// Check names the property: "decision" (the emulated program's return
	// value differs from Decide) or "action cache" (Decide always allows
	// the syscall, but the kernel's seccomp_is_const_allow would not see it).
	Check string
	Data  compile.Data
	Got   profile.Action
	Want  profile.Decision
}

func (m *Mismatch) Error() string {
	return fmt.Sprintf("%s: arch %#x nr %d (%#x) args %#x: program returns %v, reference %v (%s)",
		m.Check, m.Data.Arch, m.Data.Nr, uint32(m.Data.Nr), m.Data.Args, m.Got, m.Want.Action, m.Want.Reason)
}

// Limits on the inputs Inputs generates, to keep one fuzz execution in the
// milliseconds.
const (
	maxVectorsPerSyscall = 160
	randomNumbers        = 8
)

// Inputs returns the seccomp_data a program for pol is checked on: for
// every architecture of the policy, every syscall number any of its
// architectures has a rule for and their neighbours, the numbers around
// runc's ENOSYS limit, the table's end and the x32 bit, and random ones;
// for syscalls with argument conditions, argument vectors that take each
// comparison of the tree both ways, boundary values and random values.
// Foreign architectures (and nonsense audit values) get a few numbers
// each. Instruction pointers are random: no program may read them. The
// choices come from s.Random(), so they stay varied when s runs dry.
func Inputs(pol *profile.Policy, s *Source) []compile.Data {
	s = s.Random()
	ip := s.Uint64()
	var out []compile.Data
	add := func(audit uint32, nr uint32, args [6]uint64) {
		out = append(out, compile.Data{Nr: int32(nr), Arch: audit, InstructionPointer: ip, Args: args})
		ip = ip*6364136223846793005 + 1442695040888963407
	}

	// Every number with a rule on some architecture of the policy, so
	// that overlapping ABIs (x86_64/x32) are tried with each other's.
	var ruled []uint32
	for _, a := range pol.Arches {
		for _, sp := range pol.Arch(a).Syscalls {
			ruled = append(ruled, uint32(sp.Nr))
		}
	}
	slices.Sort(ruled)
	ruled = slices.Compact(ruled)

	for _, a := range pol.Arches {
		ap := pol.Arch(a)
		audit := a.Audit()
		base := a.Info().SyscallBit
		nrs := []uint32{0, 1, base, base + 1, base - 1, 0x3fffffff, 0x40000000, 0x40000001,
			0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff}
		if m := syscalls.Max(a); m >= 0 {
			nrs = append(nrs, uint32(m), uint32(m)+1)
		}
		if ap.ENOSYSAbove >= 0 {
			e := uint32(ap.ENOSYSAbove)
			nrs = append(nrs, e-1, e, e+1, e+2)
		}
		for _, nr := range ruled {
			nrs = append(nrs, nr-1, nr, nr+1, nr^base)
		}
		for range randomNumbers {
			nrs = append(nrs, base+uint32(s.IntN(1100)))
		}
		slices.Sort(nrs)
		nrs = slices.Compact(nrs)
		for _, nr := range nrs {
			sp := ap.Lookup(int(int32(nr)))
			if sp == nil || sp.Tree == nil {
				add(audit, nr, [6]uint64{})
				add(audit, nr, randomArgs(s))
				continue
			}
			for _, v := range argVectors(sp.Tree, s) {
				add(audit, nr, v)
			}
		}
	}

	// Foreign architectures: every audit value the filter does not cover
	// gets the bad-arch action whatever the number.
	audits := map[uint32]bool{}
	for _, a := range pol.Arches {
		audits[a.Audit()] = true
	}
	foreign := []uint32{0, 0xffffffff}
	for _, a := range arch.All() {
		if !audits[a.Audit()] {
			foreign = append(foreign, a.Audit())
		}
	}
	for _, audit := range foreign {
		if audits[audit] {
			continue
		}
		add(audit, 0, [6]uint64{})
		add(audit, uint32(pick(s, ruledOr(ruled))), randomArgs(s))
	}
	return out
}

func ruledOr(r []uint32) []uint32 {
	if len(r) == 0 {
		return []uint32{0}
	}
	return r
}

func randomArgs(s *Source) [6]uint64 {
	var a [6]uint64
	for i := range a {
		a[i] = genValue(s)
	}
	return a
}

// argVectors returns argument vectors for one syscall's argument tree:
// zero, then vectors that follow the BPF's walk of the tree, taking each
// comparison both ways (in an order s chooses) and going on where the walk
// goes on: to the branch's level, to the next node, back to the parent's
// next node; then mixtures of those with each other and with boundary
// and random values.
func argVectors(tree *profile.Level, s *Source) [][6]uint64 {
	out := [][6]uint64{{}}
	budget := maxVectorsPerSyscall / 4
	var explore func(lvl *profile.Level, i int, cur [6]uint64, fall func([6]uint64))
	explore = func(lvl *profile.Level, i int, cur [6]uint64, fall func([6]uint64)) {
		if len(out) >= budget {
			return
		}
		if i == len(lvl.Nodes) {
			fall(cur)
			return
		}
		n := lvl.Nodes[i]
		first := s.Bool()
		for _, want := range []bool{first, !first} {
			v, ok := withWord(cur, n, want)
			if !ok {
				continue
			}
			next, has := n.False, n.HasActF
			if want {
				next, has = n.True, n.HasActT
			}
			switch {
			case next != nil:
				explore(next, 0, v, func(c [6]uint64) { explore(lvl, i+1, c, fall) })
			case has:
				out = append(out, v)
			default:
				explore(lvl, i+1, v, fall)
			}
		}
	}
	explore(tree, 0, [6]uint64{}, func(c [6]uint64) {
		if len(out) < budget {
			out = append(out, c)
		}
	})
	// Conditions on different arguments meet where the walk's vectors
	// are merged: each with every other, when there are few.
	base := len(out)
	merge := func(v, w [6]uint64) [6]uint64 {
		for j := range v {
			if v[j] == 0 {
				v[j] = w[j]
			}
		}
		return v
	}
	if base*(base-1) <= maxVectorsPerSyscall-base-maxVectorsPerSyscall/4 {
		for i := 1; i < base; i++ {
			for j := 1; j < base; j++ {
				if i != j {
					out = append(out, merge(out[i], out[j]))
				}
			}
		}
	}
	for len(out) < maxVectorsPerSyscall {
		v := out[s.IntN(base)]
		i := s.IntN(6)
		switch s.IntN(4) {
		case 0:
			v = merge(v, out[s.IntN(base)])
		case 1:
			v[i] = genValue(s)
		case 2:
			v[i] ^= uint64(1) << s.IntN(64)
		default:
			v = randomArgs(s)
		}
		out = append(out, v)
	}
	return out
}

// withWord sets the word node n compares so that the comparison is want.
// It reports false where no word can (x > 0xffffffff).
func withWord(args [6]uint64, n *profile.Node, want bool) ([6]uint64, bool) {
	w := n.Datum
	switch n.Op {
	case profile.CmpEQ:
		if !want {
			w ^= 1
		}
	case profile.CmpGT:
		if want {
			if w == 0xffffffff {
				return args, false
			}
			w++
		}
	case profile.CmpGE:
		if !want {
			if w == 0 {
				return args, false
			}
			w--
		}
	case profile.CmpMaskedEQ:
		if !want {
			if n.Mask == 0 {
				return args, false
			}
			w ^= n.Mask & -n.Mask // flip the lowest bit the mask keeps
		}
	}
	a := args[n.Arg]
	if n.Hi {
		a = a&0xffffffff | uint64(w)<<32
	} else {
		a = a&^0xffffffff | uint64(w)
	}
	args[n.Arg] = a
	return args, true
}

// CheckProgram runs prog in compile's emulator on every input and compares
// the result with pol.Explain. For inputs that Decide allows whatever the
// arguments, it also checks that the kernel's action-cache analysis
// (compile.ConstAllow) finds the path constant, as DESIGN.md promises. It
// returns the first disagreement as a *Mismatch.
func CheckProgram(pol *profile.Policy, prog *compile.Program, inputs []compile.Data) error {
	order := binary.ByteOrder(binary.LittleEndian)
	if pol.Arches[0].BigEndian() {
		order = binary.BigEndian
	}
	emu, err := compile.NewEmulator(prog.Insns, order)
	if err != nil {
		return fmt.Errorf("emulator refuses the compiled program: %w", err)
	}
	for _, d := range inputs {
		want := pol.Explain(d.Arch, d.Nr, d.Args)
		got := emu.Run(d).Action
		if got != want.Action {
			return &Mismatch{Check: "decision", Data: d, Got: got, Want: want}
		}
		if want.Action == profile.ActAllow && (want.Syscall == nil || want.Syscall.Tree == nil) &&
			!compile.ConstAllow(prog.Insns, d.Arch, d.Nr, order) {
			return &Mismatch{Check: "action cache", Data: d, Got: got, Want: want}
		}
	}
	return nil
}
