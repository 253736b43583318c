package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/profile"
)

const kubeAuditLines = `Jul  6 15:37:40 my-machine kernel: [369128.669452] audit: type=1326 audit(1594067860.484:14536): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=29064 comm="http-echo" exe="/http-echo" sig=0 arch=c000003e syscall=51 compat=0 ip=0x46fe1f code=0x7ffc0000
Jul  6 15:37:40 my-machine kernel: [369128.669453] audit: type=1326 audit(1594067860.484:14537): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=29064 comm="http-echo" exe="/http-echo" sig=0 arch=c000003e syscall=54 compat=0 ip=0x46fdba code=0x7ffc0000
Jul  6 15:37:41 my-machine kernel: [369128.669455] audit: type=1326 audit(1594067861.484:14538): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=29065 comm="sh" exe="/bin/sh" sig=0 arch=c000003e syscall=1 compat=0 ip=0x46fdba code=0x7ffc0000
`

func TestAudit2ProfileCommand(t *testing.T) {
	log := writeTemp(t, "syslog", kubeAuditLines)
	var stdout, stderr strings.Builder
	status := run(t.Context(), []string{"audit2profile", "--comm", "http-echo"}, strings.NewReader(kubeAuditLines), &stdout, &stderr)
	require.Equal(t, exitOK, status, stderr.String())
	assert.Contains(t, stderr.String(), "2 records, 2 distinct syscalls (SCMP_ACT_LOG: 2)")
	p, err := profile.Parse([]byte(stdout.String()))
	require.NoError(t, err)
	assert.Equal(t, []string{"getsockname", "setsockopt"}, p.Syscalls[0].Names)

	// From a file, added to an existing profile.
	base := writeTemp(t, "base.json", `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}`)
	out := filepath.Join(t.TempDir(), "out.json")
	status, _, errs := runCLI(t, "audit2profile", "--profile", base, "--since", "1594067861", "-o", out, log)
	require.Equal(t, exitOK, status, errs)
	p, err = profile.ParseFile(out)
	require.NoError(t, err)
	assert.Equal(t, []string{"read", "write"}, p.Syscalls[0].Names)

	tests := []struct {
		name   string
		args   []string
		status int
		stderr string
	}{
		{"nothing matches", []string{"--comm", "nginx", log}, exitFinding, "no SECCOMP audit records"},
		{"bad since", []string{"--since", "yesterday-ish", log}, exitInput, "--since"},
		{"too large", []string{"--max-size", "10", log}, exitInput, "input too large"},
		{"missing file", []string{"/no/such/log"}, exitInput, "no such file"},
		{"two files", []string{log, log}, exitInput, "usage: seccompctl audit2profile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, stderr := runCLI(t, append([]string{"audit2profile"}, tt.args...)...)
			assert.Equal(t, tt.status, status)
			assert.Contains(t, stderr, tt.stderr)
		})
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"10m", now.Add(-10 * time.Minute), true},
		{"1594067860", time.Unix(1594067860, 0), true},
		{"2025-07-06T15:37:40Z", time.Date(2025, 7, 6, 15, 37, 40, 0, time.UTC), true},
		{"-5m", time.Time{}, false},
		{"soon", time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := parseSince(tt.in, now)
		if !tt.ok {
			assert.Error(t, err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.True(t, tt.want.Equal(got), "%s: %v", tt.in, got)
	}
}
