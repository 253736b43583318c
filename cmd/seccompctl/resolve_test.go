package main

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/internal/registrytest"
)

func TestResolveAnnotationsOnly(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		status int
		stdout string
		stderr string
	}{
		{"pod container key", []string{"--container", "nginx",
			"--pod-annotation", "seccomp-profile.crio.io/nginx=quay.io/acme/nginx:v1",
			"--pod-annotation", "seccomp-profile.crio.io/POD=quay.io/acme/default:v1"},
			exitOK, "quay.io/acme/nginx:v1\n",
			"seccompctl: resolve: from the container-specific pod annotation \"seccomp-profile.crio.io/nginx\" (step 1 of 5); CRI-O uses it only if the container's seccompProfile is unset or Unconfined and the runtime handler allows the annotation\n"},
		{"image plain key, older name", []string{"--container", "container1",
			"--image-annotation", "seccomp-profile.kubernetes.cri-o.io=quay.io/crio/seccomp:v2",
			"--image-annotation", "seccomp-profile.kubernetes.cri-o.io/container1=quay.io/crio/other:v1"},
			exitOK, "quay.io/crio/seccomp:v2\n",
			"seccompctl: resolve: from the image annotation \"seccomp-profile.kubernetes.cri-o.io\" (step 3 of 5) (older key; seccomp-profile.crio.io would take precedence); CRI-O uses it only if the container's seccompProfile is unset or Unconfined and the runtime handler allows the annotation\n"},
		{"nothing applies", []string{"--container", "c", "--pod-annotation", "seccomp-profile.crio.io/other=x.io/a:b"},
			exitFinding, "", "seccompctl: resolve: no seccomp-profile.crio.io or seccomp-profile.kubernetes.cri-o.io annotation applies to container \"c\": CRI-O pulls no profile artifact\n"},
		{"empty value", []string{"--container", "c", "--pod-annotation", "seccomp-profile.crio.io/POD=", "--image-annotation", "seccomp-profile.crio.io=x.io/a:b"},
			exitFinding, "", "seccompctl: resolve: pod-wide pod annotation \"seccomp-profile.crio.io/POD\" (step 2 of 5) is empty: CRI-O stops there and pulls no profile artifact\n"},
		{"missing --container", []string{"--pod-annotation", "a=b"}, exitInput, "", "usage: seccompctl resolve"},
		{"not K=V", []string{"--container", "c", "--pod-annotation", "novalue"}, exitInput, "", "invalid value \"novalue\" for flag -pod-annotation: \"novalue\" is not KEY=VALUE"},
		{"both image sources", []string{"--container", "c", "--image", "r.io/a:b", "--image-annotation", "a=b"}, exitInput, "", "seccompctl: resolve: give --image or --image-annotation, not both\n"},
		{"bad platform", []string{"--container", "c", "--image", "r.io/a:b", "--platform", "linux"}, exitInput, "", "seccompctl: resolve: --platform: \"linux\" is not OS/ARCH\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, stdout, stderr := ociCLI(t, t.Context(), "", append([]string{"resolve"}, tt.args...)...)
			assert.Equal(t, tt.status, status)
			assert.Equal(t, tt.stdout, stdout)
			if tt.status == exitInput {
				assert.Contains(t, stderr, tt.stderr)
			} else {
				assert.Equal(t, tt.stderr, stderr)
			}
		})
	}
}

func TestResolveImageFromRegistry(t *testing.T) {
	reg := registrytest.Start(t, registrytest.Plain)
	flags := ociRegistryFlags(t, reg)
	// An image (OCI image config, one layer) with the annotations of
	// ../shared/registry/demo.sh.
	cfg := []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}`)
	layer := []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	profileRef := reg.Ref("crio/seccomp", "v2")
	manifest, err := json.Marshal(map[string]any{
		"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
		"config": map[string]any{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": reg.PushBlob(t, "app/nginx", cfg), "size": len(cfg)},
		"layers": []any{map[string]any{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": reg.PushBlob(t, "app/nginx", layer), "size": len(layer)}},
		"annotations": map[string]string{
			"seccomp-profile.kubernetes.cri-o.io/POD":        profileRef,
			"seccomp-profile.kubernetes.cri-o.io/container1": reg.Ref("crio/other", "v1"),
		},
	})
	require.NoError(t, err)
	reg.PushManifest(t, "app/nginx", "v2", "application/vnd.oci.image.manifest.v1+json", manifest)

	status, stdout, stderr := ociCLI(t, t.Context(), "", append(append([]string{"resolve"}, flags...),
		"--container", "container1", "--image", reg.Ref("app/nginx", "v2"), "--output", "json")...)
	require.Equal(t, exitOK, status, stderr)
	assert.Empty(t, stderr)
	var rep resolveReport
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
	want := resolveReport{Container: "container1", Found: true, Reference: reg.Ref("crio/other", "v1"), Source: "image",
		Key: "seccomp-profile.kubernetes.cri-o.io/container1", Step: 4,
		Reason: `container-specific image annotation "seccomp-profile.kubernetes.cri-o.io/container1" (step 4 of 5) (older key; seccomp-profile.crio.io would take precedence)`,
		Image:  reg.Ref("app/nginx", "v2"),
		ImageAnn: map[string]string{
			"seccomp-profile.kubernetes.cri-o.io/POD":        profileRef,
			"seccomp-profile.kubernetes.cri-o.io/container1": reg.Ref("crio/other", "v1"),
		}}
	if diff := cmp.Diff(want, rep); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	// Another container of the pod gets the image's POD annotation.
	status, stdout, _ = ociCLI(t, t.Context(), "", append(append([]string{"resolve"}, flags...), "--container", "sidecar", "--image", reg.Ref("app/nginx", "v2"))...)
	assert.Equal(t, exitOK, status)
	assert.Equal(t, profileRef+"\n", stdout)

	status, _, stderr = ociCLI(t, t.Context(), "", append(append([]string{"resolve"}, flags...), "--container", "c", "--image", reg.Ref("app/none", "v1"))...)
	assert.Equal(t, exitInput, status)
	assert.Contains(t, stderr, "not found")
}
