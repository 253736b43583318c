package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/internal/registrytest"
)

func TestPull(t *testing.T) {
	for _, mode := range []registrytest.Mode{registrytest.Plain, registrytest.Htpasswd, registrytest.TLS} {
		t.Run(mode.String(), func(t *testing.T) {
			reg := registrytest.Start(t, mode)
			flags := ociRegistryFlags(t, reg)
			file, data := ociProfile(t)
			ref := reg.Ref("crio/seccomp", "v2")
			status, _, stderr := ociCLI(t, t.Context(), "", append(append([]string{"push"}, flags...), "--created", orasDemoCreated, file, ref)...)
			require.Equal(t, exitOK, status, stderr)

			// To standard output, progress on stderr.
			status, stdout, stderr := ociCLI(t, t.Context(), "", append(append([]string{"pull"}, flags...), ref)...)
			require.Equal(t, exitOK, status, stderr)
			assert.Equal(t, string(data), stdout)
			assert.Equal(t, "seccompctl: pulled "+reg.Host+"/crio/seccomp@"+orasDemoDigest+" (1797 bytes)\n", stderr)

			// To a file, with a JSON report.
			out := filepath.Join(t.TempDir(), "p.json")
			status, stdout, stderr = ociCLI(t, t.Context(), "", append(append([]string{"pull"}, flags...), "-o", out, "--output", "json", ref)...)
			require.Equal(t, exitOK, status, stderr)
			assert.Empty(t, stderr)
			var rep pullReport
			require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
			assert.Equal(t, pullReport{Reference: ref, Pinned: reg.Host + "/crio/seccomp@" + orasDemoDigest, Digest: orasDemoDigest,
				Size: 1797, File: out, Title: "seccomp.json"}, rep)
			got, err := os.ReadFile(out)
			require.NoError(t, err)
			assert.Equal(t, data, got)
			st, err := os.Stat(out)
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o644), st.Mode().Perm())
		})
	}
}

func TestPullTLSFlags(t *testing.T) {
	reg := registrytest.Start(t, registrytest.TLS)
	file, _ := ociProfile(t)
	ref := reg.Ref("crio/seccomp", "v2")
	status, _, stderr := ociCLI(t, t.Context(), "", "push", "--ca-file", reg.CAFile, file, ref)
	require.Equal(t, exitOK, status, stderr)

	status, _, stderr = ociCLI(t, t.Context(), "", "pull", "--retries", "-1", ref)
	assert.Equal(t, exitInput, status)
	assert.Contains(t, stderr, "certificate signed by unknown authority")
	status, _, stderr = ociCLI(t, t.Context(), "", "pull", "--insecure", ref)
	assert.Equal(t, exitOK, status, stderr)
	status, _, stderr = ociCLI(t, t.Context(), "", "pull", "--plain-http", "--retries", "-1", ref)
	assert.Equal(t, exitInput, status, "plain HTTP to a TLS port")
	assert.Contains(t, stderr, "registry error")
}

// TestPullHostileWritesNothing: a failed pull leaves -o alone, whether it
// did not exist or held a previous profile.
func TestPullHostileWritesNothing(t *testing.T) {
	reg := registrytest.Start(t, registrytest.Plain)
	flags := ociRegistryFlags(t, reg)
	_, good := ociProfile(t)
	reg.PushArtifact(t, "bad/p", "media", registrytest.Artifact{ConfigMediaType: "application/vnd.unknown.config.v1+json", Layers: [][]byte{good}})
	reg.PushArtifact(t, "bad/p", "nolayers", registrytest.Artifact{})
	reg.PushArtifact(t, "bad/p", "size", registrytest.Artifact{Layers: [][]byte{good}, LayerSizeDelta: 1})
	reg.PushArtifact(t, "bad/p", "invalid", registrytest.Artifact{Layers: [][]byte{[]byte("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALOW\"}]}")}})
	reg.PushArtifact(t, "bad/p", "big", registrytest.Artifact{Layers: [][]byte{append([]byte(`{"defaultAction":"SCMP_ACT_ALLOW"}`), make([]byte, 1<<20)...)}})

	tests := []struct {
		tag    string
		stderr string
	}{
		{"media", "wrong media type: config media type \"application/vnd.unknown.config.v1+json\""},
		{"nolayers", "artifact has no layers"},
		{"size", "content does not match descriptor"},
		{"invalid", "invalid seccomp profile: seccomp.json:1:"},
		{"big", "layers[0] is too large: 1048610 bytes, the limit is 1048576"},
		{"missing", "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			dir := t.TempDir()
			fresh, old := filepath.Join(dir, "fresh.json"), filepath.Join(dir, "old.json")
			require.NoError(t, os.WriteFile(old, []byte("previous"), 0o644))
			for _, out := range []string{fresh, old} {
				status, stdout, stderr := ociCLI(t, t.Context(), "", append(append([]string{"pull"}, flags...), "-o", out, reg.Ref("bad/p", tt.tag))...)
				assert.Equal(t, exitInput, status)
				assert.Empty(t, stdout)
				assert.True(t, strings.HasPrefix(stderr, "seccompctl: pull: "+reg.Host+"/bad/p"), stderr)
				assert.Contains(t, stderr, tt.stderr)
				assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
			}
			assert.NoFileExists(t, fresh)
			got, err := os.ReadFile(old)
			require.NoError(t, err)
			assert.Equal(t, "previous", string(got))
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Len(t, entries, 1, "no temporary files")
		})
	}
}

func TestPullUnauthorized(t *testing.T) {
	reg := registrytest.Start(t, registrytest.Htpasswd)
	reg.PushArtifact(t, "crio/seccomp", "v2", registrytest.Artifact{Layers: [][]byte{[]byte(`{"defaultAction":"SCMP_ACT_ALLOW"}`)}})
	status, _, stderr := ociCLI(t, t.Context(), "", "pull", "--plain-http", "--registry-config", filepath.Join(t.TempDir(), "none.json"), reg.Ref("crio/seccomp", "v2"))
	assert.Equal(t, exitInput, status)
	assert.Contains(t, stderr, "unauthorized: the registry wants credentials and none are configured")
	// DOCKER_CONFIG is honoured.
	t.Setenv("DOCKER_CONFIG", reg.DockerConfig(t))
	status, stdout, stderr := ociCLI(t, t.Context(), "", "pull", "--plain-http", reg.Ref("crio/seccomp", "v2"))
	assert.Equal(t, exitOK, status, stderr)
	assert.Equal(t, `{"defaultAction":"SCMP_ACT_ALLOW"}`, stdout)
}

func TestPullCache(t *testing.T) {
	reg := registrytest.Start(t, registrytest.Plain)
	flags := ociRegistryFlags(t, reg)
	file, data := ociProfile(t)
	ref := reg.Ref("crio/seccomp", "v2")
	status, _, stderr := ociCLI(t, t.Context(), "", append(append([]string{"push"}, flags...), "--created", orasDemoCreated, file, ref)...)
	require.Equal(t, exitOK, status, stderr)
	cache := t.TempDir()
	pinned := reg.Host + "/crio/seccomp@" + orasDemoDigest

	status, _, stderr = ociCLI(t, t.Context(), "", append(append([]string{"pull"}, flags...), "--cache", cache, ref)...)
	require.Equal(t, exitOK, status, stderr)
	assert.NotContains(t, stderr, "cache")

	reg.Stop()
	status, stdout, stderr := ociCLI(t, t.Context(), "", append(append([]string{"pull"}, flags...), "--cache", cache, pinned)...)
	require.Equal(t, exitOK, status, stderr)
	assert.Equal(t, string(data), stdout)
	assert.Equal(t, "seccompctl: pulled "+pinned+" (1797 bytes) from the cache\n", stderr)

	status, _, stderr = ociCLI(t, t.Context(), "", append(append([]string{"pull"}, flags...), "--cache", cache, ref)...)
	assert.Equal(t, exitInput, status, "a tag needs the registry")
	assert.Contains(t, stderr, "connection refused")
	status, _, stderr = ociCLI(t, t.Context(), "", append(append([]string{"pull"}, flags...), "--cache", cache, "--offline", ref)...)
	assert.Equal(t, exitOK, status, stderr)
	status, _, stderr = ociCLI(t, t.Context(), "", "pull", "--offline", ref)
	assert.Equal(t, exitInput, status)
	assert.Equal(t, "seccompctl: pull: --offline needs --cache\n", stderr)
}

func TestPullUsage(t *testing.T) {
	tests := []struct {
		args   []string
		stderr string
	}{
		{[]string{"pull"}, "usage: seccompctl pull"},
		{[]string{"pull", "a/b:c", "d/e:f"}, "usage: seccompctl pull"},
		{[]string{"pull", "--output", "json", "r.io/a:b"}, "seccompctl: pull: --output json reports on standard output, so the profile needs -o FILE\n"},
		{[]string{"pull", "--output", "xml", "r.io/a:b"}, "seccompctl: pull: --output: \"xml\" is not text or json\n"},
		{[]string{"pull", "nohost"}, "seccompctl: pull: invalid reference: \"nohost\""},
		{[]string{"pull", "--nope"}, "flag provided but not defined: -nope"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			status, stdout, stderr := ociCLI(t, t.Context(), "", tt.args...)
			assert.Equal(t, exitInput, status)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tt.stderr)
		})
	}
	status, _, _ := ociCLI(t, t.Context(), "", "pull", "-h")
	assert.Equal(t, exitOK, status)
}
