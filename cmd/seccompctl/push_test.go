package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/internal/registrytest"
)

// ociCLI runs seccompctl in-process with stdin.
func ociCLI(t *testing.T, ctx context.Context, stdin string, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	status = run(ctx, args, strings.NewReader(stdin), &out, &errb)
	return status, out.String(), errb.String()
}

// ociRegistryFlags are the seccompctl flags that reach r.
func ociRegistryFlags(t *testing.T, r *registrytest.Registry) []string {
	f := []string{"--retries", "-1", "--registry-config", filepath.Join(r.DockerConfig(t), "config.json")}
	if r.PlainHTTP {
		f = append(f, "--plain-http")
	}
	if r.CAFile != "" {
		f = append(f, "--ca-file", r.CAFile)
	}
	return f
}

// ociProfile is the profile ../shared/registry/demo.sh pushed with oras.
func ociProfile(t *testing.T) (path string, data []byte) {
	t.Helper()
	path = "../../oci/testdata/seccomp.json"
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return path, data
}

// orasDemoDigest is what `oras push --config … --annotation
// org.opencontainers.image.created=2026-11-22T06:36:19Z` gave for ociProfile.
const (
	orasDemoDigest  = "sha256:ddf45318dcd3766f03245df96f3802885cb5526c3b049585894021dd200f2542"
	orasDemoCreated = "2026-11-22T06:36:19Z"
)

func TestPush(t *testing.T) {
	reg := registrytest.Start(t, registrytest.Plain)
	flags := ociRegistryFlags(t, reg)
	file, data := ociProfile(t)
	ref := reg.Ref("crio/seccomp", "v2")

	status, stdout, stderr := ociCLI(t, t.Context(), "", append(append([]string{"push"}, flags...), "--created", orasDemoCreated, file, ref)...)
	require.Equal(t, exitOK, status, stderr)
	assert.Equal(t, reg.Host+"/crio/seccomp@"+orasDemoDigest+"\n", stdout)
	assert.Equal(t, "seccompctl: pushed "+ref+" (544-byte manifest, 1797-byte profile)\n", stderr)

	// The registry holds what oras would have pushed.
	got, _ := reg.FetchManifest(t, "crio/seccomp", "v2")
	assert.Equal(t, registrytest.Digest(got), orasDemoDigest)

	// Pulled back, byte for byte.
	status, stdout, stderr = ociCLI(t, t.Context(), "", append(append([]string{"pull"}, flags...), ref)...)
	require.Equal(t, exitOK, status, stderr)
	assert.Equal(t, string(data), stdout)
}

func TestPushOptions(t *testing.T) {
	reg := registrytest.Start(t, registrytest.Plain)
	flags := ociRegistryFlags(t, reg)
	file, data := ociProfile(t)

	t.Run("json, artifact-type shape, annotations", func(t *testing.T) {
		status, stdout, stderr := ociCLI(t, t.Context(), "", append(append([]string{"push"}, flags...),
			"--shape", "artifact-type", "--annotation", "org.opencontainers.image.source=https://example.com/p", "--output", "json",
			file, reg.Ref("shapes/p", "v1"))...)
		require.Equal(t, exitOK, status, stderr)
		assert.Empty(t, stderr)
		var rep pushReport
		require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
		assert.Equal(t, reg.Ref("shapes/p", "v1"), rep.Reference)
		assert.Equal(t, "artifact-type", rep.Shape)
		assert.Equal(t, "application/vnd.oci.image.manifest.v1+json", rep.MediaType)
		assert.Equal(t, reg.Host+"/shapes/p@"+rep.Digest, rep.Pinned)
		m, _ := reg.FetchManifest(t, "shapes/p", "v1")
		assert.Contains(t, string(m), `"artifactType":"application/vnd.cncf.seccomp-profile.config.v1+json"`)
		assert.Contains(t, string(m), `"org.opencontainers.image.source":"https://example.com/p"`)
		assert.Equal(t, rep.Digest, registrytest.Digest(m))
	})
	t.Run("SOURCE_DATE_EPOCH makes the digest reproducible", func(t *testing.T) {
		t.Setenv("SOURCE_DATE_EPOCH", "1795329379") // 2026-11-22T06:36:19Z
		status, stdout, stderr := ociCLI(t, t.Context(), "", append(append([]string{"push"}, flags...), file, reg.Ref("epoch/p", "v1"))...)
		require.Equal(t, exitOK, status, stderr)
		assert.Equal(t, reg.Host+"/epoch/p@"+orasDemoDigest+"\n", stdout)
	})
	t.Run("standard input", func(t *testing.T) {
		status, stdout, stderr := ociCLI(t, t.Context(), string(data), append(append([]string{"push"}, flags...), "--created", orasDemoCreated, "-", reg.Ref("stdin/p", "v1"))...)
		require.Equal(t, exitOK, status, stderr)
		assert.Contains(t, stdout, orasDemoDigest)
	})
}

func TestPushRefuses(t *testing.T) {
	reg := registrytest.Start(t, registrytest.Htpasswd)
	file, _ := ociProfile(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte("{\n  \"defaultAction\": \"SCMP_ACT_DENY\"\n}\n"), 0o644))
	big := filepath.Join(dir, "big.json")
	require.NoError(t, os.WriteFile(big, append([]byte(`{"defaultAction":"SCMP_ACT_ALLOW"}`), bytes.Repeat([]byte(" "), 1<<20)...), 0o644))
	noCreds := []string{"--plain-http", "--retries", "-1", "--registry-config", filepath.Join(dir, "none.json")}
	ref := reg.Ref("crio/seccomp", "v2")

	tests := []struct {
		name   string
		args   []string
		stdin  string
		stderr string // the whole of stderr unless prefix is set
		prefix bool
	}{
		{"invalid profile: FILE:LINE:COL: path: message", append(noCreds, bad, ref), "",
			"seccompctl: " + bad + ":2:20: defaultAction: unknown action \"SCMP_ACT_DENY\"", true},
		{"too large", append(noCreds, big, ref), "", "seccompctl: push: " + big + ": profile too large: more than 1048576 bytes (CRI-O refuses larger artifacts)\n", false},
		{"no credentials", append(noCreds, file, ref), "", "seccompctl: push: " + ref + ": unauthorized: ", true},
		{"wrong password", append([]string{"--plain-http", "--retries", "-1", "--username", "testuser", "--password-stdin"}, file, ref), "nope\n",
			"seccompctl: push: " + ref + ": unauthorized: ", true},
		{"digest reference", append(noCreds, file, reg.Ref("crio/seccomp", orasDemoDigest)), "", "seccompctl: push: invalid reference: ", true},
		{"bad shape", append(noCreds, "--shape", "v1.1", file, ref), "", "seccompctl: push: --shape: \"v1.1\" is not config, artifact-type or config+artifact-type\n", false},
		{"bad created", append(noCreds, "--created", "yesterday", file, ref), "", "seccompctl: push: --created: \"yesterday\" is not RFC 3339 (like 2024-02-26T09:03:30Z)\n", false},
		{"password-stdin without username", append(noCreds, "--password-stdin", file, ref), "", "seccompctl: push: --password-stdin needs --username\n", false},
		{"missing file", append(noCreds, filepath.Join(dir, "none"), ref), "", "seccompctl: push: open " + filepath.Join(dir, "none") + ": no such file or directory\n", false},
		{"bad output", append(noCreds, "--output", "yaml", file, ref), "", "seccompctl: push: --output: \"yaml\" is not text or json\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, stdout, stderr := ociCLI(t, t.Context(), tt.stdin, append([]string{"push"}, tt.args...)...)
			assert.Equal(t, exitInput, status)
			assert.Empty(t, stdout)
			if tt.prefix {
				assert.True(t, strings.HasPrefix(stderr, tt.stderr), "stderr %q does not start with %q", stderr, tt.stderr)
				assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
			} else {
				assert.Equal(t, tt.stderr, stderr)
			}
		})
	}
	assert.Equal(t, 0, reg.BlobCount(t), "nothing reached the registry")

	// With the right password it goes through.
	status, _, stderr := ociCLI(t, t.Context(), "testpassword\n", "push", "--plain-http", "--username", "testuser", "--password-stdin", file, ref)
	assert.Equal(t, exitOK, status, stderr)

	status, _, _ = ociCLI(t, t.Context(), "", "push", file)
	assert.Equal(t, exitInput, status, "usage")
}
