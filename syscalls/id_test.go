package syscalls

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
)

func TestIDOf(t *testing.T) {
	names := Names()
	tests := []struct {
		name string
		ok   bool
	}{
		{"read", true},
		{"_llseek", true},          // the first name
		{"writev", true},           // the last name
		{"cacheflush", true},       // ARM only
		{"sync_file_range2", true}, // only the kernel's tables have it
		{"", false},
		{"READ", false},
		{"no_such_call", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, ok := IDOf(tt.name)
			require.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.ok, Known(tt.name))
			if ok {
				assert.Equal(t, tt.name, names[id])
			}
		})
	}
	// Every name's ID is its position in Names.
	for i, n := range names {
		id, ok := IDOf(n)
		require.True(t, ok, n)
		require.Equal(t, ID(i), id, n)
	}
}

// TestLookupID checks LookupID against a scan of each architecture's table
// for every name, and its answers for IDs and arches that do not exist.
func TestLookupID(t *testing.T) {
	names := Names()
	for _, a := range append(arch.All(), arch.Unknown) {
		t.Run(a.String(), func(t *testing.T) {
			want := map[string]Syscall{}
			for _, s := range Table(a) {
				want[s.Name] = s
			}
			found := 0
			for i, n := range names {
				got, ok := LookupID(a, ID(i))
				w, wok := want[n]
				require.Equal(t, wok, ok, n)
				require.Equal(t, w, got, n)
				if ok {
					found++
				}
			}
			assert.Equal(t, len(want), found)
			_, ok := LookupID(a, ID(len(names)))
			assert.False(t, ok, "an ID past the last name")
			_, ok = LookupID(a, ^ID(0))
			assert.False(t, ok, "the largest ID")
		})
	}
	tests := []struct {
		a    arch.Arch
		name string
		want Syscall
		ok   bool
	}{
		{arch.X86_64, "read", Syscall{"read", 0, true}, true},
		{arch.X32, "read", Syscall{"read", arch.X32SyscallBit, true}, true},
		{arch.X86_64, "socketcall", Syscall{}, false},
		{arch.ARM, "sync_file_range2", Syscall{"sync_file_range2", 341, false}, true},
		{arch.Unknown, "read", Syscall{}, false},
	}
	for _, tt := range tests {
		id, ok := IDOf(tt.name)
		require.True(t, ok, tt.name)
		got, ok := LookupID(tt.a, id)
		assert.Equal(t, tt.ok, ok, "%s %s", tt.a, tt.name)
		assert.Equal(t, tt.want, got, "%s %s", tt.a, tt.name)
	}
}
