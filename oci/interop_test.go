package oci

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/internal/registrytest"
)

// Interop with the real oras CLI (v1.2.3, built by scripts/test-deps.sh)
// and Debian's skopeo. These tests skip only when a binary is missing
// (set SECCOMPCTL_REQUIRE_TOOLS=1 to make that a failure, as CI should).

func orasBin(t *testing.T) string {
	return registrytest.LookGoTool(t, "oras", "scripts/test-deps.sh builds oras v1.2.3 into $(go env GOPATH)/bin")
}

func skopeoBin(t *testing.T) string {
	return registrytest.LookTool(t, "skopeo", "apt-get install -y skopeo")
}

// run runs a tool in dir and returns its stdout, failing the test on error.
func run(t *testing.T, dir, bin string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, &stdout, &stderr
	// A private HOME: no stray Docker/containers config of the machine
	// (and nothing written into the real one).
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "DOCKER_CONFIG="+t.TempDir())
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout: %s\nstderr: %s", filepath.Base(bin), strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// orasFlags are the oras flags that reach r.
func orasFlags(r *registrytest.Registry) []string {
	var f []string
	switch r.Mode {
	case registrytest.Plain:
		f = append(f, "--plain-http")
	case registrytest.Htpasswd:
		f = append(f, "--plain-http", "-u", r.User, "-p", r.Password)
	case registrytest.TLS:
		f = append(f, "--ca-file", r.CAFile)
	}
	return f
}

// skopeoFlags are the skopeo flags that reach r.
func skopeoFlags(t *testing.T, r *registrytest.Registry) []string {
	switch r.Mode {
	case registrytest.Htpasswd:
		return []string{"--tls-verify=false", "--creds", r.User + ":" + r.Password}
	case registrytest.TLS:
		// --cert-dir reads every *.crt as a CA, and refuses a *.key without
		// its *.cert: give it a directory with the CA alone.
		dir := t.TempDir()
		ca, err := os.ReadFile(r.CAFile)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "ca.crt"), ca, 0o644))
		return []string{"--cert-dir", dir}
	}
	return []string{"--tls-verify=false"}
}

var orasDigest = regexp.MustCompile(`(?m)^Digest: (sha256:[0-9a-f]{64})$`)

func TestInteropOras(t *testing.T) {
	oras := orasBin(t)
	data := readTestdata(t, "seccomp.json")
	for _, mode := range []registrytest.Mode{registrytest.Plain, registrytest.Htpasswd, registrytest.TLS} {
		t.Run(mode.String(), func(t *testing.T) {
			ctx := context.Background()
			reg := registrytest.Start(t, mode)
			remote := remoteFor(t, reg)
			work := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(work, "seccomp.json"), data, 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(work, "config.json"), []byte("{}\n"), 0o644))
			flags := orasFlags(reg)
			created := demoCreated.Format("2006-01-02T15:04:05Z")

			// 1. What oras pushes, we pull: the CRI-O blog form and both
			// image-spec v1.1 forms.
			pushes := []struct {
				tag  string
				args []string
			}{
				{"blog", []string{"--config", "config.json:" + ConfigMediaType}},
				{"v11", []string{"--artifact-type", ArtifactType}},
				{"both", []string{"--image-spec", "v1.1", "--artifact-type", ArtifactType, "--config", "config.json:" + ConfigMediaType}},
			}
			for _, p := range pushes {
				file := "seccomp.json"
				if p.tag != "blog" {
					file += ":application/json"
				}
				args := append([]string{"push"}, flags...)
				args = append(args, "--annotation", AnnotationCreated+"="+created)
				args = append(args, p.args...)
				out := run(t, work, oras, append(args, reg.Ref("oras/seccomp", p.tag), file)...)
				m := orasDigest.FindStringSubmatch(out)
				require.NotNil(t, m, "oras push output: %s", out)
				a, err := Pull(ctx, reg.Ref("oras/seccomp", p.tag), PullOptions{Remote: remote})
				require.NoError(t, err, p.tag)
				assert.Equal(t, data, a.Data, p.tag)
				assert.Equal(t, m[1], a.Digest.String(), p.tag)
			}

			// 2. Our push with the same created time is the same artifact,
			// digest for digest, as oras's blog-form push.
			res, err := Push(ctx, data, reg.Ref("ours/seccomp", "v2"), PushOptions{Remote: remote, Created: demoCreated})
			require.NoError(t, err)
			a, err := Pull(ctx, reg.Ref("oras/seccomp", "blog"), PullOptions{Remote: remote})
			require.NoError(t, err)
			assert.Equal(t, a.Digest, res.Descriptor.Digest)

			// 3. What we push, oras pulls back byte-identical, in every shape.
			for _, shape := range []Shape{ShapeConfig, ShapeArtifactType, ShapeConfigAndArtifactType} {
				tag := "shape" + string(rune('0'+shape))
				_, err := Push(ctx, data, reg.Ref("ours/seccomp", tag), PushOptions{Remote: remote, Shape: shape})
				require.NoError(t, err)
				out := filepath.Join(t.TempDir(), "out")
				run(t, work, oras, append(append([]string{"pull"}, flags...), "-o", out, reg.Ref("ours/seccomp", tag))...)
				got, err := os.ReadFile(filepath.Join(out, "seccomp.json"))
				require.NoError(t, err, shape.String())
				assert.Equal(t, data, got, shape.String())
			}

			// 4. oras reads our manifest as we wrote it.
			fetched := run(t, work, oras, append(append([]string{"manifest", "fetch"}, flags...), reg.Ref("ours/seccomp", "v2"))...)
			assert.Equal(t, string(res.Manifest), fetched)
		})
	}
}

// TestInteropOrasCacheLayout: the cache is an OCI layout oras can copy
// from, so a node's cache can seed another registry.
func TestInteropOrasCacheLayout(t *testing.T) {
	oras := orasBin(t)
	ctx := context.Background()
	reg := registrytest.Start(t, registrytest.Plain)
	remote := remoteFor(t, reg)
	data := readTestdata(t, "seccomp.json")
	res, err := Push(ctx, data, reg.Ref("crio/seccomp", "v2"), PushOptions{Remote: remote})
	require.NoError(t, err)
	dir := t.TempDir()
	cache, err := OpenCache(dir)
	require.NoError(t, err)
	_, err = Pull(ctx, reg.Ref("crio/seccomp", "v2"), PullOptions{Remote: remote, Cache: cache})
	require.NoError(t, err)

	run(t, t.TempDir(), oras, "cp", "--from-oci-layout", "--to-plain-http",
		dir+"@"+res.Descriptor.Digest.String(), reg.Ref("copied/seccomp", "v2"))
	a, err := Pull(ctx, reg.Ref("copied/seccomp", "v2"), PullOptions{Remote: remote})
	require.NoError(t, err)
	assert.Equal(t, res.Descriptor.Digest, a.Digest)
	assert.Equal(t, data, a.Data)
}

func TestInteropSkopeo(t *testing.T) {
	skopeo := skopeoBin(t)
	data := readTestdata(t, "seccomp.json")
	for _, mode := range []registrytest.Mode{registrytest.Plain, registrytest.Htpasswd, registrytest.TLS} {
		t.Run(mode.String(), func(t *testing.T) {
			ctx := context.Background()
			reg := registrytest.Start(t, mode)
			res, err := Push(ctx, data, reg.Ref("crio/seccomp", "v2"), PushOptions{Remote: remoteFor(t, reg), Created: demoCreated})
			require.NoError(t, err)
			args := append(append([]string{"inspect", "--raw"}, skopeoFlags(t, reg)...), "docker://"+reg.Ref("crio/seccomp", "v2"))
			raw := run(t, t.TempDir(), skopeo, args...)
			assert.Equal(t, string(res.Manifest), raw)
			assert.Equal(t, string(readTestdata(t, "oras-config.manifest.json")), raw)
			var m struct {
				Config struct{ MediaType, Digest string }
				Layers []struct {
					MediaType   string
					Size        int
					Annotations map[string]string
				}
			}
			require.NoError(t, json.Unmarshal([]byte(raw), &m))
			assert.Equal(t, ConfigMediaType, m.Config.MediaType)
			assert.Equal(t, cfgDigest, m.Config.Digest)
			require.Len(t, m.Layers, 1)
			assert.Equal(t, LayerMediaType, m.Layers[0].MediaType)
			assert.Equal(t, len(data), m.Layers[0].Size)
			assert.Equal(t, "seccomp.json", m.Layers[0].Annotations[AnnotationTitle])
		})
	}
}
