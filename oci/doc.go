// Package oci distributes seccomp profiles as OCI artifacts, the way CRI-O
// pulls them: a registry holds an OCI image manifest whose config media
// type is application/vnd.cncf.seccomp-profile.config.v1+json and whose
// first layer is the profile JSON itself (raw bytes, even though the layer
// media type usually says "tar").
//
// Pull resolves a reference, checks the manifest (OCI image manifest, the
// seccomp config media type or the image-spec v1.1 artifactType form, at
// least one layer, size limit), reads the first layer, verifies the size
// and digest of every blob it reads (registries such as distribution 2.8
// do not check descriptor sizes), and parses the bytes with profile.Parse.
// Nothing is written anywhere, cache included, until all of that passed.
//
// Push validates a profile first and then pushes exactly the artifact that
// `oras push --config config.json:application/vnd.cncf.seccomp-profile.config.v1+json
// REF seccomp.json` produces; a fixed creation time makes the digest
// reproducible.
//
// ResolveAnnotations picks the reference CRI-O would pull from pod and
// image annotations; ImageAnnotations reads an image's annotations from its
// manifest. Cache keeps pulled artifacts in an OCI image layout directory,
// keyed by digest, so a digest already cached is served without network
// I/O. Sync keeps a directory of Localhost profiles (the kubelet's
// seccomp directory) in step with registry references, writing each file
// atomically and keeping the last good copy when a pull fails.
//
// This is the only library package of seccompctl that imports oras-go.
package oci
