package bench

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/bpf"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
)

//go:embed testdata/libseccomp/lsc-export.c
var lscExportC []byte

// ErrNoLibseccomp is returned when the libseccomp helper cannot be built
// (no gcc, or no libseccomp-dev).
var ErrNoLibseccomp = errors.New("bench: cannot build the libseccomp helper")

// Libseccomp builds testdata/libseccomp/lsc-export.c against the
// system's libseccomp and runs it.
type Libseccomp struct {
	exe string
}

// BuildLibseccomp compiles the helper into dir with gcc.
func BuildLibseccomp(dir string) (*Libseccomp, error) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoLibseccomp, err)
	}
	src := filepath.Join(dir, "lsc-export.c")
	if err := os.WriteFile(src, lscExportC, 0o644); err != nil {
		return nil, err
	}
	exe := filepath.Join(dir, "lsc-export")
	out, err := exec.Command(gcc, "-O2", "-Wall", "-Werror", "-o", exe, src, "-lseccomp").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("%w: gcc: %w: %s", ErrNoLibseccomp, err, bytes.TrimSpace(out))
	}
	return &Libseccomp{exe: exe}, nil
}

// Version is the libseccomp version the helper linked against, from
// pkg-config, or "" when pkg-config does not know.
func (l *Libseccomp) Version() string {
	out, err := exec.Command("pkg-config", "--modversion", "libseccomp").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// Export runs the helper on a rules file (RuncRules) with libseccomp's
// optimize level (1 or 2). It returns libseccomp's program, without
// runc's stub, and the names the helper skipped because its libseccomp
// does not know them.
func (l *Libseccomp) Export(rules string, optimize int) (insns []bpf.RawInstruction, skipped []string, err error) {
	cmd := exec.Command(l.exe, fmt.Sprint(optimize))
	cmd.Stdin = strings.NewReader(rules)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, nil, fmt.Errorf("bench: lsc-export %d: %w: %s", optimize, err, bytes.TrimSpace(stderr.Bytes()))
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if name, ok := strings.CutPrefix(line, "skip "); ok && !slices.Contains(skipped, name) {
			skipped = append(skipped, name)
		}
	}
	insns, err = compile.ParseRaw(stdout.Bytes())
	if err != nil {
		return nil, nil, fmt.Errorf("bench: lsc-export %d: %w", optimize, err)
	}
	return insns, skipped, nil
}

// Resolve returns the numbers the helper's libseccomp gives names on a;
// names it does not know there are absent (libseccomp returns a negative
// pseudo-number for them).
func (l *Libseccomp) Resolve(a arch.Arch, names []string) (map[string]int, error) {
	cmd := exec.Command(l.exe, "resolve", a.ShortName())
	cmd.Stdin = strings.NewReader(strings.Join(names, "\n") + "\n")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("bench: lsc-export resolve %s: %w: %s", a.ShortName(), err, bytes.TrimSpace(stderr.Bytes()))
	}
	out := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		name, nr, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(nr)
		if err != nil {
			return nil, fmt.Errorf("bench: lsc-export resolve %s: bad line %q", a.ShortName(), line)
		}
		out[name] = n
	}
	return out, nil
}
