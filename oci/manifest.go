package oci

import (
	"encoding/json"
	"fmt"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// checkManifest checks that data (described by desc) is the manifest of a
// seccomp-profile artifact and returns it with the descriptor of the
// profile, its first layer. It accepts what CRI-O accepts — an OCI image
// manifest whose config media type is ConfigMediaType — and the
// image-spec v1.1 form with artifactType ArtifactType and the empty config.
// Descriptors are checked for shape and size here; contents are verified
// when they are read.
func checkManifest(desc ocispec.Descriptor, data []byte, maxSize int64) (ocispec.Manifest, ocispec.Descriptor, error) {
	var m ocispec.Manifest
	switch desc.MediaType {
	case ManifestMediaType, "":
	case IndexMediaType, DockerManifestListMediaType:
		return m, ocispec.Descriptor{}, fmt.Errorf("%w: %s is a multi-platform image index; a seccomp profile artifact is a single %s",
			ErrWrongMediaType, desc.MediaType, ManifestMediaType)
	default:
		return m, ocispec.Descriptor{}, fmt.Errorf("%w: manifest media type %q; a seccomp profile artifact is an %s",
			ErrWrongMediaType, desc.MediaType, ManifestMediaType)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, ocispec.Descriptor{}, fmt.Errorf("%w: not an OCI manifest: %v", ErrInvalidManifest, err)
	}
	if m.SchemaVersion != 2 {
		return m, ocispec.Descriptor{}, fmt.Errorf("%w: schemaVersion %d, want 2", ErrInvalidManifest, m.SchemaVersion)
	}
	// The body's mediaType must agree with what the registry said it is
	// (Content-Type), so that a Docker or index body cannot pass as an OCI
	// manifest. It is optional in image-spec 1.0, so an empty one only has
	// to agree with a known Content-Type.
	switch {
	case m.MediaType == "" && desc.MediaType == "":
		return m, ocispec.Descriptor{}, fmt.Errorf("%w: the manifest does not say its media type", ErrWrongMediaType)
	case m.MediaType != "" && m.MediaType != ManifestMediaType:
		return m, ocispec.Descriptor{}, fmt.Errorf("%w: manifest mediaType %q; a seccomp profile artifact is an %s",
			ErrWrongMediaType, m.MediaType, ManifestMediaType)
	}

	cfg := m.Config
	switch {
	case cfg.MediaType == ConfigMediaType && (m.ArtifactType == "" || m.ArtifactType == ArtifactType):
	case cfg.MediaType == EmptyConfigMediaType && m.ArtifactType == ArtifactType:
	default:
		at := ""
		if m.ArtifactType != "" {
			at = fmt.Sprintf(" and artifactType %q", m.ArtifactType)
		}
		return m, ocispec.Descriptor{}, fmt.Errorf("%w: config media type %q%s; a seccomp profile artifact has config media type %s (or artifactType %s with the empty config)",
			ErrWrongMediaType, cfg.MediaType, at, ConfigMediaType, ArtifactType)
	}
	if err := checkDescriptor("config", cfg, maxSize); err != nil {
		return m, ocispec.Descriptor{}, err
	}
	if len(m.Layers) == 0 {
		return m, ocispec.Descriptor{}, fmt.Errorf("%w: the manifest lists no layers, so there is no profile", ErrNoLayers)
	}
	// CRI-O reads layers[0] and ignores the rest; so do we.
	layer := m.Layers[0]
	if err := checkDescriptor("layers[0]", layer, maxSize); err != nil {
		return m, ocispec.Descriptor{}, err
	}
	return m, layer, nil
}

// checkDescriptor checks a descriptor before its blob is fetched: a usable
// digest, a size that is not negative and within the limit.
func checkDescriptor(field string, d ocispec.Descriptor, maxSize int64) error {
	if err := d.Digest.Validate(); err != nil {
		return fmt.Errorf("%w: %s.digest %q: %v", ErrInvalidManifest, field, d.Digest, err)
	}
	if d.Size < 0 {
		return fmt.Errorf("%w: %s.size %d is negative", ErrInvalidManifest, field, d.Size)
	}
	if d.Size > maxSize {
		return fmt.Errorf("%s is %w: %d bytes, the limit is %d", field, ErrTooLarge, d.Size, maxSize)
	}
	return nil
}
