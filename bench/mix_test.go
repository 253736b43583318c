package bench

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/syscalls"
)

func TestParseStrace(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    map[string]int64
		header  []string
		wantErr string
	}{
		{
			name: "with and without errors column",
			in: `# command: strace -f -c true
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 52.44    0.272587         187      1450         1 poll
 18.10    0.094078          47      1977           futex
------ ----------- ----------- --------- --------- ----------------
100.00    0.366665          10      3427         1 total
`,
			want:   map[string]int64{"poll": 1450, "futex": 1977},
			header: []string{"command: strace -f -c true"},
		},
		{
			name: "32-bit personality table is skipped",
			in: `% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
100.00    0.000010          10         1           read
------ ----------- ----------- --------- --------- ----------------
100.00    0.000010          10         1           total
System call usage summary for 32 bit mode:
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
100.00    0.000010          10         7           mmap2
`,
			want: map[string]int64{"read": 1},
		},
		{name: "empty", in: "", wantErr: "no strace -c table"},
		{name: "only a header", in: "# nothing\n", wantErr: "no strace -c table"},
		{name: "too many columns", in: "% time\n 1 2 3 4 5 6 7\n", wantErr: "want 5 or 6 columns"},
		{name: "calls not a number", in: "% time\n 1.0 0.1 3 many read\n", wantErr: `calls column "many"`},
		{name: "negative calls", in: "% time\n 1.0 0.1 3 -4 read\n", wantErr: `calls column "-4"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseStrace("t", []byte(tt.in))
			if tt.wantErr != "" {
				require.ErrorIs(t, err, ErrBadMix)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Empty(t, cmp.Diff(tt.want, m.Calls))
			if tt.header != nil {
				assert.Equal(t, tt.header, m.Header)
			}
		})
	}
}

// TestMixes: every recorded mix parses, says how it was made, and names
// only syscalls of the table it was recorded on.
func TestMixes(t *testing.T) {
	mixes, err := Mixes()
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(mixes), 5)
	for _, m := range mixes {
		t.Run(m.Name, func(t *testing.T) {
			assert.Equal(t, arch.X86_64, m.Arch)
			header := strings.Join(m.Header, "\n")
			for _, key := range []string{"mix: " + m.Name, "what: ", "command: strace -f -c", "date: ", "kernel: Linux"} {
				assert.Contains(t, header, key)
			}
			assert.Greater(t, m.Total(), int64(1000), "a mix should have enough calls to mean something")
			w, missing := m.Numbers(arch.X86_64)
			assert.Empty(t, missing, "names strace printed that the x86_64 table lacks")
			sum := 0.0
			for nr, f := range w {
				_, ok := syscalls.Name(arch.X86_64, nr)
				assert.True(t, ok, nr)
				sum += f
			}
			assert.Equal(t, float64(m.Total()), sum)
		})
	}
}

func TestBlend(t *testing.T) {
	a := &Mix{Name: "a", Calls: map[string]int64{"read": 3, "write": 1}}
	b := &Mix{Name: "b", Calls: map[string]int64{"read": 1000}}
	empty := &Mix{Name: "empty", Calls: map[string]int64{}}
	got := Blend([]*Mix{a, b, empty})
	// a: read 0.75, write 0.25; b: read 1. Each mix counts the same.
	assert.InDelta(t, 0.875, got["read"], 1e-12)
	assert.InDelta(t, 0.125, got["write"], 1e-12)
	assert.Len(t, got, 2)
}
