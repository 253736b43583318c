package oci

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/internal/registrytest"
)

func TestCacheServesDigestWithoutNetwork(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.Start(t, registrytest.Plain)
	remote := remoteFor(t, reg)
	data := readTestdata(t, "seccomp.json")
	ref := reg.Ref("crio/seccomp", "v2")
	res, err := Push(ctx, data, ref, PushOptions{Remote: remote, Created: demoCreated})
	require.NoError(t, err)
	pinned := reg.Ref("crio/seccomp", res.Descriptor.Digest.String())

	dir := t.TempDir()
	cache, err := OpenCache(dir)
	require.NoError(t, err)
	opts := PullOptions{Remote: remote, Cache: cache}

	a, err := Pull(ctx, ref, opts)
	require.NoError(t, err)
	assert.False(t, a.FromCache, "first pull goes to the registry")
	has, err := cache.Has(ctx, a.Digest)
	require.NoError(t, err)
	assert.True(t, has)

	// The layout is a complete OCI image layout: config, layer, manifest.
	for _, d := range []string{cfgDigest, layerDigest, res.Descriptor.Digest.String()} {
		assert.FileExists(t, filepath.Join(dir, "blobs", "sha256", d[len("sha256:"):]))
	}
	assert.FileExists(t, filepath.Join(dir, "oci-layout"))
	var index struct {
		Manifests []struct {
			Digest      string            `json:"digest"`
			Annotations map[string]string `json:"annotations"`
		} `json:"manifests"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "index.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &index))
	require.Len(t, index.Manifests, 1)
	assert.Equal(t, res.Descriptor.Digest.String(), index.Manifests[0].Digest)
	assert.Equal(t, ref, index.Manifests[0].Annotations["org.opencontainers.image.ref.name"])

	// A tag pull of a cached digest needs the registry only for the HEAD.
	a, err = Pull(ctx, ref, opts)
	require.NoError(t, err)
	assert.True(t, a.FromCache)
	assert.Equal(t, data, a.Data)

	// With the registry gone, the pinned digest still pulls, from the cache.
	reg.Stop()
	a, err = Pull(ctx, pinned, opts)
	require.NoError(t, err)
	assert.True(t, a.FromCache)
	assert.Equal(t, data, a.Data)
	assert.Equal(t, res.Descriptor.Digest, a.Digest)
	assert.NotNil(t, a.Profile)

	// A tag must be resolved by the registry, which is down...
	_, err = Pull(ctx, ref, opts)
	assert.ErrorIs(t, err, ErrRegistry)
	assert.ErrorContains(t, err, "connection refused")
	// ...unless offline is asked for: then the tag stored in the cache.
	opts.Offline = true
	a, err = Pull(ctx, ref, opts)
	require.NoError(t, err)
	assert.True(t, a.FromCache)
	_, err = Pull(ctx, reg.Ref("crio/seccomp", "other"), opts)
	assert.ErrorIs(t, err, ErrCacheMiss)
	_, err = Pull(ctx, ref, PullOptions{Offline: true})
	assert.ErrorIs(t, err, ErrCacheMiss)

	// A second process opening the same directory sees the entry.
	again, err := OpenCache(dir)
	require.NoError(t, err)
	a, err = Pull(ctx, pinned, PullOptions{Remote: remote, Cache: again})
	require.NoError(t, err)
	assert.True(t, a.FromCache)

	// The layout also works read-only (as an embed.FS would ship it).
	ro, err := OpenCacheFS(ctx, os.DirFS(dir))
	require.NoError(t, err)
	a, err = Pull(ctx, pinned, PullOptions{Remote: remote, Cache: ro})
	require.NoError(t, err)
	assert.True(t, a.FromCache)
	assert.Equal(t, "", ro.Dir())
}

func TestCacheCorruptionIsDetected(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.Start(t, registrytest.Plain)
	remote := remoteFor(t, reg)
	res, err := Push(ctx, readTestdata(t, "seccomp.json"), reg.Ref("crio/seccomp", "v2"), PushOptions{Remote: remote})
	require.NoError(t, err)
	dir := t.TempDir()
	cache, err := OpenCache(dir)
	require.NoError(t, err)
	pinned := reg.Ref("crio/seccomp", res.Descriptor.Digest.String())
	_, err = Pull(ctx, pinned, PullOptions{Remote: remote, Cache: cache})
	require.NoError(t, err)

	// Someone edits the cached profile in place (blobs are 0444; root can).
	blob := filepath.Join(dir, "blobs", "sha256", layerDigest[len("sha256:"):])
	b, err := os.ReadFile(blob)
	require.NoError(t, err)
	b[10] ^= 1
	require.NoError(t, os.Chmod(blob, 0o644))
	require.NoError(t, os.WriteFile(blob, b, 0o644))

	_, err = Pull(ctx, pinned, PullOptions{Remote: remote, Cache: cache})
	require.ErrorIs(t, err, ErrDigestMismatch)
	assert.ErrorContains(t, err, dir)
}

func TestOpenCacheErrors(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(f, nil, 0o644))
	_, err := OpenCache(f)
	assert.Error(t, err)
	_, err = OpenCacheFS(context.Background(), os.DirFS(t.TempDir()))
	assert.Error(t, err, "an empty directory is not a layout")
}
