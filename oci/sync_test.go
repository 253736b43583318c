package oci

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/internal/registrytest"
)

func TestParseSyncTarget(t *testing.T) {
	tests := []struct {
		in   string
		want SyncTarget
		err  error
	}{
		{"reg.io/acme/nginx:v2", SyncTarget{Ref: "reg.io/acme/nginx:v2", Name: "nginx.json"}, nil},
		{"reg.io/acme/nginx:v2=web/nginx.json", SyncTarget{Ref: "reg.io/acme/nginx:v2", Name: "web/nginx.json"}, nil},
		{"reg.io/p@" + layerDigest + "=p", SyncTarget{Ref: "reg.io/p@" + layerDigest, Name: "p"}, nil},
		{"reg.io/a:b=../escape.json", SyncTarget{}, ErrSyncTarget},
		{"reg.io/a:b=/abs.json", SyncTarget{}, ErrSyncTarget},
		{"reg.io/a:b=", SyncTarget{}, ErrSyncTarget},
		{"reg.io/a:b=dir/", SyncTarget{}, ErrSyncTarget},
		{"reg.io/a:b=a//b.json", SyncTarget{}, ErrSyncTarget},
		{"reg.io/a:b=.hidden.json", SyncTarget{}, ErrSyncTarget},
		{"nginx=x.json", SyncTarget{}, ErrInvalidReference},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSyncTarget(tt.in)
			if tt.err != nil {
				assert.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	err := CheckSyncTargets([]SyncTarget{{Ref: "r.io/a:1", Name: "a.json"}, {Ref: "r.io/b:1", Name: "a.json"}})
	assert.ErrorIs(t, err, ErrSyncTarget)
	assert.ErrorContains(t, err, `both write "a.json"`)
	assert.NoError(t, CheckSyncTargets([]SyncTarget{{Ref: "r.io/a:1", Name: "a.json"}, {Ref: "r.io/a:1", Name: "b.json"}}))
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "p.json")
	require.NoError(t, WriteFileAtomic(p, []byte("one"), 0o640))
	require.NoError(t, WriteFileAtomic(p, []byte("two"), 0o644))
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "two", string(b))
	st, err := os.Stat(p)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), st.Mode().Perm())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left")

	// A failed write leaves the old file and no temporary file: renaming
	// over a directory fails after the temporary file was written.
	sub := filepath.Join(dir, "sub")
	require.NoError(t, os.MkdirAll(filepath.Join(sub, "x"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(sub, "x", "keep"), nil, 0o644))
	assert.Error(t, WriteFileAtomic(filepath.Join(sub, "x"), []byte("new"), 0o644))
	entries, err = os.ReadDir(sub)
	require.NoError(t, err)
	assert.Len(t, entries, 1)
	assert.Error(t, WriteFileAtomic(filepath.Join(dir, "missing", "p.json"), []byte("x"), 0o644))
}

// node is one machine's kubelet seccomp directory.
type node struct{ dir string }

func (n node) read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(n.dir, name))
	require.NoError(t, err)
	return b
}

func statuses(rs []SyncResult) []SyncStatus {
	var s []SyncStatus
	for _, r := range rs {
		s = append(s, r.Status)
	}
	return s
}

// TestSyncTwoNodes: two directories kept in step with the registry through
// an update, an outage and an invalid push.
func TestSyncTwoNodes(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.Start(t, registrytest.Plain)
	remote := remoteFor(t, reg)
	v1 := readTestdata(t, "seccomp.json")
	v2 := []byte(`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write","exit_group"],"action":"SCMP_ACT_ALLOW"}]}`)
	webRef, dbRef := reg.Ref("acme/web", "stable"), reg.Ref("acme/db", "stable")
	_, err := Push(ctx, v1, webRef, PushOptions{Remote: remote})
	require.NoError(t, err)
	_, err = Push(ctx, v1, dbRef, PushOptions{Remote: remote})
	require.NoError(t, err)

	web, err := ParseSyncTarget(webRef)
	require.NoError(t, err)
	db, err := ParseSyncTarget(dbRef + "=operator/db.json")
	require.NoError(t, err)
	targets := []SyncTarget{web, db}
	nodes := []node{{t.TempDir()}, {t.TempDir()}}
	syncAll := func() [][]SyncResult {
		var out [][]SyncResult
		for _, n := range nodes {
			out = append(out, Sync(ctx, n.dir, targets, SyncOptions{Pull: PullOptions{Remote: remote}}))
		}
		return out
	}

	// 1. First round creates both files on both nodes.
	for _, rs := range syncAll() {
		assert.Equal(t, []SyncStatus{SyncCreated, SyncCreated}, statuses(rs))
		for _, r := range rs {
			require.NoError(t, r.Err)
			assert.Equal(t, digest.FromBytes(v1), r.FileDigest)
			assert.Empty(t, r.PreviousDigest)
		}
	}
	for _, n := range nodes {
		assert.Equal(t, v1, n.read(t, "web.json"))
		assert.Equal(t, v1, n.read(t, "operator/db.json"))
		st, err := os.Stat(filepath.Join(n.dir, "web.json"))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o644), st.Mode().Perm())
	}

	// 2. Nothing changed: nothing is rewritten.
	before, err := os.Stat(filepath.Join(nodes[0].dir, "web.json"))
	require.NoError(t, err)
	for _, rs := range syncAll() {
		assert.Equal(t, []SyncStatus{SyncUnchanged, SyncUnchanged}, statuses(rs))
	}
	after, err := os.Stat(filepath.Join(nodes[0].dir, "web.json"))
	require.NoError(t, err)
	assert.True(t, os.SameFile(before, after), "an unchanged file keeps its inode")

	// 3. A new version of web shows up on both nodes.
	res, err := Push(ctx, v2, webRef, PushOptions{Remote: remote})
	require.NoError(t, err)
	for _, rs := range syncAll() {
		assert.Equal(t, []SyncStatus{SyncUpdated, SyncUnchanged}, statuses(rs))
		assert.Equal(t, res.Descriptor.Digest, rs[0].Digest)
		assert.Equal(t, digest.FromBytes(v1), rs[0].PreviousDigest)
		assert.Equal(t, digest.FromBytes(v2), rs[0].FileDigest)
	}
	for _, n := range nodes {
		assert.Equal(t, v2, n.read(t, "web.json"))
	}

	// 4. Someone pushes an invalid profile under web's tag (with a tool
	// that does not validate): the last good file stays.
	reg.PushArtifact(t, "acme/web", "stable", registrytest.Artifact{Layers: [][]byte{[]byte(`{"defaultAction":"SCMP_ACT_EXPLODE"}`)}})
	for _, rs := range syncAll() {
		assert.Equal(t, []SyncStatus{SyncFailed, SyncUnchanged}, statuses(rs))
		assert.ErrorIs(t, rs[0].Err, ErrInvalidProfile)
		assert.True(t, rs[0].Kept)
	}
	for _, n := range nodes {
		assert.Equal(t, v2, n.read(t, "web.json"))
	}

	// 5. The registry goes down: everything stays, nothing half-written.
	reg.Stop()
	for _, rs := range syncAll() {
		assert.Equal(t, []SyncStatus{SyncFailed, SyncFailed}, statuses(rs))
		for _, r := range rs {
			assert.ErrorIs(t, r.Err, ErrRegistry)
			assert.True(t, r.Kept)
		}
	}
	for _, n := range nodes {
		assert.Equal(t, v2, n.read(t, "web.json"))
		assert.Equal(t, v1, n.read(t, "operator/db.json"))
		var names []string
		require.NoError(t, filepath.WalkDir(n.dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				names = append(names, strings.TrimPrefix(p, n.dir+"/"))
			}
			return err
		}))
		if diff := cmp.Diff([]string{"operator/db.json", "web.json"}, names); diff != "" {
			t.Errorf("files on the node (-want +got):\n%s", diff)
		}
	}
}

func TestSyncFailureWithoutPreviousFile(t *testing.T) {
	reg := registrytest.Start(t, registrytest.Plain)
	dir := t.TempDir()
	rs := Sync(context.Background(), dir, []SyncTarget{{Ref: reg.Ref("none/x", "v1"), Name: "x.json"}},
		SyncOptions{Pull: PullOptions{Remote: remoteFor(t, reg)}})
	require.Len(t, rs, 1)
	assert.Equal(t, SyncFailed, rs[0].Status)
	assert.ErrorIs(t, rs[0].Err, ErrNotFound)
	assert.False(t, rs[0].Kept)
	assert.NoFileExists(t, filepath.Join(dir, "x.json"))
}

func TestSyncRemovesStaleTemporaryFiles(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.Start(t, registrytest.Plain)
	remote := remoteFor(t, reg)
	_, err := Push(ctx, readTestdata(t, "seccomp.json"), reg.Ref("acme/web", "v1"), PushOptions{Remote: remote})
	require.NoError(t, err)
	dir := t.TempDir()
	stale := filepath.Join(dir, ".web.json.tmp-123456")
	require.NoError(t, os.WriteFile(stale, []byte(`{"half`), 0o600))
	unrelated := filepath.Join(dir, ".other.json.tmp-1")
	require.NoError(t, os.WriteFile(unrelated, nil, 0o600))
	rs := Sync(ctx, dir, []SyncTarget{{Ref: reg.Ref("acme/web", "v1"), Name: "web.json"}}, SyncOptions{Pull: PullOptions{Remote: remote}})
	require.NoError(t, rs[0].Err)
	assert.NoFileExists(t, stale)
	assert.FileExists(t, unrelated)
}
