package policydiff_test

import (
	"os"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/policydiff"
	"github.com/seccompctl/seccompctl/profile"
)

// Two profiles written differently can decide the same; diff says where
// they do not.
func Example() {
	resolve := func(js string) *profile.Policy {
		p, _ := profile.Parse([]byte(js))
		pol, _ := p.Resolve(profile.Target{Arch: arch.X86_64})
		return pol
	}
	old := resolve(`{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
		"syscalls": [{"names": ["read", "write", "personality"], "action": "SCMP_ACT_ALLOW"}]}`)
	new := resolve(`{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
		"syscalls": [{"names": ["write"], "action": "SCMP_ACT_ALLOW"}, {"names": ["read"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]}]}`)
	a, _ := policydiff.FromPolicy("old.json", old)
	b, _ := policydiff.FromPolicy("new.json", new)
	res, _ := policydiff.Diff(a, b, policydiff.Options{Arches: []arch.Arch{arch.X86_64}, MaxExamples: 1})
	res.WriteText(os.Stdout)
	// Output:
	// --- old.json
	// +++ new.json
	// SCMP_ARCH_X86_64:
	//   personality (135): depends on the arguments; 8 of 9 argument vectors tried differ, e.g.
	//       args (0x1, 0x0, 0x0, 0x0, 0x0, 0x0): SCMP_ACT_ALLOW -> SCMP_ACT_ERRNO(1)
	// 1 change (1035 probes)
}
