package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/seccompctl/seccompctl/oci"
	"github.com/seccompctl/seccompctl/profile"
)

func init() {
	register(command{name: "pull", summary: "pull a seccomp profile artifact from a registry (as CRI-O does)", run: runPull})
}

// ociRemoteFlags are the registry flags push, pull, resolve and sync share.
type ociRemoteFlags struct {
	plainHTTP, insecure, passwordStdin bool
	caFile, registryConfig, username   string
	retries                            int
}

func (f *ociRemoteFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.plainHTTP, "plain-http", false, "talk plain HTTP to the registry (never chosen automatically)")
	fs.StringVar(&f.caFile, "ca-file", "", "PEM `file` of extra CAs for the registry's TLS certificate")
	fs.BoolVar(&f.insecure, "insecure", false, "skip TLS certificate verification")
	fs.StringVar(&f.registryConfig, "registry-config", "", "Docker config.json `path` for credentials (default $DOCKER_CONFIG/config.json, ~/.docker/config.json)")
	fs.StringVar(&f.username, "username", "", "registry user name (instead of the Docker config)")
	fs.BoolVar(&f.passwordStdin, "password-stdin", false, "read the password for --username from standard input")
	fs.IntVar(&f.retries, "retries", 0, "retries of 5xx/429 answers with backoff (0: default 5; -1: none)")
}

func (f *ociRemoteFlags) options(e *env) (oci.RemoteOptions, error) {
	o := oci.RemoteOptions{
		PlainHTTP: f.plainHTTP, CAFile: f.caFile, Insecure: f.insecure,
		DockerConfig: f.registryConfig, Username: f.username, MaxRetries: f.retries,
		UserAgent: "seccompctl/" + ociVersion(),
	}
	if f.passwordStdin {
		if f.username == "" {
			return o, errors.New("--password-stdin needs --username")
		}
		line, err := bufio.NewReader(io.LimitReader(e.stdin, 64<<10)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return o, fmt.Errorf("reading the password: %w", err)
		}
		o.Password = strings.TrimRight(line, "\r\n")
	}
	return o, nil
}

// ociVersion is the version for the User-Agent.
func ociVersion() string {
	if version != "" {
		return version
	}
	return "devel"
}

// ociFail prints err for command cmd: an error about a local profile file
// in the CLI's FILE:LINE:COL: path: message form, anything else prefixed
// by cmd. (A pulled profile's error keeps the reference it came from.)
func ociFail(e *env, cmd string, err error) int {
	var pe *profile.Error
	if errors.As(err, &pe) {
		return e.errorf(exitInput, "%s", pe.Error())
	}
	return e.errorf(exitInput, "%s: %v", cmd, err)
}

// ociJSON writes v as one line of JSON (a JSON-lines stream for sync).
func ociJSON(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }

// ociCheckOutput validates --output.
func ociCheckOutput(e *env, cmd, output string) bool {
	if output == "text" || output == "json" {
		return true
	}
	e.errorf(exitInput, "%s: --output: %q is not text or json", cmd, output)
	return false
}

type pullReport struct {
	Reference string `json:"reference"`
	Pinned    string `json:"pinned"`
	Digest    string `json:"digest"`
	Size      int    `json:"size"`
	File      string `json:"file,omitempty"`
	FromCache bool   `json:"fromCache"`
	Title     string `json:"title,omitempty"`
}

func runPull(e *env) int {
	var rf ociRemoteFlags
	fs := newFlagSet(e, "pull", "[flags] REF")
	rf.register(fs)
	out := fs.String("o", "", "write the profile to `file` (atomically) instead of standard output")
	cacheDir := fs.String("cache", "", "OCI layout `dir` to cache artifacts in; a cached digest needs no network")
	offline := fs.Bool("offline", false, "use only --cache")
	maxSize := fs.Int64("max-size", oci.DefaultMaxSize, "largest profile `bytes` accepted (CRI-O: 1 MiB)")
	output := fs.String("output", "text", "text or json (json: a report on standard output; needs -o)")
	if status, ok := parseFlags(e, fs); !ok {
		return status
	}
	if !ociCheckOutput(e, "pull", *output) {
		return exitInput
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitInput
	}
	if *output == "json" && *out == "" {
		return e.errorf(exitInput, "pull: --output json reports on standard output, so the profile needs -o FILE")
	}
	remote, err := rf.options(e)
	if err != nil {
		return e.errorf(exitInput, "pull: %v", err)
	}
	opts := oci.PullOptions{Remote: remote, MaxSize: *maxSize, Offline: *offline}
	if *cacheDir != "" {
		if opts.Cache, err = oci.OpenCache(*cacheDir); err != nil {
			return e.errorf(exitInput, "pull: %v", err)
		}
	} else if *offline {
		return e.errorf(exitInput, "pull: --offline needs --cache")
	}
	a, err := oci.Pull(e.ctx, fs.Arg(0), opts)
	if err != nil {
		return e.errorf(exitInput, "pull: %v", err)
	}
	if *out != "" {
		if err := oci.WriteFileAtomic(*out, a.Data, 0o644); err != nil {
			return e.errorf(exitInput, "pull: %v", err)
		}
	} else if _, err := e.stdout.Write(a.Data); err != nil {
		return e.errorf(exitInput, "pull: %v", err)
	}
	pinned := a.Reference.WithDigest(a.Digest).String()
	if *output == "json" {
		rep := pullReport{Reference: fs.Arg(0), Pinned: pinned, Digest: a.Digest.String(), Size: len(a.Data),
			File: *out, FromCache: a.FromCache, Title: a.Layer.Annotations[oci.AnnotationTitle]}
		if err := ociJSON(e.stdout, rep); err != nil {
			return e.errorf(exitInput, "pull: %v", err)
		}
		return exitOK
	}
	from := ""
	if a.FromCache {
		from = " from the cache"
	}
	fmt.Fprintf(e.stderr, "seccompctl: pulled %s (%d bytes)%s\n", pinned, len(a.Data), from)
	return exitOK
}
