// Package registrytest runs a real OCI registry for tests: Debian's
// docker-registry (github.com/docker/distribution 2.8) bound to 127.0.0.1
// on a free port, with its own config and a temporary storage directory,
// optionally behind htpasswd basic auth or TLS with a CA made at test time.
// The registry is stopped by pid in t.Cleanup.
//
// It also pushes raw blobs and manifests with nothing but net/http, the way
// ../shared/registry/push-curl.sh does with curl, so tests can put content
// into the registry that seccompctl itself refuses to push (an invalid
// profile, a wrong media type, a descriptor with the wrong size). It must
// not import oras-go: only oci and cmd/seccompctl may.
package registrytest

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"go/build"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Mode selects how the registry is exposed.
type Mode int

const (
	// Plain is plain HTTP without authentication.
	Plain Mode = iota
	// Htpasswd is plain HTTP with htpasswd (bcrypt) basic auth.
	Htpasswd
	// TLS is HTTPS with a server certificate signed by a CA created for the
	// test (see Registry.CAFile).
	TLS
)

func (m Mode) String() string {
	switch m {
	case Plain:
		return "plain"
	case Htpasswd:
		return "htpasswd"
	case TLS:
		return "tls"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Default credentials of the Htpasswd mode.
const (
	User     = "testuser"
	Password = "testpassword"
)

// RequireToolsEnv, when set to 1, turns "binary missing" skips into
// failures, so CI cannot pass by skipping what it was meant to run.
const RequireToolsEnv = "SECCOMPCTL_REQUIRE_TOOLS"

// Registry is a running docker-registry.
type Registry struct {
	Mode Mode
	// Host is "127.0.0.1:PORT", the registry part of references.
	Host string
	// URL is "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT".
	URL string
	// PlainHTTP is true unless Mode is TLS.
	PlainHTTP bool
	// CAFile is the PEM file of the CA that signed the server certificate
	// (TLS mode only).
	CAFile string
	// User and Password are the basic-auth credentials (Htpasswd mode only).
	User, Password string
	// Dir holds the config, storage, log and TLS files.
	Dir string

	cmd    *exec.Cmd
	done   chan struct{}
	client *http.Client
	logf   string
}

// LookTool returns the path of a binary tests need, skipping the test
// (or failing it when $SECCOMPCTL_REQUIRE_TOOLS=1) if it is not installed.
func LookTool(t testing.TB, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	msg := fmt.Sprintf("%s not installed (%s; scripts/test-deps.sh installs it)", name, install)
	if os.Getenv(RequireToolsEnv) == "1" {
		t.Fatalf("%s and %s=1", msg, RequireToolsEnv)
	}
	t.Skip(msg)
	return ""
}

// LookGoTool is LookTool for binaries scripts/test-deps.sh builds with Go
// (oras): it also looks in $GOBIN and $GOPATH/bin, which are often not on
// the PATH of a plain `go test`.
func LookGoTool(t testing.TB, name, install string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	dirs := []string{os.Getenv("GOBIN")}
	for _, gp := range filepath.SplitList(build.Default.GOPATH) {
		dirs = append(dirs, filepath.Join(gp, "bin"))
	}
	for _, d := range dirs {
		if d == "" {
			continue
		}
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o111 != 0 {
			return p
		}
	}
	return LookTool(t, name, install)
}

// Start runs a registry in the given mode and stops it when the test ends.
func Start(t testing.TB, mode Mode) *Registry {
	t.Helper()
	bin := LookTool(t, "docker-registry", "apt-get install -y docker-registry")
	r := &Registry{Mode: mode, Dir: t.TempDir(), PlainHTTP: mode != TLS}
	data := filepath.Join(r.Dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	var tlsCfg *tls.Config
	switch mode {
	case Htpasswd:
		r.User, r.Password = User, Password
		writeHtpasswd(t, filepath.Join(r.Dir, "htpasswd"), r.User, r.Password)
	case TLS:
		pool := writeTLSFiles(t, r.Dir)
		r.CAFile = filepath.Join(r.Dir, "ca.crt")
		tlsCfg = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	r.client = &http.Client{Transport: &http.Transport{TLSClientConfig: tlsCfg, DisableKeepAlives: true}}

	// The port is picked by binding :0 and closing; another process could
	// take it before the registry binds it, so try a few ports.
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		r.Host = fmt.Sprintf("127.0.0.1:%d", port)
		scheme := "http"
		if mode == TLS {
			scheme = "https"
		}
		r.URL = scheme + "://" + r.Host
		if lastErr = r.start(bin, data); lastErr == nil {
			t.Cleanup(r.Stop)
			return r
		}
		if !strings.Contains(lastErr.Error(), "address already in use") {
			break
		}
	}
	t.Fatalf("registrytest: %v", lastErr)
	return nil
}

// StartPlain starts a plain-HTTP registry outside any test, storing under
// dir, for TestMain (Example functions have no testing.T). The caller
// must Stop it. It fails if docker-registry is not installed.
func StartPlain(dir string) (*Registry, error) {
	bin, err := exec.LookPath("docker-registry")
	if err != nil {
		return nil, fmt.Errorf("docker-registry not installed (apt-get install -y docker-registry): %w", err)
	}
	r := &Registry{Mode: Plain, Dir: dir, PlainHTTP: true,
		client: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}}
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		r.Host = fmt.Sprintf("127.0.0.1:%d", port)
		r.URL = "http://" + r.Host
		err = r.start(bin, data)
		if err == nil || attempt == 4 || !strings.Contains(err.Error(), "address already in use") {
			return r, err
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (r *Registry) config(data string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: %s
  secret: seccompctl-registrytest
  headers:
    X-Content-Type-Options: [nosniff]
`, data, r.Host)
	if r.Mode == TLS {
		fmt.Fprintf(&b, "  tls:\n    certificate: %s\n    key: %s\n",
			filepath.Join(r.Dir, "server.crt"), filepath.Join(r.Dir, "server.key"))
	}
	if r.Mode == Htpasswd {
		fmt.Fprintf(&b, "auth:\n  htpasswd:\n    realm: seccompctl-test\n    path: %s\n",
			filepath.Join(r.Dir, "htpasswd"))
	}
	return b.String()
}

func (r *Registry) start(bin, data string) error {
	cfg := filepath.Join(r.Dir, "config.yml")
	if err := os.WriteFile(cfg, []byte(r.config(data)), 0o644); err != nil {
		return err
	}
	r.logf = filepath.Join(r.Dir, "registry.log")
	logFile, err := os.Create(r.logf)
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd := exec.Command(bin, "serve", cfg)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// The registry reads REGISTRY_* variables as config overrides; make
	// sure none leak in from the environment of whoever runs the tests.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "REGISTRY_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	r.cmd, r.done = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); close(r.done) }()

	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-r.done:
			return fmt.Errorf("docker-registry exited early: %s", r.logTail())
		default:
		}
		code, err := r.ping()
		if err == nil && code == http.StatusOK {
			return nil
		}
		if time.Now().After(deadline) {
			r.Stop()
			return fmt.Errorf("docker-registry did not answer %s/v2/ within 30 s (status %d, %v): %s", r.URL, code, err, r.logTail())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (r *Registry) ping() (int, error) {
	req, err := http.NewRequest(http.MethodGet, r.URL+"/v2/", nil)
	if err != nil {
		return 0, err
	}
	r.auth(req)
	resp, err := r.client.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func (r *Registry) logTail() string {
	b, _ := os.ReadFile(r.logf)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return strings.TrimSpace(string(b))
}

// Stop terminates the registry (SIGTERM, SIGKILL after 10 s) and waits for
// it. It is safe to call more than once; tests call it to simulate an
// outage, t.Cleanup calls it again at the end.
func (r *Registry) Stop() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	select {
	case <-r.done:
		return
	default:
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.done
	}
}

// Pid is the registry's process id.
func (r *Registry) Pid() int { return r.cmd.Process.Pid }

// Ref returns "HOST/repo:tag" (or "HOST/repo@digest" when tag is a digest).
func (r *Registry) Ref(repo, tag string) string {
	if strings.Contains(tag, ":") {
		return r.Host + "/" + repo + "@" + tag
	}
	return r.Host + "/" + repo + ":" + tag
}

// DockerConfig writes a Docker config.json holding the registry's
// credentials (an empty "auths" in modes without auth) in a new directory
// and returns that directory, suitable for $DOCKER_CONFIG.
func (r *Registry) DockerConfig(t testing.TB) string {
	t.Helper()
	auths := map[string]any{}
	if r.User != "" {
		auths[r.Host] = map[string]string{
			"auth": base64.StdEncoding.EncodeToString([]byte(r.User + ":" + r.Password)),
		}
	}
	b, err := json.Marshal(map[string]any{"auths": auths})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func (r *Registry) auth(req *http.Request) {
	if r.User != "" {
		req.SetBasicAuth(r.User, r.Password)
	}
}

// Digest returns "sha256:<hex>" of data.
func Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// PushBlob uploads data to repo with the two-step monolithic upload
// (POST, then PUT ?digest=) and returns its digest.
func (r *Registry) PushBlob(t testing.TB, repo string, data []byte) string {
	t.Helper()
	d := Digest(data)
	resp := r.do(t, http.MethodPost, r.URL+"/v2/"+repo+"/blobs/uploads/", "", nil)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("registrytest: POST blob upload: %s", resp.Status)
	}
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("registrytest: upload location: %v", err)
	}
	q := loc.Query()
	q.Set("digest", d)
	loc.RawQuery = q.Encode()
	resp = r.do(t, http.MethodPut, loc.String(), "application/octet-stream", data)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("registrytest: PUT blob: %s", resp.Status)
	}
	return d
}

// PushManifest PUTs body as a manifest of the given media type under
// reference (a tag or a digest) and returns its digest.
func (r *Registry) PushManifest(t testing.TB, repo, reference, mediaType string, body []byte) string {
	t.Helper()
	resp := r.do(t, http.MethodPut, r.URL+"/v2/"+repo+"/manifests/"+url.PathEscape(reference), mediaType, body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("registrytest: PUT manifest %s/%s: %s", repo, reference, resp.Status)
	}
	return Digest(body)
}

// FetchManifest GETs a manifest with the OCI manifest Accept header and
// returns its body and Content-Type.
func (r *Registry) FetchManifest(t testing.TB, repo, reference string) ([]byte, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, r.URL+"/v2/"+repo+"/manifests/"+url.PathEscape(reference), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json")
	r.auth(req)
	resp, err := r.client.Do(req)
	if err != nil {
		t.Fatalf("registrytest: GET manifest: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("registrytest: GET manifest %s/%s: %s: %s", repo, reference, resp.Status, body)
	}
	return body, resp.Header.Get("Content-Type")
}

func (r *Registry) do(t testing.TB, method, u, contentType string, body []byte) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	r.auth(req)
	resp, err := r.client.Do(req)
	if err != nil {
		t.Fatalf("registrytest: %s %s: %v", method, u, err)
	}
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Logf("registrytest: %s %s: %s: %s", method, u, resp.Status, bytes.TrimSpace(msg))
	}
	return resp
}

// Artifact is a hand-built seccomp-profile artifact for PushArtifact.
type Artifact struct {
	ConfigMediaType string // default application/vnd.cncf.seccomp-profile.config.v1+json
	Config          []byte // default "{}\n"
	ArtifactType    string // optional
	LayerMediaType  string // default application/vnd.oci.image.layer.v1.tar
	Layers          [][]byte
	// LayerSizeDelta is added to the first layer's declared size, to serve
	// a descriptor that does not match the blob (distribution 2.8 does not
	// check descriptor sizes).
	LayerSizeDelta int64
	Annotations    map[string]string
}

// PushArtifact pushes the blobs of a and a manifest referencing them under
// repo:tag and returns the manifest digest and bytes.
func (r *Registry) PushArtifact(t testing.TB, repo, tag string, a Artifact) (string, []byte) {
	t.Helper()
	if a.ConfigMediaType == "" {
		a.ConfigMediaType = "application/vnd.cncf.seccomp-profile.config.v1+json"
	}
	if a.Config == nil {
		a.Config = []byte("{}\n")
	}
	if a.LayerMediaType == "" {
		a.LayerMediaType = "application/vnd.oci.image.layer.v1.tar"
	}
	type desc struct {
		MediaType   string            `json:"mediaType"`
		Digest      string            `json:"digest"`
		Size        int64             `json:"size"`
		Annotations map[string]string `json:"annotations,omitempty"`
	}
	m := struct {
		SchemaVersion int               `json:"schemaVersion"`
		MediaType     string            `json:"mediaType"`
		ArtifactType  string            `json:"artifactType,omitempty"`
		Config        desc              `json:"config"`
		Layers        []desc            `json:"layers"`
		Annotations   map[string]string `json:"annotations,omitempty"`
	}{
		SchemaVersion: 2,
		MediaType:     "application/vnd.oci.image.manifest.v1+json",
		ArtifactType:  a.ArtifactType,
		Config:        desc{MediaType: a.ConfigMediaType, Digest: r.PushBlob(t, repo, a.Config), Size: int64(len(a.Config))},
		Layers:        []desc{},
		Annotations:   a.Annotations,
	}
	for i, l := range a.Layers {
		d := desc{MediaType: a.LayerMediaType, Digest: r.PushBlob(t, repo, l), Size: int64(len(l)),
			Annotations: map[string]string{"org.opencontainers.image.title": "seccomp.json"}}
		if i == 0 {
			d.Size += a.LayerSizeDelta
		}
		m.Layers = append(m.Layers, d)
	}
	body, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return r.PushManifest(t, repo, tag, m.MediaType, body), body
}

// BlobCount returns how many blobs the registry stores, to check that a
// failed push left nothing behind.
func (r *Registry) BlobCount(t testing.TB) int {
	t.Helper()
	root := filepath.Join(r.Dir, "data", "docker", "registry", "v2", "blobs")
	n := 0
	err := filepath.WalkDir(root, func(_ string, d os.DirEntry, err error) error {
		if errors.Is(err, os.ErrNotExist) {
			return filepath.SkipDir
		}
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() == "data" {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
