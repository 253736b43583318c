/*
 * lsc-export: build a seccomp filter with libseccomp the way runc does and
 * write it out as a raw struct sock_filter array (seccomp_export_bpf).
 *
 * Usage: lsc-export OPTIMIZE < RULES > PROGRAM.raw
 *        lsc-export resolve ARCH < NAMES > NUMBERS
 *
 * RULES is the text bench.RuncRules writes (see bench/rules.go):
 *   default ACTION
 *   arch NAME                     (native first)
 *   rule ACTION NAME [index:op:datum_a:datum_b ...]
 * OPTIMIZE is 1 (libseccomp's default, a linear chain) or 2 (the binary
 * tree runc asks for when there are more than 32 rules).
 *
 * Like runc, names libseccomp does not know are skipped; each is reported
 * on stderr as "skip NAME". Any libseccomp error ends the program with
 * status 1, as it would fail the container's start under runc.
 *
 * "resolve" prints "NAME NUMBER" for each name (one a line) that this
 * libseccomp knows on ARCH (seccomp_syscall_resolve_name_arch), so that
 * callers can tell its syscall table from their own.
 */
#include <errno.h>
#include <inttypes.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 16

static int fail(const char *what, const char *detail, int rc)
{
	fprintf(stderr, "lsc-export: %s %s: %s\n", what, detail, strerror(-rc));
	return 1;
}

static int resolve(const char *archname)
{
	char line[256];
	uint32_t token = seccomp_arch_resolve_name(archname);
	if (token == 0) {
		fprintf(stderr, "lsc-export: unknown arch %s\n", archname);
		return 1;
	}
	while (fgets(line, sizeof(line), stdin) != NULL) {
		int nr;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0')
			continue;
		nr = seccomp_syscall_resolve_name_arch(token, line);
		if (nr >= 0)
			printf("%s %d\n", line, nr);
	}
	return 0;
}

int main(int argc, char **argv)
{
	char line[4096];
	scmp_filter_ctx ctx = NULL;
	int optimize, lineno = 0, rc;

	if (argc == 3 && strcmp(argv[1], "resolve") == 0)
		return resolve(argv[2]);
	if (argc != 2 || (optimize = atoi(argv[1])) < 1 || optimize > 2) {
		fprintf(stderr, "usage: lsc-export 1|2 < RULES > PROGRAM.raw\n"
				"       lsc-export resolve ARCH < NAMES\n");
		return 2;
	}
	while (fgets(line, sizeof(line), stdin) != NULL) {
		char *save = NULL, *word;
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		word = strtok_r(line, " ", &save);
		if (word == NULL || word[0] == '#')
			continue;
		if (strcmp(word, "default") == 0) {
			uint32_t act = strtoul(strtok_r(NULL, " ", &save), NULL, 0);
			ctx = seccomp_init(act);
			if (ctx == NULL) {
				fprintf(stderr, "lsc-export: seccomp_init(%#x) failed\n", act);
				return 1;
			}
			/* runc turns off libseccomp's own no_new_privs. */
			seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
			rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, optimize);
			if (rc < 0)
				return fail("optimize", argv[1], rc);
			continue;
		}
		if (ctx == NULL) {
			fprintf(stderr, "lsc-export: line %d: no default line first\n", lineno);
			return 1;
		}
		if (strcmp(word, "arch") == 0) {
			char *name = strtok_r(NULL, " ", &save);
			uint32_t token = seccomp_arch_resolve_name(name);
			if (token == 0) {
				fprintf(stderr, "lsc-export: line %d: unknown arch %s\n", lineno, name);
				return 1;
			}
			rc = seccomp_arch_add(ctx, token);
			if (rc < 0 && rc != -EEXIST)
				return fail("arch", name, rc);
			continue;
		}
		if (strcmp(word, "rule") == 0) {
			struct scmp_arg_cmp args[MAX_ARGS];
			unsigned int n = 0;
			uint32_t act = strtoul(strtok_r(NULL, " ", &save), NULL, 0);
			char *name = strtok_r(NULL, " ", &save);
			char *arg;
			int nr = seccomp_syscall_resolve_name(name);
			if (nr == __NR_SCMP_ERROR) {
				fprintf(stderr, "skip %s\n", name);
				continue;
			}
			while ((arg = strtok_r(NULL, " ", &save)) != NULL) {
				unsigned int index, op;
				uint64_t a, b;
				if (n == MAX_ARGS ||
				    sscanf(arg, "%u:%u:%" SCNx64 ":%" SCNx64, &index, &op, &a, &b) != 4) {
					fprintf(stderr, "lsc-export: line %d: bad argument %s\n", lineno, arg);
					return 1;
				}
				args[n].arg = index;
				args[n].op = op;
				args[n].datum_a = a;
				args[n].datum_b = b;
				n++;
			}
			rc = seccomp_rule_add_array(ctx, act, nr, n, args);
			if (rc < 0)
				return fail("rule", name, rc);
			continue;
		}
		fprintf(stderr, "lsc-export: line %d: unknown keyword %s\n", lineno, word);
		return 1;
	}
	if (ctx == NULL) {
		fprintf(stderr, "lsc-export: no rules\n");
		return 1;
	}
	rc = seccomp_export_bpf(ctx, 1);
	if (rc < 0)
		return fail("export", "bpf", rc);
	seccomp_release(ctx);
	return 0;
}
