package compile

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
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

func TestAppendNumbers(t *testing.T) {
	tests := []struct {
		name   string
		nrs    []int
		want   []uint32 // appended after the 9 already in the buffer
		wantOK bool
	}{
		{"empty", nil, nil, true},
		{"one", []int{7}, []uint32{7}, true},
		{"ascending", []int{0, 1, 5, 300}, []uint32{0, 1, 5, 300}, true},
		{"largest number", []int{3, 0xffffffff}, []uint32{3, 0xffffffff}, true},
		{"repeat", []int{1, 1}, nil, false},
		{"descending", []int{5, 3}, nil, false},
		{"negative first (signed order)", []int{-1, 0, 4}, nil, false},
		{"beyond 32 bits", []int{1, 0x100000000}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := appendNumbers([]uint32{9}, policies(tt.nrs...))
			assert.Equal(t, tt.wantOK, ok)
			assert.Empty(t, cmp.Diff(append([]uint32{9}, tt.want...), got))
		})
	}
}

func TestPointMerge(t *testing.T) {
	tests := []struct {
		name  string
		fixed []uint32
		lists [][]int
		want  []uint32
	}{
		{"nothing", nil, nil, nil},
		{"fixed only", []uint32{0, 5, 9}, nil, []uint32{0, 5, 9}},
		{"repeated fixed point", []uint32{0, 0, 3}, nil, []uint32{0, 3}},
		{"n and n+1", nil, [][]int{{4, 10}}, []uint32{4, 5, 10, 11}},
		{"neighbours share a point", nil, [][]int{{4, 5, 6}}, []uint32{4, 5, 6, 7}},
		{"two lists interleave", []uint32{0, 100}, [][]int{{3, 50}, {2, 3, 60}}, []uint32{0, 2, 3, 4, 50, 51, 60, 61, 100}},
		{"a fixed point among the numbers", []uint32{1, 0x40000000}, [][]int{{0, 0x40000000}}, []uint32{0, 1, 0x40000000, 0x40000001}},
		{"no number past 32 bits", []uint32{0xffffffff}, [][]int{{0xfffffffe, 0xffffffff}}, []uint32{0xfffffffe, 0xffffffff}},
		{"an empty list", []uint32{0}, [][]int{{}, {8}}, []uint32{0, 8, 9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var lists [][]uint32
			for _, l := range tt.lists {
				nrs, ok := appendNumbers(nil, policies(l...))
				require.True(t, ok)
				lists = append(lists, nrs)
			}
			m := newPointMerge(tt.fixed, lists)
			var got []uint32
			for p, ok := m.next(); ok; p, ok = m.next() {
				got = append(got, p)
			}
			assert.Empty(t, cmp.Diff(tt.want, got))
			_, ok := m.next()
			assert.False(t, ok, "next after the end")
		})
	}
}

// TestIntervalsMergeMatchesSort: the merged breakpoints give the same
// intervals as sorting them all and looking every number up, for every
// shared profile and architecture group.
func TestIntervalsMergeMatchesSort(t *testing.T) {
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
				merged := newNumberSpace(pol, arches, nil)
				if !merged.sorted {
					continue
				}
				sorted := newNumberSpace(pol, arches, nil)
				sorted.sorted = false
				for i := range sorted.next {
					sorted.next[i] = -1
				}
				want := sorted.appendIntervals(nil)
				got := merged.appendIntervals(nil)
				require.Equal(t, want, got, "%s %v %v", filepath.Base(f), native, arches)
				require.Equal(t, want, intervals(pol, arches))
				// A scratch buffer left over from another audit value
				// gives the same.
				got, _ = appendIntervals(nil, pol, arches, []uint32{1, 2, 3, 4, 5, 6, 7, 8})
				require.Equal(t, want, got)
				groups++
			}
		}
	}
	assert.Greater(t, groups, 100)
}
