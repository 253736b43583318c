package main

import (
	"fmt"
	"io/fs"
	"strconv"
	"time"

	"github.com/seccompctl/seccompctl/oci"
)

func init() {
	register(command{name: "sync", summary: "keep a directory of Localhost profiles in step with registry references", run: runSync})
}

// syncAfterRound, when set (by tests), is called after each round; the
// loop of --interval has no other observable step.
var syncAfterRound func(round int)

type syncEvent struct {
	Time           string `json:"time"`
	Round          int    `json:"round"`
	Reference      string `json:"reference"`
	File           string `json:"file"`
	Status         string `json:"status"`
	Digest         string `json:"digest,omitempty"`
	FileDigest     string `json:"fileDigest,omitempty"`
	PreviousDigest string `json:"previousDigest,omitempty"`
	Size           int    `json:"size,omitempty"`
	Kept           bool   `json:"kept,omitempty"`
	Error          string `json:"error,omitempty"`
}

func runSync(e *env) int {
	var rf ociRemoteFlags
	flags := newFlagSet(e, "sync", "--dir DIR [--interval D] [flags] REF[=NAME]...")
	rf.register(flags)
	dir := flags.String("dir", "", "profile `directory`, e.g. /var/lib/kubelet/seccomp (required)")
	interval := flags.Duration("interval", 0, "sync again every `duration` until stopped (0: once)")
	cacheDir := flags.String("cache", "", "OCI layout `dir` to cache artifacts in")
	maxSize := flags.Int64("max-size", oci.DefaultMaxSize, "largest profile `bytes` accepted (CRI-O: 1 MiB)")
	mode := flags.String("mode", "0644", "file `mode` of written profiles (octal)")
	output := flags.String("output", "text", "text (changes and failures on stderr) or json (one line per profile per round on stdout)")
	if status, ok := parseFlags(e, flags); !ok {
		return status
	}
	if !ociCheckOutput(e, "sync", *output) {
		return exitInput
	}
	if *dir == "" || flags.NArg() == 0 {
		flags.Usage()
		return exitInput
	}
	if *interval < 0 {
		return e.errorf(exitInput, "sync: --interval %v is negative", *interval)
	}
	perm, err := strconv.ParseUint(*mode, 8, 32)
	if err != nil || perm == 0 || perm > 0o777 {
		return e.errorf(exitInput, "sync: --mode: %q is not an octal file mode like 0644", *mode)
	}
	var targets []oci.SyncTarget
	for _, arg := range flags.Args() {
		t, err := oci.ParseSyncTarget(arg)
		if err != nil {
			return e.errorf(exitInput, "sync: %v", err)
		}
		targets = append(targets, t)
	}
	if err := oci.CheckSyncTargets(targets); err != nil {
		return e.errorf(exitInput, "sync: %v", err)
	}
	remote, err := rf.options(e)
	if err != nil {
		return e.errorf(exitInput, "sync: %v", err)
	}
	opts := oci.SyncOptions{Pull: oci.PullOptions{Remote: remote, MaxSize: *maxSize}, FileMode: fs.FileMode(perm)}
	if *cacheDir != "" {
		if opts.Pull.Cache, err = oci.OpenCache(*cacheDir); err != nil {
			return e.errorf(exitInput, "sync: %v", err)
		}
	}

	for round := 1; ; round++ {
		results := oci.Sync(e.ctx, *dir, targets, opts)
		failed := 0
		for _, r := range results {
			if r.Status == oci.SyncFailed {
				failed++
			}
			if err := syncReport(e, *output, round, r); err != nil {
				return e.errorf(exitInput, "sync: %v", err)
			}
		}
		if syncAfterRound != nil {
			syncAfterRound(round)
		}
		if *interval == 0 {
			if failed > 0 {
				return exitFinding
			}
			return exitOK
		}
		timer := time.NewTimer(*interval)
		select {
		case <-e.ctx.Done():
			timer.Stop()
			// SIGTERM (a DaemonSet pod going away) ends the loop cleanly;
			// every file on disk is whole.
			return exitOK
		case <-timer.C:
		}
	}
}

// syncReport prints one result: in text mode a stderr line for a change
// or a failure (unchanged profiles are silent); in json mode a JSON line
// on stdout for every profile, and failures on stderr as well.
func syncReport(e *env, output string, round int, r oci.SyncResult) error {
	if r.Status == oci.SyncFailed {
		what := "no file written"
		if r.Kept {
			what = "kept the last good " + r.Path
		}
		fmt.Fprintf(e.stderr, "seccompctl: sync: %v; %s\n", r.Err, what)
	}
	if output == "json" {
		ev := syncEvent{Time: time.Now().UTC().Format(time.RFC3339), Round: round, Reference: r.Target.Ref, File: r.Path,
			Status: string(r.Status), Digest: r.Digest.String(), FileDigest: r.FileDigest.String(),
			PreviousDigest: r.PreviousDigest.String(), Size: r.Size, Kept: r.Kept}
		if r.Err != nil {
			ev.Error = r.Err.Error()
		}
		return ociJSON(e.stdout, ev)
	}
	switch r.Status {
	case oci.SyncCreated:
		fmt.Fprintf(e.stderr, "seccompctl: sync: created %s from %s (%s, %d bytes)\n", r.Path, r.Target.Ref, r.Digest, r.Size)
	case oci.SyncUpdated:
		fmt.Fprintf(e.stderr, "seccompctl: sync: updated %s from %s (%s, %d bytes; file %s, was %s)\n",
			r.Path, r.Target.Ref, r.Digest, r.Size, syncShortDigest(r.FileDigest.String()), syncShortDigest(r.PreviousDigest.String()))
	}
	return nil
}

// syncShortDigest abbreviates a digest for log lines.
func syncShortDigest(d string) string {
	if len(d) > len("sha256:")+12 {
		return d[:len("sha256:")+12]
	}
	return d
}
