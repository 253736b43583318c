package oci

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/internal/registrytest"
)

// remoteFor returns RemoteOptions that reach r, with credentials from a
// Docker config file when r needs them.
func remoteFor(t testing.TB, r *registrytest.Registry) RemoteOptions {
	o := RemoteOptions{PlainHTTP: r.PlainHTTP, CAFile: r.CAFile, MaxRetries: -1}
	o.DockerConfig = filepath.Join(r.DockerConfig(t), "config.json")
	return o
}

func TestPushPullRoundTrip(t *testing.T) {
	data := readTestdata(t, "seccomp.json")
	const wantDigest = "sha256:ddf45318dcd3766f03245df96f3802885cb5526c3b049585894021dd200f2542"
	tests := []struct {
		name   string
		mode   registrytest.Mode
		remote func(t *testing.T, r *registrytest.Registry) RemoteOptions
	}{
		{"plain", registrytest.Plain, func(t *testing.T, r *registrytest.Registry) RemoteOptions { return remoteFor(t, r) }},
		{"htpasswd docker config", registrytest.Htpasswd, func(t *testing.T, r *registrytest.Registry) RemoteOptions { return remoteFor(t, r) }},
		{"htpasswd DOCKER_CONFIG", registrytest.Htpasswd, func(t *testing.T, r *registrytest.Registry) RemoteOptions {
			t.Setenv("DOCKER_CONFIG", r.DockerConfig(t))
			return RemoteOptions{PlainHTTP: true}
		}},
		{"htpasswd username", registrytest.Htpasswd, func(t *testing.T, r *registrytest.Registry) RemoteOptions {
			t.Setenv("DOCKER_CONFIG", t.TempDir()) // no credentials there
			return RemoteOptions{PlainHTTP: true, Username: r.User, Password: r.Password}
		}},
		{"tls ca-file", registrytest.TLS, func(t *testing.T, r *registrytest.Registry) RemoteOptions { return remoteFor(t, r) }},
		{"tls insecure", registrytest.TLS, func(t *testing.T, r *registrytest.Registry) RemoteOptions {
			return RemoteOptions{Insecure: true, DockerConfig: filepath.Join(t.TempDir(), "none.json")}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			reg := registrytest.Start(t, tt.mode)
			remote := tt.remote(t, reg)
			ref := reg.Ref("crio/seccomp", "v2")

			res, err := Push(ctx, data, ref, PushOptions{Remote: remote, Created: demoCreated})
			require.NoError(t, err)
			assert.Equal(t, wantDigest, res.Descriptor.Digest.String(), "same digest as oras push with the same created time")
			assert.Equal(t, int64(544), res.Descriptor.Size)
			stored, ct := reg.FetchManifest(t, "crio/seccomp", "v2")
			assert.Equal(t, string(readTestdata(t, "oras-config.manifest.json")), string(stored))
			assert.Equal(t, ManifestMediaType, ct)

			for _, pullRef := range []string{ref, reg.Ref("crio/seccomp", wantDigest), reg.Host + "/crio/seccomp:v2@" + wantDigest} {
				a, err := Pull(ctx, pullRef, PullOptions{Remote: remote})
				require.NoError(t, err, pullRef)
				assert.Equal(t, data, a.Data)
				assert.Equal(t, wantDigest, a.Digest.String())
				assert.Equal(t, stored, a.ManifestBytes)
				assert.Equal(t, "seccomp.json", a.Layer.Annotations[AnnotationTitle])
				assert.NotNil(t, a.Profile)
				assert.False(t, a.FromCache)
			}
		})
	}
}

func TestPushShapesPullBack(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.Start(t, registrytest.Plain)
	remote := remoteFor(t, reg)
	data := readTestdata(t, "seccomp.json")
	for _, shape := range []Shape{ShapeConfig, ShapeArtifactType, ShapeConfigAndArtifactType} {
		t.Run(shape.String(), func(t *testing.T) {
			ref := reg.Ref("shapes/p", shape.String()[:6])
			res, err := Push(ctx, data, ref, PushOptions{Remote: remote, Shape: shape, Annotations: map[string]string{"org.example": "x"}})
			require.NoError(t, err)
			a, err := Pull(ctx, ref, PullOptions{Remote: remote})
			require.NoError(t, err)
			assert.Equal(t, res.Descriptor.Digest, a.Digest)
			assert.Equal(t, data, a.Data)
			assert.Equal(t, "x", a.Manifest.Annotations["org.example"])
			assert.NotEmpty(t, a.Manifest.Annotations[AnnotationCreated])
			if shape == ShapeConfig {
				assert.Empty(t, a.Manifest.ArtifactType)
				assert.Equal(t, ConfigMediaType, a.Manifest.Config.MediaType)
			} else {
				assert.Equal(t, ArtifactType, a.Manifest.ArtifactType)
			}
		})
	}
}

func TestPushRefusesBeforeNetwork(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.Start(t, registrytest.Plain)
	remote := remoteFor(t, reg)
	before := reg.BlobCount(t)
	_, err := Push(ctx, []byte(`{"defaultAction":"SCMP_ACT_NOPE"}`), reg.Ref("bad/p", "v1"), PushOptions{Remote: remote})
	assert.ErrorIs(t, err, ErrInvalidProfile)
	_, err = Push(ctx, readTestdata(t, "seccomp.json"), reg.Ref("bad/p", layerDigest), PushOptions{Remote: remote})
	assert.ErrorIs(t, err, ErrInvalidReference)
	assert.Equal(t, before, reg.BlobCount(t), "nothing reached the registry")
}

func TestPushUnauthorized(t *testing.T) {
	reg := registrytest.Start(t, registrytest.Htpasswd)
	remote := RemoteOptions{PlainHTTP: true, DockerConfig: filepath.Join(t.TempDir(), "config.json")}
	_, err := Push(context.Background(), readTestdata(t, "seccomp.json"), reg.Ref("crio/seccomp", "v2"), PushOptions{Remote: remote})
	require.ErrorIs(t, err, ErrUnauthorized)
	assert.Equal(t, 0, reg.BlobCount(t))
}

func TestPullTLSWithoutCA(t *testing.T) {
	reg := registrytest.Start(t, registrytest.TLS)
	_, err := Pull(context.Background(), reg.Ref("crio/seccomp", "v2"), PullOptions{Remote: RemoteOptions{MaxRetries: -1}})
	require.ErrorIs(t, err, ErrRegistry)
	assert.Contains(t, err.Error(), "certificate")
}

func TestRemoteOptionsErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.pem")
	require.NoError(t, os.WriteFile(bad, []byte("not a certificate"), 0o600))
	_, err := Pull(context.Background(), "127.0.0.1:1/a:b", PullOptions{Remote: RemoteOptions{CAFile: bad}})
	assert.ErrorContains(t, err, "no PEM certificates")
	_, err = Pull(context.Background(), "127.0.0.1:1/a:b", PullOptions{Remote: RemoteOptions{CAFile: bad + ".missing"}})
	assert.ErrorContains(t, err, "CA file")
	cfg := filepath.Join(t.TempDir(), "config.json")
	require.NoError(t, os.WriteFile(cfg, []byte("{not json"), 0o600))
	_, err = Pull(context.Background(), "127.0.0.1:1/a:b", PullOptions{Remote: RemoteOptions{DockerConfig: cfg}})
	assert.ErrorContains(t, err, "docker config")
}
