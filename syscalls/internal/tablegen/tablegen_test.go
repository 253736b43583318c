package tablegen

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const tablesDir = "../tables"

func load(t *testing.T) *Data {
	t.Helper()
	d, err := Load(tablesDir)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDisagreements pins the merge report for the shipped inputs.
//
// libseccomp's CSV (v2.6.1, generated from kernel v7.1.0-rc4) and the hrw
// tables (kernel 7.2.0-rc1) number every syscall they share identically on
// all 18 columns, so the list of disagreements is empty: the CSV already has
// the syscalls added up to 7.1 (x86_64 rseq_slice_yield = 471, listns = 470),
// and 7.2-rc1 added no new number. Any entry appearing here after an input
// update is a real conflict to read up on before accepting it (the CSV's
// number wins in the generated table).
func TestDisagreements(t *testing.T) {
	d := load(t)
	if len(d.Disagreements) != 0 {
		t.Errorf("CSV and hrw disagree on %d numbers:\n%v", len(d.Disagreements), d.Disagreements)
	}
}

// TestFills pins what the hrw tables add to the CSV. Each is a name the CSV
// has no number for on that architecture (PNR):
//   - arm sync_file_range2: the kernel's uapi alias for arm_sync_file_range,
//     which the CSV lists under that name at the same number 341;
//   - loongarch64 memfd_secret: the hrw table (kernel 7.2-rc1) numbers it,
//     the CSV (kernel 7.1-rc4 tables) has PNR, so libseccomp 2.6.1 resolves
//     it to a pseudo-number there and runc drops rules on it.
func TestFills(t *testing.T) {
	d := load(t)
	want := []Fill{
		{CSV: "arm", Name: "sync_file_range2", Nr: 341},
		{CSV: "loongarch64", Name: "memfd_secret", Nr: 447},
	}
	if diff := cmp.Diff(want, d.Fills); diff != "" {
		t.Errorf("fills (-want +got):\n%s", diff)
	}
}

// TestCSVOnly: what only the CSV numbers are syscalls the kernel removed
// (or never implemented) but keeps a number for, which hrw leaves out.
func TestCSVOnly(t *testing.T) {
	d := load(t)
	want := map[string]int{
		"x86": 21, "x86_64": 12, "x32": 5, "arm": 6, "aarch64": 1, "loongarch64": 1,
		"m68k": 9, "mips": 21, "mips64": 9, "mips64n32": 9, "parisc": 3, "parisc64": 3,
		"ppc": 21, "ppc64": 21, "riscv64": 1, "s390": 11, "s390x": 11, "sh": 4,
	}
	if diff := cmp.Diff(want, d.CSVOnly); diff != "" {
		t.Errorf("CSV-only counts (-want +got):\n%s", diff)
	}
	for _, e := range tableOf(t, d, "x86_64").Entries {
		if e.Name == "_sysctl" && (e.Nr != 156 || !e.Libseccomp) {
			t.Errorf("x86_64 _sysctl = %+v", e)
		}
	}
}

func TestOffsets(t *testing.T) {
	d := load(t)
	tests := []struct {
		column, name string
		nr           int
	}{
		{"x86_64", "read", 0},
		{"x32", "read", 0x40000000},
		{"mips", "read", 4003},
		{"mips64", "read", 5000},
		{"mips64n32", "read", 6000},
		{"aarch64", "openat", 56},
	}
	for _, tt := range tests {
		found := false
		for _, e := range tableOf(t, d, tt.column).Entries {
			if e.Name == tt.name {
				found = true
				if e.Nr != tt.nr {
					t.Errorf("%s %s = %d, want %d", tt.column, tt.name, e.Nr, tt.nr)
				}
			}
		}
		if !found {
			t.Errorf("%s %s missing", tt.column, tt.name)
		}
	}
}

func TestRenderDeterministic(t *testing.T) {
	a, err := Render(load(t))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Render(load(t))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two renders of the same input differ")
	}
	if !bytes.HasPrefix(a, []byte(Header+"\n\npackage syscalls\n")) {
		t.Errorf("unexpected start:\n%s", a[:200])
	}
}

// TestLoadRejects feeds broken copies of the inputs to Load.
func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name   string
		file   string
		mutate func(string) string
		want   string
	}{
		{"header", CSVFile, func(s string) string { return strings.Replace(s, "#syscall", "syscall", 1) }, "#syscall"},
		{"unknown column", CSVFile, func(s string) string {
			return strings.Replace(s, ",sh,sh_kver\n", ",sh,sh_kver,riscv32\n", 1)
		}, "wrong number of fields"},
		{"renamed column", CSVFile, func(s string) string { return strings.Replace(s, ",sh,sh_kver", ",sh4,sh_kver", 1) }, `column "sh" missing`},
		{"bad number", CSVFile, func(s string) string { return strings.Replace(s, "\nread,3,", "\nread,3x,", 1) }, `"3x"`},
		{"negative number", CSVFile, func(s string) string { return strings.Replace(s, "\nread,3,", "\nread,-3,", 1) }, `"-3"`},
		{"duplicate name", CSVFile, func(s string) string { return strings.Replace(s, "\nwrite,", "\nread,", 1) }, "listed twice"},
		{"bad name", CSVFile, func(s string) string { return strings.Replace(s, "\nread,", "\nRead,", 1) }, "bad syscall name"},
		{"hrw bad number", "syscalls-x86_64", func(s string) string { return strings.Replace(s, "read\t0\n", "read\tzero\n", 1) }, "zero"},
		{"hrw duplicate", "syscalls-x86_64", func(s string) string { return s + "read\t0\n" }, "listed twice"},
		{"hrw empty", "syscalls-x86_64", func(string) string { return "" }, "no syscall has a number"},
		{"hrw too large", "syscalls-x86_64", func(s string) string { return strings.Replace(s, "read\t0\n", "read\t99999999999\n", 1) }, "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyTables(t)
			path := filepath.Join(dir, tt.file)
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			mutated := tt.mutate(string(raw))
			if mutated == string(raw) {
				t.Fatal("mutation changed nothing")
			}
			if err := os.WriteFile(path, []byte(mutated), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = Load(dir)
			if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load error = %v; want ErrInput mentioning %q", err, tt.want)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	dir := copyTables(t)
	if err := os.Remove(filepath.Join(dir, "syscalls-sh")); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load error = %v, want ErrNotExist", err)
	}
}

// TestUnknownColumn: a CSV from a libseccomp with one more architecture is
// refused rather than silently ignored.
func TestUnknownColumn(t *testing.T) {
	dir := copyTables(t)
	path := filepath.Join(dir, CSVFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(raw), "\n")
	for i, l := range lines {
		if l == "" {
			continue
		}
		if i == 0 {
			lines[i] = strings.TrimSuffix(l, "\n") + ",riscv32,riscv32_kver\n"
		} else {
			lines[i] = strings.TrimSuffix(l, "\n") + ",PNR,KV_UNDEF\n"
		}
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), `unknown column "riscv32"`) {
		t.Errorf("Load error = %v", err)
	}
}

func tableOf(t *testing.T, d *Data, column string) Table {
	t.Helper()
	for _, tb := range d.Tables {
		if tb.CSV == column {
			return tb
		}
	}
	t.Fatalf("no table %s", column)
	return Table{}
}

func copyTables(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(tablesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(tablesDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
