package record_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/record"
)

// Real record lines: the Kubernetes seccomp tutorial (syslog), the
// Security Profiles Operator's enricher tests (auditd, with the enriched
// fields after 0x1d), a ChromeOS audit.log sample (aarch64, kill), and
// ausearch -i output.
const auditSamples = "" +
	`Jul  6 15:37:40 my-machine kernel: [369128.669452] audit: type=1326 audit(1594067860.484:14536): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=29064 comm="http-echo" exe="/http-echo" sig=0 arch=c000003e syscall=51 compat=0 ip=0x46fe1f code=0x7ffc0000` + "\n" +
	`Jul  6 15:37:40 my-machine kernel: [369128.669453] audit: type=1326 audit(1594067860.484:14537): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=29064 comm="http-echo" exe="/http-echo" sig=0 arch=c000003e syscall=54 compat=0 ip=0x46fdba code=0x7ffc0000` + "\n" +
	`type=SECCOMP msg=audit(1613596317.899:6461): auid=4294967295 uid=0 gid=0 ses=4294967295 subj=system_u:system_r:spc_t:s0:c284,c594 pid=2039886 comm="ls" exe="/bin/ls" sig=0 arch=c000003e syscall=3 compat=0 ip=0x7f62dce3d4c7 code=0x7ffc0000` + "\x1d" + `AUID="unset" UID="root" GID="root" ARCH=x86_64 SYSCALL=close` + "\n" +
	`type=SECCOMP msg=audit(1750922692.830:4911): auid=4294967295 uid=1000 gid=1001 ses=4294967295 subj=u:r:cros_disks:s0 pid=83658 comm="AsyncLocalStore" exe="/opt/google/drive-file-stream/drivefs" sig=31 arch=c00000b7 syscall=227 compat=0 ip=0x7d0767988c code=0x80000000` + "\n" +
	`type=SECCOMP msg=audit(08/05/2026 11:52:07.114:3319) : auid=unset uid=10001 gid=10001 ses=unset pid=52140 comm=sh exe=/bin/busybox sig=SIGSYS arch=x86_64 syscall=ptrace compat=0 ip=0x7f1a2b3c4d5e code=kill_process` + "\n" +
	`10.5.0.3: kern:  notice: [2022-07-28T11:49:44.898306063Z]: audit: type=1326 audit(1659008985.461:33): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=2784 comm="runc:[2:INIT]" exe="/" sig=0 arch=c000003e syscall=59 compat=0 ip=0x55ec0657be16 code=0x7ffc0000` + "\n" +
	`[ 1505.588886] audit: type=1326 audit(1795333839.089:1634): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=9924 comm="fuzz.test" exe="/tmp/fuzz.test" sig=31 arch=40000003 syscall=102 compat=1 ip=0x40de0e code=0x0` + "\n" +
	`type=SYSCALL msg=audit(1613596317.899:6462): arch=c000003e syscall=59 success=yes exit=0` + "\n" +
	`type=SECCOMP msg=audit(1613596317.899:6463): pid=1 comm="x" sig=0 syscall=3 code=0x7ffc0000` + "\n" +
	"unrelated line\n"

func TestParseAudit(t *testing.T) {
	tests := []struct {
		name      string
		opts      record.AuditOptions
		want      []string // arch/name pairs
		records   int
		filtered  int
		malformed int
	}{
		{
			name:      "all",
			want:      []string{"x86_64/close", "x86_64/execve", "x86_64/getsockname", "x86_64/setsockopt", "x86_64/ptrace", "x86/socketcall", "aarch64/msync"},
			records:   7,
			malformed: 1,
		},
		{
			name:      "by comm",
			opts:      record.AuditOptions{Comm: "http-echo"},
			want:      []string{"x86_64/getsockname", "x86_64/setsockopt"},
			records:   2,
			filtered:  5,
			malformed: 1,
		},
		{
			name:      "by pid and time",
			opts:      record.AuditOptions{Pid: 2039886, Since: time.Unix(1613596317, 0)},
			want:      []string{"x86_64/close"},
			records:   1,
			filtered:  6,
			malformed: 1,
		},
		{
			name:      "since",
			opts:      record.AuditOptions{Since: time.Unix(1700000000, 0)},
			want:      []string{"x86_64/ptrace", "aarch64/msync", "x86/socketcall"},
			records:   3,
			filtered:  4,
			malformed: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, stats, err := record.ParseAudit(strings.NewReader(auditSamples), tt.opts)
			require.NoError(t, err)
			var got []string
			for _, c := range rec.Calls() {
				got = append(got, c.Arch.ShortName()+"/"+c.Name)
			}
			assert.ElementsMatch(t, tt.want, got)
			assert.Equal(t, 10, stats.Lines)
			assert.Equal(t, tt.records, stats.Records)
			assert.Equal(t, tt.filtered, stats.Filtered)
			assert.Equal(t, tt.malformed, stats.Malformed)
			if tt.malformed > 0 {
				assert.Contains(t, stats.FirstMalformed, "line 9: no arch= field")
			}
		})
	}
}

func TestParseAuditRecord(t *testing.T) {
	lines := strings.Split(auditSamples, "\n")
	ar, err := record.ParseAuditRecord(lines[0])
	require.NoError(t, err)
	assert.Equal(t, record.AuditRecord{Time: time.Unix(1594067860, 484e6).UTC(), Pid: 29064, Comm: "http-echo", Exe: "/http-echo",
		AuditArch: arch.X86_64.Audit(), Nr: 51, Action: profile.ActLog}, roundTime(ar))
	ar, err = record.ParseAuditRecord(lines[4])
	require.NoError(t, err)
	assert.Equal(t, profile.ActKillProcess, ar.Action)
	assert.Equal(t, "sh", ar.Comm)
	assert.Equal(t, 2026, ar.Time.Year())

	for _, bad := range []string{"type=1326 no stamp arch=c000003e syscall=1", "type=1326 audit(1.0:1): arch=zz syscall=1", "type=1326 audit(1.0:1): arch=c000003e syscall=-4", "type=1326 audit(1.0:1): arch=c000003e syscall=nosuch"} {
		_, err := record.ParseAuditRecord(bad)
		assert.Error(t, err, bad)
	}
}

func roundTime(ar record.AuditRecord) record.AuditRecord {
	ar.Time = ar.Time.Round(time.Millisecond)
	return ar
}

func TestParseAuditLimits(t *testing.T) {
	_, _, err := record.ParseAudit(strings.NewReader(auditSamples), record.AuditOptions{MaxSize: 100})
	require.ErrorIs(t, err, record.ErrTooLarge)

	_, _, err = record.ParseAudit(strings.NewReader(strings.Repeat("x", 2<<20)), record.DefaultAuditOptions)
	require.Error(t, err, "a line longer than 1 MiB is refused, not buffered")

	_, _, err = record.ParseAudit(errReader{}, record.DefaultAuditOptions)
	require.Error(t, err)
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

// TestParseAuditKernel runs a program under a profile that logs uname(2)
// and reads what the kernel printed (the kernel writes audit records to
// its log when no audit daemon takes them).
func TestParseAuditKernel(t *testing.T) {
	kmsg, err := os.OpenFile("/dev/kmsg", os.O_RDONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		t.Skipf("cannot read the kernel log here: %v", err)
	}
	defer kmsg.Close()
	if _, err := kmsg.Seek(0, 2); err != nil { // SEEK_END: only new records
		t.Skipf("cannot seek /dev/kmsg: %v", err)
	}
	prof := filepath.Join(t.TempDir(), "log-uname.json")
	require.NoError(t, os.WriteFile(prof, []byte(`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["uname"], "action": "SCMP_ACT_LOG"}]}`), 0o644))
	cmd := exec.Command(self(t), prof, "/bin/uname")
	cmd.Env = append(os.Environ(), helperEnv+"=exec-under")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Run(), out.String())
	pid := cmd.Process.Pid

	// The kernel's audit thread prints asynchronously: read until our
	// record shows up (bounded, in case the log is rate-limited).
	var log strings.Builder
	deadline := time.Now().Add(5 * time.Second)
	buf := make([]byte, 8192)
	for time.Now().Before(deadline) && !strings.Contains(log.String(), fmt.Sprintf("pid=%d ", pid)) {
		n, err := unix.Read(int(kmsg.Fd()), buf)
		switch {
		case err == unix.EAGAIN:
			time.Sleep(20 * time.Millisecond)
		case err == unix.EPIPE: // overwritten records; go on
		case err != nil:
			t.Fatalf("reading /dev/kmsg: %v", err)
		default:
			log.Write(buf[:n])
			log.WriteByte('\n')
		}
	}
	if !strings.Contains(log.String(), fmt.Sprintf("pid=%d ", pid)) {
		t.Skip("no audit record in the kernel log (an audit daemon takes them, or printk is rate-limited)")
	}
	rec, stats, err := record.ParseAudit(strings.NewReader(log.String()), record.AuditOptions{Pid: pid})
	require.NoError(t, err)
	assert.Equal(t, 0, stats.Malformed)
	assert.Equal(t, map[profile.Action]int{profile.ActLog: stats.Records}, stats.Actions)
	got := names(rec)
	assert.Equal(t, map[string]bool{"uname": true}, got)
}
