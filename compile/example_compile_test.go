package compile_test

import (
	"fmt"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/syscalls"
)

// Parse a profile, resolve it for x86_64, compile it, and ask the
// emulated program what two syscalls get.
func ExampleCompile() {
	p, err := profile.Parse([]byte(`{
		"defaultAction": "SCMP_ACT_ERRNO",
		"syscalls": [
			{"names": ["read", "write", "exit_group"], "action": "SCMP_ACT_ALLOW"},
			{"names": ["personality"], "action": "SCMP_ACT_ALLOW",
			 "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}
		]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	pol, err := p.Resolve(profile.Target{Arch: arch.X86_64})
	if err != nil {
		fmt.Println(err)
		return
	}
	prog, err := compile.Compile(pol, compile.DefaultOptions)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, call := range []struct {
		name string
		arg0 uint64
	}{{"write", 0}, {"personality", 8}, {"personality", 0}, {"mount", 0}} {
		nr, _ := syscalls.Number(arch.X86_64, call.name)
		res, err := prog.Run(compile.Data{Nr: int32(nr), Arch: arch.X86_64.Audit(), Args: [6]uint64{call.arg0}})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s(%d): %v\n", call.name, call.arg0, res.Action)
	}
	// Output:
	// write(0): SCMP_ACT_ALLOW
	// personality(8): SCMP_ACT_ALLOW
	// personality(0): SCMP_ACT_ERRNO(1)
	// mount(0): SCMP_ACT_ERRNO(1)
}
