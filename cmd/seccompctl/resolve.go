package main

import (
	"fmt"
	"strings"

	"github.com/seccompctl/seccompctl/oci"
)

func init() {
	register(command{name: "resolve", summary: "print the profile reference CRI-O takes from pod/image annotations, and why", run: runResolve})
}

type resolveReport struct {
	Container string            `json:"container"`
	Found     bool              `json:"found"`
	Reference string            `json:"reference"`
	Source    string            `json:"source,omitempty"`
	Key       string            `json:"key,omitempty"`
	Step      int               `json:"step,omitempty"`
	Reason    string            `json:"reason,omitempty"`
	Image     string            `json:"image,omitempty"`
	ImageAnn  map[string]string `json:"imageAnnotations,omitempty"`
}

func runResolve(e *env) int {
	var rf ociRemoteFlags
	fs := newFlagSet(e, "resolve", "--container NAME [--pod-annotation K=V]... [--image REF | --image-annotation K=V...]")
	rf.register(fs)
	container := fs.String("container", "", "container `name` (required)")
	pod := ociKeyValues{}
	fs.Var(pod, "pod-annotation", "pod sandbox annotation `KEY=VALUE` (repeatable)")
	img := ociKeyValues{}
	fs.Var(img, "image-annotation", "image manifest annotation `KEY=VALUE` (repeatable; instead of --image)")
	image := fs.String("image", "", "image `REF` whose manifest annotations to read from the registry")
	platform := fs.String("platform", "", "`os/arch` to pick from a multi-platform image (default linux/this machine)")
	output := fs.String("output", "text", "text or json")
	if status, ok := parseFlags(e, fs); !ok {
		return status
	}
	if !ociCheckOutput(e, "resolve", *output) {
		return exitInput
	}
	if fs.NArg() != 0 || *container == "" {
		fs.Usage()
		return exitInput
	}
	if *image != "" && len(img) > 0 {
		return e.errorf(exitInput, "resolve: give --image or --image-annotation, not both")
	}
	imageAnn := map[string]string(img)
	if *image != "" {
		remote, err := rf.options(e)
		if err != nil {
			return e.errorf(exitInput, "resolve: %v", err)
		}
		opts := oci.ImageOptions{Remote: remote}
		if *platform != "" {
			var ok bool
			if opts.OS, opts.Architecture, ok = strings.Cut(*platform, "/"); !ok || opts.OS == "" || opts.Architecture == "" {
				return e.errorf(exitInput, "resolve: --platform: %q is not OS/ARCH", *platform)
			}
		}
		if imageAnn, err = oci.ImageAnnotations(e.ctx, *image, opts); err != nil {
			return e.errorf(exitInput, "resolve: %v", err)
		}
	}

	res, found := oci.ResolveAnnotations(pod, imageAnn, *container)
	rep := resolveReport{Container: *container, Found: found, Reference: res.Reference, Image: *image}
	if *image != "" {
		rep.ImageAnn = imageAnn
	}
	if found {
		rep.Source, rep.Key, rep.Step, rep.Reason = string(res.Source), res.Key, res.Step, res.Reason()
	}
	status := exitOK
	if !found || res.Reference == "" {
		status = exitFinding
	}
	if *output == "json" {
		if err := ociJSON(e.stdout, rep); err != nil {
			return e.errorf(exitInput, "resolve: %v", err)
		}
		return status
	}
	switch {
	case !found:
		fmt.Fprintf(e.stderr, "seccompctl: resolve: no %s or %s annotation applies to container %q: CRI-O pulls no profile artifact\n",
			oci.AnnotationKey, oci.AnnotationKeyV1, *container)
	case res.Reference == "":
		fmt.Fprintf(e.stderr, "seccompctl: resolve: %s is empty: CRI-O stops there and pulls no profile artifact\n", res.Reason())
	default:
		fmt.Fprintln(e.stdout, res.Reference)
		fmt.Fprintf(e.stderr, "seccompctl: resolve: from the %s; CRI-O uses it only if the container's seccompProfile is unset or Unconfined and the runtime handler allows the annotation\n", res.Reason())
	}
	return status
}
