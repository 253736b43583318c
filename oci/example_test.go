package oci_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/seccompctl/seccompctl/oci"
)

// exampleRegistry is a throw-away registry; see main_test.go.
var exampleRegistry = oci.RegistryForExamples

// Push a profile the way `oras push --config config.json:application/vnd.cncf.seccomp-profile.config.v1+json`
// does. A fixed creation time makes the digest reproducible: this is the
// digest the oras CLI printed for the same profile and time.
func ExamplePush() {
	data, err := os.ReadFile("testdata/seccomp.json")
	if err != nil {
		log.Fatal(err)
	}
	opts := oci.DefaultPushOptions
	opts.Remote.PlainHTTP = true // a local test registry; real ones use HTTPS
	opts.Created = time.Date(2026, 11, 22, 6, 36, 19, 0, time.UTC)
	res, err := oci.Push(context.Background(), data, exampleRegistry()+"/crio/seccomp:v2", opts)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Descriptor.Digest)
	fmt.Println(res.Descriptor.Size, "bytes of manifest")
	// Output:
	// sha256:ddf45318dcd3766f03245df96f3802885cb5526c3b049585894021dd200f2542
	// 544 bytes of manifest
}

// Pull a profile the way CRI-O does: check the artifact, read the first
// layer, verify it, parse it.
func ExamplePull() {
	ctx := context.Background()
	ref := exampleRegistry() + "/crio/seccomp:example"
	data := []byte(`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"}]}`)
	remote := oci.RemoteOptions{PlainHTTP: true}
	if _, err := oci.Push(ctx, data, ref, oci.PushOptions{Remote: remote}); err != nil {
		log.Fatal(err)
	}

	opts := oci.DefaultPullOptions
	opts.Remote = remote
	a, err := oci.Pull(ctx, ref, opts)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.Profile.DefaultAction)
	fmt.Println(string(a.Data) == string(data))
	fmt.Println(a.Layer.Annotations[oci.AnnotationTitle])
	// Output:
	// SCMP_ACT_ERRNO
	// true
	// seccomp.json
}

// Find the profile reference CRI-O would use for a container.
func ExampleResolveAnnotations() {
	pod := map[string]string{"seccomp-profile.crio.io/POD": "quay.io/acme/default:v1"}
	image := map[string]string{"seccomp-profile.kubernetes.cri-o.io": "quay.io/crio/seccomp:v2"}
	res, ok := oci.ResolveAnnotations(pod, image, "nginx")
	fmt.Println(ok, res.Reference)
	fmt.Println(res.Reason())
	// Output:
	// true quay.io/acme/default:v1
	// pod-wide pod annotation "seccomp-profile.crio.io/POD" (step 2 of 5)
}
