package oci

import "errors"

// Sentinel errors. Every error Pull, Push, ImageAnnotations and Sync return
// for a failure of one of these kinds matches the sentinel with errors.Is;
// the message says which reference, blob or field.
var (
	// ErrInvalidReference: the reference is not host/repository[:tag|@digest].
	ErrInvalidReference = errors.New("invalid reference")
	// ErrNotFound: the registry has no such repository, tag or blob.
	ErrNotFound = errors.New("not found")
	// ErrUnauthorized: the registry refused the request (401/403), for
	// example because no credentials are configured for it.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrInvalidManifest: the manifest is not JSON, not schemaVersion 2,
	// or has malformed descriptors.
	ErrInvalidManifest = errors.New("invalid manifest")
	// ErrWrongMediaType: the manifest is not an OCI image manifest of a
	// seccomp-profile artifact (wrong manifest, config or artifact type).
	ErrWrongMediaType = errors.New("wrong media type")
	// ErrNoLayers: the manifest has no layers, so no profile.
	ErrNoLayers = errors.New("artifact has no layers")
	// ErrTooLarge: a blob or the profile exceeds the size limit.
	ErrTooLarge = errors.New("too large")
	// ErrDigestMismatch: content does not match its descriptor's digest
	// or size.
	ErrDigestMismatch = errors.New("content does not match descriptor")
	// ErrInvalidProfile: the layer is not a valid seccomp profile.
	ErrInvalidProfile = errors.New("invalid seccomp profile")
	// ErrRegistry: any other failure talking to the registry (network,
	// server errors, protocol violations).
	ErrRegistry = errors.New("registry error")
	// ErrCacheMiss: an offline pull needed something the cache lacks.
	ErrCacheMiss = errors.New("not in cache")
)
