package oci

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"oras.land/oras-go/v2/content"
)

// demoCreated is the creation time of the manifests in testdata/.
var demoCreated = time.Date(2026, 11, 22, 6, 36, 19, 0, time.UTC)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return b
}

// TestPackMatchesOras: with the same profile and creation time, pack
// writes the very bytes (so the digest) the oras CLI pushed.
func TestPackMatchesOras(t *testing.T) {
	profileData := readTestdata(t, "seccomp.json")
	tests := []struct {
		name   string
		opts   PushOptions
		golden string
		digest digest.Digest
	}{
		{"config", PushOptions{Created: demoCreated}, "oras-config.manifest.json",
			"sha256:ddf45318dcd3766f03245df96f3802885cb5526c3b049585894021dd200f2542"},
		{"artifact-type", PushOptions{Created: demoCreated, Shape: ShapeArtifactType, LayerMediaType: "application/json"},
			"oras-v1.1-artifactType.manifest.json",
			"sha256:e5dac6dab024935bd052b63c8d4fae104fc5a1ee86588ca8d31abe636af8e90f"},
		{"config+artifact-type", PushOptions{Created: demoCreated, Shape: ShapeConfigAndArtifactType, LayerMediaType: "application/json"},
			"oras-v1.1-config-and-artifactType.manifest.json",
			"sha256:1aabcb13f9d75a6f5786f6422e5ddf3cf401fefe34b7363cc316b98dc03291fd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			store, desc, err := pack(ctx, profileData, tt.opts)
			require.NoError(t, err)
			got, err := content.FetchAll(ctx, store, desc)
			require.NoError(t, err)
			assert.Equal(t, string(readTestdata(t, tt.golden)), string(got))
			assert.Equal(t, tt.digest, desc.Digest)
			assert.Equal(t, ManifestMediaType, desc.MediaType)

			// What we pack, we pull.
			a, err := pull(ctx, storeSource{store}, Reference{Registry: "r", Repository: "x", Digest: desc.Digest}, DefaultMaxSize)
			require.NoError(t, err)
			assert.Equal(t, profileData, a.Data)
			assert.Equal(t, desc.Digest, a.Digest)
		})
	}
}

func TestPackReproducibleOnlyWithCreated(t *testing.T) {
	ctx := context.Background()
	data := readTestdata(t, "seccomp.json")
	_, d1, err := pack(ctx, data, PushOptions{Created: demoCreated.Add(time.Hour)})
	require.NoError(t, err)
	_, d2, err := pack(ctx, data, PushOptions{Created: demoCreated.Add(time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, d1.Digest, d2.Digest)
	assert.NotEqual(t, digest.Digest("sha256:ddf45318dcd3766f03245df96f3802885cb5526c3b049585894021dd200f2542"), d1.Digest)

	// Without Created the current time goes in.
	store, d3, err := pack(ctx, data, PushOptions{})
	require.NoError(t, err)
	m, err := content.FetchAll(ctx, store, d3)
	require.NoError(t, err)
	assert.Contains(t, string(m), `"org.opencontainers.image.created":"`+time.Now().UTC().Format("2006-01-02"))
}

func TestPackRefusesBadProfiles(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		opts PushOptions
		want error
	}{
		{"empty", []byte{}, PushOptions{}, ErrInvalidProfile},
		{"not JSON", []byte("# comment\n{}"), PushOptions{}, ErrInvalidProfile},
		{"unknown action", []byte(`{"defaultAction":"SCMP_ACT_DENY"}`), PushOptions{}, ErrInvalidProfile},
		{"runtime config", []byte(`{"ociVersion":"1.0.2","linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW"}}}`), PushOptions{}, ErrInvalidProfile},
		{"too large", []byte(`{"defaultAction":"SCMP_ACT_ALLOW"}`), PushOptions{MaxSize: 10}, ErrTooLarge},
		{"bad created annotation", []byte(`{"defaultAction":"SCMP_ACT_ALLOW"}`),
			PushOptions{Annotations: map[string]string{AnnotationCreated: "yesterday"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := pack(context.Background(), tt.data, tt.opts)
			require.Error(t, err)
			if tt.want != nil {
				assert.ErrorIs(t, err, tt.want)
			}
		})
	}
}

func TestPackNamesSourceInErrors(t *testing.T) {
	_, _, err := pack(context.Background(), []byte("{\n  \"defaultAction\": \"SCMP_ACT_DENY\"\n}"), PushOptions{Source: "my.json"})
	require.ErrorIs(t, err, ErrInvalidProfile)
	assert.Contains(t, err.Error(), "my.json:2:")
	assert.Contains(t, err.Error(), "defaultAction")
}
