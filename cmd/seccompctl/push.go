package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/seccompctl/seccompctl/oci"
)

func init() {
	register(command{name: "push", summary: "validate a profile and push it as an OCI artifact CRI-O can pull", run: runPush})
}

// ociKeyValues is a repeatable K=V flag.
type ociKeyValues map[string]string

func (kv ociKeyValues) String() string { return fmt.Sprint(map[string]string(kv)) }

func (kv ociKeyValues) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("%q is not KEY=VALUE", s)
	}
	if _, dup := kv[k]; dup {
		return fmt.Errorf("%q given twice", k)
	}
	kv[k] = v
	return nil
}

type pushReport struct {
	Reference string `json:"reference"`
	Pinned    string `json:"pinned"`
	Digest    string `json:"digest"`
	MediaType string `json:"mediaType"`
	Size      int64  `json:"size"`
	Shape     string `json:"shape"`
}

func runPush(e *env) int {
	var rf ociRemoteFlags
	fs := newFlagSet(e, "push", "[flags] PROFILE REF (PROFILE - reads standard input)")
	rf.register(fs)
	shape := fs.String("shape", "config", "manifest form: config (what `oras push --config` writes and CRI-O checks), artifact-type (image-spec 1.1, empty config) or config+artifact-type")
	created := fs.String("created", "", "org.opencontainers.image.created as RFC 3339 (default: $SOURCE_DATE_EPOCH, else now); fix it for a reproducible digest")
	annotations := ociKeyValues{}
	fs.Var(annotations, "annotation", "extra manifest annotation `KEY=VALUE` (repeatable)")
	title := fs.String("title", oci.LayerTitle, "file name of the layer (oras pull writes the profile to it)")
	layerType := fs.String("layer-media-type", oci.LayerMediaType, "media type of the layer (the blob is raw JSON either way)")
	maxSize := fs.Int64("max-size", oci.DefaultMaxSize, "largest profile `bytes` pushed (CRI-O refuses more than 1 MiB)")
	output := fs.String("output", "text", "text or json")
	if status, ok := parseFlags(e, fs); !ok {
		return status
	}
	if !ociCheckOutput(e, "push", *output) {
		return exitInput
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return exitInput
	}
	file, ref := fs.Arg(0), fs.Arg(1)
	opts := oci.PushOptions{Annotations: annotations, Title: *title, LayerMediaType: *layerType, MaxSize: *maxSize, Source: file}
	if file == "-" {
		opts.Source = "<stdin>"
	}
	switch *shape {
	case "config":
		opts.Shape = oci.ShapeConfig
	case "artifact-type":
		opts.Shape = oci.ShapeArtifactType
	case "config+artifact-type":
		opts.Shape = oci.ShapeConfigAndArtifactType
	default:
		return e.errorf(exitInput, "push: --shape: %q is not config, artifact-type or config+artifact-type", *shape)
	}
	var err error
	if opts.Created, err = pushCreated(*created); err != nil {
		return e.errorf(exitInput, "push: %v", err)
	}
	if file == "-" && rf.passwordStdin {
		return e.errorf(exitInput, "push: the profile and --password-stdin cannot both come from standard input")
	}
	data, err := pushReadProfile(e, file, *maxSize)
	if err != nil {
		return e.errorf(exitInput, "push: %v", err)
	}
	if limit := opts.MaxSize; limit > 0 && int64(len(data)) > limit {
		// Only limit+1 bytes were read: say "more than", not a size.
		return e.errorf(exitInput, "push: %s: profile too large: more than %d bytes (CRI-O refuses larger artifacts)", opts.Source, limit)
	}
	if opts.Remote, err = rf.options(e); err != nil {
		return e.errorf(exitInput, "push: %v", err)
	}
	res, err := oci.Push(e.ctx, data, ref, opts)
	if err != nil {
		return ociFail(e, "push", err)
	}
	pinned := res.Reference.WithDigest(res.Descriptor.Digest).String()
	if *output == "json" {
		rep := pushReport{Reference: res.Reference.Name() + ":" + res.Reference.Tag, Pinned: pinned, Digest: res.Descriptor.Digest.String(),
			MediaType: res.Descriptor.MediaType, Size: res.Descriptor.Size, Shape: opts.Shape.String()}
		if err := ociJSON(e.stdout, rep); err != nil {
			return e.errorf(exitInput, "push: %v", err)
		}
		return exitOK
	}
	fmt.Fprintln(e.stdout, pinned)
	fmt.Fprintf(e.stderr, "seccompctl: pushed %s:%s (%d-byte manifest, %d-byte profile)\n",
		res.Reference.Name(), res.Reference.Tag, res.Descriptor.Size, len(data))
	return exitOK
}

// pushCreated is the creation time: the flag, else $SOURCE_DATE_EPOCH
// (the reproducible-builds convention), else zero (now).
func pushCreated(flagValue string) (time.Time, error) {
	if flagValue != "" {
		t, err := time.Parse(time.RFC3339, flagValue)
		if err != nil {
			return time.Time{}, fmt.Errorf("--created: %q is not RFC 3339 (like 2024-02-26T09:03:30Z)", flagValue)
		}
		return t, nil
	}
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q is not a number of seconds", s)
		}
		return time.Unix(n, 0).UTC(), nil
	}
	return time.Time{}, nil
}

// pushReadProfile reads a profile file or standard input, at most one
// byte past the limit so that an oversized profile is reported as such.
func pushReadProfile(e *env, file string, maxSize int64) ([]byte, error) {
	if maxSize <= 0 {
		maxSize = oci.DefaultMaxSize
	}
	return readInput(e, file, maxSize)
}
