package oci

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/content/memory"
)

// Shape selects the manifest form Push writes.
type Shape int

const (
	// ShapeConfig is what `oras push --config config.json:<ConfigMediaType>
	// REF seccomp.json` writes (image-spec 1.0 packing, no artifactType):
	// the form CRI-O checks for and the one in its announcement.
	ShapeConfig Shape = iota
	// ShapeArtifactType is image-spec 1.1: artifactType ArtifactType and the
	// empty config ({}, application/vnd.oci.empty.v1+json). CRI-O releases
	// that check the config media type (1.30 to 1.34) reject it.
	ShapeArtifactType
	// ShapeConfigAndArtifactType sets both the seccomp config media type
	// and artifactType, which both old and newer readers accept.
	ShapeConfigAndArtifactType
)

func (s Shape) String() string {
	switch s {
	case ShapeConfig:
		return "config"
	case ShapeArtifactType:
		return "artifact-type"
	case ShapeConfigAndArtifactType:
		return "config+artifact-type"
	}
	return fmt.Sprintf("Shape(%d)", int(s))
}

// PushOptions control Push.
type PushOptions struct {
	Remote RemoteOptions
	// Shape is the manifest form; the zero value is ShapeConfig.
	Shape Shape
	// Created is the org.opencontainers.image.created annotation. Zero
	// means the current time, which changes the manifest digest on every
	// push; set it (say, to the commit time) for a reproducible digest.
	Created time.Time
	// Annotations are extra manifest annotations.
	Annotations map[string]string
	// Title is the layer's file name (oras pull writes the profile to
	// it); empty means "seccomp.json".
	Title string
	// LayerMediaType is the layer's media type; empty means LayerMediaType
	// (the tar type oras uses for files; the blob is still raw JSON).
	LayerMediaType string
	// MaxSize is the largest profile pushed; zero means DefaultMaxSize,
	// since CRI-O refuses larger artifacts.
	MaxSize int64
	// Source names the profile in validation errors; empty means Title.
	Source string
}

// DefaultPushOptions: ShapeConfig, current time, 1 MiB limit.
var DefaultPushOptions = PushOptions{MaxSize: DefaultMaxSize}

// PushResult describes a pushed artifact.
type PushResult struct {
	// Reference is where it was pushed, Digest filled in.
	Reference Reference
	// Descriptor describes the manifest; Manifest is its bytes.
	Descriptor ocispec.Descriptor
	Manifest   []byte
}

// Push validates profile data and pushes it to ref (which must name a tag,
// or none for "latest") as a seccomp-profile artifact. An invalid or
// oversized profile fails before any network I/O.
func Push(ctx context.Context, data []byte, ref string, opts PushOptions) (*PushResult, error) {
	r, err := ParseReference(ref)
	if err != nil {
		return nil, err
	}
	if r.Digest != "" {
		return nil, fmt.Errorf("%w: %s: push to a tag, not a digest (the digest is the result)", ErrInvalidReference, ref)
	}
	store, desc, err := pack(ctx, data, opts)
	if err != nil {
		return nil, err
	}
	repo, err := opts.Remote.newRepo(r)
	if err != nil {
		return nil, err
	}
	if _, err := oras.Copy(ctx, store, desc.Digest.String(), repo.repo, r.Tag, oras.DefaultCopyOptions); err != nil {
		return nil, classify(err, r.String())
	}
	mdata, err := content.FetchAll(ctx, store, desc)
	if err != nil {
		return nil, err
	}
	r.Digest = desc.Digest
	return &PushResult{Reference: r, Descriptor: desc, Manifest: mdata}, nil
}

// pack validates the profile and builds the artifact in memory, tagged by
// its manifest digest.
func pack(ctx context.Context, data []byte, opts PushOptions) (*memory.Store, ocispec.Descriptor, error) {
	maxSize := opts.MaxSize
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	title := opts.Title
	if title == "" {
		title = LayerTitle
	}
	source := opts.Source
	if source == "" {
		source = title
	}
	if int64(len(data)) > maxSize {
		return nil, ocispec.Descriptor{}, fmt.Errorf("%s: profile is %w: %d bytes, the limit is %d (CRI-O refuses larger artifacts)",
			source, ErrTooLarge, len(data), maxSize)
	}
	if _, err := parseProfile(data, source, maxSize); err != nil {
		return nil, ocispec.Descriptor{}, err
	}
	layerType := opts.LayerMediaType
	if layerType == "" {
		layerType = LayerMediaType
	}

	store := memory.New()
	layer := content.NewDescriptorFromBytes(layerType, data)
	layer.Annotations = map[string]string{AnnotationTitle: title}
	if err := store.Push(ctx, layer, bytes.NewReader(data)); err != nil {
		return nil, ocispec.Descriptor{}, err
	}
	annotations := maps.Clone(opts.Annotations)
	if !opts.Created.IsZero() {
		if annotations == nil {
			annotations = map[string]string{}
		}
		annotations[AnnotationCreated] = opts.Created.UTC().Format(time.RFC3339)
	}
	packOpts := oras.PackManifestOptions{Layers: []ocispec.Descriptor{layer}, ManifestAnnotations: annotations}
	if opts.Shape != ShapeArtifactType {
		config := content.NewDescriptorFromBytes(ConfigMediaType, configBlob)
		if err := store.Push(ctx, config, bytes.NewReader(configBlob)); err != nil {
			return nil, ocispec.Descriptor{}, err
		}
		packOpts.ConfigDescriptor = &config
	}
	var desc ocispec.Descriptor
	var err error
	switch opts.Shape {
	case ShapeConfig:
		desc, err = oras.PackManifest(ctx, store, oras.PackManifestVersion1_0, "", packOpts)
	case ShapeArtifactType, ShapeConfigAndArtifactType:
		desc, err = oras.PackManifest(ctx, store, oras.PackManifestVersion1_1, ArtifactType, packOpts)
	default:
		return nil, ocispec.Descriptor{}, fmt.Errorf("unknown manifest shape %v", opts.Shape)
	}
	if err != nil {
		return nil, ocispec.Descriptor{}, fmt.Errorf("pack: %w", err)
	}
	if err := store.Tag(ctx, desc, desc.Digest.String()); err != nil {
		return nil, ocispec.Descriptor{}, err
	}
	return store, desc, nil
}
