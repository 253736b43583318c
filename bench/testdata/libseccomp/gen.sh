#!/usr/bin/env bash
# Builds lsc-export.c against the system's libseccomp (Debian:
# libseccomp-dev) and writes, for each *.rules file here, the raw
# programs libseccomp generates with OPTIMIZE=1 and OPTIMIZE=2:
#
#	bash bench/testdata/libseccomp/gen.sh OUTDIR
#
# gives OUTDIR/NAME.opt1.raw and OUTDIR/NAME.opt2.raw. These are
# libseccomp's output only; runc prepends its ENOSYS stub before loading
# (seccompbench -libseccomp adds it, see bench.RuncStub). Regenerate the
# .rules files with
#
#	go run ./bench/cmd/seccompbench -rules docker-default > bench/testdata/libseccomp/docker-default.rules
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: gen.sh OUTDIR}"
mkdir -p "$out"
gcc -O2 -Wall -Werror -o "$out/lsc-export" "$here/lsc-export.c" -lseccomp
for rules in "$here"/*.rules; do
	name="$(basename "$rules" .rules)"
	for opt in 1 2; do
		"$out/lsc-export" "$opt" <"$rules" >"$out/$name.opt$opt.raw" 2>"$out/$name.opt$opt.log"
	done
	echo "$out/$name.opt1.raw $out/$name.opt2.raw" >&2
done
