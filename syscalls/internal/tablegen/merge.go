package tablegen

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// CSVFile is the name of libseccomp's table inside the tables directory.
const CSVFile = "libseccomp-syscalls.csv"

// Entry is one syscall of one table.
type Entry struct {
	Name string
	Nr   int // with the ABI offset
	// Libseccomp reports that the number came from libseccomp's CSV, i.e.
	// libseccomp 2.6.1 resolves the name to this number on the architecture.
	Libseccomp bool
}

// Table is the merged table of one CSV column.
type Table struct {
	CSV    string   // CSV column
	HRW    string   // hrw file suffix
	Arches []string // arch constants sharing this table
	// Entries sorted by Nr, then CSV entries first, then Name. Several names
	// may share a number (e.g. arm 341: arm_sync_file_range from the CSV and
	// sync_file_range2 from hrw); the first one is the canonical name.
	Entries []Entry
}

// Disagreement is a name both sources number on an architecture, with
// different numbers. The CSV's number is the one used.
type Disagreement struct {
	CSV     string // CSV column
	Name    string
	CSVNr   int // with the ABI offset
	HRWNr   int
	HRWFile string
}

func (d Disagreement) String() string {
	return fmt.Sprintf("%s %s: libseccomp CSV %d, %s %d (using the CSV)", d.CSV, d.Name, d.CSVNr, d.HRWFile, d.HRWNr)
}

// Fill is a syscall the CSV does not number on an architecture and the hrw
// table does; it is added with Libseccomp false.
type Fill struct {
	CSV  string
	Name string
	Nr   int
}

func (f Fill) String() string { return fmt.Sprintf("%s %s = %d", f.CSV, f.Name, f.Nr) }

// Data is everything Render needs, plus the merge report.
type Data struct {
	CSVVersion    string // the CSV's first header cell
	Tables        []Table
	Names         []string // every name of every table, sorted, unique
	Disagreements []Disagreement
	Fills         []Fill
	// CSVOnly counts entries the CSV numbers and hrw does not (removed or
	// never-implemented syscalls that keep their number, e.g. x86_64
	// _sysctl), per CSV column.
	CSVOnly map[string]int
}

// Load reads the tables directory and merges the sources: libseccomp's CSV
// first (plus the ABI offset), then the hrw file for names the CSV does not
// number on that architecture. Where both number a name and disagree, the
// CSV wins and the pair is reported in Disagreements.
func Load(dir string) (*Data, error) {
	path := filepath.Join(dir, CSVFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ct, err := parseCSV(path, raw)
	if err != nil {
		return nil, err
	}
	d := &Data{CSVVersion: ct.version, CSVOnly: map[string]int{}}
	all := map[string]bool{}
	for _, c := range columns {
		hpath := filepath.Join(dir, "syscalls-"+c.HRW)
		hraw, err := os.ReadFile(hpath)
		if err != nil {
			return nil, err
		}
		hrw, err := parseHRW(hpath, hraw)
		if err != nil {
			return nil, err
		}
		t := Table{CSV: c.CSV, HRW: c.HRW, Arches: c.Arches}
		for _, name := range ct.names {
			nr, ok := ct.nrs[c.CSV][name]
			if !ok {
				continue
			}
			nr += c.Offset
			if nr > maxNr {
				return nil, fmt.Errorf("%w: %s: %s, column %s: number %d with offset out of range", ErrInput, path, name, c.CSV, nr)
			}
			t.Entries = append(t.Entries, Entry{Name: name, Nr: nr, Libseccomp: true})
			hnr, inHRW := hrw[name]
			switch {
			case !inHRW:
				d.CSVOnly[c.CSV]++
			case hnr != nr:
				d.Disagreements = append(d.Disagreements, Disagreement{CSV: c.CSV, Name: name, CSVNr: nr, HRWNr: hnr, HRWFile: "syscalls-" + c.HRW})
			}
		}
		for _, name := range sortedKeys(hrw) {
			if _, inCSV := ct.nrs[c.CSV][name]; inCSV {
				continue
			}
			t.Entries = append(t.Entries, Entry{Name: name, Nr: hrw[name]})
			d.Fills = append(d.Fills, Fill{CSV: c.CSV, Name: name, Nr: hrw[name]})
		}
		slices.SortFunc(t.Entries, compareEntries)
		if len(t.Entries) > 0xffff {
			return nil, fmt.Errorf("%w: column %s has %d entries, more than the generated index can hold", ErrInput, c.CSV, len(t.Entries))
		}
		for _, e := range t.Entries {
			all[e.Name] = true
		}
		d.Tables = append(d.Tables, t)
	}
	d.Names = sortedKeys(all)
	return d, nil
}

// compareEntries orders a table by number; among names sharing a number the
// CSV's comes first (it is what libseccomp's number→name lookup answers),
// then by name so the order is total.
func compareEntries(a, b Entry) int {
	if c := cmp.Compare(a.Nr, b.Nr); c != 0 {
		return c
	}
	if a.Libseccomp != b.Libseccomp {
		if a.Libseccomp {
			return -1
		}
		return 1
	}
	return cmp.Compare(a.Name, b.Name)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
