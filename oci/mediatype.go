package oci

// Media types and annotation keys of seccomp-profile artifacts.
const (
	// ConfigMediaType is the config media type CRI-O requires (and the
	// artifactType of the image-spec v1.1 form).
	ConfigMediaType = "application/vnd.cncf.seccomp-profile.config.v1+json"
	// ArtifactType is the artifactType of the image-spec v1.1 form.
	ArtifactType = ConfigMediaType
	// LayerMediaType is what `oras push FILE` gives a file layer. The blob
	// is still the raw profile JSON, not a tar archive.
	LayerMediaType = "application/vnd.oci.image.layer.v1.tar"
	// LayerTitle is the file name `oras pull` writes the profile to.
	LayerTitle = "seccomp.json"

	// EmptyConfigMediaType is the image-spec v1.1 empty config, "{}".
	EmptyConfigMediaType = "application/vnd.oci.empty.v1+json"

	// ManifestMediaType is the only manifest type a profile artifact has.
	ManifestMediaType = "application/vnd.oci.image.manifest.v1+json"
	// IndexMediaType is an OCI image index (multi-platform images).
	IndexMediaType = "application/vnd.oci.image.index.v1+json"
	// Docker's manifest types, which an image (not a profile) may have.
	DockerManifestMediaType     = "application/vnd.docker.distribution.manifest.v2+json"
	DockerManifestListMediaType = "application/vnd.docker.distribution.manifest.list.v2+json"

	// AnnotationTitle and AnnotationCreated are the image-spec keys oras
	// sets on the layer and on the manifest.
	AnnotationTitle   = "org.opencontainers.image.title"
	AnnotationCreated = "org.opencontainers.image.created"
)

// Size limits.
const (
	// DefaultMaxSize caps the profile layer (and the config blob), as
	// CRI-O's 1 MiB artifact limit does.
	DefaultMaxSize = 1 << 20
	// MaxManifestSize caps manifests, as containers/image does (4 MiB).
	MaxManifestSize = 4 << 20
)

// configBlob is the config oras pushes for `--config config.json:TYPE` when
// config.json is `echo '{}'`: 3 bytes, sha256:ca3d163b…, the same blob as
// quay.io/crio/seccomp:v2 in CRI-O's announcement.
var configBlob = []byte("{}\n")
