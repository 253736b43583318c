package fuzz

import (
	"errors"
	"math"
	"testing"

	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
)

// compileOptions are the option sets every generated policy is compiled
// with: the default, without block sharing and load removal (the
// optimizer off), and with a search tree balanced by count.
var compileOptions = []struct {
	name string
	opts compile.Options
}{
	{"default", compile.Options{}},
	{"NoShare", compile.Options{NoShare: true}},
	{"Balanced", compile.Options{Balanced: true}},
}

// genWeights returns syscall frequencies for the native architecture of
// pol: for some of the numbers with rules and some without, weights
// spanning many orders of magnitude, and now and then zero, negative,
// infinite or NaN ones, which must change only the shape of the search
// tree, never a decision.
func genWeights(s *Source, pol *profile.Policy) map[int]float64 {
	w := map[int]float64{}
	hostile := s.Chance(1, 8)
	var nrs []int
	for _, sp := range pol.Arch(pol.Arches[0]).Syscalls {
		nrs = append(nrs, sp.Nr)
	}
	for range 1 + s.IntN(32) {
		nr := int(pol.Arches[0].Info().SyscallBit) + s.IntN(600)
		if len(nrs) > 0 && s.Bool() {
			nr = pick(s, nrs)
		}
		v := math.Ldexp(float64(s.Uint32()), s.IntN(64)-40)
		if hostile {
			v = pick(s, []float64{0, -1, math.Inf(1), math.NaN(), math.MaxFloat64, math.SmallestNonzeroFloat64, v})
		}
		w[nr] = v
	}
	return w
}

// compileSeeds are hand-picked inputs: all zeros (one rule, default
// choices), and byte patterns that select each native architecture.
func compileSeeds() [][]byte {
	seeds := [][]byte{{}, {0}}
	for i := range NativeArches {
		seeds = append(seeds,
			[]byte{byte(i), 0, 1, 0, 0, 0, 1, 1, 3, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
			[]byte{byte(i), 1, 3, 1, 1, 1, 1, 6, 2, 1, 49, 6, 0, 5, 0, 3, 6, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14})
	}
	return seeds
}

// FuzzCompile: a generated profile, resolved and compiled three ways,
// decides exactly as the reference on boundary and random inputs.
func FuzzCompile(f *testing.F) {
	for _, s := range compileSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkCompile(t, data)
	})
}

// checkCompile is FuzzCompile's body, shared with the regression tests.
// It reports what became of the input: "parse", "resolve", "too long" or
// "checked".
func checkCompile(t *testing.T, data []byte) string {
	t.Helper()
	s := NewSource(data)
	g := GenerateProfile(s)
	p, err := profile.Parse(g.JSON)
	if err != nil {
		t.Fatalf("Parse refuses a generated profile: %v\n%s", err, g.JSON)
	}
	pol, err := p.Resolve(g.Target)
	if err != nil {
		// runc would refuse it too (EEXIST, EDOM, an architecture runc
		// does not know): a legitimate outcome, as long as it says so
		// (profile.ErrInvalid, as every refusal of a profile).
		if !errors.Is(err, profile.ErrInvalid) {
			t.Fatalf("Resolve fails with an error that does not match ErrInvalid: %v\ntarget %+v\n%s", err, g.Target, g.JSON)
		}
		return "resolve"
	}
	inputs := Inputs(pol, s)
	options := append(compileOptions, struct {
		name string
		opts compile.Options
	}{"Weights", compile.Options{Weights: genWeights(s, pol)}})
	for _, o := range options {
		prog, err := compile.Compile(pol, o.opts)
		if errors.Is(err, compile.ErrTooLong) {
			continue
		}
		if err != nil {
			t.Fatalf("Compile(%s): %v\ntarget %+v\n%s", o.name, err, g.Target, g.JSON)
		}
		if err := compile.Verify(prog.Insns); err != nil {
			t.Fatalf("Compile(%s) returned a program Verify refuses: %v\n%v", o.name, err, prog)
		}
		if err := CheckProgram(pol, prog, inputs); err != nil {
			t.Fatalf("Compile(%s): %v\ntarget %+v\nprofile %s\n%v", o.name, err, g.Target, g.JSON, prog)
		}
	}
	return "checked"
}
