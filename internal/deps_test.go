// Package internal_test holds repository-wide checks that belong to no
// package in particular.
package internal_test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/seccompctl/seccompctl"

// corePackages may import only the standard library, golang.org/x/sys,
// golang.org/x/net, github.com/opencontainers/runtime-spec and this module
// (DESIGN.md "Packages and what each may import"): runtimes will import
// them. required are the ones that must exist already.
var corePackages = []struct {
	dir      string
	required bool
}{
	{"arch", true},
	{"syscalls", true},
	{"profile", true},
	{"compile", true},
	{"loader", false},
}

// allowedDep reports whether a non-standard import path may appear in the
// dependencies of a core package.
func allowedDep(path string) bool {
	for _, prefix := range []string{module, "golang.org/x/sys", "golang.org/x/net", "github.com/opencontainers/runtime-spec"} {
		if path == prefix || strings.HasPrefix(path, prefix+"/") {
			return true
		}
	}
	return false
}

func TestAllowedDep(t *testing.T) {
	for path, ok := range map[string]bool{
		module + "/profile":                               true,
		"golang.org/x/sys/unix":                           true,
		"golang.org/x/net/bpf":                            true,
		"github.com/opencontainers/runtime-spec/specs-go": true,
		"oras.land/oras-go/v2":                            false,
		"github.com/stretchr/testify/require":             false,
		"golang.org/x/sync/errgroup":                      false,
		"golang.org/x/system":                             false,
		"github.com/opencontainers/image-spec/specs-go":   false,
		"github.com/seccompctl/seccompctl-extra":          false,
	} {
		assert.Equal(t, ok, allowedDep(path), path)
	}
}

// hasGoFiles reports whether dir holds a non-test Go file.
func hasGoFiles(t *testing.T, dir string) bool {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return false
	}
	require.NoError(t, err)
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".go") && !strings.HasSuffix(e.Name(), "_test.go") {
			return true
		}
	}
	return false
}

// TestCoreDependencies runs `go list -deps` on the core packages and fails
// on anything outside the allowed set (issue 2: "A test asserts that go
// list -deps of arch syscalls profile compile loader contains nothing
// outside the standard library, golang.org/x/sys, golang.org/x/net and
// github.com/opencontainers/runtime-spec").
func TestCoreDependencies(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	var pkgs []string
	for _, p := range corePackages {
		if !hasGoFiles(t, filepath.Join(root, p.dir)) {
			require.False(t, p.required, "core package %s is missing", p.dir)
			t.Logf("%s does not exist yet: not checked", p.dir)
			continue
		}
		pkgs = append(pkgs, "./"+p.dir)
	}

	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		goTool, err = exec.LookPath("go")
		require.NoError(t, err, "the go command is needed to list dependencies")
	}
	// -e: a package that does not build yet still lists its imports.
	cmd := exec.Command(goTool, append([]string{"list", "-e", "-deps", "-f", "{{.ImportPath}} {{.Standard}}"}, pkgs...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "go list: %s", stderr.String())

	var bad []string
	seen := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		path, standard, ok := strings.Cut(sc.Text(), " ")
		require.True(t, ok, "unexpected go list line %q", sc.Text())
		seen++
		if standard == "true" || allowedDep(path) {
			continue
		}
		bad = append(bad, path)
	}
	require.NoError(t, sc.Err())
	require.Greater(t, seen, len(pkgs), "go list listed the packages and their dependencies")
	assert.Empty(t, bad, "core packages %v depend on packages outside the allowed set", pkgs)
}
