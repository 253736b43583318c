package compile

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
)

func policies(nrs ...int) []*profile.SyscallPolicy {
	out := make([]*profile.SyscallPolicy, len(nrs))
	for i, nr := range nrs {
		out[i] = &profile.SyscallPolicy{Nr: nr}
	}
	return out
}

func TestAscending(t *testing.T) {
	tests := []struct {
		name string
		nrs  []int
		want bool
	}{
		{"empty", nil, true},
		{"one", []int{7}, true},
		{"ascending", []int{0, 1, 5, 300}, true},
		{"largest number", []int{3, 0xffffffff}, true},
		{"repeat", []int{1, 1}, false},
		{"descending", []int{5, 3}, false},
		{"negative first (signed order)", []int{-1, 0, 4}, false},
		{"beyond 32 bits", []int{1, 0x100000000}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ascending(policies(tt.nrs...)))
		})
	}
}

// byPoints is the reference for regions: the decision at every
// breakpoint, sorted.
func byPoints(s *numberSpace) []interval {
	var out []interval
	for _, p := range s.breakpoints() {
		d := s.at(p)
		if n := len(out); n > 0 && out[n-1].d.equal(d) {
			continue
		}
		out = append(out, interval{d: d, lo: p})
	}
	return out
}

// TestRegions: intervals made region by region are those of the decision
// at every breakpoint, on number spaces made to reach each case of route.
func TestRegions(t *testing.T) {
	tree := &profile.Level{}
	sys := func(nr int, withTree bool) *profile.SyscallPolicy {
		sp := &profile.SyscallPolicy{Nr: nr, Action: profile.Action(0x50000 + nr%7)}
		if withTree {
			sp.Tree = tree
		}
		return sp
	}
	x32 := func(nr int) int { return nr | arch.X32SyscallBit }
	type archRules struct {
		a       arch.Arch
		nrs     []int
		trees   []int // numbers of nrs with an argument tree
		enosys  int64
		noStubs bool
	}
	tests := []struct {
		name  string
		rules []archRules
		want  int // intervals, a sanity check on the case
	}{
		{"x86_64 and x32", []archRules{
			{a: arch.X86_64, nrs: []int{0, 1, 2, 5, 6, 100}, trees: []int{5}, enosys: 400},
			{a: arch.X32, nrs: []int{x32(0), x32(1), x32(7), x32(300)}, trees: []int{x32(7)}, enosys: int64(x32(500))},
		}, 0},
		{"x86_64 alone", []archRules{{a: arch.X86_64, nrs: []int{0, 3, 4, 5, 400}, trees: []int{4}, enosys: 450}}, 0},
		{"x32 alone", []archRules{{a: arch.X32, nrs: []int{x32(1), x32(2)}, enosys: int64(x32(10))}}, 0},
		{"no stub", []archRules{{a: arch.AArch64, nrs: []int{1, 2, 3, 10, 0xfffffffe, 0xffffffff}, enosys: -1}}, 0},
		{"stub below a rule", []archRules{{a: arch.AArch64, nrs: []int{1, 20, 30}, enosys: 25}}, 0},
		{"stub at the top", []archRules{{a: arch.AArch64, nrs: []int{5}, enosys: 0xfffffffe}}, 0},
		{"s390x returns ENOSYS for 0", []archRules{{a: arch.S390X, nrs: []int{0, 1, 2}, trees: []int{1}, enosys: 400}}, 0},
		{"s390 and s390x", []archRules{
			{a: arch.S390X, nrs: []int{1, 2, 9}, enosys: 300},
			{a: arch.S390, nrs: []int{2, 3, 9, 11}, enosys: 200},
		}, 0},
		{"nothing", []archRules{{a: arch.ARM, enosys: -1}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pol := &profile.Policy{Default: profile.Errno(1), BadArch: profile.ActKillProcess}
			var arches []arch.Arch
			var aps []*profile.ArchPolicy
			for _, r := range tt.rules {
				ap := &profile.ArchPolicy{Arch: r.a, ENOSYSAbove: r.enosys}
				for _, nr := range r.nrs {
					ap.Syscalls = append(ap.Syscalls, sys(nr, slices.Contains(r.trees, nr)))
				}
				arches = append(arches, r.a)
				aps = append(aps, ap)
			}
			want := byPoints(numberSpaceOf(pol, arches, aps))
			s := numberSpaceOf(pol, arches, aps)
			require.True(t, s.sorted)
			got := s.appendIntervals(nil)
			require.Equal(t, want, got)
			if tt.want > 0 {
				assert.Len(t, got, tt.want)
			}
		})
	}
}

// TestIntervalsMatchLookups: the intervals made region by region are
// those of sorting all breakpoints and looking every one up in the
// profile's index, for every shared profile and architecture group.
func TestIntervalsMatchLookups(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "shared", "profiles", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	groups := 0
	for _, f := range files {
		p, err := profile.ParseFile(f)
		if errors.Is(err, profile.ErrNotProfile) {
			continue
		}
		require.NoError(t, err, f)
		for _, native := range []arch.Arch{arch.X86_64, arch.X32, arch.X86, arch.AArch64, arch.S390X, arch.MIPS64} {
			pol, err := p.Resolve(profile.Target{Arch: native, Caps: profile.DockerDefaultCaps, Kernel: profile.KernelVersion{Kernel: 6, Major: 1}})
			if err != nil {
				continue
			}
			byAudit := map[uint32][]arch.Arch{}
			var audits []uint32
			for _, a := range pol.Arches {
				if byAudit[a.Audit()] == nil {
					audits = append(audits, a.Audit())
				}
				byAudit[a.Audit()] = append(byAudit[a.Audit()], a)
			}
			for _, au := range audits {
				arches := byAudit[au]
				merged := newNumberSpace(pol, arches)
				if !merged.sorted {
					continue
				}
				sorted := newNumberSpace(pol, arches)
				sorted.sorted = false
				for i := range sorted.next {
					sorted.next[i] = -1
				}
				want := sorted.appendIntervals(nil)
				require.Equal(t, want, byPoints(newNumberSpace(pol, arches)))
				got := merged.appendIntervals(nil)
				require.Equal(t, want, got, "%s %v %v", filepath.Base(f), native, arches)
				require.Equal(t, want, intervals(pol, arches))
				groups++
			}
		}
	}
	assert.Greater(t, groups, 100)
}
