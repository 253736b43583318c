package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/internal/registrytest"
)

// syncProfileV2 is a second, different valid profile.
const syncProfileV2 = `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write","exit_group"],"action":"SCMP_ACT_ALLOW"}]}`

func syncReadFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

func TestSyncOnceTwoNodes(t *testing.T) {
	reg := registrytest.Start(t, registrytest.Plain)
	flags := ociRegistryFlags(t, reg)
	file, v1 := ociProfile(t)
	web, db := reg.Ref("acme/web", "stable"), reg.Ref("acme/db", "stable")
	for _, ref := range []string{web, db} {
		status, _, stderr := ociCLI(t, t.Context(), "", append(append([]string{"push"}, flags...), file, ref)...)
		require.Equal(t, exitOK, status, stderr)
	}
	nodes := []string{t.TempDir(), t.TempDir()}
	sync := func(node string, extra ...string) (int, string, string) {
		args := append(append([]string{"sync"}, flags...), "--dir", node)
		args = append(args, extra...)
		return ociCLI(t, t.Context(), "", append(args, web, db+"=operator/db.json")...)
	}

	// Created on both nodes; one line per change.
	for _, n := range nodes {
		status, stdout, stderr := sync(n)
		require.Equal(t, exitOK, status, stderr)
		assert.Empty(t, stdout)
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		require.Len(t, lines, 2, stderr)
		assert.True(t, strings.HasPrefix(lines[0], "seccompctl: sync: created "+filepath.Join(n, "web.json")+" from "+web+" (sha256:"), lines[0])
		assert.True(t, strings.HasPrefix(lines[1], "seccompctl: sync: created "+filepath.Join(n, "operator/db.json")+" from "+db), lines[1])
		assert.Equal(t, string(v1), syncReadFile(t, filepath.Join(n, "web.json")))
		assert.Equal(t, string(v1), syncReadFile(t, filepath.Join(n, "operator/db.json")))
	}

	// In step: silent, exit 0.
	status, stdout, stderr := sync(nodes[0])
	assert.Equal(t, exitOK, status)
	assert.Empty(t, stdout)
	assert.Empty(t, stderr)

	// An update in the registry shows up, and says what it replaced.
	v2file := filepath.Join(t.TempDir(), "v2.json")
	require.NoError(t, os.WriteFile(v2file, []byte(syncProfileV2), 0o644))
	status, _, stderr = ociCLI(t, t.Context(), "", append(append([]string{"push"}, flags...), v2file, web)...)
	require.Equal(t, exitOK, status, stderr)
	for _, n := range nodes {
		status, _, stderr := sync(n)
		require.Equal(t, exitOK, status, stderr)
		assert.Contains(t, stderr, "seccompctl: sync: updated "+filepath.Join(n, "web.json")+" from "+web)
		assert.Contains(t, stderr, "file "+digest.FromString(syncProfileV2).String()[:19]+", was "+digest.FromBytes(v1).String()[:19])
		assert.Equal(t, 1, strings.Count(stderr, "\n"))
		assert.Equal(t, syncProfileV2, syncReadFile(t, filepath.Join(n, "web.json")))
	}

	// An invalid push under web's tag: exit 1, the last good copy stays.
	reg.PushArtifact(t, "acme/web", "stable", registrytest.Artifact{Layers: [][]byte{[]byte(`{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_TURBO"]}`)}})
	for _, n := range nodes {
		status, _, stderr := sync(n)
		assert.Equal(t, exitFinding, status)
		assert.True(t, strings.HasPrefix(stderr, "seccompctl: sync: "+web+": invalid seccomp profile: seccomp.json:1:"), stderr)
		assert.True(t, strings.HasSuffix(stderr, "; kept the last good "+filepath.Join(n, "web.json")+"\n"), stderr)
		assert.Equal(t, syncProfileV2, syncReadFile(t, filepath.Join(n, "web.json")))
	}

	// Registry down: exit 1, both files stay, one line each.
	reg.Stop()
	for _, n := range nodes {
		status, _, stderr := sync(n, "--output", "json")
		assert.Equal(t, exitFinding, status)
		assert.Equal(t, 2, strings.Count(stderr, "\n"), stderr)
		assert.Contains(t, stderr, "connection refused; kept the last good "+filepath.Join(n, "operator/db.json"))
		assert.Equal(t, syncProfileV2, syncReadFile(t, filepath.Join(n, "web.json")))
		assert.Equal(t, string(v1), syncReadFile(t, filepath.Join(n, "operator/db.json")))
	}
}

func TestSyncJSONAndLoop(t *testing.T) {
	reg := registrytest.Start(t, registrytest.Plain)
	flags := ociRegistryFlags(t, reg)
	file, v1 := ociProfile(t)
	ref := reg.Ref("acme/web", "stable")
	status, _, stderr := ociCLI(t, t.Context(), "", append(append([]string{"push"}, flags...), file, ref)...)
	require.Equal(t, exitOK, status, stderr)
	v2file := filepath.Join(t.TempDir(), "v2.json")
	require.NoError(t, os.WriteFile(v2file, []byte(syncProfileV2), 0o644))
	dir, cache := t.TempDir(), t.TempDir()

	// Round 1 creates; between rounds 1 and 2 a new version is pushed;
	// round 2 updates; round 3 finds it unchanged; then SIGTERM (the
	// context) ends the loop with status 0.
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var rounds []int
	syncAfterRound = func(round int) {
		rounds = append(rounds, round)
		switch round {
		case 1:
			assert.Equal(t, string(v1), syncReadFile(t, filepath.Join(dir, "web.json")))
			status, _, stderr := ociCLI(t, t.Context(), "", append(append([]string{"push"}, flags...), v2file, ref)...)
			assert.Equal(t, exitOK, status, stderr)
		case 3:
			cancel()
		}
	}
	defer func() { syncAfterRound = nil }()
	status, stdout, stderr := ociCLI(t, ctx, "", append(append([]string{"sync"}, flags...),
		"--dir", dir, "--interval", "1ms", "--cache", cache, "--mode", "0640", "--output", "json", ref)...)
	assert.Equal(t, exitOK, status, stderr)
	assert.Empty(t, stderr)
	assert.Equal(t, []int{1, 2, 3}, rounds)
	assert.Equal(t, syncProfileV2, syncReadFile(t, filepath.Join(dir, "web.json")))
	st, err := os.Stat(filepath.Join(dir, "web.json"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), st.Mode().Perm())

	var events []syncEvent
	sc := bufio.NewScanner(strings.NewReader(stdout))
	for sc.Scan() {
		var ev syncEvent
		require.NoError(t, json.Unmarshal(sc.Bytes(), &ev), sc.Text())
		events = append(events, ev)
	}
	require.Len(t, events, 3, stdout)
	for i, want := range []string{"created", "updated", "unchanged"} {
		assert.Equal(t, i+1, events[i].Round)
		assert.Equal(t, want, events[i].Status)
		assert.Equal(t, ref, events[i].Reference)
		assert.Equal(t, filepath.Join(dir, "web.json"), events[i].File)
		assert.NotEmpty(t, events[i].Time)
	}
	assert.Equal(t, digest.FromBytes(v1).String(), events[1].PreviousDigest)
	assert.Equal(t, digest.FromString(syncProfileV2).String(), events[1].FileDigest)
	assert.Equal(t, len(syncProfileV2), events[2].Size)
	assert.FileExists(t, filepath.Join(cache, "index.json"), "--cache is an OCI layout")
}

func TestSyncUsage(t *testing.T) {
	tests := []struct {
		args   []string
		stderr string
	}{
		{[]string{"sync", "r.io/a:b"}, "usage: seccompctl sync"},
		{[]string{"sync", "--dir", "d"}, "usage: seccompctl sync"},
		{[]string{"sync", "--dir", "d", "--interval", "-1s", "r.io/a:b"}, "seccompctl: sync: --interval -1s is negative\n"},
		{[]string{"sync", "--dir", "d", "--mode", "rw", "r.io/a:b"}, "seccompctl: sync: --mode: \"rw\" is not an octal file mode like 0644\n"},
		{[]string{"sync", "--dir", "d", "r.io/a:b=../x.json"}, "seccompctl: sync: invalid sync target: \"../x.json\": the name must be a clean relative path inside the directory\n"},
		{[]string{"sync", "--dir", "d", "r.io/a/p:1", "r.io/b/p:2"}, "seccompctl: sync: invalid sync target: r.io/a/p:1 and r.io/b/p:2 both write \"p.json\"\n"},
		{[]string{"sync", "--dir", "d", "p"}, "seccompctl: sync: invalid reference: \"p\""},
		{[]string{"sync", "--dir", "d", "--output", "yaml", "r.io/a:b"}, "seccompctl: sync: --output: \"yaml\" is not text or json\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			status, stdout, stderr := ociCLI(t, t.Context(), "", tt.args...)
			assert.Equal(t, exitInput, status)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tt.stderr)
		})
	}
}

// daemonSetArgs extracts the container args of the example DaemonSet (a
// plain YAML list, so a line scan is enough; no YAML dependency).
func daemonSetArgs(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../deploy/seccompctl-sync-daemonset.yaml")
	require.NoError(t, err)
	var args []string
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "args:":
			in = true
		case !in || strings.HasPrefix(trimmed, "#"):
		case strings.HasPrefix(trimmed, "- "):
			args = append(args, strings.TrimPrefix(trimmed, "- "))
		default:
			in = false
		}
	}
	return args
}

// TestDaemonSetExampleArgs runs the example DaemonSet's command line against
// a test registry: registry.example.com becomes the test registry, the
// host paths become temporary directories, and the loop stops after one
// round.
func TestDaemonSetExampleArgs(t *testing.T) {
	reg := registrytest.Start(t, registrytest.Plain)
	flags := ociRegistryFlags(t, reg)
	file, data := ociProfile(t)
	args := daemonSetArgs(t)
	require.Equal(t, "sync", args[0], args)
	dir, cache := t.TempDir(), t.TempDir()
	var cmdline []string
	var names []string
	for _, a := range args[1:] {
		switch {
		case strings.HasPrefix(a, "--dir="):
			a = "--dir=" + dir
		case strings.HasPrefix(a, "--cache="):
			a = "--cache=" + cache
		case strings.HasPrefix(a, "registry.example.com/"):
			a = reg.Host + strings.TrimPrefix(a, "registry.example.com")
			ref, name, ok := strings.Cut(a, "=")
			require.True(t, ok, a)
			status, _, stderr := ociCLI(t, t.Context(), "", append(append([]string{"push"}, flags...), file, ref)...)
			require.Equal(t, exitOK, status, stderr)
			names = append(names, name)
		}
		cmdline = append(cmdline, a)
	}
	require.NotEmpty(t, names)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	syncAfterRound = func(int) { cancel() }
	defer func() { syncAfterRound = nil }()
	status, stdout, stderr := ociCLI(t, ctx, "", append(append([]string{"sync"}, flags...), cmdline...)...)
	require.Equal(t, exitOK, status, stderr)
	assert.Equal(t, len(names), strings.Count(stdout, `"status":"created"`), stdout)
	for _, n := range names {
		assert.Equal(t, string(data), syncReadFile(t, filepath.Join(dir, n)))
	}
}
