package oci

import (
	"context"
	"fmt"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
)

// storeSource serves a pull from an in-memory oras store, so the checks of
// pull can be tested (and fuzzed) without a registry. It verifies like the
// real sources do.
type storeSource struct {
	s interface {
		content.ReadOnlyStorage
		Resolve(ctx context.Context, ref string) (ocispec.Descriptor, error)
	}
}

func (s storeSource) fetchManifest(ctx context.Context, ref Reference) (ocispec.Descriptor, []byte, error) {
	desc, err := s.s.Resolve(ctx, ref.reference())
	if err != nil {
		return ocispec.Descriptor{}, nil, fmt.Errorf("%s: %w", ref, ErrNotFound)
	}
	b, err := s.fetchBlob(ctx, desc)
	return desc, b, err
}

func (s storeSource) fetchBlob(ctx context.Context, desc ocispec.Descriptor) ([]byte, error) {
	rc, err := s.s.Fetch(ctx, desc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", desc.Digest, ErrNotFound)
	}
	defer rc.Close()
	return readVerified(rc, desc)
}
