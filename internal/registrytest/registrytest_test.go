package registrytest

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestModes(t *testing.T) {
	tests := []struct {
		mode       Mode
		scheme     string
		anonStatus int // GET /v2/ without credentials
	}{
		{Plain, "http", http.StatusOK},
		{Htpasswd, "http", http.StatusUnauthorized},
		{TLS, "https", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			r := Start(t, tt.mode)
			assert.Equal(t, tt.scheme+"://"+r.Host, r.URL)
			assert.Equal(t, tt.mode != TLS, r.PlainHTTP)

			client := http.DefaultClient
			if tt.mode == TLS {
				pem, err := os.ReadFile(r.CAFile)
				require.NoError(t, err)
				pool := x509.NewCertPool()
				require.True(t, pool.AppendCertsFromPEM(pem))
				client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
			}
			resp, err := client.Get(r.URL + "/v2/")
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, tt.anonStatus, resp.StatusCode)
			if tt.mode == Htpasswd {
				assert.Contains(t, resp.Header.Get("WWW-Authenticate"), "Basic")
			}

			// Push through the authenticated raw client and read it back.
			before := r.BlobCount(t)
			dgst, body := r.PushArtifact(t, "crio/seccomp", "v1", Artifact{Layers: [][]byte{[]byte(`{"defaultAction":"SCMP_ACT_ALLOW"}`)}})
			assert.Equal(t, Digest(body), dgst)
			got, ct := r.FetchManifest(t, "crio/seccomp", "v1")
			assert.Equal(t, body, got)
			assert.Equal(t, "application/vnd.oci.image.manifest.v1+json", ct)
			assert.Equal(t, before+3, r.BlobCount(t), "config, layer and manifest blobs")
		})
	}
}

func TestStopIsByPidAndIdempotent(t *testing.T) {
	r := Start(t, Plain)
	pid := r.Pid()
	r.Stop()
	// The process is gone (reaped by Wait), so signal 0 fails.
	err := syscall.Kill(pid, 0)
	assert.True(t, errors.Is(err, syscall.ESRCH), "pid %d still exists: %v", pid, err)
	_, err = http.Get(r.URL + "/v2/")
	assert.Error(t, err, "registry still answers after Stop")
	r.Stop() // again: no panic, no error
}

func TestDockerConfig(t *testing.T) {
	r := Start(t, Htpasswd)
	dir := r.DockerConfig(t)
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	require.NoError(t, err)
	var cfg struct {
		Auths map[string]struct{ Auth string } `json:"auths"`
	}
	require.NoError(t, json.Unmarshal(b, &cfg))
	assert.Equal(t, "dGVzdHVzZXI6dGVzdHBhc3N3b3Jk", cfg.Auths[r.Host].Auth) // testuser:testpassword
}
