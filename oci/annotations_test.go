package oci

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
)

func TestResolveAnnotations(t *testing.T) {
	const (
		v2 = AnnotationKey
		v1 = AnnotationKeyV1
	)
	tests := []struct {
		name      string
		pod, img  map[string]string
		container string
		want      Resolution
		found     bool
	}{
		{"nothing", nil, nil, "c", Resolution{}, false},
		{"unrelated keys", map[string]string{"seccomp-profile.crio.io.c": "x", v2 + "/other": "y"}, map[string]string{v2 + "/other": "z"}, "c", Resolution{}, false},
		{"pod container key", map[string]string{v2 + "/c": "r/a:1", v2 + "/POD": "r/a:2"}, map[string]string{v2: "r/a:3"}, "c",
			Resolution{Reference: "r/a:1", Source: FromPod, Key: v2 + "/c", Step: 1}, true},
		{"pod POD beats image", map[string]string{v2 + "/POD": "r/a:2"}, map[string]string{v2: "r/a:3", v2 + "/c": "r/a:4"}, "c",
			Resolution{Reference: "r/a:2", Source: FromPod, Key: v2 + "/POD", Step: 2}, true},
		{"image plain key beats image container key", nil, map[string]string{v2: "r/a:3", v2 + "/c": "r/a:4", v2 + "/POD": "r/a:5"}, "c",
			Resolution{Reference: "r/a:3", Source: FromImage, Key: v2, Step: 3}, true},
		{"image container key", nil, map[string]string{v2 + "/c": "r/a:4", v2 + "/POD": "r/a:5"}, "c",
			Resolution{Reference: "r/a:4", Source: FromImage, Key: v2 + "/c", Step: 4}, true},
		{"image POD", nil, map[string]string{v2 + "/POD": "r/a:5"}, "c",
			Resolution{Reference: "r/a:5", Source: FromImage, Key: v2 + "/POD", Step: 5}, true},
		{"v2 beats v1 at the same step", map[string]string{v1 + "/c": "old", v2 + "/c": "new"}, nil, "c",
			Resolution{Reference: "new", Source: FromPod, Key: v2 + "/c", Step: 1}, true},
		{"v1 at an earlier step beats v2 at a later one", map[string]string{v1 + "/c": "old", v2 + "/POD": "new"}, nil, "c",
			Resolution{Reference: "old", Source: FromPod, Key: v1 + "/c", Step: 1}, true},
		{"v1 image plain key (the CRI-O blog)", nil, map[string]string{v1: "quay.io/crio/seccomp:v2", v1 + "/POD": "x", v1 + "/container1": "y"}, "container1",
			Resolution{Reference: "quay.io/crio/seccomp:v2", Source: FromImage, Key: v1, Step: 3}, true},
		{"empty value stops the search", map[string]string{v2 + "/c": ""}, map[string]string{v2: "r/a:3"}, "c",
			Resolution{Reference: "", Source: FromPod, Key: v2 + "/c", Step: 1}, true},
		{"container annotations of other containers are ignored", map[string]string{v2 + "/d": "r/a:1"}, nil, "c", Resolution{}, false},
		{"container named POD", map[string]string{v2 + "/POD": "r/a:2"}, nil, "POD",
			Resolution{Reference: "r/a:2", Source: FromPod, Key: v2 + "/POD", Step: 1}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found := ResolveAnnotations(tt.pod, tt.img, tt.container)
			assert.Equal(t, tt.found, found)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ResolveAnnotations (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResolutionReason(t *testing.T) {
	r := Resolution{Key: AnnotationKeyV1 + "/POD", Source: FromImage, Step: 5}
	assert.Equal(t, `pod-wide image annotation "seccomp-profile.kubernetes.cri-o.io/POD" (step 5 of 5) (older key; seccomp-profile.crio.io would take precedence)`, r.Reason())
	r = Resolution{Key: AnnotationKey + "/c", Source: FromPod, Step: 1}
	assert.Equal(t, `container-specific pod annotation "seccomp-profile.crio.io/c" (step 1 of 5)`, r.Reason())
}
