package profile

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/syscalls"
)

// TestKeep checks what keep makes of each name of the rules: unknown names are
// dropped with one warning per name, a name repeated within a rule is
// dropped, the same name in the next rule is kept, and the numbers and
// socketcall calls are those of the syscall tables.
func TestKeep(t *testing.T) {
	p := &Profile{Syscalls: []Syscall{
		{Names: []string{"read", "write", "read", "nosuch", "nosuch", "write"}},
		{Names: []string{"nosuch", "read", "socket", "read", "arch_prctl", "socket"}},
		{Names: []string{"cacheflush", "semop"}}, // ARM only; ipc
		{Names: nil},
	}}
	tests := []struct {
		names []int32 // kept indices in the rule's Names
		muxes []muxCall
	}{
		{[]int32{0, 1}, []muxCall{{}, {}}},
		{[]int32{1, 2, 4}, []muxCall{{}, {call: 1}, {}}},
		{[]int32{0, 1}, []muxCall{{}, {call: 1, ipc: true}}},
		{[]int32{}, []muxCall{}},
	}
	p.Architectures = []arch.Arch{arch.X86_64, arch.X86, arch.X32} // as Docker's profile
	r := &resolver{p: p, pol: &Policy{Target: Target{Arch: arch.X86_64}, perArch: map[arch.Arch]*ArchPolicy{}}}
	require.NoError(t, r.arches())
	require.Len(t, r.archs, 3)
	r.startRules()
	for i, tt := range tests {
		s := &p.Syscalls[i]
		names, muxes := []int32{}, []muxCall{}
		for j := range s.Names {
			m, ok := r.keep(i, s, j)
			if !ok {
				continue
			}
			names, muxes = append(names, int32(j)), append(muxes, m)
			require.Len(t, r.nrs, 3)
			for a, ai := range r.archs {
				want := int32(-1)
				if sc, ok := syscalls.Lookup(ai.ap.Arch, s.Names[j]); ok && sc.Libseccomp {
					want = int32(sc.Nr)
				}
				assert.Equal(t, want, r.nrs[a], "rule %d %s on %s", i, s.Names[j], ai.ap.Arch)
			}
		}
		assert.Equal(t, tt.names, names, "rule %d", i)
		assert.Equal(t, tt.muxes, muxes, "rule %d", i)
	}
	var unknown []string
	for _, w := range r.pol.Warnings {
		if w.Code == "unknown-syscall" {
			unknown = append(unknown, w.Path)
		}
	}
	assert.Equal(t, []string{"syscalls[0].names[3]"}, unknown)
	// x86's largest kept number leaves out socket (multiplexed there).
	x86, ok := syscalls.Number(arch.X86, "arch_prctl")
	require.True(t, ok)
	assert.Equal(t, x86, r.archs[1].largest)
}

// TestRulesShared checks that the policies sharing a rule's Rules array
// do not see each other's appends.
func TestRulesShared(t *testing.T) {
	p, err := Parse([]byte(`{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], "syscalls": [
		{"names": ["read", "write", "close"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["write"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["close", "write"], "action": "SCMP_ACT_LOG", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}
	]}`))
	require.NoError(t, err)
	pol, err := p.Resolve(Target{Arch: arch.X86_64, Kernel: KernelVersion{6, 1}})
	require.NoError(t, err)
	want := map[string][]int{"read": {0}, "write": {0, 1, 2}, "close": {0, 2}}
	for _, a := range pol.Arches {
		for name, rules := range want {
			nr, ok := syscalls.Number(a, name)
			require.True(t, ok)
			sp := pol.Arch(a).Lookup(nr)
			require.NotNil(t, sp, "%s on %s", name, a)
			assert.Equal(t, rules, sp.Rules, "%s on %s", name, a)
		}
	}
}

// TestRulesListedOnce checks that a policy lists each contributing rule
// once, for rule indices in order (as parsed) and not (built in code).
func TestRulesListedOnce(t *testing.T) {
	cond := []Arg{{Index: 0, Value: 1, Op: OpEqualTo}}
	tests := []struct {
		name    string
		indices []int
		want    []int
	}{
		{"increasing", []int{0, 1, 2, 3}, []int{0, 1, 2, 3}},
		{"repeated", []int{5, 5, 2, 5}, []int{5, 2}},
		{"decreasing", []int{3, 2, 1, 0}, []int{3, 2, 1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Profile{DefaultAction: ActionName("SCMP_ACT_ERRNO")}
			for k, idx := range tt.indices {
				// read twice in a rule, and with distinct conditions so that
				// every rule adds to the tree.
				args := []Arg{{Index: 1, Value: uint64(k), Op: OpEqualTo}}
				args = append(args, cond...)
				p.Syscalls = append(p.Syscalls, Syscall{Names: []string{"read", "read"}, Action: "SCMP_ACT_ALLOW", Args: args, Index: idx})
			}
			pol, err := p.Resolve(Target{Arch: arch.X86_64, Kernel: KernelVersion{6, 1}})
			require.NoError(t, err)
			sp := pol.Arch(arch.X86_64).Lookup(0)
			require.NotNil(t, sp)
			assert.Equal(t, tt.want, sp.Rules)
		})
	}
}
