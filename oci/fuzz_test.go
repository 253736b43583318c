package oci

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/seccompctl/seccompctl/profile"
)

// fuzzMaxSize keeps fuzzed profiles small; the limit logic is the same.
const fuzzMaxSize = 64 << 10

// FuzzManifest feeds arbitrary manifests and layer bytes through the pull
// pipeline (from memory, verified like a registry). It must never panic
// and never return a profile that does not parse, does not match its
// descriptor or exceeds the limit. Each input is tried twice: as the
// manifest given, and wrapped in a well-formed artifact manifest so the
// fuzzer also reaches the profile check.
func FuzzManifest(f *testing.F) {
	good := readTestdata(f, "seccomp.json")
	for _, name := range []string{"oras-config.manifest.json", "oras-v1.1-artifactType.manifest.json", "oras-v1.1-config-and-artifactType.manifest.json"} {
		f.Add(readTestdata(f, name), good)
	}
	f.Add([]byte(`{"schemaVersion":2,"layers":[]}`), []byte(`{"defaultAction":"SCMP_ACT_ALLOW"}`))
	f.Add([]byte(`null`), []byte(`{"ociVersion":"1","linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW"}}}`))
	f.Add([]byte(`{}`), []byte(`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`))

	f.Fuzz(func(t *testing.T, manifest, layer []byte) {
		ctx := context.Background()
		src := mapSource{}
		cfg := src.add(ConfigMediaType, configBlob)
		ld := src.add(LayerMediaType, layer)
		wrapped, err := json.Marshal(ocispec.Manifest{
			Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ManifestMediaType,
			Config: cfg, Layers: []ocispec.Descriptor{ld},
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range [][]byte{manifest, wrapped} {
			md := src.add(ManifestMediaType, m)
			ref := Reference{Registry: "fuzz", Repository: "p", Digest: md.Digest}
			a, err := pull(ctx, src, ref, fuzzMaxSize)
			if err != nil {
				if a != nil {
					t.Fatalf("error %v with an artifact", err)
				}
				continue
			}
			checkPulled(t, a)
			if i == 1 && !bytes.Equal(a.Data, layer) {
				t.Fatalf("wrapped manifest: got %q, want the layer", a.Data)
			}
		}
	})
}

// mapSource serves blobs from a map by digest, every manifest as an OCI
// image manifest, verified like the real sources.
type mapSource map[digest.Digest][]byte

func (s mapSource) add(mediaType string, b []byte) ocispec.Descriptor {
	d := digest.FromBytes(b)
	s[d] = b
	return ocispec.Descriptor{MediaType: mediaType, Digest: d, Size: int64(len(b))}
}

func (s mapSource) fetchManifest(ctx context.Context, ref Reference) (ocispec.Descriptor, []byte, error) {
	b, ok := s[ref.Digest]
	if !ok {
		return ocispec.Descriptor{}, nil, ErrNotFound
	}
	desc := ocispec.Descriptor{MediaType: ManifestMediaType, Digest: ref.Digest, Size: int64(len(b))}
	data, err := readVerified(bytes.NewReader(b), desc)
	return desc, data, err
}

func (s mapSource) fetchBlob(ctx context.Context, desc ocispec.Descriptor) ([]byte, error) {
	b, ok := s[desc.Digest]
	if !ok {
		return nil, ErrNotFound
	}
	return readVerified(bytes.NewReader(b), desc)
}

// checkPulled asserts what every successful pull guarantees.
func checkPulled(t *testing.T, a *Artifact) {
	t.Helper()
	if int64(len(a.Data)) > fuzzMaxSize || int64(len(a.Data)) != a.Layer.Size {
		t.Fatalf("data of %d bytes, layer size %d, limit %d", len(a.Data), a.Layer.Size, fuzzMaxSize)
	}
	if digest.FromBytes(a.Data) != a.Layer.Digest {
		t.Fatalf("data does not match layer digest %s", a.Layer.Digest)
	}
	if digest.FromBytes(a.ManifestBytes) != a.Digest {
		t.Fatalf("manifest does not match digest %s", a.Digest)
	}
	if _, err := profile.ParseWithOptions(a.Data, profile.ParseOptions{MaxSize: fuzzMaxSize}); err != nil {
		t.Fatalf("an invalid profile passed: %v", err)
	}
	if a.Profile == nil {
		t.Fatal("no parsed profile")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(a.Data, &top); err != nil || top["linux"] != nil || top["ociVersion"] != nil || top["process"] != nil {
		t.Fatalf("a runtime config or non-object passed: %v", err)
	}
}

// annotationOrder is CRI-O's order written out key by key, independently
// of ResolveAnnotations' loops: (pod?, suffix, base).
func annotationOrder(container string) []struct {
	pod bool
	key string
} {
	var out []struct {
		pod bool
		key string
	}
	for _, s := range []struct {
		pod    bool
		suffix string
	}{{true, "/" + container}, {true, "/POD"}, {false, ""}, {false, "/" + container}, {false, "/POD"}} {
		for _, base := range []string{"seccomp-profile.crio.io", "seccomp-profile.kubernetes.cri-o.io"} {
			out = append(out, struct {
				pod bool
				key string
			}{s.pod, base + s.suffix})
		}
	}
	return out
}

// FuzzAnnotations checks ResolveAnnotations against CRI-O's order written
// out independently: the result is the first present key of that order,
// with its value, and nothing is found when none is present.
func FuzzAnnotations(f *testing.F) {
	f.Add("c", AnnotationKey+"/c", "r/a:1", AnnotationKeyV1+"/POD", "r/a:2", AnnotationKey, "r/a:3")
	f.Add("container1", AnnotationKeyV1, "quay.io/crio/seccomp:v2", AnnotationKeyV1+"/POD", "", AnnotationKeyV1+"/container1", "x")
	f.Add("POD", AnnotationKey+"/POD", "", "other", "v", AnnotationKey+"/POD", "y")
	f.Add("", AnnotationKey+"/", "r/a", AnnotationKey+".c", "v", "seccomp-profile.crio.io/", "z")
	f.Fuzz(func(t *testing.T, container, k1, v1, k2, v2, k3, v3 string) {
		pod := map[string]string{k1: v1, k2: v2}
		img := map[string]string{k3: v3, k1: v2}
		res, found := ResolveAnnotations(pod, img, container)
		want, wantFound := Resolution{}, false
		for i, c := range annotationOrder(container) {
			m, src := img, FromImage
			if c.pod {
				m, src = pod, FromPod
			}
			if v, ok := m[c.key]; ok {
				want, wantFound = Resolution{Reference: v, Source: src, Key: c.key, Step: i/2 + 1}, true
				break
			}
		}
		if found != wantFound || res != want {
			t.Fatalf("ResolveAnnotations(%q, %q, %q) = %+v, %v; want %+v, %v", pod, img, container, res, found, want, wantFound)
		}
		if found && res.Reason() == "" {
			t.Fatal("no reason")
		}
		// Whatever an annotation says, parsing it as a reference fails
		// cleanly or gives a reference that prints back to one.
		if r, err := ParseReference(res.Reference); err == nil {
			if _, err := ParseReference(r.String()); err != nil {
				t.Fatalf("%q parsed to %v, which does not parse: %v", res.Reference, r, err)
			}
		}
	})
}

// FuzzParseReference: ParseReference never panics and round-trips.
func FuzzParseReference(f *testing.F) {
	for _, s := range []string{"127.0.0.1:5000/crio/seccomp:v2", "quay.io/a@" + layerDigest, "quay.io/a:t@" + layerDigest, "a", "a/b:c:d", "a/b@sha256:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseReference(s)
		if err != nil {
			return
		}
		again, err := ParseReference(r.String())
		if err != nil || again != r {
			t.Fatalf("%q -> %v -> %v, %v", s, r, again, err)
		}
		_ = fmt.Sprint(r.WithDigest(layerDigest))
	})
}
