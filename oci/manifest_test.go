package oci

import (
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	cfgDigest   = "sha256:ca3d163bab055381827226140568f3bef7eaac187cebd76878e0b63e9e442356"
	emptyDigest = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
	layerDigest = "sha256:c67d5972c82f8ef8480672093f1033ee9a300cb32e4f62346fc9b55aab108b5c"
)

// manifestJSON builds a manifest around config and layers JSON fragments.
func manifestJSON(extra, config, layers string) string {
	return `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"` + extra +
		`,"config":` + config + `,"layers":` + layers + `}`
}

func TestCheckManifest(t *testing.T) {
	seccompCfg := `{"mediaType":"application/vnd.cncf.seccomp-profile.config.v1+json","digest":"` + cfgDigest + `","size":3}`
	emptyCfg := `{"mediaType":"application/vnd.oci.empty.v1+json","digest":"` + emptyDigest + `","size":2,"data":"e30="}`
	layer := `[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"` + layerDigest + `","size":1797}]`
	tests := []struct {
		name      string
		mediaType string // of the descriptor (Content-Type); default OCI manifest
		manifest  string
		maxSize   int64
		want      error // nil: accepted
	}{
		{"oras --config (CRI-O form)", "", string(readTestdata(t, "oras-config.manifest.json")), 0, nil},
		{"v1.1 artifactType + empty config", "", string(readTestdata(t, "oras-v1.1-artifactType.manifest.json")), 0, nil},
		{"v1.1 both", "", string(readTestdata(t, "oras-v1.1-config-and-artifactType.manifest.json")), 0, nil},
		{"body without mediaType", "", `{"schemaVersion":2,"config":` + seccompCfg + `,"layers":` + layer + `}`, 0, nil},
		{"two layers: the first is used", "", manifestJSON("", seccompCfg,
			`[{"mediaType":"application/json","digest":"`+layerDigest+`","size":1797},{"mediaType":"x/y","digest":"`+cfgDigest+`","size":3}]`), 0, nil},

		{"not JSON", "", "<html>oops</html>", 0, ErrInvalidManifest},
		{"JSON null", "", "null", 0, ErrInvalidManifest},
		{"JSON array", "", "[]", 0, ErrInvalidManifest},
		{"truncated", "", manifestJSON("", seccompCfg, layer)[:100], 0, ErrInvalidManifest},
		{"schemaVersion 1", "", strings.Replace(manifestJSON("", seccompCfg, layer), `"schemaVersion":2`, `"schemaVersion":1`, 1), 0, ErrInvalidManifest},
		{"index content type", IndexMediaType, `{"schemaVersion":2,"manifests":[]}`, 0, ErrWrongMediaType},
		{"docker content type", DockerManifestMediaType, manifestJSON("", seccompCfg, layer), 0, ErrWrongMediaType},
		{"docker body mediaType", "", strings.Replace(manifestJSON("", seccompCfg, layer), ManifestMediaType, DockerManifestMediaType, 1), 0, ErrWrongMediaType},
		{"no media type anywhere", "-", `{"schemaVersion":2,"config":` + seccompCfg + `,"layers":` + layer + `}`, 0, ErrWrongMediaType},
		{"unknown config type (spoc)", "", manifestJSON("", strings.Replace(seccompCfg, ConfigMediaType, "application/vnd.unknown.config.v1+json", 1), layer), 0, ErrWrongMediaType},
		{"image config type", "", manifestJSON("", strings.Replace(seccompCfg, ConfigMediaType, "application/vnd.oci.image.config.v1+json", 1), layer), 0, ErrWrongMediaType},
		{"empty config without artifactType", "", manifestJSON("", emptyCfg, layer), 0, ErrWrongMediaType},
		{"empty config, other artifactType", "", manifestJSON(`,"artifactType":"application/vnd.example"`, emptyCfg, layer), 0, ErrWrongMediaType},
		{"seccomp config, other artifactType", "", manifestJSON(`,"artifactType":"application/vnd.example"`, seccompCfg, layer), 0, ErrWrongMediaType},
		{"no layers", "", manifestJSON("", seccompCfg, `[]`), 0, ErrNoLayers},
		{"layers null", "", manifestJSON("", seccompCfg, `null`), 0, ErrNoLayers},
		{"layer too large", "", manifestJSON("", seccompCfg, layer), 1000, ErrTooLarge},
		{"layer over 1 MiB", "", manifestJSON("", seccompCfg, strings.Replace(layer, "1797", "1048577", 1)), 0, ErrTooLarge},
		{"layer exactly 1 MiB", "", manifestJSON("", seccompCfg, strings.Replace(layer, "1797", "1048576", 1)), 0, nil},
		{"config too large", "", manifestJSON("", strings.Replace(seccompCfg, `"size":3`, `"size":2000000`, 1), layer), 0, ErrTooLarge},
		{"negative layer size", "", manifestJSON("", seccompCfg, strings.Replace(layer, "1797", "-1", 1)), 0, ErrInvalidManifest},
		{"bad layer digest", "", manifestJSON("", seccompCfg, strings.Replace(layer, layerDigest, "sha256:abc", 1)), 0, ErrInvalidManifest},
		{"unknown digest algorithm", "", manifestJSON("", seccompCfg, strings.Replace(layer, "sha256:", "md5:", 1)), 0, ErrInvalidManifest},
		{"bad config digest", "", manifestJSON("", strings.Replace(seccompCfg, cfgDigest, "", 1), layer), 0, ErrInvalidManifest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			desc := ocispec.Descriptor{MediaType: ManifestMediaType}
			switch tt.mediaType {
			case "":
			case "-":
				desc.MediaType = ""
			default:
				desc.MediaType = tt.mediaType
			}
			maxSize := tt.maxSize
			if maxSize == 0 {
				maxSize = DefaultMaxSize
			}
			_, layer, err := checkManifest(desc, []byte(tt.manifest), maxSize)
			if tt.want == nil {
				require.NoError(t, err)
				assert.Equal(t, layerDigest, layer.Digest.String())
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

func TestReadVerified(t *testing.T) {
	data := readTestdata(t, "seccomp.json")
	good := ocispec.Descriptor{Digest: layerDigest, Size: 1797}
	tests := []struct {
		name string
		body []byte
		desc ocispec.Descriptor
		want error
	}{
		{"ok", data, good, nil},
		{"one byte short", data[:1796], good, ErrDigestMismatch},
		{"one byte more", append(append([]byte{}, data...), ' '), good, ErrDigestMismatch},
		{"same size, other bytes", append([]byte{'['}, data[1:]...), good, ErrDigestMismatch},
		{"negative size", data, ocispec.Descriptor{Digest: layerDigest, Size: -1}, ErrInvalidManifest},
		{"invalid digest", data, ocispec.Descriptor{Digest: "sha256:zz", Size: 1797}, ErrInvalidManifest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readVerified(strings.NewReader(string(tt.body)), tt.desc)
			if tt.want == nil {
				require.NoError(t, err)
				assert.Equal(t, data, got)
				return
			}
			assert.ErrorIs(t, err, tt.want)
			assert.Nil(t, got)
		})
	}
}
