package record

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/syscalls"
)

// AuditOptions control ParseAudit.
type AuditOptions struct {
	// MaxSize is the most input read, in bytes; more fails with
	// ErrTooLarge. Zero means 256 MiB; negative means no limit.
	MaxSize int64
	// Since skips records stamped before it (zero: keep all).
	Since time.Time
	// Comm, Exe and Pid, when set, keep only records of that command name
	// (comm=), executable (exe=) or process id (pid=).
	Comm string
	Exe  string
	Pid  int
}

// DefaultAuditOptions read up to 256 MiB and keep every record.
var DefaultAuditOptions = AuditOptions{}

const defaultAuditMax = 256 << 20

// AuditStats describe what ParseAudit read.
type AuditStats struct {
	Lines     int // lines read
	Records   int // SECCOMP records used
	Filtered  int // SECCOMP records skipped by Since, Comm, Exe or Pid
	Malformed int // SECCOMP records that could not be read
	// FirstMalformed is the first malformed record's line number and
	// why, for a message.
	FirstMalformed string
	// Actions counts the records by the filter's action (code=).
	Actions map[profile.Action]int
}

// AuditRecord is one SECCOMP audit record (AUDIT_SECCOMP, type 1326),
// which the kernel writes for a syscall whose filter action is logged:
// SCMP_ACT_LOG always, the others as /proc/sys/kernel/seccomp/actions_logged
// says.
type AuditRecord struct {
	Time      time.Time
	Pid       int
	Comm, Exe string
	AuditArch uint32
	Nr        int32
	// Action is the filter's return value (code=).
	Action profile.Action
}

// ParseAudit reads audit or kernel log text and records the syscalls of
// its SECCOMP records. It understands the forms the record takes:
//
//	type=SECCOMP msg=audit(1613596317.899:6461): auid=... pid=2039886 comm="ls" exe="/bin/ls" sig=0 arch=c000003e syscall=3 compat=0 ip=0x7f62dce3d4c7 code=0x7ffc0000
//	Jul  6 15:37:40 host kernel: [369128.669452] audit: type=1326 audit(1594067860.484:14536): ... arch=c000003e syscall=51 ...
//	type=SECCOMP msg=audit(08/05/2026 11:52:07.114:3319) : ... arch=x86_64 syscall=ptrace compat=0 ip=... code=kill_process
//
// (audit.log, with or without auditd's enriched AUID=... fields; dmesg,
// journalctl -k and syslog; ausearch -i). Other lines are skipped.
// Records that cannot be read are counted in the stats, not errors: logs
// are often cut mid-line by rotation.
func ParseAudit(r io.Reader, opts AuditOptions) (*Recording, AuditStats, error) {
	rec := NewRecording()
	stats := AuditStats{Actions: map[profile.Action]int{}}
	max := opts.MaxSize
	if max == 0 {
		max = defaultAuditMax
	}
	lr := &countingReader{r: r}
	var src io.Reader = lr
	if max > 0 {
		src = io.LimitReader(lr, max+1)
	}
	sc := bufio.NewScanner(src)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		stats.Lines++
		line := sc.Text()
		if !isSeccompRecord(line) {
			continue
		}
		ar, err := ParseAuditRecord(line)
		if err != nil {
			stats.Malformed++
			if stats.FirstMalformed == "" {
				stats.FirstMalformed = fmt.Sprintf("line %d: %v", stats.Lines, err)
			}
			continue
		}
		if !opts.keep(ar) {
			stats.Filtered++
			continue
		}
		stats.Records++
		stats.Actions[ar.Action]++
		a, ok := CallArch(ar.AuditArch, ar.Nr)
		if !ok {
			rec.unknown[ar.AuditArch]++
			continue
		}
		rec.AddCall(Call{Arch: a, Nr: int(ar.Nr)}, 1)
	}
	if max > 0 && lr.n > max {
		return nil, stats, fmt.Errorf("%w: more than %d bytes of log", ErrTooLarge, max)
	}
	if err := sc.Err(); err != nil {
		return nil, stats, fmt.Errorf("record: reading the log: line %d: %w", stats.Lines+1, err)
	}
	return rec, stats, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (o *AuditOptions) keep(ar AuditRecord) bool {
	if !o.Since.IsZero() && !ar.Time.IsZero() && ar.Time.Before(o.Since) {
		return false
	}
	if o.Comm != "" && ar.Comm != o.Comm {
		return false
	}
	if o.Exe != "" && ar.Exe != o.Exe {
		return false
	}
	if o.Pid != 0 && ar.Pid != o.Pid {
		return false
	}
	return true
}

func isSeccompRecord(line string) bool {
	return strings.Contains(line, "type=1326 ") || strings.Contains(line, "type=SECCOMP ")
}

// auditFields splits a record into key=value fields. Values may be
// double-quoted; auditd separates its enriched fields with 0x1d.
func auditFields(s string) map[string]string {
	out := map[string]string{}
	for len(s) > 0 {
		s = strings.TrimLeft(s, " \t\x1d")
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			break
		}
		key := s[:eq]
		if i := strings.LastIndexAny(key, " \t\x1d"); i >= 0 {
			key = key[i+1:]
		}
		s = s[eq+1:]
		var val string
		if strings.HasPrefix(s, `"`) {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				val, s = s[1:], ""
			} else {
				val, s = s[1:end+1], s[end+2:]
			}
		} else {
			end := strings.IndexAny(s, " \t\x1d")
			if end < 0 {
				end = len(s)
			}
			val, s = s[:end], s[end:]
		}
		if _, dup := out[key]; !dup {
			out[key] = val
		}
	}
	return out
}

// ParseAuditRecord reads one SECCOMP record line (see ParseAudit).
func ParseAuditRecord(line string) (AuditRecord, error) {
	var ar AuditRecord
	i := strings.Index(line, "audit(")
	if i < 0 {
		return ar, fmt.Errorf("no audit(...) stamp")
	}
	stampEnd := strings.IndexByte(line[i:], ')')
	if stampEnd < 0 {
		return ar, fmt.Errorf("unterminated audit(...) stamp")
	}
	ar.Time = auditTime(line[i+len("audit(") : i+stampEnd])
	f := auditFields(line[i+stampEnd+1:])

	archVal, ok := f["arch"]
	if !ok {
		return ar, fmt.Errorf("no arch= field")
	}
	if v, err := strconv.ParseUint(archVal, 16, 32); err == nil {
		ar.AuditArch = uint32(v)
	} else {
		a, err := arch.Parse(archVal)
		if err != nil {
			return ar, fmt.Errorf("arch=%s: %v", archVal, err)
		}
		ar.AuditArch = a.Audit()
	}
	sc, ok := f["syscall"]
	if !ok {
		return ar, fmt.Errorf("no syscall= field")
	}
	if v, err := strconv.ParseInt(sc, 10, 64); err == nil {
		if v < 0 || v > 0xffffffff {
			return ar, fmt.Errorf("syscall=%s out of range", sc)
		}
		ar.Nr = int32(uint32(v))
	} else {
		// ausearch -i names the syscall; the arch says which table.
		a, ok := CallArch(ar.AuditArch, 0)
		if !ok {
			return ar, fmt.Errorf("syscall=%s on an unknown architecture", sc)
		}
		nr, ok := syscalls.Number(a, sc)
		if !ok {
			return ar, fmt.Errorf("syscall=%s: not a syscall on %s", sc, a)
		}
		ar.Nr = int32(nr)
	}
	if p, ok := f["pid"]; ok {
		ar.Pid, _ = strconv.Atoi(p)
	}
	ar.Comm, ar.Exe = f["comm"], f["exe"]
	if c, ok := f["code"]; ok {
		ar.Action = auditAction(c)
	}
	return ar, nil
}

// auditTime reads "1594067860.484:14536" (seconds since the epoch) or
// ausearch -i's "08/05/2026 11:52:07.114:3319" (local time).
func auditTime(s string) time.Time {
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC()
	}
	if t, err := time.ParseInLocation("01/02/2006 15:04:05.000", s, time.Local); err == nil {
		return t
	}
	return time.Time{}
}

// auditAction reads code=: a hex SECCOMP_RET_* value, or ausearch -i's
// name (kill_process, errno, log, ...).
func auditAction(s string) profile.Action {
	if v, err := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 32); err == nil {
		return profile.Action(v)
	}
	switch s {
	case "kill_process":
		return profile.ActKillProcess
	case "kill", "kill_thread":
		return profile.ActKillThread
	case "trap":
		return profile.ActTrap
	case "errno":
		return profile.ActErrno
	case "user_notif":
		return profile.ActNotify
	case "trace":
		return profile.ActTrace
	case "log":
		return profile.ActLog
	case "allow":
		return profile.ActAllow
	}
	return profile.ActKillThread
}
