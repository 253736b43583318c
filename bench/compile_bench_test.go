package bench

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
)

// BenchmarkCompile times the whole pipeline from JSON bytes to the raw
// program seccomp(2) takes: parse, resolve for x86_64 with its
// sub-architectures (Docker's caps, Linux 6.1), compile, encode.
//
//	go test -run=NONE -bench Compile -benchmem ./bench/
func BenchmarkCompile(b *testing.B) {
	for _, name := range ProfileNames() {
		b.Run(name, func(b *testing.B) {
			data, err := ProfileJSON(name)
			require.NoError(b, err)
			t := Target(arch.X86_64)
			raw, err := CompileJSON(data, t, compile.DefaultOptions)
			require.NoError(b, err)
			b.ReportMetric(float64(len(raw)/8), "insns")
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				if _, err := CompileJSON(data, t, compile.DefaultOptions); err != nil {
					b.Fatal(err)
				}
			}
			// CPU time is what a loaded machine does not inflate.
			b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkCompilePhases splits BenchmarkCompile into its steps, to show
// where the time goes.
func BenchmarkCompilePhases(b *testing.B) {
	for _, name := range ProfileNames() {
		data, err := ProfileJSON(name)
		require.NoError(b, err)
		t := Target(arch.X86_64)
		p, err := profile.Parse(data)
		require.NoError(b, err)
		pol, err := p.Resolve(t)
		require.NoError(b, err)
		prog, err := compile.Compile(pol, compile.DefaultOptions)
		require.NoError(b, err)
		phases := []struct {
			name string
			run  func() error
		}{
			{"parse", func() error { _, err := profile.Parse(data); return err }},
			{"resolve", func() error { _, err := p.Resolve(t); return err }},
			{"compile", func() error { _, err := compile.Compile(pol, compile.DefaultOptions); return err }},
			{"compile-balanced", func() error { _, err := compile.Compile(pol, compile.Options{Balanced: true}); return err }},
			{"marshal", func() error { _, err := prog.MarshalBinary(); return err }},
		}
		for _, ph := range phases {
			b.Run(name+"/"+ph.name, func(b *testing.B) {
				b.ReportAllocs()
				cpu := cpuTime()
				for b.Loop() {
					if err := ph.run(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}
