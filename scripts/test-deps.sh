#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine, and nothing that is
# already there. Idempotent; safe to run before every test run.
set -euo pipefail

need_apt=()
command -v scmp_sys_resolver >/dev/null 2>&1 || need_apt+=(seccomp)
[ -e /usr/include/seccomp.h ] || need_apt+=(libseccomp-dev)
command -v docker-registry >/dev/null 2>&1 || need_apt+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || need_apt+=(skopeo)
command -v htpasswd >/dev/null 2>&1 || need_apt+=(apache2-utils)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
command -v strace >/dev/null 2>&1 || need_apt+=(strace)
command -v gcc >/dev/null 2>&1 || need_apt+=(gcc)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkgconf)
[ -x /usr/bin/python3 ] || need_apt+=(python3-minimal)

if [ ${#need_apt[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "test-deps: missing ${need_apt[*]}; run as root or install them" >&2
		exit 1
	fi
	echo "test-deps: apt-get install ${need_apt[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# The oras CLI: `go install oras.land/oras/cmd/oras@v1.2.3` does not work
# (replace directives), so build it from the module cache.
ORAS_VERSION=v1.2.3
gobin="$(go env GOPATH)/bin"
if ! "$gobin/oras" version 2>/dev/null | grep -q "${ORAS_VERSION#v}"; then
	echo "test-deps: building oras $ORAS_VERSION" >&2
	GOFLAGS=-mod=mod go mod download oras.land/oras@"$ORAS_VERSION"
	moddir="$(go env GOMODCACHE)/oras.land/oras@$ORAS_VERSION"
	(cd "$moddir" && CGO_ENABLED=0 go build -trimpath -o "$gobin/oras" ./cmd/oras)
fi
