package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seccompctl/seccompctl/syscalls/internal/tablegen"
)

func TestRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "ztables.go")
	tests := []struct {
		name   string
		args   []string
		status int
		stderr string
	}{
		{"ok", []string{"-tables", "../../tables", "-out", out}, 0, ""},
		{"verbose", []string{"-tables", "../../tables", "-out", out, "-v"}, 0, "from hrw: arm sync_file_range2 = 341"},
		{"bad flag", []string{"-nope"}, 2, "flag provided but not defined"},
		{"extra argument", []string{"-out", out, "x"}, 2, `unexpected argument "x"`},
		{"missing tables", []string{"-tables", t.TempDir(), "-out", out}, 1, "no such file"},
		{"unwritable output", []string{"-tables", "../../tables", "-out", filepath.Join(t.TempDir(), "no", "dir", "z.go")}, 1, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if got := run(tt.args, &stderr); got != tt.status {
				t.Errorf("status %d, want %d; stderr:\n%s", got, tt.status, stderr.String())
			}
			if tt.stderr == "" && stderr.Len() != 0 || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr %q, want it to contain %q", stderr.String(), tt.stderr)
			}
		})
	}
	src, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(src, []byte(tablegen.Header)) {
		t.Errorf("output starts %q", src[:80])
	}
	if info, err := os.Stat(out); err != nil || info.Mode().Perm() != 0o644 {
		t.Errorf("output mode %v, %v", info.Mode(), err)
	}
	// No temporary files left next to the output.
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Errorf("directory holds %d files, want only ztables.go", len(entries))
	}
}
