# `make test` sets up what the tests need (see scripts/test-deps.sh) and runs
# every test; CI runs exactly this. `make demo` builds the CLI and runs it on
# Docker's default profile.
GO ?= go
export PATH := $(shell $(GO) env GOPATH)/bin:$(PATH)

.PHONY: all build test test-deps unit compat fuzz-smoke cover demo lint

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/seccompctl ./cmd/seccompctl

test-deps:
	./scripts/test-deps.sh

# SECCOMPCTL_REQUIRE_TOOLS makes tests that need docker-registry, oras,
# skopeo or scmp_sys_resolver fail instead of skipping when one is missing.
unit:
	CGO_ENABLED=0 $(GO) vet ./...
	SECCOMPCTL_REQUIRE_TOOLS=1 $(GO) test -count=1 ./...

# The libseccomp comparison: its own module (cgo, runc built with its
# seccomp tag), so the main module never needs cgo. Needs root.
compat:
	cd compat && CGO_ENABLED=1 $(GO) vet -tags seccomp ./... && CGO_ENABLED=1 $(GO) test -count=1 -tags seccomp ./...

# Every fuzz target for a fixed number of executions, about 20 s each here
# (go test takes one -fuzz target per run). Counts, not durations: with a
# duration, Go 1.26's fuzz coordinator can report "context deadline
# exceeded" at the deadline without any failing input (golang/go#75804,
# fixed in Go 1.27). FUZZTIME=30s (say) overrides every count. Run them for
# hours locally: see fuzz/README.md. A failure leaves its input under the
# package's testdata/fuzz/.
FUZZTIME ?=
FUZZ_TARGETS = ./fuzz:FuzzParse:80000x ./fuzz:FuzzCompile:10000x ./fuzz:FuzzEmulator:60000x \
	./fuzz:FuzzRaw:80000x ./oci:FuzzManifest:40000x ./oci:FuzzAnnotations:100000x \
	./oci:FuzzParseReference:150000x
fuzz-smoke:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; rest=$${t#*:}; fn=$${rest%%:*}; n=$${rest#*:}; \
		if [ -n "$(FUZZTIME)" ]; then n=$(FUZZTIME); fi; \
		echo "fuzz $$pkg $$fn for $$n"; \
		$(GO) test $$pkg -run=NONE -fuzz="^$$fn\$$" -fuzztime=$$n -fuzzminimizetime=5s; \
	done

test: test-deps unit compat fuzz-smoke

demo: build
	./bin/seccompctl check examples/docker-default.json
	./bin/seccompctl compile --format text examples/docker-default.json | head -20
	./bin/seccompctl simulate examples/docker-default.json personality 0xffffffff
	./bin/seccompctl simulate --arch x86 examples/docker-default.json socketcall 1
	./bin/seccompctl simulate examples/docker-default.json mount
	./bin/seccompctl compile --format raw -o /tmp/seccompctl-docker.bpf examples/docker-default.json
	./bin/seccompctl disasm /tmp/seccompctl-docker.bpf | tail -5
	./bin/seccompctl syscalls --arch aarch64 openat

# Statement coverage across the module: per package, then the total.
cover:
	$(GO) test -count=1 -coverprofile=coverage.out ./...
	$(GO) tool cover -func=coverage.out | tail -1

lint:
	@test -z "$$(gofmt -l .)" || (gofmt -l .; exit 1)
	$(GO) vet ./...
