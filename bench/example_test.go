package bench_test

import (
	"fmt"

	"golang.org/x/net/bpf"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/bench"
)

// Measure a program from any compiler: here a hand-written one that
// allows getppid on x86_64 and denies everything else.
func ExampleMeasure() {
	insns, _ := bpf.Assemble([]bpf.Instruction{
		bpf.LoadAbsolute{Off: 4, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: arch.X86_64.Audit(), SkipFalse: 3},
		bpf.LoadAbsolute{Off: 0, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 110, SkipFalse: 1}, // getppid
		bpf.RetConstant{Val: 0x7fff0000},                        // ALLOW
		bpf.RetConstant{Val: 0x00050001},                        // ERRNO(EPERM)
	})
	mix := &bench.Mix{Name: "example", Arch: arch.X86_64, Calls: map[string]int64{"getppid": 1, "read": 1}}
	cost, err := bench.Measure(bench.Subject{Name: "hand", Insns: insns, Arches: []arch.Arch{arch.X86_64}}, []*bench.Mix{mix})
	if err != nil {
		fmt.Println(err)
		return
	}
	x := cost.Arch(arch.X86_64)
	fmt.Println("getppid:", x.Lookup("getppid").Executed, "instructions, cached:", x.Lookup("getppid").Cached)
	fmt.Println("max:", x.Max, x.MaxName != "getppid")
	fmt.Println("weighted:", x.Weighted["example"], "with the cache:", x.WeightedCached["example"])
	// Output:
	// getppid: 5 instructions, cached: true
	// max: 5 true
	// weighted: 5 with the cache: 2.5
}
