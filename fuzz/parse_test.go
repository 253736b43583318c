package fuzz

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
)

// sharedDir is ../shared beside the repository, from this package's
// directory.
var sharedDir = filepath.Join("..", "..", "shared")

// sharedSeeds returns every file under ../shared/profiles and ../shared/bad
// (README and notes included: they are inputs too).
func sharedSeeds(f *testing.F) map[string][]byte {
	f.Helper()
	out := map[string][]byte{}
	for _, dir := range []string{"profiles", "bad"} {
		entries, err := os.ReadDir(filepath.Join(sharedDir, dir))
		if err != nil {
			f.Fatalf("seed corpus: %v", err)
		}
		for _, e := range entries {
			if !e.Type().IsRegular() {
				continue
			}
			b, err := os.ReadFile(filepath.Join(sharedDir, dir, e.Name()))
			if err != nil {
				f.Fatal(err)
			}
			out[dir+"/"+e.Name()] = b
		}
	}
	if len(out) < 80 {
		f.Fatalf("seed corpus: only %d files under %s", len(out), sharedDir)
	}
	return out
}

// ignoreSource compares profiles by meaning: where things were in the
// file is not part of it, and an empty list is the same as none (except
// for flags, checked separately).
var ignoreSource = []cmp.Option{
	cmpopts.IgnoreFields(profile.Profile{}, "Source"),
	cmpopts.IgnoreFields(profile.Syscall{}, "Pos"),
	cmpopts.IgnoreFields(profile.Arg{}, "Pos"),
	cmpopts.IgnoreUnexported(profile.Profile{}, profile.Syscall{}),
	cmpopts.EquateEmpty(),
}

// profileDiff compares two profiles by meaning and describes how they
// differ. go-cmp takes milliseconds on a real profile (seconds on the 2 MB
// seed), so equality is decided on the JSON encodings, which hold every
// field but the positions, Index (compared here) and the unexported
// unknown-key list; go-cmp then says what differs, and compares small
// profiles outright, so the two methods keep each other honest.
func profileDiff(a, b *profile.Profile) string {
	ja, erra := json.Marshal(a)
	jb, errb := json.Marshal(b)
	if erra != nil || errb != nil {
		return fmt.Sprintf("marshalling: %v, %v", erra, errb)
	}
	same := bytes.Equal(ja, jb) && len(a.Syscalls) == len(b.Syscalls)
	for i := 0; same && i < len(a.Syscalls); i++ {
		same = a.Syscalls[i].Index == b.Syscalls[i].Index
	}
	if same && len(ja) > 2048 {
		return ""
	}
	diff := cmp.Diff(a, b, ignoreSource...)
	if !same && diff == "" {
		// Only go-cmp's EquateEmpty tells [] and null apart less
		// strictly than the encodings; anything else is a real change.
		return fmt.Sprintf("JSON encodings differ:\n%s\n%s", ja, jb)
	}
	return diff
}

// parseTarget is what FuzzParse resolves accepted profiles for.
var parseTarget = profile.Target{
	Arch: arch.X86_64, Caps: profile.DockerDefaultCaps,
	Kernel: profile.KernelVersion{Kernel: 6, Major: 1}, Runtime: profile.RuntimeRunc,
}

// maxFuzzSeed is the largest shared file used as a seed while fuzzing.
// The three larger ones (2 MB of names, 350 KB of ioctl rules, 200 KB of
// nesting) make every mutation slow and every interesting input take the
// whole -fuzzminimizetime to minimize; plain test runs still check them.
const maxFuzzSeed = 64 << 10

// fuzzing reports whether this process runs with -test.fuzz.
func fuzzing() bool {
	f := flag.Lookup("test.fuzz")
	return f != nil && f.Value.String() != ""
}

// FuzzParse: arbitrary bytes into profile.Parse.
func FuzzParse(f *testing.F) {
	seeds := sharedSeeds(f)
	for _, name := range slices.Sorted(maps.Keys(seeds)) {
		if fuzzing() && len(seeds[name]) > maxFuzzSeed {
			continue
		}
		f.Add(seeds[name])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParse(t, data)
	})
}

// checkParse is FuzzParse's body, shared with the regression tests. It
// checks that Parse never panics; that a refusal is a *profile.Error
// matching profile.ErrInvalid with a message and a position inside the
// input; that an accepted profile is within the size limit, parses the
// same twice, and survives json.Marshal and Parse unchanged; and that it
// resolves and compiles without a panic into a program that agrees with
// the reference; Lint's findings are well formed. It reports "refused",
// "accepted" or "compiled".
func checkParse(t *testing.T, data []byte) string {
	t.Helper()
	p, err := profile.Parse(data)
	if err != nil {
		checkParseError(t, data, p, err)
		return "refused"
	}
	if len(data) > profile.DefaultMaxSize {
		t.Fatalf("accepted %d bytes, more than DefaultMaxSize", len(data))
	}
	if len(data) > 0 {
		_, err := profile.ParseWithOptions(data, profile.ParseOptions{MaxSize: int64(len(data) - 1)})
		if !errors.Is(err, profile.ErrTooLarge) {
			t.Fatalf("MaxSize %d on %d bytes: got %v, want ErrTooLarge", len(data)-1, len(data), err)
		}
	}
	again, err := profile.Parse(data)
	if err != nil {
		t.Fatalf("second Parse of the same input fails: %v", err)
	}
	if diff := profileDiff(p, again); diff != "" {
		t.Fatalf("two Parses of one input differ:\n%s", diff)
	}

	out, err := json.Marshal(p)
	if err != nil {
		t.Fatalf("json.Marshal of an accepted profile: %v", err)
	}
	re, err := profile.Parse(out)
	if err != nil {
		t.Fatalf("Parse refuses the marshalled profile: %v\ninput %q\nmarshalled %s", err, data, out)
	}
	if diff := profileDiff(p, re); diff != "" {
		t.Fatalf("round trip changed the profile (-parsed +reparsed):\n%s\ninput %q\nmarshalled %s", diff, data, out)
	}
	if (p.Flags == nil) != (re.Flags == nil) {
		t.Fatalf("round trip changed flags from %#v to %#v (absent and empty differ)", p.Flags, re.Flags)
	}

	pol, err := p.Resolve(parseTarget)
	if err != nil {
		if !errors.Is(err, profile.ErrInvalid) {
			t.Fatalf("Resolve fails with an error that does not match ErrInvalid: %v", err)
		}
		return "accepted"
	}
	checkLint(t, data, p.Lint(nil))
	checkLint(t, data, p.Lint(pol))
	prog, err := compile.Compile(pol, compile.DefaultOptions)
	if errors.Is(err, compile.ErrTooLong) {
		return "accepted"
	}
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	if err := CheckProgram(pol, prog, Inputs(pol, NewSource(data))); err != nil {
		t.Fatalf("%v\ninput %q", err, data)
	}
	return "compiled"
}

// checkLint: every finding has a documented rule ID with its severity, a
// message, and a position inside the input when it has one.
func checkLint(t *testing.T, data []byte, ws []profile.Warning) {
	t.Helper()
	lines := bytes.Count(data, []byte("\n")) + 1
	for _, w := range ws {
		i := slices.IndexFunc(profile.LintRules, func(r profile.LintRule) bool { return r.Code == w.Code })
		if i < 0 || profile.LintRules[i].Severity != w.Severity || w.Msg == "" {
			t.Fatalf("finding with an undocumented code, wrong severity or no message: %#v", w)
		}
		if w.Pos.IsValid() && w.Pos.Line > lines {
			t.Fatalf("finding position %v outside the input (%d lines): %v", w.Pos, lines, w)
		}
	}
}

func checkParseError(t *testing.T, data []byte, p *profile.Profile, err error) {
	t.Helper()
	if p != nil {
		t.Fatalf("Parse returns a profile with the error %v", err)
	}
	var pe *profile.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *profile.Error", err, err)
	}
	if !errors.Is(err, profile.ErrInvalid) {
		t.Fatalf("error %v does not match ErrInvalid", err)
	}
	if pe.Msg == "" || pe.Err == nil {
		t.Fatalf("error without message or sentinel: %#v", pe)
	}
	if pe.Pos.IsValid() {
		lines := bytes.Count(data, []byte("\n")) + 1
		if pe.Pos.Line > lines || pe.Pos.Column < 1 {
			t.Fatalf("error position %v outside the input (%d lines): %v", pe.Pos, lines, err)
		}
		start := 0
		for range pe.Pos.Line - 1 {
			start += bytes.IndexByte(data[start:], '\n') + 1
		}
		end := bytes.IndexByte(data[start:], '\n')
		if end < 0 {
			end = len(data) - start
		}
		// Column counts bytes; one past the end of a line is where an
		// unexpected end of input is.
		if pe.Pos.Column > end+1 {
			t.Fatalf("error column %d past the end of line %d (%d bytes): %v", pe.Pos.Column, pe.Pos.Line, end, err)
		}
	}
}
