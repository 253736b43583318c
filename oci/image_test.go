package oci

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/internal/registrytest"
)

// pushImage pushes a small runnable-looking image (OCI image config, one
// tar+gzip layer) whose manifest carries annotations, as `podman build
// --annotation` or `oras push --annotation` would, and returns the
// manifest digest and size.
func pushImage(t *testing.T, reg *registrytest.Registry, repo, tag string, annotations map[string]string) (string, int) {
	cfg := []byte(`{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":[]}}`)
	layer := []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0} // empty gzip
	m := map[string]any{
		"schemaVersion": 2,
		"mediaType":     ManifestMediaType,
		"config":        map[string]any{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": reg.PushBlob(t, repo, cfg), "size": len(cfg)},
		"layers":        []any{map[string]any{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": reg.PushBlob(t, repo, layer), "size": len(layer)}},
		"annotations":   annotations,
	}
	body, err := json.Marshal(m)
	require.NoError(t, err)
	return reg.PushManifest(t, repo, tag, ManifestMediaType, body), len(body)
}

func TestImageAnnotationsResolveAndPull(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.Start(t, registrytest.Plain)
	remote := remoteFor(t, reg)
	data := readTestdata(t, "seccomp.json")
	v2 := reg.Ref("crio/seccomp", "v2")
	_, err := Push(ctx, data, v2, PushOptions{Remote: remote})
	require.NoError(t, err)
	other := reg.Ref("crio/seccomp", "other")
	_, err = Push(ctx, []byte(`{"defaultAction":"SCMP_ACT_ALLOW"}`), other, PushOptions{Remote: remote})
	require.NoError(t, err)

	// The image of ../shared/registry/demo.sh: the older key, three ways.
	annotations := map[string]string{
		AnnotationKeyV1:                 v2,
		AnnotationKeyV1 + "/POD":        v2,
		AnnotationKeyV1 + "/container1": other,
	}
	dgst, size := pushImage(t, reg, "app/nginx-seccomp", "v2", annotations)
	// A multi-platform index whose other platform says something else.
	otherArch := "s390x"
	if runtime.GOARCH == otherArch {
		otherArch = "amd64"
	}
	odgst, osize := pushImage(t, reg, "app/nginx-seccomp", "s390x", map[string]string{AnnotationKey: other})
	index := fmt.Sprintf(`{"schemaVersion":2,"mediaType":%q,"manifests":[`+
		`{"mediaType":%q,"digest":%q,"size":%d,"platform":{"architecture":%q,"os":"linux"}},`+
		`{"mediaType":%q,"digest":%q,"size":%d,"platform":{"architecture":%q,"os":"linux"}}]}`,
		IndexMediaType, ManifestMediaType, odgst, osize, otherArch, ManifestMediaType, dgst, size, runtime.GOARCH)
	reg.PushManifest(t, "app/nginx-seccomp", "multi", IndexMediaType, []byte(index))

	for _, tag := range []string{"v2", "multi"} {
		t.Run(tag, func(t *testing.T) {
			got, err := ImageAnnotations(ctx, reg.Ref("app/nginx-seccomp", tag), ImageOptions{Remote: remote})
			require.NoError(t, err)
			assert.Equal(t, annotations, got)

			// CRI-O takes the image's plain key before its container key.
			res, ok := ResolveAnnotations(nil, got, "container1")
			require.True(t, ok)
			assert.Equal(t, Resolution{Reference: v2, Source: FromImage, Key: AnnotationKeyV1, Step: 3}, res)
			a, err := Pull(ctx, res.Reference, PullOptions{Remote: remote})
			require.NoError(t, err)
			assert.Equal(t, data, a.Data)

			// A pod annotation for the container wins over the image.
			res, ok = ResolveAnnotations(map[string]string{AnnotationKey + "/container1": other}, got, "container1")
			require.True(t, ok)
			assert.Equal(t, other, res.Reference)
		})
	}

	t.Run("other platform", func(t *testing.T) {
		got, err := ImageAnnotations(ctx, reg.Ref("app/nginx-seccomp", "multi"), ImageOptions{Remote: remote, Architecture: otherArch})
		require.NoError(t, err)
		assert.Equal(t, map[string]string{AnnotationKey: other}, got)
	})
	t.Run("no platform match", func(t *testing.T) {
		_, err := ImageAnnotations(ctx, reg.Ref("app/nginx-seccomp", "multi"), ImageOptions{Remote: remote, Architecture: "riscv64"})
		assert.ErrorIs(t, err, ErrNotFound)
		assert.ErrorContains(t, err, "linux/riscv64")
	})
	t.Run("image without annotations", func(t *testing.T) {
		pushImage(t, reg, "app/plain", "v1", nil)
		got, err := ImageAnnotations(ctx, reg.Ref("app/plain", "v1"), ImageOptions{Remote: remote})
		require.NoError(t, err)
		assert.Empty(t, got)
		_, ok := ResolveAnnotations(nil, got, "c")
		assert.False(t, ok)
	})
	t.Run("missing image", func(t *testing.T) {
		_, err := ImageAnnotations(ctx, reg.Ref("app/none", "v1"), ImageOptions{Remote: remote})
		assert.ErrorIs(t, err, ErrNotFound)
	})
	t.Run("an artifact has manifest annotations too", func(t *testing.T) {
		got, err := ImageAnnotations(ctx, v2, ImageOptions{Remote: remote})
		require.NoError(t, err)
		assert.Contains(t, got, AnnotationCreated)
	})
}
