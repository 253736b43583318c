package policydiff

import (
	"fmt"
	"slices"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/syscalls"
)

// Options control Diff.
type Options struct {
	// Arches restricts the comparison to these architectures; empty means
	// every architecture either side covers (x86_64 and x32 go together:
	// they share an audit value). Other architectures are compared as one
	// ("the bad-arch action") unless Arches is set.
	Arches []arch.Arch
	// MaxArgVectors bounds the argument vectors tried per syscall whose
	// decision depends on arguments. Zero means 4096.
	MaxArgVectors int
	// MaxExamples bounds the argument vectors kept per change. Zero means 3.
	MaxExamples int
}

// DefaultOptions compare everything.
var DefaultOptions = Options{}

// Result is what changes from A to B.
type Result struct {
	A, B   string
	Arches []ArchDiff
	// Probes counts the inputs both sides were run on.
	Probes int
}

// Equivalent reports whether no probe told the sides apart.
func (r *Result) Equivalent() bool {
	for _, a := range r.Arches {
		if len(a.Changes) > 0 {
			return false
		}
	}
	return true
}

// ArchDiff is the comparison on one architecture (calling convention).
type ArchDiff struct {
	// Arch is the ABI; arch.Unknown stands for every architecture neither
	// side covers (what each side's bad-arch action does).
	Arch arch.Arch
	// InA, InB say whether each side's filter has rules for Arch (a raw
	// program is taken to cover its native architecture and the default
	// sub-architectures).
	InA, InB bool
	Changes  []Change
}

// Change is one syscall number, or a run of numbers no table names,
// whose action differs.
type Change struct {
	Nr, Last uint32 // Last > Nr for a run of unnamed numbers
	Name     string // "" when no table names Nr on Arch
	// From and To are the actions with all arguments 0 (which is the
	// action for every argument when Conditional is false).
	From, To profile.Action
	// Conditional is set when either side looks at the arguments; then
	// Examples holds argument vectors where the sides differ (the first
	// is all zeros when the sides differ there).
	Conditional bool
	Examples    []ArgExample
	// Differing counts the argument vectors tried that differ, of Tried.
	Differing, Tried int
}

// ArgExample is one argument vector with both sides' actions.
type ArgExample struct {
	Args     [6]uint64
	From, To profile.Action
}

// badArchAudit stands for an architecture no side knows: no Linux
// architecture has audit value 0.
const badArchAudit = 0

// Diff compares two sides on every architecture, syscall number and, where
// either side looks at arguments, argument values: the numbers and values
// are those the policies' rules and the programs' comparisons name, their
// neighbours, and the edges of each range (see numbersFor and
// argCandidates), so two policies that decide differently anywhere decide
// differently on some probe, except where more argument combinations exist
// than opts.MaxArgVectors allows.
func Diff(a, b *Side, opts Options) (*Result, error) {
	if a == nil || b == nil {
		return nil, fmt.Errorf("%w: nil side", ErrInput)
	}
	if opts.MaxArgVectors <= 0 {
		opts.MaxArgVectors = 4096
	}
	if opts.MaxExamples <= 0 {
		opts.MaxExamples = 3
	}
	sides := []*Side{a, b}
	arches := opts.Arches
	if len(arches) == 0 {
		for _, s := range sides {
			for _, x := range s.arches {
				if !slices.Contains(arches, x) {
					arches = append(arches, x)
				}
			}
		}
	}
	// x86_64 and x32 share AUDIT_ARCH_X86_64; probing one without the
	// other would leave half of that value's numbers untried.
	if len(opts.Arches) == 0 {
		if slices.Contains(arches, arch.X86_64) && !slices.Contains(arches, arch.X32) {
			arches = append(arches, arch.X32)
		}
		if slices.Contains(arches, arch.X32) && !slices.Contains(arches, arch.X86_64) {
			arches = append(arches, arch.X86_64)
		}
	}
	slices.Sort(arches)
	res := &Result{A: a.Name, B: b.Name}
	for _, x := range arches {
		ad := ArchDiff{Arch: x, InA: a.covers(x), InB: b.covers(x)}
		audit := x.Audit()
		for _, nr := range numbersFor(x, sides) {
			c, n := compareNr(a, b, x, audit, int32(nr), opts)
			res.Probes += n
			if c != nil {
				ad.Changes = append(ad.Changes, *c)
			}
		}
		ad.Changes = coalesce(ad.Changes)
		res.Arches = append(res.Arches, ad)
	}
	if len(opts.Arches) == 0 {
		ad := ArchDiff{Arch: arch.Unknown}
		fa, fb := a.decide(badArchAudit, 0, [6]uint64{}), b.decide(badArchAudit, 0, [6]uint64{})
		res.Probes++
		if fa != fb {
			ad.Changes = []Change{{From: fa, To: fb}}
		}
		res.Arches = append(res.Arches, ad)
	}
	return res, nil
}

// compareNr compares one (arch, nr) and returns the change, if any, and
// the number of probes run.
func compareNr(a, b *Side, x arch.Arch, audit uint32, nr int32, opts Options) (*Change, int) {
	var zero [6]uint64
	fa, fb := a.decide(audit, nr, zero), b.decide(audit, nr, zero)
	name, _ := syscalls.Name(x, int(nr))
	c := &Change{Nr: uint32(nr), Last: uint32(nr), Name: name, From: fa, To: fb, Tried: 1}
	if fa != fb {
		c.Differing = 1
		c.Examples = append(c.Examples, ArgExample{Args: zero, From: fa, To: fb})
	}
	if !a.conditional(x, audit, nr) && !b.conditional(x, audit, nr) {
		if fa == fb {
			return nil, 1
		}
		c.Examples = nil // the change holds for every argument
		return c, 1
	}
	c.Conditional = true
	vecs := argVectors(argCandidates(x, nr, []*Side{a, b}), opts.MaxArgVectors)
	for _, v := range vecs {
		if v == zero {
			continue
		}
		c.Tried++
		va, vb := a.decide(audit, nr, v), b.decide(audit, nr, v)
		if va != vb {
			c.Differing++
			if len(c.Examples) < opts.MaxExamples {
				c.Examples = append(c.Examples, ArgExample{Args: v, From: va, To: vb})
			}
		}
	}
	if c.Differing == 0 {
		return nil, c.Tried
	}
	return c, c.Tried
}

// coalesce merges runs of consecutive unnamed numbers with the same
// unconditional change.
func coalesce(cs []Change) []Change {
	var out []Change
	for _, c := range cs {
		if n := len(out); n > 0 {
			p := &out[n-1]
			if p.Name == "" && c.Name == "" && !p.Conditional && !c.Conditional &&
				p.From == c.From && p.To == c.To && c.Nr == p.Last+1 {
				p.Last = c.Nr
				p.Tried += c.Tried
				p.Differing += c.Differing
				continue
			}
		}
		out = append(out, c)
	}
	return out
}
