package oci

import (
	"context"
	"errors"
	"fmt"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/seccompctl/seccompctl/profile"
)

// PullOptions control Pull.
type PullOptions struct {
	Remote RemoteOptions
	// MaxSize caps the profile layer and the config blob. Zero means
	// DefaultMaxSize (1 MiB, CRI-O's limit).
	MaxSize int64
	// Cache, if set, serves artifacts it holds and keeps what is pulled.
	Cache *Cache
	// Offline serves only from Cache (by digest, or by the tag an earlier
	// pull stored) and fails with ErrCacheMiss otherwise.
	Offline bool
}

// DefaultPullOptions: 1 MiB limit, no cache.
var DefaultPullOptions = PullOptions{MaxSize: DefaultMaxSize}

func (o PullOptions) maxSize() int64 {
	if o.MaxSize <= 0 {
		return DefaultMaxSize
	}
	return o.MaxSize
}

// Artifact is a pulled, verified and parsed profile artifact.
type Artifact struct {
	// Reference is the reference as requested, with Digest filled in.
	Reference Reference
	// Digest is the manifest digest: pin this to get the same profile again.
	Digest digest.Digest
	// Manifest and ManifestBytes are the manifest as the registry sent it.
	Manifest      ocispec.Manifest
	ManifestBytes []byte
	// Layer describes the profile blob (the manifest's first layer).
	Layer ocispec.Descriptor
	// Data is the profile exactly as stored; Profile is Data parsed.
	Data    []byte
	Profile *profile.Profile
	// FromCache is set when the manifest and layer came from the cache.
	FromCache bool
}

// source is where a pull reads from: a registry, a cache, or (in tests
// and fuzzing) memory. Both methods return content verified against its
// descriptor.
type source interface {
	fetchManifest(ctx context.Context, ref Reference) (ocispec.Descriptor, []byte, error)
	fetchBlob(ctx context.Context, desc ocispec.Descriptor) ([]byte, error)
}

// Pull fetches the profile artifact ref points at (a tag, "latest" when
// none, or a digest), checks that it is a seccomp-profile artifact,
// verifies every blob it reads and parses the profile. It returns an error
// matching one of the package's sentinels, and writes nothing (cache
// included) unless everything passed.
func Pull(ctx context.Context, ref string, opts PullOptions) (*Artifact, error) {
	r, err := ParseReference(ref)
	if err != nil {
		return nil, err
	}
	if opts.Offline {
		if opts.Cache == nil {
			return nil, fmt.Errorf("%s: %w: offline without a cache", r, ErrCacheMiss)
		}
		return pullFromCache(ctx, opts.Cache, r, opts)
	}
	repo, err := opts.Remote.newRepo(r)
	if err != nil {
		return nil, err
	}
	if opts.Cache != nil {
		pinned := r
		if pinned.Digest == "" {
			desc, err := repo.resolve(ctx, r)
			if err != nil {
				return nil, err
			}
			pinned.Digest = desc.Digest
		}
		ok, err := opts.Cache.Has(ctx, pinned.Digest)
		if err != nil {
			return nil, err
		}
		if ok {
			return pullFromCache(ctx, opts.Cache, pinned, opts)
		}
		r = pinned
	}
	a, err := pull(ctx, repo, r, opts.maxSize())
	if err != nil {
		return nil, err
	}
	if opts.Cache != nil && opts.Cache.store != nil {
		// The config is read only to keep the cached layout complete
		// (copyable elsewhere); it is verified like everything else.
		config, err := repo.fetchBlob(ctx, a.Manifest.Config)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		if err := opts.Cache.add(ctx, a, config); err != nil {
			return nil, err
		}
	}
	return a, nil
}

func pullFromCache(ctx context.Context, c *Cache, r Reference, opts PullOptions) (*Artifact, error) {
	a, err := pull(ctx, cacheSource{c}, r, opts.maxSize())
	if err != nil {
		if !errors.Is(err, ErrCacheMiss) && c.dir != "" {
			err = fmt.Errorf("%w (cache %s)", err, c.dir)
		}
		return nil, err
	}
	a.FromCache = true
	return a, nil
}

// pull is Pull's core, the same for every source: manifest, checks, first
// layer, parse.
func pull(ctx context.Context, src source, r Reference, maxSize int64) (*Artifact, error) {
	desc, mdata, err := src.fetchManifest(ctx, r)
	if err != nil {
		return nil, err
	}
	m, layer, err := checkManifest(desc, mdata, maxSize)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r, err)
	}
	data, err := src.fetchBlob(ctx, layer)
	if err != nil {
		return nil, err
	}
	p, err := parseProfile(data, displayTitle(layer), maxSize)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r, err)
	}
	pinned := r
	pinned.Digest = desc.Digest
	return &Artifact{
		Reference:     pinned,
		Digest:        desc.Digest,
		Manifest:      m,
		ManifestBytes: mdata,
		Layer:         layer,
		Data:          data,
		Profile:       p,
	}, nil
}

// displayTitle is the layer's title for error messages, or LayerTitle when
// it has none or one unfit to print (it comes from the registry).
func displayTitle(layer ocispec.Descriptor) string {
	t := layer.Annotations[AnnotationTitle]
	if t == "" || len(t) > 128 {
		return LayerTitle
	}
	for _, c := range t {
		if c < 0x21 || c > 0x7e {
			return LayerTitle
		}
	}
	return t
}
