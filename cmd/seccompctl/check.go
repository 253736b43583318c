package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
)

func init() {
	register(command{name: "check", summary: "validate profiles and report what runc would silently change", run: runCheck})
}

// checkReport is the --output json document. Field names are stable.
type checkReport struct {
	Target checkTarget  `json:"target"`
	Files  []checkFile  `json:"files"`
	Status int          `json:"status"` // the exit status
	Totals checkSummary `json:"totals"`
}

type checkTarget struct {
	Arch    string   `json:"arch"`
	Caps    []string `json:"caps"`
	Kernel  string   `json:"kernel"`
	Runtime string   `json:"runtime"`
}

type checkFile struct {
	File string `json:"file"`
	OK   bool   `json:"ok"`
	// Set when OK:
	DefaultAction string         `json:"defaultAction,omitempty"`
	Arches        []string       `json:"arches,omitempty"`
	Syscalls      int            `json:"syscalls"` // native-arch syscalls with rules
	Warnings      []checkWarning `json:"warnings"`
	// Set when not OK:
	Error *checkError `json:"error,omitempty"`
}

// checkWarning is one finding; Code is its stable rule ID (profile.LintRules).
type checkWarning struct {
	File     string `json:"file"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
	Path     string `json:"path,omitempty"`
	Code     string `json:"code"`
	Severity string `json:"severity"` // error, warning or note
	Message  string `json:"message"`
}

type checkError struct {
	Kind    string `json:"kind"` // syntax, not-profile, too-large, conflict, invalid, io
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"` // the whole one-line error
}

type checkSummary struct {
	Files   int `json:"files"`
	Invalid int `json:"invalid"`
	// Findings by severity.
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Notes    int `json:"notes"`
}

func runCheck(e *env) int {
	var tf targetFlags
	fs := newFlagSet(e, "check", "[flags] PROFILE... (- reads standard input)")
	tf.register(fs)
	strict := fs.Bool("strict", false, "exit 1 when there are warnings, not only errors (notes never count)")
	output := fs.String("output", "text", "text or json")
	if status, ok := parseFlags(e, fs); !ok {
		return status
	}
	if *output != "text" && *output != "json" {
		return e.errorf(exitInput, "check: --output: %q is not text or json", *output)
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitInput
	}
	tg, err := tf.target()
	if err != nil {
		return e.errorf(exitInput, "check: %v", err)
	}
	if tg.Arch == arch.Unknown {
		if tg.Arch = arch.Native(); tg.Arch == arch.Unknown {
			return e.errorf(exitInput, "check: this machine has no seccomp architecture; use --arch")
		}
	}
	if tg.Kernel.IsZero() {
		// Resolve would ask lazily; asking here lets the report say which
		// kernel the minKernel conditions were checked against.
		if tg.Kernel, err = profile.RunningKernel(); err != nil {
			return e.errorf(exitInput, "check: %v; use --kernel", err)
		}
	}

	report := checkReport{Target: checkTarget{Arch: tg.Arch.String(), Caps: tg.Caps, Kernel: tg.Kernel.String(), Runtime: string(tg.Runtime)}}
	if report.Target.Caps == nil {
		report.Target.Caps = []string{}
	}
	for _, file := range fs.Args() {
		res := checkOne(e, file, tg)
		report.Files = append(report.Files, res)
		report.Totals.Files++
		found := countFindings(res.Warnings)
		report.Totals.Errors += found.Errors
		report.Totals.Warnings += found.Warnings
		report.Totals.Notes += found.Notes
		if !res.OK {
			report.Totals.Invalid++
			// One line per error, also in JSON mode: stderr is for people.
			fmt.Fprintf(e.stderr, "seccompctl: %s\n", res.Error.Message)
			continue
		}
		if *output == "text" {
			for _, w := range res.Warnings {
				fmt.Fprintln(e.stdout, formatWarning(w))
			}
			fmt.Fprintln(e.stdout, summaryLine(res, found, tg.Arch))
		}
	}
	switch {
	case report.Totals.Invalid > 0:
		report.Status = exitInput
	case report.Totals.Errors > 0, *strict && report.Totals.Warnings > 0:
		report.Status = exitFinding
	default:
		report.Status = exitOK
	}
	if *output == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(&report); err != nil {
			return e.errorf(exitInput, "check: %v", err)
		}
	}
	return report.Status
}

// checkOne parses, resolves, lints and compiles one file.
func checkOne(e *env, file string, tg profile.Target) checkFile {
	res := checkFile{File: file, Warnings: []checkWarning{}}
	var p *profile.Profile
	var err error
	if file == "-" {
		res.File = stdinName
		p, err = parseStdin(e)
	} else {
		p, err = profile.ParseFile(file)
	}
	if err != nil {
		res.Error = describeError(file, err)
		return res
	}
	pol, err := p.Resolve(tg)
	if err != nil {
		res.Error = describeError(file, err)
		return res
	}
	ws := p.Lint(pol)
	// Compiling is the only way to know the size; a filter over the limit
	// is a finding of the profile, not an input error: it parsed fine.
	if _, err := compile.Compile(pol, compile.Options{}); err != nil {
		var tl compile.TooLongError
		if !errors.As(err, &tl) {
			res.Error = describeError(file, err)
			return res
		}
		ws = append([]profile.Warning{{File: p.Source.File, Pos: profile.Position{Line: 1, Column: 1}, Code: "too-long", Severity: profile.SeverityError,
			Msg: fmt.Sprintf("the compiled filter for %s has %d instructions; the kernel accepts at most %d, so no runtime can install it; fewer argument conditions or fewer architectures make it shorter",
				strings.Join(arch.Names(pol.Arches), ", "), tl.Len, compile.KernelMaxInsns)}}, ws...)
	}
	for _, w := range ws {
		if w.File == "" {
			w.File = res.File
		}
		res.Warnings = append(res.Warnings, checkWarning{File: w.File, Line: w.Pos.Line, Column: w.Pos.Column, Path: w.Path,
			Code: w.Code, Severity: string(w.Severity), Message: w.Msg})
	}
	res.OK = true
	res.DefaultAction = pol.Default.String()
	res.Arches = arch.Names(pol.Arches)
	if ap := pol.Arch(tg.Arch); ap != nil {
		res.Syscalls = len(ap.Syscalls)
	}
	return res
}

// stdinName names standard input in messages.
const stdinName = "<stdin>"

func parseStdin(e *env) (*profile.Profile, error) {
	opts := profile.DefaultParseOptions
	opts.File = stdinName
	// Read one byte more than the limit so an oversized input fails with
	// ErrTooLarge instead of being cut.
	data, err := readInput(e, "-", opts.MaxSize)
	if err != nil {
		return nil, fmt.Errorf("reading standard input: %w", err)
	}
	return profile.ParseWithOptions(data, opts)
}

// describeError turns an error into its report entry; the message is one
// line that names the file.
func describeError(file string, err error) *checkError {
	if file == "-" {
		file = stdinName
	}
	ce := &checkError{Kind: "invalid"}
	switch {
	case errors.Is(err, profile.ErrSyntax):
		ce.Kind = "syntax"
	case errors.Is(err, profile.ErrNotProfile):
		ce.Kind = "not-profile"
	case errors.Is(err, profile.ErrTooLarge):
		ce.Kind = "too-large"
	case errors.Is(err, profile.ErrConflict):
		ce.Kind = "conflict"
	case !errors.Is(err, profile.ErrInvalid):
		ce.Kind = "io"
	}
	var pe *profile.Error
	if errors.As(err, &pe) {
		ce.Line, ce.Column, ce.Path = pe.Pos.Line, pe.Pos.Column, pe.Path
	}
	msg := err.Error()
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) && !errors.As(err, &pe) {
		msg = pathErr.Err.Error() // "open FILE: ..." would name the file twice
	}
	msg = strings.ReplaceAll(msg, "\n", " ")
	if !strings.HasPrefix(msg, file+":") {
		msg = file + ": " + msg
	}
	ce.Message = msg
	return ce
}

// formatWarning is "FILE:LINE:COL: SEVERITY: path: message [code]".
func formatWarning(w checkWarning) string {
	var b strings.Builder
	b.WriteString(w.File)
	b.WriteByte(':')
	if w.Line > 0 {
		fmt.Fprintf(&b, "%d:%d:", w.Line, w.Column)
	}
	b.WriteByte(' ')
	b.WriteString(w.Severity)
	b.WriteString(": ")
	if w.Path != "" {
		b.WriteString(w.Path)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%s [%s]", w.Message, w.Code)
	return b.String()
}

// countFindings counts findings by severity (Errors, Warnings and Notes
// only).
func countFindings(ws []checkWarning) checkSummary {
	var c checkSummary
	for _, w := range ws {
		switch profile.Severity(w.Severity) {
		case profile.SeverityError:
			c.Errors++
		case profile.SeverityWarning:
			c.Warnings++
		default:
			c.Notes++
		}
	}
	return c
}

// summaryLine is e.g. "FILE: ok: SCMP_ACT_ERRNO(1) default, 3 arches,
// 310 x86_64 syscalls with rules, 2 warnings, 1 note", found being the
// file's findings by severity; errors and notes are counted only when
// there are some.
func summaryLine(res checkFile, found checkSummary, native arch.Arch) string {
	findings := plural(found.Warnings, "warning", "warnings")
	if n := found.Errors; n > 0 {
		findings = plural(n, "error", "errors") + ", " + findings
	}
	if n := found.Notes; n > 0 {
		findings += ", " + plural(n, "note", "notes")
	}
	return fmt.Sprintf("%s: ok: %s default, %s, %s with rules, %s", res.File, res.DefaultAction,
		plural(len(res.Arches), "arch", "arches"),
		plural(res.Syscalls, native.ShortName()+" syscall", native.ShortName()+" syscalls"), findings)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
