package bench

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/seccompctl/seccompctl/arch"
)

// Targets are issue 7's goals for Docker's default profile on x86_64 with
// x86 and x32.
var Targets = struct {
	Len, NativeLen         int
	Mean                   float64
	Max                    int
	Weighted               float64
	KernelDeltaNs          float64
	CompileNs, CompileByte int64
}{Len: 330, NativeLen: 100, Mean: 10.5, Max: 16, Weighted: 7, KernelDeltaNs: 10, CompileNs: 300000, CompileByte: 300 << 10}

// WriteMarkdown writes the report as the Markdown tables of README.md.
func WriteMarkdown(w io.Writer, r *Report) error {
	var b strings.Builder
	e := r.Env
	fmt.Fprintf(&b, "Measured %s on %s, %d × %s, %s; load average %s at the start, %s at the end.",
		e.Date.Format("2006-01-02 15:04 MST"), e.Kernel, e.CPUs, e.CPU, e.Go, e.LoadStart, e.LoadEnd)
	if r.LibseccompVersion != "" {
		fmt.Fprintf(&b, " libseccomp %s.", r.LibseccompVersion)
	}
	b.WriteString("\n\n")
	writeCompile(&b, r)
	for _, p := range r.Profiles {
		writeCost(&b, r, p)
	}
	if r.Kernel != nil {
		writeKernel(&b, r)
	}
	for _, p := range r.Profiles {
		writeVersus(&b, r, p)
	}
	if p := r.Profile(DockerDefault); p != nil {
		writeTargets(&b, r, p)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func row(b *strings.Builder, cells ...string) {
	b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
}

func header(b *strings.Builder, cells ...string) {
	row(b, cells...)
	seps := make([]string, len(cells))
	for i := range seps {
		seps[i] = "---"
		if i > 0 {
			seps[i] = "---:"
		}
	}
	row(b, seps...)
}

func writeCompile(b *strings.Builder, r *Report) {
	if len(r.Profiles) == 0 || r.Profiles[0].Compile == nil {
		return
	}
	fmt.Fprintf(b, "### Compile: JSON → raw program (%s, Docker's caps, Linux %s)\n\n", r.Native, DefaultKernel)
	header(b, "profile", "µs/op", "CPU µs/op", "KB/op", "allocs/op", "instructions")
	for _, p := range r.Profiles {
		if p.Compile == nil {
			continue
		}
		n := ""
		if v := p.Variant(VariantDefault); v != nil {
			n = fmt.Sprint(len(v.Insns))
		}
		row(b, p.Name, fmt.Sprintf("%.0f", float64(p.Compile.NsPerOp)/1e3), fmt.Sprintf("%.0f", float64(p.Compile.CPUNsPerOp)/1e3),
			fmt.Sprintf("%.0f", float64(p.Compile.BytesPerOp)/1024),
			fmt.Sprint(p.Compile.AllocsPerOp), n)
	}
	b.WriteString("\n")
}

func archNames(as []arch.Arch) string {
	var s []string
	for _, a := range as {
		s = append(s, a.ShortName())
	}
	return strings.Join(s, " + ")
}

func writeCost(b *strings.Builder, r *Report, p *ProfileReport) {
	fmt.Fprintf(b, "### %s: size and instructions executed per syscall (%s)\n\n", p.Name, archNames(p.Arches))
	b.WriteString("Every number of each ABI's syscall table, zero arguments. \"cached=0\": the syscalls the kernel's action cache absorbs cost nothing (Linux ≥ 5.11; x32 is never cached).\n\n")
	cells := []string{"program", "insns", r.Native.ShortName() + " alone"}
	for _, a := range p.Arches {
		cells = append(cells, a.ShortName()+" mean", a.ShortName()+" max")
	}
	cells = append(cells, r.Native.ShortName()+" mean, cached=0")
	header(b, cells...)
	for _, v := range p.Variants {
		if v.WeightedOnly {
			continue
		}
		cells := []string{v.Name}
		if v.Cost == nil {
			row(b, append(cells, "error: "+v.Err)...)
			continue
		}
		alone := ""
		if v.NativeLen > 0 {
			alone = fmt.Sprint(v.NativeLen)
		}
		cells = append(cells, fmt.Sprint(v.Cost.Len), alone)
		for _, ac := range v.Cost.Arches {
			cells = append(cells, fmt.Sprintf("%.2f", ac.Mean), fmt.Sprintf("%d (%s)", ac.Max, ac.MaxName))
		}
		if ac := v.Cost.Arch(r.Native); ac != nil {
			cells = append(cells, fmt.Sprintf("%.2f", ac.CachedMean))
		}
		row(b, cells...)
	}
	b.WriteString("\n")
	if len(p.Skipped) > 0 {
		fmt.Fprintf(b, "libseccomp %s did not know %s; runc skips such names, so its program denies them.\n\n", r.LibseccompVersion, strings.Join(p.Skipped, ", "))
	}
	for _, cached := range []bool{false, true} {
		title := "every call runs the filter"
		if cached {
			title = "cached syscalls cost 0"
		}
		fmt.Fprintf(b, "#### %s: call-weighted mean on %s, %s\n\n", p.Name, r.Native.ShortName(), title)
		cells := []string{"program"}
		for _, m := range r.Mixes {
			cells = append(cells, m.Name)
		}
		header(b, append(cells, "worst")...)
		for _, v := range p.Variants {
			if v.Cost == nil {
				continue
			}
			ac := v.Cost.Arch(r.Native)
			if ac == nil || ac.Weighted == nil {
				continue
			}
			cells := []string{v.Name}
			worst := 0.0
			for _, m := range r.Mixes {
				x := ac.Weighted[m.Name]
				if cached {
					x = ac.WeightedCached[m.Name]
				}
				worst = math.Max(worst, x)
				s := fmt.Sprintf("%.2f", x)
				if v.Weights == m.Name {
					s = "*" + s + "*"
				}
				cells = append(cells, s)
			}
			row(b, append(cells, fmt.Sprintf("%.2f", worst))...)
		}
		b.WriteString("\n")
	}
	b.WriteString("Italics: the mix the tree was weighted by (trained and measured on the same calls). \"" + VariantLeaveOneOut + "\": each column is measured on a program weighted by the blend of the other mixes, the default mix's recipe without the mix being measured.\n\n")
}

func writeKernel(b *strings.Builder, r *Report) {
	k := r.Kernel
	fmt.Fprintf(b, "### Real kernel: ns per syscall in a child process (%s)\n\n", r.KernelProfile)
	b.WriteString("Median over repetitions of the fastest timed loop in each (interquartile range in parentheses); Δ is the difference of medians to the allow-all floor measured in the same run. The allow-all filter is cached for every syscall; the uncacheable one shows what running any filter costs.\n\n")
	cells := []string{"filter"}
	for _, c := range k.Calls {
		cells = append(cells, c.Label, "Δ floor")
	}
	header(b, cells...)
	floor := "allow-all (floor)"
	for v, name := range k.Variants {
		cells := []string{name}
		for c := range k.Calls {
			s := k.Samples[v][c]
			cell := fmt.Sprintf("%.0f (%.0f)", s.Median(), s.Spread())
			if s.Errno != 0 {
				cell += " " + errnoName(s.Errno)
			}
			delta := ""
			if f := k.Sample(floor, s.Call); f != nil && name != floor {
				delta = fmt.Sprintf("%+.0f", s.Median()-f.Median())
			}
			cells = append(cells, cell, delta)
		}
		row(b, cells...)
	}
	b.WriteString("\n")
}

func errnoName(e interface{ Error() string }) string {
	switch e.Error() {
	case "operation not permitted":
		return "EPERM"
	case "bad file descriptor":
		return "EBADF"
	case "function not implemented":
		return "ENOSYS"
	}
	return e.Error()
}

func writeTargets(b *strings.Builder, r *Report, p *ProfileReport) {
	fmt.Fprintf(b, "### Issue 7 targets (%s, %s)\n\n", p.Name, archNames(p.Arches))
	var cols []string
	for _, c := range []string{VariantDefault, VariantLibOpt2} {
		if p.Variant(c) != nil {
			cols = append(cols, c)
		}
	}
	header(b, append(append([]string{"target"}, cols...), "gap")...)
	type target struct {
		name string
		get  func(v *Variant) (float64, bool)
		goal float64
		unit string
	}
	native := func(v *Variant) *ArchCost {
		if v == nil || v.Cost == nil {
			return nil
		}
		return v.Cost.Arch(r.Native)
	}
	targets := []target{
		{"instructions, all arches ≤ 330", func(v *Variant) (float64, bool) { return float64(len(v.Insns)), v.Cost != nil }, float64(Targets.Len), ""},
		{fmt.Sprintf("instructions, %s alone ≤ 100", r.Native.ShortName()), func(v *Variant) (float64, bool) { return float64(v.NativeLen), v.NativeLen > 0 }, float64(Targets.NativeLen), ""},
		{"mean executed ≤ 10.5", func(v *Variant) (float64, bool) {
			ac := native(v)
			return ac.safeMean(), ac != nil
		}, Targets.Mean, ""},
		{"max executed ≤ 16", func(v *Variant) (float64, bool) {
			ac := native(v)
			if ac == nil {
				return 0, false
			}
			return float64(ac.Max), true
		}, float64(Targets.Max), ""},
	}
	for _, m := range r.Mixes {
		targets = append(targets, target{"weighted mean ≤ 7, " + m.Name, func(v *Variant) (float64, bool) {
			ac := native(v)
			if ac == nil || ac.Weighted == nil {
				return 0, false
			}
			return ac.Weighted[m.Name], true
		}, Targets.Weighted, ""})
	}
	for _, t := range targets {
		cells := []string{t.name}
		var gaps []string
		for _, c := range cols {
			v := p.Variant(c)
			if v == nil {
				cells = append(cells, "")
				continue
			}
			x, ok := t.get(v)
			if !ok {
				cells = append(cells, "")
				continue
			}
			cells = append(cells, trim(x))
			if v.Ours {
				gaps = append(gaps, gap(x, t.goal))
			}
		}
		row(b, append(cells, strings.Join(gaps, " / "))...)
	}
	if r.Kernel != nil {
		for _, call := range r.Kernel.Calls {
			cells := []string{fmt.Sprintf("kernel: %s within 10 ns of the floor", call.Label)}
			f := r.Kernel.Sample("allow-all (floor)", call.Label)
			var gaps []string
			for _, c := range cols {
				s := r.Kernel.Sample(c, call.Label)
				if s == nil || f == nil {
					cells = append(cells, "")
					continue
				}
				d := s.Median() - f.Median()
				cells = append(cells, fmt.Sprintf("%+.0f ns", d))
				if v := p.Variant(c); v != nil && v.Ours {
					gaps = append(gaps, gap(d, Targets.KernelDeltaNs))
				}
			}
			row(b, append(cells, strings.Join(gaps, " / "))...)
		}
		for _, call := range r.Kernel.Calls {
			u := r.Kernel.Sample(KernelUncachedFloor, call.Label)
			if u == nil {
				continue
			}
			cells := []string{fmt.Sprintf("(no target) kernel: %s over the uncacheable floor", call.Label)}
			for _, c := range cols {
				s := r.Kernel.Sample(c, call.Label)
				if s == nil {
					cells = append(cells, "")
					continue
				}
				cells = append(cells, fmt.Sprintf("%+.0f ns", s.Median()-u.Median()))
			}
			row(b, append(cells, "")...)
		}
	}
	if p.Compile != nil {
		pad := make([]string, max(len(cols)-1, 0))
		cpu := float64(p.Compile.CPUNsPerOp) / 1e3
		row(b, append(append([]string{"compile ≤ 300 µs (CPU time; wall clock in parentheses)",
			fmt.Sprintf("%.0f µs (%.0f)", cpu, float64(p.Compile.NsPerOp)/1e3)}, pad...),
			gap(cpu, float64(Targets.CompileNs)/1e3))...)
		row(b, append(append([]string{"compile ≤ 300 KB allocated", fmt.Sprintf("%.0f KB", float64(p.Compile.BytesPerOp)/1024)}, pad...),
			gap(float64(p.Compile.BytesPerOp)/1024, float64(Targets.CompileByte)/1024))...)
	}
	b.WriteString("\n")
}

func (ac *ArchCost) safeMean() float64 {
	if ac == nil {
		return 0
	}
	return ac.Mean
}

func trim(x float64) string {
	if x == math.Trunc(x) {
		return fmt.Sprint(int64(x))
	}
	return fmt.Sprintf("%.2f", x)
}

// gap says how far x is above goal ("met" when it is not).
func gap(x, goal float64) string {
	if x <= goal {
		return "met"
	}
	return "+" + trim(x-goal)
}

// writeVersus puts libseccomp's numbers beside ours as ratios: how many
// times more libseccomp's program costs.
func writeVersus(b *strings.Builder, r *Report, p *ProfileReport) {
	ours := p.Variant(VariantDefault)
	if ours == nil || ours.Cost == nil {
		return
	}
	var theirs []*Variant
	for _, v := range p.Variants {
		if !v.Ours && v.Cost != nil {
			theirs = append(theirs, v)
		}
	}
	if len(theirs) == 0 {
		return
	}
	fmt.Fprintf(b, "### %s: other compilers ÷ seccompctl, same run\n\n", p.Name)
	cells := []string{"metric", VariantDefault}
	for _, v := range theirs {
		cells = append(cells, v.Name, "×")
	}
	header(b, cells...)
	type metric struct {
		name string
		get  func(v *Variant) (float64, bool)
	}
	nat := func(v *Variant) *ArchCost { return v.Cost.Arch(r.Native) }
	metrics := []metric{
		{"instructions", func(v *Variant) (float64, bool) { return float64(len(v.Insns)), true }},
		{r.Native.ShortName() + " alone, instructions", func(v *Variant) (float64, bool) { return float64(v.NativeLen), v.NativeLen > 0 }},
	}
	for _, a := range p.Arches {
		metrics = append(metrics,
			metric{a.ShortName() + " mean executed", func(v *Variant) (float64, bool) {
				ac := v.Cost.Arch(a)
				return ac.safeMean(), ac != nil
			}},
			metric{a.ShortName() + " max executed", func(v *Variant) (float64, bool) {
				ac := v.Cost.Arch(a)
				if ac == nil {
					return 0, false
				}
				return float64(ac.Max), true
			}})
	}
	metrics = append(metrics, metric{r.Native.ShortName() + " worst call-weighted mean", func(v *Variant) (float64, bool) {
		ac := nat(v)
		if ac == nil || len(ac.Weighted) == 0 {
			return 0, false
		}
		worst := 0.0
		for _, x := range ac.Weighted {
			worst = math.Max(worst, x)
		}
		return worst, true
	}})
	if r.Kernel != nil && r.KernelProfile == p.Name {
		for _, call := range r.Kernel.Calls {
			metrics = append(metrics, metric{"kernel: " + call.Label + ", ns over the floor", func(v *Variant) (float64, bool) {
				s, f := r.Kernel.Sample(v.Name, call.Label), r.Kernel.Sample("allow-all (floor)", call.Label)
				if s == nil || f == nil {
					return 0, false
				}
				return math.Round(s.Median() - f.Median()), true
			}})
		}
	}
	for _, m := range metrics {
		x, ok := m.get(ours)
		if !ok {
			continue
		}
		cells := []string{m.name, trim(x)}
		for _, v := range theirs {
			y, ok := m.get(v)
			switch {
			case !ok:
				cells = append(cells, "", "")
			case x > 0:
				cells = append(cells, trim(y), fmt.Sprintf("%.1f", y/x))
			default:
				cells = append(cells, trim(y), "")
			}
		}
		row(b, cells...)
	}
	b.WriteString("\n")
}
