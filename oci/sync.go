package oci

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/opencontainers/go-digest"
)

// SyncTarget is one profile Sync keeps in step: the artifact Ref, written
// to Name inside the sync directory.
type SyncTarget struct {
	Ref  string
	Name string
}

func (t SyncTarget) String() string { return t.Ref + "=" + t.Name }

// ParseSyncTarget parses "REF[=NAME]". Without NAME the file is named after
// the repository's last path element: "reg/acme/nginx:v2" → "nginx.json".
// NAME is a relative path inside the directory (subdirectories allowed,
// no "..", not absolute).
func ParseSyncTarget(s string) (SyncTarget, error) {
	ref, name, hasName := strings.Cut(s, "=")
	r, err := ParseReference(ref)
	if err != nil {
		return SyncTarget{}, err
	}
	if !hasName {
		name = path.Base(r.Repository) + ".json"
	}
	t := SyncTarget{Ref: ref, Name: name}
	if err := t.check(); err != nil {
		return SyncTarget{}, err
	}
	return t, nil
}

// ErrSyncTarget: a sync target's file name is unusable or repeated.
var ErrSyncTarget = errors.New("invalid sync target")

func (t SyncTarget) check() error {
	if t.Name == "" || !filepath.IsLocal(t.Name) || strings.HasSuffix(t.Name, "/") || filepath.Clean(t.Name) != t.Name {
		return fmt.Errorf("%w: %q: the name must be a clean relative path inside the directory", ErrSyncTarget, t.Name)
	}
	if strings.HasPrefix(filepath.Base(t.Name), ".") {
		return fmt.Errorf("%w: %q: hidden names are reserved for temporary files", ErrSyncTarget, t.Name)
	}
	return nil
}

// CheckSyncTargets checks every target's name and that no two targets
// write the same file.
func CheckSyncTargets(targets []SyncTarget) error {
	seen := map[string]string{}
	for _, t := range targets {
		if err := t.check(); err != nil {
			return err
		}
		if _, err := ParseReference(t.Ref); err != nil {
			return err
		}
		if prev, dup := seen[t.Name]; dup {
			return fmt.Errorf("%w: %s and %s both write %q", ErrSyncTarget, prev, t.Ref, t.Name)
		}
		seen[t.Name] = t.Ref
	}
	return nil
}

// SyncStatus is what Sync did with one target.
type SyncStatus string

// Sync statuses.
const (
	SyncCreated   SyncStatus = "created"   // the file did not exist and now holds the profile
	SyncUpdated   SyncStatus = "updated"   // the file held other bytes and was replaced
	SyncUnchanged SyncStatus = "unchanged" // the file already held exactly the profile
	SyncFailed    SyncStatus = "failed"    // the pull or write failed; the file is untouched
)

// SyncResult reports one target of one Sync round.
type SyncResult struct {
	Target SyncTarget
	Path   string // the file, inside the sync directory
	Status SyncStatus
	// Digest is the manifest digest pulled (empty on failure).
	Digest digest.Digest
	// FileDigest is the sha256 of the file now on disk, PreviousDigest of
	// the file before (empty when there was none).
	FileDigest, PreviousDigest digest.Digest
	Size                       int
	// Kept is set on failure when a previous file stays in place.
	Kept bool
	Err  error
}

// SyncOptions control Sync.
type SyncOptions struct {
	Pull PullOptions
	// FileMode of written profiles; zero means 0644 (the kubelet and the
	// runtime read them).
	FileMode fs.FileMode
}

// DefaultSyncOptions: DefaultPullOptions, mode 0644.
var DefaultSyncOptions = SyncOptions{Pull: DefaultPullOptions, FileMode: 0o644}

// Sync pulls every target and writes its profile under dir, once. A file
// is replaced only by a profile that pulled, verified and parsed, and only
// atomically (WriteFileAtomic); when anything fails the previous file, the
// last good copy, stays as it is. A file whose bytes already match is not
// rewritten. Results come in target order; a failed target does not stop
// the others.
func Sync(ctx context.Context, dir string, targets []SyncTarget, opts SyncOptions) []SyncResult {
	mode := opts.FileMode
	if mode == 0 {
		mode = 0o644
	}
	results := make([]SyncResult, 0, len(targets))
	for _, t := range targets {
		results = append(results, syncOne(ctx, dir, t, mode, opts.Pull))
	}
	return results
}

func syncOne(ctx context.Context, dir string, t SyncTarget, mode fs.FileMode, popts PullOptions) SyncResult {
	res := SyncResult{Target: t, Path: filepath.Join(dir, t.Name), Status: SyncFailed}
	if err := t.check(); err != nil {
		res.Err = err
		return res
	}
	old, err := os.ReadFile(res.Path)
	switch {
	case err == nil:
		res.Kept = true
		res.PreviousDigest = digest.FromBytes(old)
	case errors.Is(err, fs.ErrNotExist):
		old = nil
	default:
		res.Err = err
		return res
	}
	a, err := Pull(ctx, t.Ref, popts)
	if err != nil {
		res.Err = err
		return res
	}
	res.Digest, res.Size = a.Digest, len(a.Data)
	if res.Kept && bytes.Equal(old, a.Data) {
		res.Status, res.FileDigest, res.Kept = SyncUnchanged, res.PreviousDigest, false
		return res
	}
	if err := os.MkdirAll(filepath.Dir(res.Path), 0o755); err != nil {
		res.Err = err
		return res
	}
	if err := removeStaleTemps(res.Path); err != nil {
		res.Err = fmt.Errorf("removing stale temporary files: %w", err)
		return res
	}
	if err := WriteFileAtomic(res.Path, a.Data, mode); err != nil {
		res.Err = err
		return res
	}
	res.Status, res.FileDigest, res.Kept = SyncCreated, digest.FromBytes(a.Data), false
	if old != nil {
		res.Status = SyncUpdated
	}
	return res
}
