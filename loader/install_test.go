package loader

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
)

func dockerDefault(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "examples", "docker-default.json"))
	require.NoError(t, err)
	return string(b)
}

// oneRule is a profile that allows everything but getppid.
func oneRule(action string, extra string) string {
	return fmt.Sprintf(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getppid"],"action":%q%s}]}`, action, extra)
}

// TestLoaderActions installs one program per action in a child and makes
// the filtered syscall there.
func TestLoaderActions(t *testing.T) {
	docker := dockerDefault(t)
	type want struct {
		errno   int   // errno of the call; 0 for success
		ret     int64 // return value when errno is 0 and ret != 0
		signal  syscall.Signal
		exit    int    // exit status when the child died without a result
		stderr  string // substring of stderr
		noChild bool
	}
	tests := []struct {
		name       string
		profile    string
		rt         profile.Runtime
		nr         int
		args       [6]uint64
		allThreads bool
		want       want
	}{
		{name: "errno custom", profile: oneRule("SCMP_ACT_ERRNO", `,"errnoRet":122`), nr: unix.SYS_GETPPID, want: want{errno: int(unix.EDQUOT)}},
		{name: "errno default is EPERM", profile: oneRule("SCMP_ACT_ERRNO", ""), nr: unix.SYS_GETPPID, want: want{errno: int(unix.EPERM)}},
		{name: "errno via TSYNC", profile: oneRule("SCMP_ACT_ERRNO", `,"errnoRet":5`), nr: unix.SYS_GETPPID, allThreads: true, want: want{errno: int(unix.EIO)}},
		{name: "other syscall allowed", profile: oneRule("SCMP_ACT_ERRNO", ""), nr: unix.SYS_GETPID, want: want{ret: -2}},
		{name: "log allows", profile: oneRule("SCMP_ACT_LOG", ""), nr: unix.SYS_GETPPID, want: want{ret: int64(os.Getpid())}},
		{name: "kill process", profile: oneRule("SCMP_ACT_KILL_PROCESS", ""), nr: unix.SYS_GETPPID, want: want{signal: syscall.SIGSYS}},
		{name: "trap reaches the Go runtime's SIGSYS handler", profile: oneRule("SCMP_ACT_TRAP", ""), nr: unix.SYS_GETPPID,
			want: want{exit: 2, stderr: "SIGSYS: bad system call"}},
		{name: "docker: unshare(CLONE_NEWUSER) refused", profile: docker, nr: unix.SYS_UNSHARE, args: [6]uint64{unix.CLONE_NEWUSER}, want: want{errno: int(unix.EPERM)}},
		{name: "docker: getppid allowed", profile: docker, nr: unix.SYS_GETPPID, want: want{ret: int64(os.Getpid())}},
		{name: "docker runc: number above the table gets ENOSYS", profile: docker, rt: profile.RuntimeRunc, nr: 1000, want: want{errno: int(unix.ENOSYS)}},
		{name: "docker crun: number above the table gets EPERM", profile: docker, rt: profile.RuntimeCrun, nr: 1000, want: want{errno: int(unix.EPERM)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prog, _ := compileProfile(t, tt.profile, tt.rt)
			spec := specFor(prog)
			spec.Scenario, spec.Nr, spec.Args, spec.AllThreads = "call", tt.nr, tt.args, tt.allThreads
			res, st, stderr := runChildSpec(t, spec)
			if tt.want.signal != 0 || tt.want.exit != 0 {
				assert.Nil(t, res, "the child must not survive the call")
				ws := st.Sys().(syscall.WaitStatus)
				if tt.want.signal != 0 {
					require.True(t, ws.Signaled(), "status %v, stderr %s", st, stderr)
					assert.Equal(t, tt.want.signal, ws.Signal())
				} else {
					require.True(t, ws.Exited(), "status %v", st)
					assert.Equal(t, tt.want.exit, ws.ExitStatus())
					assert.Contains(t, stderr, tt.want.stderr)
				}
				return
			}
			require.NotNil(t, res, "stderr: %s", stderr)
			require.Empty(t, res.Err)
			assert.Equal(t, ModeFilter, res.Mode, "Seccomp of the installing thread")
			assert.True(t, res.NNP, "no_new_privs of the installing thread")
			assert.Equal(t, tt.want.errno, res.Errno, "errno %v", unix.Errno(res.Errno))
			switch {
			case tt.want.ret == -2:
				assert.Positive(t, res.Ret)
			case tt.want.ret != 0:
				assert.Equal(t, tt.want.ret, res.Ret)
			}
		})
	}
}

// TestLoaderTrapSigcode checks that the SIGSYS of a TRAP rule is the
// seccomp one (si_code SYS_SECCOMP = 1) that the Go runtime reports.
func TestLoaderTrapSigcode(t *testing.T) {
	prog, _ := compileProfile(t, oneRule("SCMP_ACT_TRAP", ""), "")
	spec := specFor(prog)
	spec.Scenario, spec.Nr = "call", unix.SYS_GETPPID
	_, _, stderr := runChildSpec(t, spec)
	assert.Contains(t, stderr, "sigcode=1", "si_code SYS_SECCOMP")
}

// TestLoaderLogAudit looks for the audit record a LOG rule leaves. Reading
// /dev/kmsg needs root and an audit subsystem without auditd; where that
// is not the case the test only checks that the call was allowed.
func TestLoaderLogAudit(t *testing.T) {
	prog, _ := compileProfile(t, oneRule("SCMP_ACT_LOG", ""), "")
	// Raw syscalls: an *os.File would wait in the poller instead of
	// returning EAGAIN at the end of the buffer.
	kmsg, kerr := unix.Open("/dev/kmsg", unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if kerr == nil {
		defer unix.Close(kmsg)
		_, kerr = unix.Seek(kmsg, 0, unix.SEEK_END) // only new records
	}
	spec := specFor(prog)
	spec.Scenario, spec.Nr = "call", unix.SYS_GETPPID
	c := startChild(t, spec)
	pid := c.cmd.Process.Pid
	res, _ := c.finish(t)
	require.NotNil(t, res, c.stderr.String())
	require.Zero(t, res.Errno)
	assert.Equal(t, int64(os.Getpid()), res.Ret)
	if kerr != nil {
		t.Logf("no audit check: /dev/kmsg: %v", kerr)
		return
	}
	var records []string
	buf := make([]byte, 8192)
	for {
		n, err := unix.Read(kmsg, buf)
		if err == unix.EPIPE || err == unix.EINTR {
			continue // a record was overwritten; go on
		}
		if err != nil || n <= 0 {
			break // EAGAIN: no more records
		}
		rec := string(buf[:n])
		if strings.Contains(rec, "type=1326") && strings.Contains(rec, fmt.Sprintf(" pid=%d ", pid)) {
			records = append(records, strings.TrimSpace(rec))
		}
	}
	if len(records) == 0 {
		t.Logf("no type=1326 record for pid %d in /dev/kmsg (auditd running, audit disabled, or rate-limited)", pid)
		return
	}
	t.Logf("audit record: %s", records[0])
	assert.Contains(t, records[0], fmt.Sprintf("syscall=%d", unix.SYS_GETPPID))
	assert.Contains(t, records[0], "code=0x7ffc0000", "SECCOMP_RET_LOG")
}

// TestLoaderTSYNC starts several threads before installing with TSYNC and
// checks that each of them is filtered and has no_new_privs.
func TestLoaderTSYNC(t *testing.T) {
	prog, _ := compileProfile(t, oneRule("SCMP_ACT_ERRNO", `,"errnoRet":77`), "")
	spec := specFor(prog)
	spec.Scenario, spec.Nr, spec.Threads = "tsync", unix.SYS_GETPPID, 6
	res, _, stderr := runChildSpec(t, spec)
	require.NotNil(t, res, stderr)
	require.Empty(t, res.Err)
	require.Len(t, res.Threads, 7)
	tids := map[int]bool{}
	for _, th := range res.Threads {
		tids[th.TID] = true
		assert.Equal(t, 77, th.Errno, "thread %d", th.TID)
		assert.Equal(t, ModeFilter, th.Mode, "thread %d", th.TID)
		assert.True(t, th.NoNewPrivs, "thread %d", th.TID)
	}
	assert.Len(t, tids, 7, "the threads must be distinct OS threads")
}

// TestLoaderTSYNCConflict: a thread with a filter of its own cannot be
// synchronized; the kernel names it, and nothing is installed.
func TestLoaderTSYNCConflict(t *testing.T) {
	prog, _ := compileProfile(t, oneRule("SCMP_ACT_ERRNO", ""), "")
	notify, _ := compileProfile(t, `{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/nonexistent","syscalls":[{"names":["getppid"],"action":"SCMP_ACT_NOTIFY"}]}`, "")
	spec := specFor(prog)
	spec.Scenario, spec.Insns2 = "tsync-conflict", notify.Insns
	res, _, stderr := runChildSpec(t, spec)
	require.NotNil(t, res, stderr)
	require.NotZero(t, res.Conflict, "steps: %v", res.Steps)
	assert.Contains(t, res.Is, "ErrThreadSync")
	assert.Equal(t, res.Conflict, res.TID, "TSYNCError.TID names the thread with its own filter")
	assert.Equal(t, ModeDisabled, res.Mode, "nothing installed on the calling thread")
	assert.True(t, res.NNP, "no_new_privs stays set (documented)")
	require.Len(t, res.Steps, 1)
	assert.Contains(t, res.Steps[0], "ErrThreadSync", "TSYNC_ESRCH with a listener: ESRCH")
	assert.Contains(t, res.Steps[0], "no such process")
}

// TestLoaderFailClosed: every refusal happens before the kernel is asked,
// or the kernel refuses atomically; either way the thread has no filter.
func TestLoaderFailClosed(t *testing.T) {
	allow, _ := compileProfile(t, oneRule("SCMP_ACT_ERRNO", ""), "")
	notify, _ := compileProfile(t, `{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/x","syscalls":[{"names":["getppid"],"action":"SCMP_ACT_NOTIFY"}]}`, "")
	badJump := specFor(allow)
	badJump.Insns = append(badJump.Insns[:0:0], badJump.Insns...)
	badJump.Insns[1].Jt = 250
	otherArch := specFor(allow)
	otherArch.Arches = []arch.Arch{arch.AArch64}
	empty := specFor(allow)
	empty.Insns = nil

	tests := []struct {
		name    string
		spec    childSpec
		is      string
		msg     string
		wantNNP bool
	}{
		{name: "empty program", spec: empty, is: "ErrInvalidProgram", msg: "empty program"},
		{name: "verifier rejects", spec: badJump, is: "ErrInvalidProgram", msg: "leaves the program"},
		{name: "program for another arch", spec: otherArch, is: "ErrInvalidProgram", msg: "SCMP_ARCH_AARCH64"},
		{name: "notify without listener", spec: specFor(notify), is: "ErrNoListener"},
		{name: "wait killable without listener", spec: withFlags(specFor(allow), FlagWaitKillableRecv), is: "ErrInvalidFlags", msg: "NEW_LISTENER"},
		{name: "TSYNC on this thread", spec: withFlags(specFor(allow), FlagTSYNC), is: "ErrInvalidFlags", msg: "use Install"},
		{name: "unknown flag bits", spec: withFlags(specFor(allow), 1<<20), is: "ErrInvalidFlags", msg: "0x100000"},
		{name: "no NNP without CAP_SYS_ADMIN", spec: func() childSpec {
			s := specFor(allow)
			s.SkipNNP, s.DropAdmin = true, true
			return s
		}(), is: "ErrPermission", msg: "CAP_SYS_ADMIN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.Scenario, tt.spec.Nr = "call", unix.SYS_GETPPID
			res, _, stderr := runChildSpec(t, tt.spec)
			require.NotNil(t, res, stderr)
			require.NotEmpty(t, res.Err)
			assert.Contains(t, res.Is, tt.is, res.Err)
			assert.Contains(t, res.Err, tt.msg)
			assert.Equal(t, ModeDisabled, res.Mode, "no filter may be left behind")
			assert.Equal(t, tt.wantNNP, res.NNP, "no_new_privs")
		})
	}
}

func withFlags(s childSpec, f Flags) childSpec {
	s.Flags = f
	return s
}

// TestLoaderSkipNoNewPrivs: root (CAP_SYS_ADMIN) may install without
// no_new_privs, as runc does without noNewPrivileges.
func TestLoaderSkipNoNewPrivs(t *testing.T) {
	requireSysAdmin(t)
	prog, _ := compileProfile(t, oneRule("SCMP_ACT_ERRNO", ""), "")
	spec := specFor(prog)
	spec.Scenario, spec.Nr, spec.SkipNNP = "call", unix.SYS_GETPPID, true
	res, _, stderr := runChildSpec(t, spec)
	require.NotNil(t, res, stderr)
	require.Empty(t, res.Err)
	assert.Equal(t, ModeFilter, res.Mode)
	assert.False(t, res.NNP)
	assert.Equal(t, int(unix.EPERM), res.Errno)
}

// TestLoaderExec runs Exec in a child: the shell it starts cannot mkdir.
func TestLoaderExec(t *testing.T) {
	prog, _ := compileProfile(t, `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}`, "")
	dir := t.TempDir()
	spec := specFor(prog)
	spec.Scenario, spec.Shell = "exec", "mkdir "+dir+"/d; echo status=$?; grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status"
	c := startChild(t, spec)
	res, st := c.finish(t)
	require.Nil(t, res, "Exec returned: %+v", res)
	require.True(t, st.Success(), c.stderr.String())
	assert.NoDirExists(t, filepath.Join(dir, "d"))
	assert.Contains(t, c.stderr.String(), "Operation not permitted")
	assert.Contains(t, c.out, "status=1")
	assert.Contains(t, c.out, "Seccomp:\t2")
	assert.Contains(t, c.out, "NoNewPrivs:\t1")
}
