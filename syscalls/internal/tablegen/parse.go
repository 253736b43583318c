package tablegen

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrInput is returned (wrapped, with file and line) for a table file that
// does not have the expected shape.
var ErrInput = errors.New("malformed syscall table")

// notPresent is libseccomp's CSV marker for "this architecture has no such
// syscall" (libseccomp then resolves the name to a negative pseudo-number).
const notPresent = "PNR"

// maxNr bounds every syscall number we accept. The largest real one is an
// x32 number (0x40000000 + a few hundred); the bound keeps int arithmetic
// safe on 32-bit hosts and catches garbage early.
const maxNr = 0x40000000 + 0xffff

// csvTable is libseccomp-syscalls.csv after parsing: per column, name → number
// without ABI offset. A name missing from a column's map was PNR there.
type csvTable struct {
	version string // first header cell, e.g. "#syscall (v7.1.0-rc4 2026-05-21)"
	names   []string
	nrs     map[string]map[string]int // column → name → number
}

// parseCSV reads libseccomp's syscalls.csv. file names the input in errors.
func parseCSV(file string, data []byte) (*csvTable, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = false
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInput, file, err)
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("%w: %s: no rows", ErrInput, file)
	}
	header := rows[0]
	if !strings.HasPrefix(header[0], "#syscall") {
		return nil, fmt.Errorf("%w: %s:1: first header cell %q does not start with #syscall", ErrInput, file, header[0])
	}
	// Map each expected column to its index and refuse any column we do not
	// know: a new architecture must be added to columns deliberately.
	index := map[string]int{}
	for i, h := range header[1:] {
		if _, dup := index[h]; dup {
			return nil, fmt.Errorf("%w: %s:1: column %q twice", ErrInput, file, h)
		}
		index[h] = i + 1
	}
	known := map[string]bool{}
	for _, c := range columns {
		known[c.CSV], known[c.CSV+"_kver"] = true, true
		if _, ok := index[c.CSV]; !ok {
			return nil, fmt.Errorf("%w: %s:1: column %q missing", ErrInput, file, c.CSV)
		}
	}
	for _, h := range header[1:] { // header order, so the error is stable
		if !known[h] {
			return nil, fmt.Errorf("%w: %s:1: unknown column %q (a new libseccomp architecture? add it to tablegen's columns)", ErrInput, file, h)
		}
	}

	t := &csvTable{version: header[0], nrs: map[string]map[string]int{}}
	for _, c := range columns {
		t.nrs[c.CSV] = map[string]int{}
	}
	seen := map[string]bool{}
	for i, row := range rows[1:] {
		line := i + 2
		name := row[0]
		if !validName(name) {
			return nil, fmt.Errorf("%w: %s:%d: bad syscall name %q", ErrInput, file, line, name)
		}
		if seen[name] {
			return nil, fmt.Errorf("%w: %s:%d: syscall %q listed twice", ErrInput, file, line, name)
		}
		seen[name] = true
		t.names = append(t.names, name)
		for _, c := range columns {
			v := row[index[c.CSV]]
			if v == notPresent {
				continue
			}
			nr, err := parseNr(v)
			if err != nil {
				return nil, fmt.Errorf("%w: %s:%d: %s, column %s: %w", ErrInput, file, line, name, c.CSV, err)
			}
			t.nrs[c.CSV][name] = nr
		}
	}
	return t, nil
}

// parseHRW reads one hrw/syscalls-table file: one name per line, then a tab
// and the number where the architecture has the syscall. The result maps
// name → number for the names that have one.
func parseHRW(file string, data []byte) (map[string]int, error) {
	out := map[string]int{}
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		name, num, hasNr := strings.Cut(text, "\t")
		if !validName(name) {
			return nil, fmt.Errorf("%w: %s:%d: bad syscall name %q", ErrInput, file, line, name)
		}
		if seen[name] {
			return nil, fmt.Errorf("%w: %s:%d: syscall %q listed twice", ErrInput, file, line, name)
		}
		seen[name] = true
		if !hasNr {
			continue
		}
		nr, err := parseNr(num)
		if err != nil {
			return nil, fmt.Errorf("%w: %s:%d: %s: %w", ErrInput, file, line, name, err)
		}
		out[name] = nr
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: %s: no syscall has a number", ErrInput, file)
	}
	return out, nil
}

// parseNr accepts a plain non-negative decimal number no larger than maxNr.
func parseNr(s string) (int, error) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, fmt.Errorf("number %q is not a non-negative decimal", s)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > maxNr {
		return 0, fmt.Errorf("number %q out of range", s)
	}
	return n, nil
}

// validName reports whether s looks like a kernel syscall name: lower-case
// letters, digits and underscores, not starting with a digit.
func validName(s string) bool {
	if s == "" || len(s) > 64 || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
