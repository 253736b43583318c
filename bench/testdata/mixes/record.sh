#!/usr/bin/env bash
# Records the syscall mixes under this directory: each workload runs under
# `strace -f -c`, and the summary goes to NAME.strace behind a header that
# says how it was made. Run from the repository root:
#
#	bash bench/testdata/mixes/record.sh [NAME...]
#
# Needs strace, curl, git, tar, gzip, go and /usr/bin/python3. The
# workloads only read the repository; they write to a temporary directory.
set -euo pipefail

out="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$out/../../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
py=/usr/bin/python3

# record NAME DESCRIPTION COMMAND...: run COMMAND under strace -f -c.
record() {
	local name=$1 desc=$2
	shift 2
	strace -f -c -o "$work/$name.summary" "$@" >/dev/null 2>&1
	{
		echo "# mix: $name"
		echo "# what: $desc"
		printf '# command: strace -f -c'
		printf ' %q' "$@"
		echo
		echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
		echo "# kernel: $(uname -srm)"
		echo "# strace: $(strace -V | head -1)"
		cat "$work/$name.summary"
	} >"$out/$name.strace"
	echo "recorded $out/$name.strace" >&2
}

want() { [ $# -eq 0 ] || [[ " $* " == *" $name "* ]]; }

# A small Go program, built with a warm build cache (the usual edit-build
# loop): the go command, compile of one package, and link.
mix_go_build() {
	mkdir -p "$work/hello"
	cat >"$work/hello/main.go" <<'GO'
package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
)

func main() {
	b, _ := json.Marshal(map[string]int{"a": 1})
	fmt.Println(string(b), http.StatusOK, os.Getpid())
}
GO
	printf 'module hello\n\ngo 1.22\n' >"$work/hello/go.mod"
	record go-build "go build of a 10-line program (warm GOCACHE, fresh module)" \
		env -C "$work/hello" GOFLAGS=-mod=mod go build -o "$work/hello/hello" .
}

# Archive the repository's sources and unpack them again.
mix_tar_gzip() {
	record tar-gzip "tar+gzip the repository (without .git), then gunzip+untar it" \
		sh -c 'tar -C "$1" --exclude=.git -czf "$2/src.tgz" . && mkdir -p "$2/x" && tar -C "$2/x" -xzf "$2/src.tgz"' sh "$repo" "$work"
}

# A shell script: builtins, pipes and many short-lived processes.
mix_sh_loop() {
	record sh-loop "sh loop: 300 iterations of a pipeline (ls | wc), test, printf into a file" \
		sh -c 'i=0; while [ $i -lt 300 ]; do n=$(ls /usr/bin | wc -l); printf "%s %s\n" $i $n >>"$1/log"; i=$((i+1)); done' sh "$work"
}

# git status on this repository, without taking the index lock (other
# engineers commit here).
mix_git_status() {
	record git-status "git --no-optional-locks status, 5 times, on this repository" \
		sh -c 'for i in 1 2 3 4 5; do git -C "$1" --no-optional-locks status --porcelain >/dev/null; done' sh "$repo"
}

# A Python program: imports, hashing, JSON, a few files.
mix_python() {
	record python "python3: import stdlib modules, hash 20 MB, JSON round trips, write and read 200 files" \
		"$py" -c '
import hashlib, json, os, sys, tempfile
d = tempfile.mkdtemp()
h = hashlib.sha256()
for i in range(20):
    h.update(os.urandom(1 << 20))
for i in range(200):
    p = os.path.join(d, "f%d.json" % i)
    with open(p, "w") as f:
        json.dump({"i": i, "h": h.hexdigest()}, f)
    with open(p) as f:
        json.load(f)
    os.unlink(p)
os.rmdir(d)
'
}

# An HTTP server on 127.0.0.1 (Python's http.server, one process)
# answering 300 curl requests; only the server is traced.
mix_http_server() {
	local port=18080
	mkdir -p "$work/www"
	head -c 65536 /dev/urandom >"$work/www/blob"
	echo hello >"$work/www/index.html"
	strace -f -c -o "$work/http-server.summary" "$py" -m http.server --bind 127.0.0.1 --directory "$work/www" "$port" >/dev/null 2>&1 &
	local pid=$!
	for _ in $(seq 50); do curl -fsS -o /dev/null "http://127.0.0.1:$port/index.html" 2>/dev/null && break; sleep 0.1; done
	for i in $(seq 150); do
		curl -fsS -o /dev/null "http://127.0.0.1:$port/index.html"
		curl -fsS -o /dev/null "http://127.0.0.1:$port/blob"
	done
	# An asynchronous command of a non-interactive shell ignores SIGINT, so
	# end the server (strace's only child) with SIGTERM; strace then
	# writes the summary and exits.
	kill -TERM "$(pgrep -P "$pid")"
	wait "$pid" || true
	{
		echo "# mix: http-server"
		echo "# what: python3 -m http.server on 127.0.0.1 serving 300 curl GETs (150 x 6 B, 150 x 64 KiB); only the server is traced"
		echo "# command: strace -f -c $py -m http.server --bind 127.0.0.1 --directory WWW $port & (curl loop, then SIGTERM to the server)"
		echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
		echo "# kernel: $(uname -srm)"
		echo "# strace: $(strace -V | head -1)"
		cat "$work/http-server.summary"
	} >"$out/http-server.strace"
	echo "recorded $out/http-server.strace" >&2
}

for name in go-build tar-gzip sh-loop git-status python http-server; do
	if want "$@"; then
		"mix_${name//-/_}"
	fi
done
