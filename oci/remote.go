package oci

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/credentials"
	"oras.land/oras-go/v2/registry/remote/errcode"
	"oras.land/oras-go/v2/registry/remote/retry"
)

// RemoteOptions say how to reach a registry.
type RemoteOptions struct {
	// PlainHTTP talks HTTP instead of HTTPS. Nothing switches to plain HTTP
	// by itself, not even for 127.0.0.1.
	PlainHTTP bool
	// CAFile is a PEM file of extra CA certificates trusted besides the
	// system pool.
	CAFile string
	// Insecure skips TLS certificate verification.
	Insecure bool
	// DockerConfig is the path of a Docker config.json to take credentials
	// (and credential helpers) from. Empty means $DOCKER_CONFIG/config.json,
	// else ~/.docker/config.json; a missing file means no credentials.
	DockerConfig string
	// Username and Password, when Username is set, are used for the
	// registry of the reference instead of the Docker config.
	Username, Password string
	// MaxRetries bounds oras-go's retries of 5xx/429/408 answers and
	// timeouts (exponential backoff). Zero means the oras default (5);
	// negative means no retries.
	MaxRetries int
	// UserAgent is sent with every request; empty means "seccompctl".
	UserAgent string
	// Transport replaces the HTTP transport (CAFile and Insecure are then
	// ignored). Retries and authentication still wrap it.
	Transport http.RoundTripper
}

// DefaultRemoteOptions: HTTPS, system CAs, Docker config credentials,
// oras-go's default retries.
var DefaultRemoteOptions = RemoteOptions{}

// remoteRepo is a repository on a registry plus the authenticated client,
// which Pull also uses for the blob requests it makes itself.
type remoteRepo struct {
	repo   *remote.Repository
	client *auth.Client
	ref    Reference
	plain  bool
}

func (o RemoteOptions) newRepo(ref Reference) (*remoteRepo, error) {
	client, err := o.client(ref.Registry)
	if err != nil {
		return nil, err
	}
	repo := &remote.Repository{
		Client:    client,
		Reference: ref.oras(),
		PlainHTTP: o.PlainHTTP,
		// Only what can be a profile artifact or an image; distribution
		// 2.8 answers 404 for an OCI manifest unless the OCI type is listed.
		ManifestMediaTypes: []string{ManifestMediaType, IndexMediaType, DockerManifestMediaType, DockerManifestListMediaType},
	}
	return &remoteRepo{repo: repo, client: client, ref: ref, plain: o.PlainHTTP}, nil
}

func (o RemoteOptions) client(host string) (*auth.Client, error) {
	base := o.Transport
	if base == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		if o.CAFile != "" || o.Insecure {
			cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: o.Insecure} //nolint:gosec // the user asked for --insecure
			if o.CAFile != "" {
				pool, err := x509.SystemCertPool()
				if err != nil {
					pool = x509.NewCertPool()
				}
				pem, err := os.ReadFile(o.CAFile)
				if err != nil {
					return nil, fmt.Errorf("CA file: %w", err)
				}
				if !pool.AppendCertsFromPEM(pem) {
					return nil, fmt.Errorf("CA file %s: no PEM certificates", o.CAFile)
				}
				cfg.RootCAs = pool
			}
			tr.TLSClientConfig = cfg
		}
		base = tr
	}
	rt := retry.NewTransport(base)
	if o.MaxRetries != 0 {
		policy := &retry.GenericPolicy{
			Retryable: retry.DefaultPredicate,
			Backoff:   retry.DefaultBackoff,
			MaxRetry:  max(o.MaxRetries, 0),
		}
		if p, ok := retry.DefaultPolicy.(*retry.GenericPolicy); ok {
			policy.MinWait, policy.MaxWait = p.MinWait, p.MaxWait
		}
		rt.Policy = func() retry.Policy { return policy }
	}
	cred, err := o.credential(host)
	if err != nil {
		return nil, err
	}
	c := &auth.Client{Client: &http.Client{Transport: rt}, Cache: auth.NewCache(), Credential: cred}
	ua := o.UserAgent
	if ua == "" {
		ua = "seccompctl"
	}
	c.SetUserAgent(ua)
	return c, nil
}

func (o RemoteOptions) credential(host string) (auth.CredentialFunc, error) {
	if o.Username != "" {
		return auth.StaticCredential(host, auth.Credential{Username: o.Username, Password: o.Password}), nil
	}
	path := o.DockerConfig
	if path == "" {
		dir := os.Getenv("DOCKER_CONFIG")
		if dir == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				// No home (a bare container): no Docker config, so anonymous
				// access; a registry that needs credentials answers 401.
				return nil, nil
			}
			dir = filepath.Join(home, ".docker")
		}
		path = filepath.Join(dir, "config.json")
	}
	store, err := credentials.NewStore(path, credentials.StoreOptions{})
	if err != nil {
		return nil, fmt.Errorf("docker config: %w", err)
	}
	return credentials.Credential(store), nil
}

// classify maps an oras-go or HTTP error onto our sentinels. what names
// the reference or blob the request was about.
func classify(err error, what string) error {
	var resp *errcode.ErrorResponse
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: %w", what, err)
	case errors.Is(err, errdef.ErrNotFound):
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	case errors.Is(err, auth.ErrBasicCredentialNotFound):
		return fmt.Errorf("%s: %w: the registry wants credentials and none are configured (Docker config or --username)", what, ErrUnauthorized)
	case errors.As(err, &resp):
		switch resp.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			return fmt.Errorf("%s: %w: %v", what, ErrUnauthorized, err)
		case http.StatusNotFound:
			return fmt.Errorf("%s: %w: %v", what, ErrNotFound, err)
		}
	}
	return fmt.Errorf("%s: %w: %v", what, ErrRegistry, err)
}

// The read path makes its GETs itself, through oras-go's authenticating,
// retrying client, rather than through oras-go's Fetch/FetchReference:
// those report a Content-Length or Docker-Content-Digest that disagrees
// with what was asked for as untyped errors, and distribution 2.8 really
// serves such answers (it does not check descriptor sizes). Here each case
// maps onto a sentinel, nothing beyond the expected size (+1 byte) is
// read, and every byte is verified by us.

// get GETs /v2/<repository>/<kind>/<reference> and maps failure statuses
// onto sentinels. The caller closes the body.
func (r *remoteRepo) get(ctx context.Context, kind, reference, accept, what string) (*http.Response, error) {
	oref := r.repo.Reference
	oref.Reference = reference
	ctx = auth.AppendRepositoryScope(ctx, oref, auth.ActionPull)
	scheme := "https"
	if r.plain {
		scheme = "http"
	}
	url := scheme + "://" + oref.Host() + "/v2/" + oref.Repository + "/" + kind + "/" + reference
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %v", what, ErrInvalidReference, err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, classify(err, what)
	}
	if resp.StatusCode == http.StatusOK {
		return resp, nil
	}
	defer resp.Body.Close()
	detail := errorDetail(resp)
	switch resp.StatusCode {
	case http.StatusNotFound:
		return nil, fmt.Errorf("%s: %w%s", what, ErrNotFound, detail)
	case http.StatusUnauthorized, http.StatusForbidden:
		return nil, fmt.Errorf("%s: %w: GET %s: %s%s", what, ErrUnauthorized, url, resp.Status, detail)
	}
	return nil, fmt.Errorf("%s: %w: GET %s: %s%s", what, ErrRegistry, url, resp.Status, detail)
}

// errorDetail is the registry's error message, if its body has the
// distribution-spec {"errors":[...]} form.
func errorDetail(resp *http.Response) string {
	var body struct {
		Errors errcode.Errors `json:"errors"`
	}
	if json.NewDecoder(io.LimitReader(resp.Body, 8<<10)).Decode(&body) != nil || len(body.Errors) == 0 {
		return ""
	}
	return " (" + body.Errors.Error() + ")"
}

// fetchBlob reads and verifies one blob.
func (r *remoteRepo) fetchBlob(ctx context.Context, desc ocispec.Descriptor) ([]byte, error) {
	what := r.ref.Name() + "@" + desc.Digest.String()
	resp, err := r.get(ctx, "blobs", desc.Digest.String(), "", what)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.ContentLength >= 0 && resp.ContentLength != desc.Size {
		return nil, fmt.Errorf("%s: %w: the registry sends %d bytes, the descriptor says %d",
			what, ErrDigestMismatch, resp.ContentLength, desc.Size)
	}
	data, err := readVerified(resp.Body, desc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return data, nil
}

// fetchManifest fetches the manifest ref points at and returns it with a
// descriptor made from what was received: the Content-Type, the size and
// the digest computed here. A pinned digest, and a Docker-Content-Digest
// header if the registry sends one, must match it.
func (r *remoteRepo) fetchManifest(ctx context.Context, ref Reference) (ocispec.Descriptor, []byte, error) {
	what := ref.String()
	resp, err := r.get(ctx, "manifests", ref.reference(), strings.Join(r.repo.ManifestMediaTypes, ", "), what)
	if err != nil {
		return ocispec.Descriptor{}, nil, err
	}
	defer resp.Body.Close()
	if resp.ContentLength > MaxManifestSize {
		return ocispec.Descriptor{}, nil, fmt.Errorf("%s: manifest %w: %d bytes, the limit is %d", what, ErrTooLarge, resp.ContentLength, MaxManifestSize)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxManifestSize+1))
	if err != nil {
		return ocispec.Descriptor{}, nil, fmt.Errorf("%s: %w: reading the manifest: %v", what, ErrRegistry, err)
	}
	if len(data) > MaxManifestSize {
		return ocispec.Descriptor{}, nil, fmt.Errorf("%s: manifest %w: more than %d bytes", what, ErrTooLarge, MaxManifestSize)
	}
	if resp.ContentLength >= 0 && resp.ContentLength != int64(len(data)) {
		return ocispec.Descriptor{}, nil, fmt.Errorf("%s: %w: manifest of %d bytes, Content-Length %d", what, ErrDigestMismatch, len(data), resp.ContentLength)
	}
	mediaType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	got := digest.FromBytes(data)
	if ref.Digest != "" {
		if err := ref.Digest.Validate(); err != nil {
			return ocispec.Descriptor{}, nil, fmt.Errorf("%s: %w: %v", what, ErrInvalidReference, err)
		}
		if got = ref.Digest.Algorithm().FromBytes(data); got != ref.Digest {
			return ocispec.Descriptor{}, nil, fmt.Errorf("%s: %w: the registry sent a manifest with digest %s", what, ErrDigestMismatch, got)
		}
	}
	if h := resp.Header.Get("Docker-Content-Digest"); h != "" {
		hd, err := digest.Parse(h)
		if err != nil {
			return ocispec.Descriptor{}, nil, fmt.Errorf("%s: %w: bad Docker-Content-Digest %q: %v", what, ErrRegistry, h, err)
		}
		if hd.Algorithm().FromBytes(data) != hd {
			return ocispec.Descriptor{}, nil, fmt.Errorf("%s: %w: the manifest does not match its Docker-Content-Digest %s", what, ErrDigestMismatch, hd)
		}
	}
	return ocispec.Descriptor{MediaType: mediaType, Digest: got, Size: int64(len(data))}, data, nil
}

// resolve asks the registry which manifest a tag points at (HEAD).
func (r *remoteRepo) resolve(ctx context.Context, ref Reference) (ocispec.Descriptor, error) {
	desc, err := r.repo.Resolve(ctx, ref.reference())
	if err != nil {
		return ocispec.Descriptor{}, classify(err, ref.String())
	}
	return desc, nil
}

// readVerified reads exactly desc.Size bytes from r and checks them against
// desc.Digest. It never reads more than desc.Size+1 bytes.
func readVerified(r io.Reader, desc ocispec.Descriptor) ([]byte, error) {
	if desc.Size < 0 {
		return nil, fmt.Errorf("%w: negative size %d", ErrInvalidManifest, desc.Size)
	}
	if err := desc.Digest.Validate(); err != nil {
		return nil, fmt.Errorf("%w: digest %q: %v", ErrInvalidManifest, desc.Digest, err)
	}
	data, err := io.ReadAll(io.LimitReader(r, desc.Size+1))
	if err != nil {
		return nil, fmt.Errorf("%w: reading %s: %v", ErrRegistry, desc.Digest, err)
	}
	if int64(len(data)) != desc.Size {
		more := ""
		if int64(len(data)) > desc.Size {
			more = " or more"
		}
		return nil, fmt.Errorf("%w: %s: got %d bytes%s, the descriptor says %d", ErrDigestMismatch, desc.Digest, len(data), more, desc.Size)
	}
	if got := desc.Digest.Algorithm().FromBytes(data); got != desc.Digest {
		return nil, fmt.Errorf("%w: content has digest %s, the descriptor says %s", ErrDigestMismatch, got, desc.Digest)
	}
	return data, nil
}
