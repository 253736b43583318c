package fuzz_test

import (
	"fmt"

	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/fuzz"
	"github.com/seccompctl/seccompctl/profile"
)

// What FuzzCompile does with one input: the bytes choose a profile and a
// target; the compiled program must decide as the reference on every
// input Inputs chooses.
func Example() {
	s := fuzz.NewSource([]byte("\x00\x01\x00\x01\x00\x01\x01\x00\x02 any bytes the fuzzer gives"))
	g := fuzz.GenerateProfile(s)
	p, err := profile.Parse(g.JSON)
	if err != nil {
		fmt.Println("generator bug:", err)
		return
	}
	pol, err := p.Resolve(g.Target)
	if err != nil {
		fmt.Println("runc would refuse it:", err)
		return
	}
	prog, err := compile.Compile(pol, compile.DefaultOptions)
	if err != nil {
		fmt.Println(err)
		return
	}
	inputs := fuzz.Inputs(pol, s)
	fmt.Println(g.Target.Arch, g.Target.Runtime, pol.Arches)
	fmt.Println(len(inputs) > 100, fuzz.CheckProgram(pol, prog, inputs))
	// Output:
	// SCMP_ARCH_X86_64 runc [SCMP_ARCH_X86_64 SCMP_ARCH_X86 SCMP_ARCH_X32]
	// true <nil>
}
