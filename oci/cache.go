package oci

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
	orasoci "oras.land/oras-go/v2/content/oci"
	"oras.land/oras-go/v2/errdef"
)

// Cache keeps pulled artifacts in an OCI image layout directory (the
// layout `oras copy --to-oci-layout` and skopeo's oci: transport use):
// blobs under blobs/sha256/, manifests listed in index.json, each tagged
// with the reference it was pulled as. Entries are found by manifest
// digest, so a digest-pinned pull of a cached artifact needs no network
// at all, and a tag pull needs only the HEAD that resolves the tag.
// Content read from the cache is verified like content from a registry.
//
// A Cache is safe for concurrent use within one process; two processes
// must not share a directory (index.json is rewritten in place).
type Cache struct {
	dir   string
	mu    sync.Mutex
	store *orasoci.Store // nil for a read-only cache
	ro    readOnlyStore
}

type readOnlyStore interface {
	content.ReadOnlyStorage
	Resolve(ctx context.Context, reference string) (ocispec.Descriptor, error)
}

// OpenCache opens the OCI image layout at dir, creating it if needed.
func OpenCache(dir string) (*Cache, error) {
	s, err := orasoci.New(dir)
	if err != nil {
		return nil, fmt.Errorf("cache %s: %w", dir, err)
	}
	return &Cache{dir: dir, store: s, ro: s}, nil
}

// OpenCacheFS opens a read-only OCI image layout, for example profiles
// embedded in a binary with embed.FS. Pulls are served from it but never
// added to it.
func OpenCacheFS(ctx context.Context, fsys fs.FS) (*Cache, error) {
	s, err := orasoci.NewFromFS(ctx, fsys)
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	return &Cache{ro: s}, nil
}

// Dir is the layout directory ("" for OpenCacheFS).
func (c *Cache) Dir() string { return c.dir }

// Has reports whether the manifest d is in the cache.
func (c *Cache) Has(ctx context.Context, d digest.Digest) (bool, error) {
	_, err := c.resolve(ctx, d)
	if errors.Is(err, ErrCacheMiss) {
		return false, nil
	}
	return err == nil, err
}

func (c *Cache) resolve(ctx context.Context, d digest.Digest) (ocispec.Descriptor, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	desc, err := c.ro.Resolve(ctx, d.String())
	switch {
	case errors.Is(err, errdef.ErrNotFound):
		return ocispec.Descriptor{}, fmt.Errorf("%s: %w", d, ErrCacheMiss)
	case err != nil:
		return ocispec.Descriptor{}, fmt.Errorf("cache %s: %w", c.dir, err)
	}
	if desc.Digest != d {
		return ocispec.Descriptor{}, fmt.Errorf("cache %s: %w: %s resolves to %s", c.dir, ErrDigestMismatch, d, desc.Digest)
	}
	return desc, nil
}

func (c *Cache) resolveTag(ctx context.Context, ref Reference) (ocispec.Descriptor, error) {
	c.mu.Lock()
	tagged, err := c.ro.Resolve(ctx, ref.Name()+":"+ref.Tag)
	c.mu.Unlock()
	if errors.Is(err, errdef.ErrNotFound) {
		return ocispec.Descriptor{}, fmt.Errorf("%s: %w", ref, ErrCacheMiss)
	}
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("cache %s: %w", c.dir, err)
	}
	return c.resolve(ctx, tagged.Digest)
}

// cacheSource serves a Pull from the cache: manifests only by digest.
type cacheSource struct{ c *Cache }

func (s cacheSource) fetchManifest(ctx context.Context, ref Reference) (ocispec.Descriptor, []byte, error) {
	var desc ocispec.Descriptor
	var err error
	if ref.Digest != "" {
		desc, err = s.c.resolve(ctx, ref.Digest)
	} else {
		// Only offline pulls get here: online, a tag is resolved by the
		// registry, which knows where it points now.
		desc, err = s.c.resolveTag(ctx, ref)
	}
	if err != nil {
		return ocispec.Descriptor{}, nil, err
	}
	if desc.Size > MaxManifestSize {
		return ocispec.Descriptor{}, nil, fmt.Errorf("%s: cached manifest %w: %d bytes", ref, ErrTooLarge, desc.Size)
	}
	data, err := s.fetch(ctx, desc)
	if err != nil {
		return ocispec.Descriptor{}, nil, fmt.Errorf("%s: cached manifest: %w", ref, err)
	}
	return desc, data, nil
}

func (s cacheSource) fetchBlob(ctx context.Context, desc ocispec.Descriptor) ([]byte, error) {
	data, err := s.fetch(ctx, desc)
	if err != nil {
		return nil, fmt.Errorf("cached blob %s: %w", desc.Digest, err)
	}
	return data, nil
}

func (s cacheSource) fetch(ctx context.Context, desc ocispec.Descriptor) ([]byte, error) {
	rc, err := s.c.ro.Fetch(ctx, desc)
	if errors.Is(err, errdef.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %v", ErrCacheMiss, err)
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return readVerified(rc, desc)
}

// add stores a verified artifact: config, layer, manifest, then the tag.
// Blobs already present are kept (they are content-addressed).
func (c *Cache) add(ctx context.Context, a *Artifact, config []byte) error {
	if c.store == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	mdesc := ocispec.Descriptor{MediaType: ManifestMediaType, Digest: a.Digest, Size: int64(len(a.ManifestBytes))}
	for _, b := range []struct {
		desc ocispec.Descriptor
		data []byte
	}{{a.Manifest.Config, config}, {a.Layer, a.Data}, {mdesc, a.ManifestBytes}} {
		err := c.store.Push(ctx, b.desc, bytes.NewReader(b.data))
		if err != nil && !errors.Is(err, errdef.ErrAlreadyExists) {
			return fmt.Errorf("cache %s: %w", c.dir, err)
		}
	}
	// Tagging by digest also lists a manifest whose blob an interrupted
	// earlier add left behind without an index entry.
	if err := c.store.Tag(ctx, mdesc, mdesc.Digest.String()); err != nil {
		return fmt.Errorf("cache %s: %w", c.dir, err)
	}
	if a.Reference.Tag != "" {
		if err := c.store.Tag(ctx, mdesc, a.Reference.Name()+":"+a.Reference.Tag); err != nil {
			return fmt.Errorf("cache %s: %w", c.dir, err)
		}
	}
	return nil
}
