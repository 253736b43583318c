package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// httpServerSrc is a small Go HTTP server that answers one request (its
// own, from a client goroutine) and exits; with "mkdir DIR" it also tries
// to create DIR afterwards, the one syscall more of the variant.
const httpServerSrc = `package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", r.URL.Path)
	})}
	go srv.Serve(ln)
	resp, err := http.Get("http://" + ln.Addr().String() + "/seccomp")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(string(body))
	if len(os.Args) == 3 && os.Args[1] == "mkdir" {
		if err := os.Mkdir(os.Args[2], 0o755); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
}
`

// buildHTTPServer compiles httpServerSrc with the go command running the
// tests.
func buildHTTPServer(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(httpServerSrc), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module httpserver\n\ngo 1.22\n"), 0o644))
	exe := filepath.Join(dir, "httpserver")
	cmd := exec.Command("go", "build", "-o", exe, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	return exe
}

// TestRecordExecDiffEndToEnd is issue 6's end-to-end check, through the
// CLI: record real programs, run them under the recorded profile with
// `seccompctl exec` (they work), run a variant that makes one syscall
// more (mkdir: EPERM), and diff the recording against Docker's default
// (it lists what the recording removed).
func TestRecordExecDiffEndToEnd(t *testing.T) {
	dir := t.TempDir()
	server := buildHTTPServer(t)
	tests := []struct {
		name    string
		cmd     []string // recorded, then run under the profile
		stdout  string   // a part of its output
		variant []string // the same plus mkdir of dir/"made"
	}{
		{"ls", []string{"/bin/ls", "-l", "/"}, "etc",
			[]string{"/bin/sh", "-c", "/bin/ls -l /; mkdir " + filepath.Join(dir, "made")}},
		{"python3", []string{"/usr/bin/python3", "-c", "import json; print(json.dumps({'a': [1, 2]}))"}, `{"a": [1, 2]}`,
			[]string{"/usr/bin/python3", "-c", "import json, os; print(json.dumps({'a': [1, 2]})); os.mkdir('" + filepath.Join(dir, "made") + "')"}},
		{"go http server", []string{server}, "hello /seccomp",
			[]string{server, "mkdir", filepath.Join(dir, "made")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := filepath.Join(t.TempDir(), "rec.json")
			// For ls, record the variant's shell too so that only mkdir is new.
			recorded := tt.cmd
			if tt.name == "ls" {
				recorded = []string{"/bin/sh", "-c", "/bin/ls -l /"}
			}
			status, stdout, stderr := runCLI(t, append([]string{"record", "-o", rec, "--"}, recorded...)...)
			require.Equal(t, 0, status, "record: %s", stderr)
			assert.Contains(t, stdout, tt.stdout, "output passes through record")

			// check: the recorded profile is clean.
			status, stdout, stderr = runCLI(t, "check", "--strict", "--kernel", "6.1", rec)
			assert.Equal(t, exitOK, status, "%s%s", stdout, stderr)

			// It runs under its profile.
			r := runShim(t, dir, "", append([]string{"exec", "--profile", rec, "--"}, tt.cmd...)...)
			assert.Equal(t, 0, r.status, "stderr: %s", r.stderr)
			assert.Contains(t, r.stdout, tt.stdout)

			// One syscall more is refused with EPERM.
			r = runShim(t, dir, "", append([]string{"exec", "--profile", rec, "--"}, tt.variant...)...)
			assert.NotEqual(t, 0, r.status)
			assert.Contains(t, r.stdout, tt.stdout, "what ran before mkdir worked")
			assert.Contains(t, strings.ToLower(r.stderr), "operation not permitted")
			assert.NoDirExists(t, filepath.Join(dir, "made"))

			// And without seccompctl, the variant does create it.
			require.NoError(t, exec.Command(tt.variant[0], tt.variant[1:]...).Run())
			assert.DirExists(t, filepath.Join(dir, "made"))
			require.NoError(t, os.Remove(filepath.Join(dir, "made")))

			// diff: Docker's default allows mkdir, the recording does not.
			status, stdout, stderr = runCLI(t, "diff", "--native", "x86_64", "--arch", "x86_64", "--kernel", "6.1", dockerProfilePath(t), rec)
			assert.Equal(t, exitFinding, status, stderr)
			assert.Contains(t, stdout, "mkdir (83): SCMP_ACT_ALLOW -> SCMP_ACT_ERRNO(1)\n")
			assert.NotContains(t, stdout, "\nread (0):", "read is allowed by both")
		})
	}
}
