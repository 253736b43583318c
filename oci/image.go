package oci

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// ImageOptions control ImageAnnotations.
type ImageOptions struct {
	Remote RemoteOptions
	// OS and Architecture pick the image of a multi-platform index, as the
	// node's runtime would; empty means linux and runtime.GOARCH.
	OS, Architecture string
}

// DefaultImageOptions: the platform this program runs on, as Linux.
var DefaultImageOptions = ImageOptions{}

// ImageAnnotations returns the annotations of an image's manifest, where
// CRI-O looks for seccomp-profile annotations on images (config labels are
// not used). For a multi-platform index it reads the manifest of the
// requested platform. Docker schema 2 manifests have no annotations, so
// they give an empty map.
func ImageAnnotations(ctx context.Context, ref string, opts ImageOptions) (map[string]string, error) {
	r, err := ParseReference(ref)
	if err != nil {
		return nil, err
	}
	repo, err := opts.Remote.newRepo(r)
	if err != nil {
		return nil, err
	}
	desc, data, err := repo.fetchManifest(ctx, r)
	if err != nil {
		return nil, err
	}
	if desc.MediaType == IndexMediaType || desc.MediaType == DockerManifestListMediaType {
		child, err := pickPlatform(data, opts)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r, err)
		}
		if desc, data, err = repo.fetchManifest(ctx, r.WithDigest(child.Digest)); err != nil {
			return nil, err
		}
	}
	var m struct {
		SchemaVersion int               `json:"schemaVersion"`
		Annotations   map[string]string `json:"annotations"`
	}
	switch desc.MediaType {
	case ManifestMediaType, DockerManifestMediaType:
	default:
		return nil, fmt.Errorf("%s: %w: %q is not an image manifest", r, ErrWrongMediaType, desc.MediaType)
	}
	if err := json.Unmarshal(data, &m); err != nil || m.SchemaVersion != 2 {
		return nil, fmt.Errorf("%s: %w: not a schemaVersion 2 image manifest (%v)", r, ErrInvalidManifest, err)
	}
	if m.Annotations == nil {
		m.Annotations = map[string]string{}
	}
	return m.Annotations, nil
}

func pickPlatform(index []byte, opts ImageOptions) (ocispec.Descriptor, error) {
	os, arch := opts.OS, opts.Architecture
	if os == "" {
		os = "linux"
	}
	if arch == "" {
		arch = runtime.GOARCH
	}
	var idx ocispec.Index
	if err := json.Unmarshal(index, &idx); err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("%w: image index: %v", ErrInvalidManifest, err)
	}
	for _, m := range idx.Manifests {
		if m.Platform != nil && m.Platform.OS == os && m.Platform.Architecture == arch {
			if err := m.Digest.Validate(); err != nil {
				return ocispec.Descriptor{}, fmt.Errorf("%w: image index: %v", ErrInvalidManifest, err)
			}
			return m, nil
		}
	}
	return ocispec.Descriptor{}, fmt.Errorf("%w: the image index has no manifest for %s/%s", ErrNotFound, os, arch)
}
