package syscalls

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/seccompctl/seccompctl/syscalls/internal/tablegen"
)

// TestGenerated runs the //go:generate command of generate.go with its
// output redirected into a temporary directory and fails on any difference
// from the committed ztables.go: edit the inputs, then run go generate.
func TestGenerated(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH; TestGeneratedInProcess still checks the output")
	}
	args := generateArgs(t)
	out := filepath.Join(t.TempDir(), "ztables.go")
	for i := range args {
		if args[i] == "-out" && i+1 < len(args) {
			args[i+1] = out
		}
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(t.Context(), goTool, args...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	// The inputs have no CSV/hrw disagreement, so the generator is silent
	// (see tablegen's TestDisagreements for the merge report itself).
	if stderr.Len() != 0 {
		t.Errorf("generator printed:\n%s", stderr.String())
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	compareWithCommitted(t, got)
}

// TestGeneratedInProcess checks the same without the go command.
func TestGeneratedInProcess(t *testing.T) {
	d, err := tablegen.Load("internal/tables")
	if err != nil {
		t.Fatal(err)
	}
	got, err := tablegen.Render(d)
	if err != nil {
		t.Fatal(err)
	}
	compareWithCommitted(t, got)
}

func compareWithCommitted(t *testing.T, got []byte) {
	t.Helper()
	want, err := os.ReadFile("ztables.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(want, []byte(tablegen.Header+"\n")) {
		t.Errorf("ztables.go does not start with %q", tablegen.Header)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("ztables.go is stale; run go generate ./syscalls (-committed +generated):\n%s",
			cmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(got), "\n")))
	}
}

// generateArgs returns the arguments of the go:generate line in generate.go
// (without the leading "go").
func generateArgs(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("generate.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(src), "\n") {
		if rest, ok := strings.CutPrefix(line, "//go:generate go "); ok {
			return strings.Fields(rest)
		}
	}
	t.Fatal("generate.go has no //go:generate go ... line")
	return nil
}
