package profile_test

import (
	"fmt"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/syscalls"
)

// Parse a profile, resolve it for an x86_64 host the way runc would, and ask
// what the filter returns for a few syscalls.
func Example() {
	p, err := profile.Parse([]byte(`{
		"defaultAction": "SCMP_ACT_ERRNO",
		"architectures": ["SCMP_ARCH_X86_64"],
		"syscalls": [
			{"names": ["read", "write", "exit_group"], "action": "SCMP_ACT_ALLOW"},
			{"names": ["personality"], "action": "SCMP_ACT_ALLOW",
			 "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]},
			{"names": ["no_such_syscall"], "action": "SCMP_ACT_ALLOW"}
		]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	pol, err := p.Resolve(profile.Target{
		Arch:   arch.X86_64,
		Caps:   profile.DockerDefaultCaps,
		Kernel: profile.KernelVersion{Kernel: 6, Major: 1},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, w := range pol.Warnings {
		fmt.Println("warning:", w.Msg)
	}

	audit := arch.X86_64.Audit()
	nr := func(name string) int32 {
		n, _ := syscalls.Number(arch.X86_64, name)
		return int32(n)
	}
	fmt.Println("read:          ", pol.Decide(audit, nr("read"), [6]uint64{}))
	fmt.Println("personality(0):", pol.Decide(audit, nr("personality"), [6]uint64{0}))
	fmt.Println("personality(8):", pol.Decide(audit, nr("personality"), [6]uint64{8}))
	fmt.Println("mount:         ", pol.Decide(audit, nr("mount"), [6]uint64{}))
	fmt.Println("nr 500:        ", pol.Decide(audit, 500, [6]uint64{}))
	fmt.Println("on aarch64:    ", pol.Decide(arch.AArch64.Audit(), 63, [6]uint64{}))
	// Output:
	// warning: unknown syscall "no_such_syscall" is skipped (runc ignores names libseccomp does not know)
	// read:           SCMP_ACT_ALLOW
	// personality(0): SCMP_ACT_ALLOW
	// personality(8): SCMP_ACT_ERRNO(1)
	// mount:          SCMP_ACT_ERRNO(1)
	// nr 500:         SCMP_ACT_ERRNO(38)
	// on aarch64:     SCMP_ACT_KILL_THREAD
}

// Lint a profile for the target it will run on: the findings say what
// runc and the kernel will really do with it.
func ExampleProfile_Lint() {
	p, err := profile.ParseWithOptions([]byte(`{
  "defaultAction": "SCMP_ACT_ERRNO",
  "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
  "syscalls": [
    {"names": ["read", "write", "socketcall", "bpf"], "action": "SCMP_ACT_ALLOW"},
    {"names": ["socket"], "action": "SCMP_ACT_ALLOW",
     "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
    {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 0}
  ]
}`), profile.ParseOptions{File: "app.json"})
	if err != nil {
		fmt.Println(err)
		return
	}
	pol, err := p.Resolve(profile.Target{Arch: arch.X86_64, Kernel: profile.KernelVersion{Kernel: 6, Major: 1}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, w := range p.Lint(pol) {
		fmt.Printf("%s:%s: %s %s %s\n", w.File, w.Pos, w.Severity, w.Code, w.Path)
	}
	// Output:
	// app.json:5:47: note dangerous-allow syscalls[0].names[3]
	// app.json:7:15: warning socketcall-bypass syscalls[1].args
	// app.json:8:66: warning errno-zero syscalls[2].errnoRet
}
