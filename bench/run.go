package bench

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"golang.org/x/net/bpf"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/syscalls"
)

// RunOptions says what Run measures.
type RunOptions struct {
	// Profiles are built-in profile names (ProfileNames); nil means all.
	Profiles []string
	// Native is the architecture profiles are resolved for; Unknown means
	// x86_64, where the mixes were recorded.
	Native arch.Arch
	// Mixes weight the emulated cost; nil means Mixes().
	Mixes []*Mix
	// CompileSpeed times JSON → raw program with testing.Benchmark.
	CompileSpeed bool
	// Libseccomp builds testdata/libseccomp/lsc-export.c and measures
	// libseccomp's programs with OPTIMIZE=1 and 2, each behind runc's
	// ENOSYS stub, beside ours.
	Libseccomp bool
	// Raw are other compilers' programs to measure beside ours.
	Raw []RawProgram
	// Kernel runs the real-kernel benchmark on KernelProfile's programs.
	Kernel        bool
	KernelProfile string
	KernelOptions KernelOptions
	// KernelCalls default to DefaultKernelCalls.
	KernelCalls []KernelCall
}

// DefaultRunOptions measure everything but the kernel.
var DefaultRunOptions = RunOptions{CompileSpeed: true, Libseccomp: true, KernelProfile: DockerDefault, KernelOptions: DefaultKernelOptions}

// RawProgram is another compiler's program for one of the profiles.
type RawProgram struct {
	// Profile is the built-in profile it was compiled from; "" means the
	// first one measured. It is measured on that profile's architectures.
	Profile string
	Name    string
	Insns   []bpf.RawInstruction
	// RuncStub prepends runc's ENOSYS stub, with the limits of the
	// profile, as runc does to libseccomp's output before loading it.
	RuncStub bool
}

// Variant is one program measured for a profile.
type Variant struct {
	Name string
	// Ours is true for seccompctl's programs.
	Ours bool
	// Weights names the mix the tree was weighted by ("" for none).
	Weights string
	Insns   []bpf.RawInstruction
	// Cost is nil when the program could not be measured; Err says why.
	Cost *Cost
	Err  string
	// NativeLen is the length of the same compiler's program for the
	// native architecture alone (0 when not measured).
	NativeLen int
	// WeightedOnly marks a variant whose Cost holds only the weighted
	// means of the native architecture (VariantLeaveOneOut).
	WeightedOnly bool
}

// CompileSpeed is one testing.Benchmark result.
type CompileSpeed struct {
	NsPerOp int64
	// CPUNsPerOp is CPU time per operation, all threads (GC included):
	// unlike NsPerOp it does not grow when other processes hold the CPU.
	CPUNsPerOp  int64
	BytesPerOp  int64
	AllocsPerOp int64
	N           int
}

// ProfileReport holds the measurements of one profile.
type ProfileReport struct {
	Name     string
	Arches   []arch.Arch
	Variants []*Variant
	// Skipped are names the libseccomp helper did not know.
	Skipped []string
	Compile *CompileSpeed

	stubLimits []StubLimit
}

// Variant returns the variant called name, or nil.
func (p *ProfileReport) Variant(name string) *Variant {
	for _, v := range p.Variants {
		if v.Name == name {
			return v
		}
	}
	return nil
}

// Report is everything one Run measured.
type Report struct {
	Env               Environment
	Native            arch.Arch
	Mixes             []*Mix
	LibseccompVersion string
	Profiles          []*ProfileReport
	KernelProfile     string
	Kernel            *KernelResult
}

// Profile returns the report of a profile, or nil.
func (r *Report) Profile(name string) *ProfileReport {
	for _, p := range r.Profiles {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Names of the variants Run measures.
const (
	// VariantDefault is compiled with the default options: weighted by
	// compile.DefaultMix, the blend of all the mixes (see
	// VariantLeaveOneOut for the same recipe on unseen workloads).
	VariantDefault  = "seccompctl"
	VariantBalanced = "seccompctl -balanced"
	// VariantUncachedOnly weighs only the calls Linux ≥ 5.11's action
	// cache does not absorb (compile.Options.UncachedOnly).
	VariantUncachedOnly = "seccompctl -uncached-only"
	VariantLibOpt1      = "libseccomp opt1 + runc stub"
	VariantLibOpt2      = "libseccomp opt2 + runc stub"
	// KernelUncachedFloor names the AllowAllUncached filter in kernel
	// results.
	KernelUncachedFloor = "allow-all, uncacheable (ld args[0]; ret ALLOW)"
	// VariantLeaveOneOut is the default mix's blend rebuilt without the
	// mix being measured: how the built-in mix does on a workload it has
	// not seen. Each column comes from a different program, so the
	// variant has weighted means only.
	VariantLeaveOneOut = "seccompctl -weights blend of the other mixes"
	variantMixPrefix   = "seccompctl -weights "
)

// Run measures what opts ask for.
func Run(opts RunOptions) (*Report, error) {
	if opts.Native == arch.Unknown {
		opts.Native = arch.X86_64
	}
	if opts.Profiles == nil {
		opts.Profiles = ProfileNames()
	}
	if len(opts.Profiles) == 0 {
		return nil, errors.New("bench: no profile to measure")
	}
	if opts.Mixes == nil {
		m, err := Mixes()
		if err != nil {
			return nil, err
		}
		opts.Mixes = m
	}
	rep := &Report{Env: environment(), Native: opts.Native, Mixes: opts.Mixes}
	defer func() { rep.Env.LoadEnd = loadavg() }()
	var lsc *Libseccomp
	if opts.Libseccomp {
		dir, err := os.MkdirTemp("", "seccompbench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		if lsc, err = BuildLibseccomp(dir); err != nil {
			return nil, err
		}
		rep.LibseccompVersion = lsc.Version()
	}
	for _, raw := range opts.Raw {
		if raw.Profile != "" && !slices.Contains(opts.Profiles, raw.Profile) {
			return nil, fmt.Errorf("bench: raw program %s is for profile %q, which is not measured", raw.Name, raw.Profile)
		}
	}
	for i, name := range opts.Profiles {
		pr, err := measureProfile(name, opts, lsc)
		if err != nil {
			return nil, err
		}
		for _, raw := range opts.Raw {
			if raw.Profile == name || raw.Profile == "" && i == 0 {
				insns := raw.Insns
				if raw.RuncStub {
					if insns, err = RuncStub(insns, pr.stubLimits); err != nil {
						return nil, err
					}
				}
				pr.Variants = append(pr.Variants, measureVariant(&Variant{Name: raw.Name, Insns: insns}, pr.Arches, opts.Mixes))
			}
		}
		rep.Profiles = append(rep.Profiles, pr)
	}
	if opts.Kernel {
		kp := rep.Profile(opts.KernelProfile)
		if kp == nil {
			return nil, fmt.Errorf("bench: kernel profile %q is not measured", opts.KernelProfile)
		}
		calls := opts.KernelCalls
		if calls == nil {
			calls = DefaultKernelCalls
		}
		variants := []KernelVariant{{Name: "no filter"}, {Name: "allow-all (floor)", Insns: AllowAll()},
			{Name: KernelUncachedFloor, Insns: AllowAllUncached()}}
		for _, v := range kp.Variants {
			if v.Cost == nil || v.Ours && v.Name != VariantDefault {
				continue
			}
			variants = append(variants, KernelVariant{Name: v.Name, Insns: v.Insns})
		}
		res, err := MeasureKernel(variants, calls, opts.KernelOptions)
		if err != nil {
			return nil, err
		}
		rep.KernelProfile, rep.Kernel = kp.Name, res
	}
	return rep, nil
}

func measureProfile(name string, opts RunOptions, lsc *Libseccomp) (*ProfileReport, error) {
	data, err := ProfileJSON(name)
	if err != nil {
		return nil, err
	}
	p, err := profile.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("bench: %s: %w", name, err)
	}
	t := Target(opts.Native)
	pol, err := p.Resolve(t)
	if err != nil {
		return nil, fmt.Errorf("bench: %s: %w", name, err)
	}
	// The same profile for the native architecture alone: no archMap entry
	// and no list leave only the native one.
	alone := *p
	alone.ArchMap, alone.Architectures = nil, nil
	polAlone, err := alone.Resolve(t)
	if err != nil {
		return nil, fmt.Errorf("bench: %s alone: %w", name, err)
	}
	pr := &ProfileReport{Name: name, Arches: pol.Arches, stubLimits: StubLimits(pol)}
	if opts.CompileSpeed {
		cs, err := compileSpeed(data, t)
		if err != nil {
			return nil, fmt.Errorf("bench: %s: %w", name, err)
		}
		pr.Compile = cs
	}

	type ours struct {
		name, weights string
		opts          compile.Options
		alone         bool
	}
	list := []ours{
		{name: VariantDefault, alone: true},
		{name: VariantBalanced, opts: compile.Options{Balanced: true}, alone: true},
		{name: VariantUncachedOnly, opts: compile.Options{UncachedOnly: true}, alone: true},
	}
	for _, m := range opts.Mixes {
		if m.Arch != opts.Native {
			continue
		}
		w, _ := m.Numbers(opts.Native)
		list = append(list, ours{name: variantMixPrefix + m.Name, weights: m.Name, opts: compile.Options{Weights: w}})
	}
	for _, o := range list {
		prog, err := compile.Compile(pol, o.opts)
		if err != nil {
			return nil, fmt.Errorf("bench: %s: %s: %w", name, o.name, err)
		}
		v := &Variant{Name: o.name, Ours: true, Weights: o.weights, Insns: prog.Insns}
		if o.alone {
			progAlone, err := compile.Compile(polAlone, o.opts)
			if err != nil {
				return nil, fmt.Errorf("bench: %s alone: %s: %w", name, o.name, err)
			}
			v.NativeLen = len(progAlone.Insns)
		}
		pr.Variants = append(pr.Variants, measureVariant(v, pol.Arches, opts.Mixes))
	}

	if loo, err := leaveOneOut(pol, opts.Native, opts.Mixes); err != nil {
		return nil, fmt.Errorf("bench: %s: %w", name, err)
	} else if loo != nil {
		pr.Variants = append(pr.Variants, loo)
	}

	if lsc != nil {
		rules, err := RuncRules(p, t)
		if err != nil {
			return nil, err
		}
		rulesAlone, err := RuncRules(&alone, t)
		if err != nil {
			return nil, err
		}
		for _, l := range []struct {
			name string
			opt  int
		}{{VariantLibOpt1, 1}, {VariantLibOpt2, 2}} {
			v := &Variant{Name: l.name}
			insns, skipped, err := lsc.Export(rules, l.opt)
			if err != nil {
				v.Err = err.Error()
				pr.Variants = append(pr.Variants, v)
				continue
			}
			pr.Skipped = skipped
			if v.Insns, err = RuncStub(insns, StubLimits(pol)); err != nil {
				return nil, err
			}
			if insnsAlone, _, err := lsc.Export(rulesAlone, l.opt); err == nil {
				if full, err := RuncStub(insnsAlone, StubLimits(polAlone)); err == nil {
					v.NativeLen = len(full)
				}
			}
			pr.Variants = append(pr.Variants, measureVariant(v, pol.Arches, opts.Mixes))
		}
	}
	return pr, nil
}

// leaveOneOut measures, for each mix of the native architecture, the
// program weighted by the blend of the other mixes (with DefaultMixFloor)
// on that mix alone. It returns nil with fewer than two such mixes.
func leaveOneOut(pol *profile.Policy, native arch.Arch, mixes []*Mix) (*Variant, error) {
	var own []*Mix
	for _, m := range mixes {
		if m.Arch == native {
			own = append(own, m)
		}
	}
	if len(own) < 2 {
		return nil, nil
	}
	ac := ArchCost{Arch: native, Weighted: map[string]float64{}, WeightedCached: map[string]float64{}}
	for i, m := range own {
		others := append(append([]*Mix(nil), own[:i]...), own[i+1:]...)
		w := map[int]float64{}
		for _, s := range syscalls.Table(native) {
			w[s.Nr] = DefaultMixFloor
		}
		for name, f := range Blend(others) {
			if nr, ok := syscalls.Number(native, name); ok {
				w[nr] += f
			}
		}
		prog, err := compile.Compile(pol, compile.Options{Weights: w})
		if err != nil {
			return nil, err
		}
		c, err := Measure(Subject{Name: VariantLeaveOneOut, Insns: prog.Insns, Arches: []arch.Arch{native}}, []*Mix{m})
		if err != nil {
			return nil, err
		}
		ac.Weighted[m.Name] = c.Arches[0].Weighted[m.Name]
		ac.WeightedCached[m.Name] = c.Arches[0].WeightedCached[m.Name]
	}
	return &Variant{Name: VariantLeaveOneOut, Ours: true, Weights: "others", WeightedOnly: true,
		Cost: &Cost{Subject: VariantLeaveOneOut, Arches: []ArchCost{ac}}}, nil
}

// measureVariant fills v.Cost, or v.Err for a program the emulator
// refuses (libseccomp does not stop at the kernel's 4096 instructions).
func measureVariant(v *Variant, arches []arch.Arch, mixes []*Mix) *Variant {
	c, err := Measure(Subject{Name: v.Name, Insns: v.Insns, Arches: arches}, mixes)
	if err != nil {
		v.Err = err.Error()
		return v
	}
	v.Cost = c
	return v
}

func compileSpeed(data []byte, t profile.Target) (*CompileSpeed, error) {
	// One run outside the timing catches errors.
	if _, err := CompileJSON(data, t, compile.DefaultOptions); err != nil {
		return nil, err
	}
	var cpu time.Duration
	r := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		start := cpuTime()
		for b.Loop() {
			if _, err := CompileJSON(data, t, compile.DefaultOptions); err != nil {
				b.Fatal(err)
			}
		}
		cpu = cpuTime() - start
	})
	return &CompileSpeed{NsPerOp: r.NsPerOp(), CPUNsPerOp: int64(cpu) / int64(max(r.N, 1)),
		BytesPerOp: r.AllocedBytesPerOp(), AllocsPerOp: r.AllocsPerOp(), N: r.N}, nil
}
