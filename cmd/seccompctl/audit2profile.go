package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/record"
)

func init() {
	register(command{name: "audit2profile", summary: "write a profile allowing the syscalls in kernel SECCOMP audit records", run: runAudit2Profile})
}

func runAudit2Profile(e *env) int {
	fs := newFlagSet(e, "audit2profile", "[flags] [LOG|-]")
	out := fs.String("o", "-", "where to write the profile (- for standard output)")
	since := fs.String("since", "", "skip records before this time: RFC 3339, \"2006-01-02 15:04:05\", Unix seconds, or a duration ago such as 10m")
	comm := fs.String("comm", "", "keep only records of this command name (comm=)")
	exe := fs.String("exe", "", "keep only records of this executable (exe=)")
	pid := fs.Int("pid", 0, "keep only records of this process id")
	base := fs.String("profile", "", "an existing profile to add the syscalls to (merged as by seccompctl merge)")
	runtime := fs.String("base", "none", "add the syscalls a container runtime needs before exec: none or docker")
	maxSize := fs.Int64("max-size", 256<<20, "read at most this many bytes of log")
	if status, ok := parseFlags(e, fs); !ok {
		return status
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return exitInput
	}
	opts := record.DefaultAuditOptions
	opts.Comm, opts.Exe, opts.Pid, opts.MaxSize = *comm, *exe, *pid, *maxSize
	if *since != "" {
		t, err := parseSince(*since, time.Now())
		if err != nil {
			return e.errorf(exitInput, "--since: %v", err)
		}
		opts.Since = t
	}
	b, err := record.ParseBase(*runtime)
	if err != nil {
		return e.errorf(exitInput, "--base: %v", err)
	}
	name := "-"
	var in io.Reader = e.stdin
	if fs.NArg() == 1 && fs.Arg(0) != "-" {
		name = fs.Arg(0)
		f, err := os.Open(name)
		if err != nil {
			return e.errorf(exitInput, "%v", err)
		}
		defer f.Close()
		in = f
	}
	rec, stats, err := record.ParseAudit(in, opts)
	if err != nil {
		return e.errorf(exitInput, "%s: %v", name, err)
	}
	if stats.Malformed > 0 {
		fmt.Fprintf(e.stderr, "seccompctl: warning: %s: %d SECCOMP records could not be read (first: %s)\n", name, stats.Malformed, stats.FirstMalformed)
	}
	if stats.Records == 0 {
		return e.errorf(exitFinding, "%s: no SECCOMP audit records (type=1326) found in %d lines (%d skipped by the filters)", name, stats.Lines, stats.Filtered)
	}
	fmt.Fprintf(e.stderr, "seccompctl: %s: %d records, %d distinct syscalls (%s)\n", name, stats.Records, rec.Len(), actionSummary(stats.Actions))
	p, warnings, err := rec.Profile(record.ProfileOptions{Base: b, Native: arch.Native()})
	if err != nil {
		return e.errorf(exitInput, "%v", err)
	}
	if *base != "" {
		bp, err := profile.ParseFile(*base)
		if err != nil {
			return e.errorf(exitInput, "%v", err)
		}
		merged, mw, err := record.Merge(bp, p)
		if err != nil {
			return e.errorf(exitInput, "%v", err)
		}
		p, warnings = merged, append(warnings, mw...)
	}
	for _, w := range warnings {
		fmt.Fprintf(e.stderr, "seccompctl: warning: %s\n", w)
	}
	data, err := record.Marshal(p)
	if err != nil {
		return e.errorf(exitInput, "%v", err)
	}
	if err := writeOutput(e, *out, data); err != nil {
		return e.errorf(exitInput, "%v", err)
	}
	return exitOK
}

func actionSummary(m map[profile.Action]int) string {
	var parts []string
	for a, n := range m {
		parts = append(parts, fmt.Sprintf("%s: %d", a, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// parseSince reads an absolute time, Unix seconds, or a duration before now.
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("%q: a negative duration", s)
		}
		return now.Add(-d), nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (RFC 3339, \"2006-01-02 15:04:05\", Unix seconds) or a duration", s)
}
