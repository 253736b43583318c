package oci

import "fmt"

// The annotation keys CRI-O reads a profile reference from. Suffixed with
// "/<container name>" it applies to one container, with "/POD" to every
// container of the pod; on images the bare key applies too.
const (
	// AnnotationKey is the current key (CRI-O's v2 annotations).
	AnnotationKey = "seccomp-profile.crio.io"
	// AnnotationKeyV1 is the older key, still read when the current one is
	// absent at the same position.
	AnnotationKeyV1 = "seccomp-profile.kubernetes.cri-o.io"
	// PodSuffix marks a pod-wide annotation: "<key>/POD".
	PodSuffix = "POD"
)

// AnnotationSource says whose annotations matched.
type AnnotationSource string

// Sources of a Resolution.
const (
	FromPod   AnnotationSource = "pod"
	FromImage AnnotationSource = "image"
)

// Resolution is the annotation CRI-O would take a container's profile
// reference from.
type Resolution struct {
	// Reference is the annotation's value. It can be empty: CRI-O stops at
	// the first annotation present, even an empty one, and then pulls
	// nothing.
	Reference string
	Source    AnnotationSource
	Key       string // the annotation key that matched
	// Step is the position in CRI-O's order, 1 to 5 (see ResolveAnnotations).
	Step int
}

// Reason explains the resolution in words.
func (r Resolution) Reason() string {
	what := [...]string{1: "container-specific pod annotation", 2: "pod-wide pod annotation",
		3: "image annotation", 4: "container-specific image annotation", 5: "pod-wide image annotation"}
	w := "annotation"
	if r.Step >= 1 && r.Step < len(what) {
		w = what[r.Step]
	}
	old := ""
	if len(r.Key) >= len(AnnotationKeyV1) && r.Key[:len(AnnotationKeyV1)] == AnnotationKeyV1 {
		old = " (older key; " + AnnotationKey + " would take precedence)"
	}
	return fmt.Sprintf("%s %q (step %d of 5)%s", w, r.Key, r.Step, old)
}

// ResolveAnnotations returns the profile reference CRI-O would pull for
// container, given the pod sandbox's annotations and the image's manifest
// annotations, and whether any applies. CRI-O's order is:
//
//  1. pod   <key>/<container>
//  2. pod   <key>/POD
//  3. image <key>
//  4. image <key>/<container>
//  5. image <key>/POD
//
// At each step the current key seccomp-profile.crio.io is tried before the
// older seccomp-profile.kubernetes.cri-o.io. The first annotation present
// wins, even with an empty value (then CRI-O pulls nothing).
//
// CRI-O consults these only when the container's securityContext has no
// seccomp profile or Unconfined, and only annotations its runtime handler
// allows (allowed_annotations); neither is visible from here.
func ResolveAnnotations(podAnnotations, imageAnnotations map[string]string, container string) (Resolution, bool) {
	steps := []struct {
		src    AnnotationSource
		m      map[string]string
		suffix string
	}{
		{FromPod, podAnnotations, "/" + container},
		{FromPod, podAnnotations, "/" + PodSuffix},
		{FromImage, imageAnnotations, ""},
		{FromImage, imageAnnotations, "/" + container},
		{FromImage, imageAnnotations, "/" + PodSuffix},
	}
	for i, s := range steps {
		for _, base := range []string{AnnotationKey, AnnotationKeyV1} {
			key := base + s.suffix
			if v, ok := s.m[key]; ok {
				return Resolution{Reference: v, Source: s.src, Key: key, Step: i + 1}, true
			}
		}
	}
	return Resolution{}, false
}
