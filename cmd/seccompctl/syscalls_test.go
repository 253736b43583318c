package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/syscalls"
)

func runCLI(t *testing.T, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	status = run(t.Context(), args, strings.NewReader(""), &out, &errb)
	return status, out.String(), errb.String()
}

func TestSyscallsLookup(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		status int
		stdout string
		stderr string // substring; "" means stderr must be empty
	}{
		{"name", []string{"--arch", "x86_64", "read"}, exitOK, "0\n", ""},
		{"number", []string{"--arch", "aarch64", "openat", "56"}, exitOK, "56\nopenat\n", ""},
		{"x32", []string{"--arch", "SCMP_ARCH_X32", "read", "0x40000000"}, exitOK, "1073741824\nread\n", ""},
		{"mips n32", []string{"--arch", "mipsel64n32", "read", "6000"}, exitOK, "6000\nread\n", ""},
		{"mips o32 via GOARCH", []string{"--arch", "mipsle", "read"}, exitOK, "4003\n", ""},
		{"single-dash flag", []string{"-arch=arm64", "openat"}, exitOK, "56\n", ""},
		{"removed syscall", []string{"--arch", "amd64", "_sysctl", "156"}, exitOK, "156\n_sysctl\n", ""},
		{"newest", []string{"--arch", "x86_64", "rseq_slice_yield"}, exitOK, "471\n", ""},
		{"shared number", []string{"--arch", "arm", "sync_file_range2", "341"}, exitOK, "341\narm_sync_file_range\n", ""},
		{"leading zero is decimal", []string{"--arch", "x86_64", "010"}, exitOK, "mprotect\n", ""},
		{"unknown name, others printed", []string{"--arch", "x86_64", "read", "no_such_call", "write"}, exitFinding, "0\n1\n", `"no_such_call": unknown syscall`},
		{"absent on arch", []string{"--arch", "aarch64", "open"}, exitFinding, "", `"open": not a syscall on SCMP_ARCH_AARCH64 (it is on x86, x86_64`},
		{"unknown number", []string{"--arch", "x86_64", "999"}, exitFinding, "", "999: no syscall with this number on SCMP_ARCH_X86_64"},
		{"x32 number on x86_64", []string{"--arch", "x86_64", "0x40000000"}, exitFinding, "", "--arch x32"},
		{"huge number", []string{"--arch", "x86_64", "99999999999999999999999"}, exitFinding, "", "no syscall with this number"},
		{"negative after a name", []string{"--arch", "x86_64", "read", "-1"}, exitFinding, "0\n", `"-1": unknown syscall`},
		{"malformed number", []string{"--arch", "x86_64", "12abc", "read"}, exitInput, "0\n", `"12abc": not a syscall number`},
		{"malformed beats unknown", []string{"--arch", "x86_64", "nope", "0x"}, exitInput, "", "not a syscall number"},
		{"unknown arch", []string{"--arch", "vax", "read"}, exitInput, "", `syscalls: --arch: unknown architecture: "vax"`},
		{"bad flag", []string{"--frobnicate"}, exitInput, "", "flag provided but not defined"},
		{"help", []string{"-h"}, exitOK, "", "usage: seccompctl syscalls"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, stdout, stderr := runCLI(t, append([]string{"syscalls"}, tt.args...)...)
			if status != tt.status {
				t.Errorf("status %d, want %d (stderr %q)", status, tt.status, stderr)
			}
			if stdout != tt.stdout {
				t.Errorf("stdout %q, want %q", stdout, tt.stdout)
			}
			if tt.stderr == "" && stderr != "" || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %q, want it to contain %q", stderr, tt.stderr)
			}
			for _, line := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
				if tt.status != exitOK && line != "" && !strings.HasPrefix(line, "seccompctl: ") && tt.name != "bad flag" {
					t.Errorf("stderr line without program prefix: %q", line)
				}
			}
		})
	}
}

func TestSyscallsTable(t *testing.T) {
	tests := []struct {
		args []string
		arch arch.Arch
	}{
		{[]string{"--arch", "x86_64"}, arch.X86_64},
		{[]string{"--arch", "SCMP_ARCH_MIPSEL64N32"}, arch.MIPSEL64N32},
		{[]string{"--arch", "s390x"}, arch.S390X},
		{nil, arch.Native()}, // the default
	}
	for _, tt := range tests {
		t.Run(tt.arch.ShortName(), func(t *testing.T) {
			if tt.arch == arch.Unknown {
				t.Skip("this GOARCH has no seccomp architecture")
			}
			status, stdout, stderr := runCLI(t, append([]string{"syscalls"}, tt.args...)...)
			if status != exitOK || stderr != "" {
				t.Fatalf("status %d, stderr %q", status, stderr)
			}
			var want strings.Builder
			for _, s := range syscalls.Table(tt.arch) {
				fmt.Fprintf(&want, "%d\t%s\n", s.Nr, s.Name)
			}
			if d := cmp.Diff(strings.Split(want.String(), "\n"), strings.Split(stdout, "\n")); d != "" {
				t.Errorf("table (-want +got):\n%s", d)
			}
		})
	}
	// Spot-check the format independently of the syscalls package.
	_, stdout, _ := runCLI(t, "syscalls", "--arch", "x86_64")
	if !strings.HasPrefix(stdout, "0\tread\n1\twrite\n2\topen\n") || !strings.Contains(stdout, "\n471\trseq_slice_yield\n") {
		t.Errorf("unexpected x86_64 table:\n%.200s", stdout)
	}
}

func TestSyscallsRegistered(t *testing.T) {
	_, stdout, _ := runCLI(t, "help")
	if !strings.Contains(stdout, "syscalls") {
		t.Errorf("help does not list syscalls:\n%s", stdout)
	}
}
