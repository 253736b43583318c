package oci

import (
	"fmt"
	"strings"

	"github.com/opencontainers/go-digest"
	"oras.land/oras-go/v2/registry"
)

// DefaultTag is used when a reference names neither a tag nor a digest,
// as CRI-O (through containers/image) does.
const DefaultTag = "latest"

// Reference is a parsed artifact reference: Registry/Repository plus a tag
// or a digest.
type Reference struct {
	Registry   string // host[:port]
	Repository string // path inside the registry
	Tag        string // empty when Digest is set
	Digest     digest.Digest
}

// ParseReference parses "host[:port]/repo[:tag][@digest]". The registry
// host is required (there is no docker.io default: a profile reference
// must say where it comes from). Without a tag or digest the tag is
// "latest". With both, the digest wins and the tag is kept for display.
func ParseReference(s string) (Reference, error) {
	if strings.TrimSpace(s) != s || s == "" {
		return Reference{}, fmt.Errorf("%w: %q", ErrInvalidReference, s)
	}
	r, err := registry.ParseReference(s)
	if err != nil {
		return Reference{}, fmt.Errorf("%w: %q: %v", ErrInvalidReference, s, err)
	}
	ref := Reference{Registry: r.Registry, Repository: r.Repository}
	switch d, err := r.Digest(); {
	case err == nil:
		ref.Digest = d
		// For "repo:tag@digest" oras drops the tag unchecked; keep it (and
		// check it) so messages show what the user wrote.
		_, path, _ := strings.Cut(s, "/")
		repo, _, _ := strings.Cut(path, "@")
		_, ref.Tag, _ = strings.Cut(repo, ":")
	case r.Reference != "":
		ref.Tag = r.Reference
	default:
		ref.Tag = DefaultTag
	}
	if ref.Tag != "" {
		tagged := registry.Reference{Registry: r.Registry, Repository: r.Repository, Reference: ref.Tag}
		if err := tagged.ValidateReferenceAsTag(); err != nil {
			return Reference{}, fmt.Errorf("%w: %q: %v", ErrInvalidReference, s, err)
		}
	}
	return ref, nil
}

// String gives "registry/repository:tag", "registry/repository@digest" or
// both when both are known.
func (r Reference) String() string {
	s := r.Registry + "/" + r.Repository
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest.String()
	}
	return s
}

// Name is "registry/repository".
func (r Reference) Name() string { return r.Registry + "/" + r.Repository }

// WithDigest returns the reference pinned to d (the tag is dropped).
func (r Reference) WithDigest(d digest.Digest) Reference {
	return Reference{Registry: r.Registry, Repository: r.Repository, Digest: d}
}

// reference is what oras resolves: the digest if there is one, else the tag.
func (r Reference) reference() string {
	if r.Digest != "" {
		return r.Digest.String()
	}
	return r.Tag
}

func (r Reference) oras() registry.Reference {
	return registry.Reference{Registry: r.Registry, Repository: r.Repository, Reference: r.reference()}
}
