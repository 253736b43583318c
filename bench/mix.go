package bench

import (
	"bufio"
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/syscalls"
)

//go:embed testdata/mixes/*.strace
var mixFS embed.FS

// ErrBadMix is returned for a mix file that is not a `strace -c` summary.
var ErrBadMix = errors.New("bench: bad syscall mix")

// Mix is how often a workload made each system call, as `strace -f -c`
// counted it.
type Mix struct {
	// Name identifies the workload ("go-build").
	Name string
	// Arch is the ABI the calls were made in. strace prints one table per
	// personality; Mix keeps the native (x86_64) one.
	Arch arch.Arch
	// Calls maps a syscall name, as strace prints it, to its count.
	Calls map[string]int64
	// Header holds the "# " comment lines of the file: how the mix was
	// recorded.
	Header []string
}

// Total is the number of calls in the mix.
func (m *Mix) Total() int64 {
	var n int64
	for _, c := range m.Calls {
		n += c
	}
	return n
}

// Numbers maps the mix onto syscall numbers of a: the weight of each
// number is the count of the names that have it there. Names a lacks
// are returned in missing, sorted.
func (m *Mix) Numbers(a arch.Arch) (weights map[int]float64, missing []string) {
	weights = map[int]float64{}
	for name, c := range m.Calls {
		nr, ok := syscalls.Number(a, name)
		if !ok {
			missing = append(missing, name)
			continue
		}
		weights[nr] += float64(c)
	}
	slices.Sort(missing)
	return weights, missing
}

// ParseStrace reads a `strace -c` (or `strace -f -c`) summary: optional
// "# " header lines, then the table strace prints. Only the native
// personality's table is kept; the summaries strace adds for "32 bit
// mode" or "x32 mode" calls are skipped, since their names and numbers
// belong to another ABI.
func ParseStrace(name string, data []byte) (*Mix, error) {
	m := &Mix{Name: name, Arch: arch.X86_64, Calls: map[string]int64{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	lineNo := 0
	native, sawTable := true, false
	for sc.Scan() {
		lineNo++
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "#"):
			m.Header = append(m.Header, strings.TrimSpace(strings.TrimPrefix(line, "#")))
			continue
		case strings.HasPrefix(line, "System call usage summary for"):
			// strace ≥ 4.x: "System call usage summary for 32 bit mode:"
			native = false
			continue
		case strings.HasPrefix(line, "% time") || strings.HasPrefix(line, "------"):
			sawTable = true
			continue
		}
		f := strings.Fields(line)
		// % time, seconds, usecs/call, calls, [errors,] syscall
		if len(f) != 5 && len(f) != 6 {
			return nil, fmt.Errorf("%w: %s:%d: want 5 or 6 columns, got %d: %q", ErrBadMix, name, lineNo, len(f), line)
		}
		sys := f[len(f)-1]
		if sys == "total" || !native {
			continue
		}
		calls, err := strconv.ParseInt(f[3], 10, 64)
		if err != nil || calls < 0 {
			return nil, fmt.Errorf("%w: %s:%d: calls column %q is not a count", ErrBadMix, name, lineNo, f[3])
		}
		m.Calls[sys] += calls
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBadMix, name, err)
	}
	if !sawTable || len(m.Calls) == 0 {
		return nil, fmt.Errorf("%w: %s: no strace -c table", ErrBadMix, name)
	}
	return m, nil
}

// Mixes returns the recorded mixes under testdata/mixes, sorted by name.
func Mixes() ([]*Mix, error) {
	files, err := fs.Glob(mixFS, "testdata/mixes/*.strace")
	if err != nil {
		return nil, err
	}
	slices.Sort(files)
	var out []*Mix
	for _, f := range files {
		data, err := mixFS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		m, err := ParseStrace(strings.TrimSuffix(path.Base(f), ".strace"), data)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// Blend averages mixes into one distribution by syscall name: each mix is
// first scaled to sum to 1, so every workload counts the same however many
// calls it made. The result sums to 1 (for at least one non-empty mix).
func Blend(mixes []*Mix) map[string]float64 {
	out := map[string]float64{}
	n := 0
	for _, m := range mixes {
		total := m.Total()
		if total == 0 {
			continue
		}
		n++
		for _, name := range slices.Sorted(maps.Keys(m.Calls)) {
			out[name] += float64(m.Calls[name]) / float64(total)
		}
	}
	for name := range out {
		out[name] /= float64(n)
	}
	return out
}
