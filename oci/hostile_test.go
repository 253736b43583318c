package oci

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/internal/registrytest"
)

// assertNothingCached checks that a failed pull left the cache empty.
func assertNothingCached(t *testing.T, c *Cache) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(filepath.Join(c.Dir(), "blobs"), func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	require.NoError(t, err)
	assert.Zero(t, n, "blobs written to the cache")
	idx, err := os.ReadFile(filepath.Join(c.Dir(), "index.json"))
	require.NoError(t, err)
	assert.NotContains(t, string(idx), "sha256:", "index.json lists a manifest")
}

// TestPullHostileRegistry: artifacts a real registry (distribution 2.8)
// accepts and serves, each refused with its own sentinel and nothing
// cached.
func TestPullHostileRegistry(t *testing.T) {
	reg := registrytest.Start(t, registrytest.Plain)
	remote := remoteFor(t, reg)
	good := readTestdata(t, "seccomp.json")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, err := zw.Write(good)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	big := append([]byte(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[]`), bytes.Repeat([]byte(" "), DefaultMaxSize)...)
	big = append(big, '}')

	tests := []struct {
		name string
		a    registrytest.Artifact
		want error
	}{
		{"wrong config media type (spoc)", registrytest.Artifact{ConfigMediaType: "application/vnd.unknown.config.v1+json", Layers: [][]byte{good}}, ErrWrongMediaType},
		{"image config media type", registrytest.Artifact{ConfigMediaType: "application/vnd.oci.image.config.v1+json", Layers: [][]byte{good}}, ErrWrongMediaType},
		{"no layers", registrytest.Artifact{}, ErrNoLayers},
		{"layer larger than 1 MiB", registrytest.Artifact{Layers: [][]byte{big}}, ErrTooLarge},
		{"descriptor size one more than the blob", registrytest.Artifact{Layers: [][]byte{good}, LayerSizeDelta: 1}, ErrDigestMismatch},
		{"descriptor size one less than the blob", registrytest.Artifact{Layers: [][]byte{good}, LayerSizeDelta: -1}, ErrDigestMismatch},
		{"invalid profile", registrytest.Artifact{Layers: [][]byte{[]byte(`{"defaultAction":"SCMP_ACT_DENY"}`)}}, ErrInvalidProfile},
		{"empty layer", registrytest.Artifact{Layers: [][]byte{{}}}, ErrInvalidProfile},
		{"gzip layer", registrytest.Artifact{Layers: [][]byte{gz.Bytes()}, LayerMediaType: "application/vnd.oci.image.layer.v1.tar+gzip"}, ErrInvalidProfile},
		{"runtime config.json layer", registrytest.Artifact{Layers: [][]byte{[]byte(`{"ociVersion":"1.0.2","linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW"}}}`)}}, ErrInvalidProfile},
		{"CRD YAML layer (spoc push)", registrytest.Artifact{Layers: [][]byte{[]byte("apiVersion: security-profiles-operator.x-k8s.io/v1beta1\nkind: SeccompProfile\n")}}, ErrInvalidProfile},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tag := fmt.Sprintf("t%d", i)
			reg.PushArtifact(t, "hostile/p", tag, tt.a)
			cache, err := OpenCache(t.TempDir())
			require.NoError(t, err)
			a, err := Pull(context.Background(), reg.Ref("hostile/p", tag), PullOptions{Remote: remote, Cache: cache})
			require.Error(t, err)
			assert.Nil(t, a)
			assert.ErrorIs(t, err, tt.want)
			assert.Contains(t, err.Error(), reg.Host+"/hostile/p", "the error names the artifact")
			assertNothingCached(t, cache)
		})
	}

	t.Run("not found", func(t *testing.T) {
		for _, ref := range []string{reg.Ref("hostile/p", "nope"), reg.Ref("nosuch/repo", "v1"), reg.Ref("hostile/p", registrytest.Digest([]byte("nothing here")))} {
			_, err := Pull(context.Background(), ref, PullOptions{Remote: remote})
			assert.ErrorIs(t, err, ErrNotFound, ref)
		}
	})
	t.Run("a blob digest used as a manifest reference", func(t *testing.T) {
		// Measured: distribution 2.8 answers 500 "unknown error" (not 404)
		// for GET manifests/<digest of a blob that is not a manifest>.
		_, err := Pull(context.Background(), reg.Ref("hostile/p", layerDigest), PullOptions{Remote: remote})
		assert.ErrorIs(t, err, ErrRegistry)
		assert.ErrorContains(t, err, "500")
	})
	t.Run("first layer wins", func(t *testing.T) {
		reg.PushArtifact(t, "hostile/p", "two", registrytest.Artifact{Layers: [][]byte{good, []byte("junk")}})
		a, err := Pull(context.Background(), reg.Ref("hostile/p", "two"), PullOptions{Remote: remote})
		require.NoError(t, err)
		assert.Equal(t, good, a.Data)
	})
	t.Run("layer within a smaller limit", func(t *testing.T) {
		_, err := Pull(context.Background(), reg.Ref("hostile/p", "two"), PullOptions{Remote: remote, MaxSize: 1000})
		assert.ErrorIs(t, err, ErrTooLarge)
	})
}

func TestPullUnauthorized(t *testing.T) {
	reg := registrytest.Start(t, registrytest.Htpasswd)
	reg.PushArtifact(t, "crio/seccomp", "v2", registrytest.Artifact{Layers: [][]byte{readTestdata(t, "seccomp.json")}})
	tests := []struct {
		name   string
		remote RemoteOptions
	}{
		{"no credentials", RemoteOptions{PlainHTTP: true, DockerConfig: filepath.Join(t.TempDir(), "config.json")}},
		{"wrong password", RemoteOptions{PlainHTTP: true, Username: registrytest.User, Password: "wrong"}},
		{"credentials for another host", RemoteOptions{PlainHTTP: true, DockerConfig: filepath.Join(
			(&registrytest.Registry{Host: "127.0.0.2:1", User: "u", Password: "p"}).DockerConfig(t), "config.json")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cache, err := OpenCache(t.TempDir())
			require.NoError(t, err)
			_, err = Pull(context.Background(), reg.Ref("crio/seccomp", "v2"), PullOptions{Remote: tt.remote, Cache: cache})
			require.ErrorIs(t, err, ErrUnauthorized)
			assertNothingCached(t, cache)
		})
	}
}

// fakeResponse is one canned answer of fakeRegistry.
type fakeResponse struct {
	status  int
	header  map[string]string
	body    []byte
	chunked bool // no Content-Length
}

// fakeRegistry serves canned answers for what a real registry cannot be
// made to serve: distribution verifies every upload against its digest and
// refuses manifests that are not JSON, so blobs whose bytes do not match
// their digest, lying Content-Length or Docker-Content-Digest headers and
// non-JSON manifests need this tiny httptest server.
func fakeRegistry(t *testing.T, routes map[string]fakeResponse) (host string, requests func() []string) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path)
		mu.Unlock()
		if r.URL.Path == "/v2/" {
			return
		}
		resp, ok := routes[r.URL.Path]
		if !ok {
			http.Error(w, `{"errors":[{"code":"NAME_UNKNOWN"}]}`, http.StatusNotFound)
			return
		}
		for k, v := range resp.header {
			w.Header().Set(k, v)
		}
		if !resp.chunked {
			w.Header().Set("Content-Length", fmt.Sprint(len(resp.body)))
		}
		status := resp.status
		if status == 0 {
			status = http.StatusOK
		}
		w.WriteHeader(status)
		if r.Method == http.MethodGet {
			if resp.chunked {
				w.(http.Flusher).Flush()
			}
			_, _ = w.Write(resp.body)
		}
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://"), func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

func TestPullHostileHTTP(t *testing.T) {
	good := readTestdata(t, "seccomp.json")
	manifest := readTestdata(t, "oras-config.manifest.json")
	mdigest := registrytest.Digest(manifest)
	ociHeader := map[string]string{"Content-Type": ManifestMediaType, "Docker-Content-Digest": mdigest}
	layerPath := "/v2/p/blobs/" + layerDigest
	tampered := append([]byte{}, good...)
	tampered[len(tampered)-2] ^= 0x20 // same size, other bytes

	tests := []struct {
		name   string
		ref    string // tag or digest; default "v1"
		routes map[string]fakeResponse
		want   error
	}{
		{"control: a good artifact", "", map[string]fakeResponse{
			"/v2/p/manifests/v1": {header: ociHeader, body: manifest},
			layerPath:            {body: good},
		}, nil},
		{"blob bytes do not match the digest", "", map[string]fakeResponse{
			"/v2/p/manifests/v1": {header: ociHeader, body: manifest},
			layerPath:            {body: tampered},
		}, ErrDigestMismatch},
		{"blob bytes do not match, lying digest header", "", map[string]fakeResponse{
			"/v2/p/manifests/v1": {header: ociHeader, body: manifest},
			layerPath:            {body: tampered, header: map[string]string{"Docker-Content-Digest": layerDigest}},
		}, ErrDigestMismatch},
		{"blob longer than its descriptor, no Content-Length", "", map[string]fakeResponse{
			"/v2/p/manifests/v1": {header: ociHeader, body: manifest},
			layerPath:            {body: append(append([]byte{}, good...), bytes.Repeat([]byte(" "), 1<<20)...), chunked: true},
		}, ErrDigestMismatch},
		{"blob shorter than its descriptor", "", map[string]fakeResponse{
			"/v2/p/manifests/v1": {header: ociHeader, body: manifest},
			layerPath:            {body: good[:100]},
		}, ErrDigestMismatch},
		{"manifest is not JSON", "", map[string]fakeResponse{
			"/v2/p/manifests/v1": {header: map[string]string{"Content-Type": ManifestMediaType}, body: []byte("<html>502 Bad Gateway</html>")},
		}, ErrInvalidManifest},
		{"manifest does not match its Docker-Content-Digest", "", map[string]fakeResponse{
			"/v2/p/manifests/v1": {header: map[string]string{"Content-Type": ManifestMediaType, "Docker-Content-Digest": layerDigest}, body: manifest},
		}, ErrDigestMismatch},
		{"pinned digest, registry sends another manifest", layerDigest, map[string]fakeResponse{
			"/v2/p/manifests/" + layerDigest: {header: map[string]string{"Content-Type": ManifestMediaType}, body: manifest},
		}, ErrDigestMismatch},
		{"manifest larger than 4 MiB", "", map[string]fakeResponse{
			"/v2/p/manifests/v1": {header: map[string]string{"Content-Type": ManifestMediaType}, body: bytes.Repeat([]byte(" "), MaxManifestSize+1)},
		}, ErrTooLarge},
		{"image index", "", map[string]fakeResponse{
			"/v2/p/manifests/v1": {header: map[string]string{"Content-Type": IndexMediaType}, body: []byte(`{"schemaVersion":2,"manifests":[]}`)},
		}, ErrWrongMediaType},
		{"401 on the blob", "", map[string]fakeResponse{
			"/v2/p/manifests/v1": {header: ociHeader, body: manifest},
			layerPath:            {status: http.StatusUnauthorized},
		}, ErrUnauthorized},
		{"404 on the blob", "", map[string]fakeResponse{
			"/v2/p/manifests/v1": {header: ociHeader, body: manifest},
		}, ErrNotFound},
		{"500 on the manifest", "", map[string]fakeResponse{
			"/v2/p/manifests/v1": {status: http.StatusInternalServerError, body: []byte("boom")},
		}, ErrRegistry},
		{"403 on the manifest", "", map[string]fakeResponse{
			"/v2/p/manifests/v1": {status: http.StatusForbidden, body: []byte(`{"errors":[{"code":"DENIED"}]}`)},
		}, ErrUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, _ := fakeRegistry(t, tt.routes)
			ref := host + "/p:v1"
			if tt.ref != "" {
				ref = host + "/p@" + tt.ref
			}
			// MaxRetries -1: the 500 case must not back off.
			a, err := Pull(context.Background(), ref, PullOptions{Remote: RemoteOptions{PlainHTTP: true, MaxRetries: -1}})
			if tt.want == nil {
				require.NoError(t, err)
				assert.Equal(t, good, a.Data)
				return
			}
			require.Error(t, err)
			assert.Nil(t, a)
			assert.ErrorIs(t, err, tt.want)
		})
	}
}
