package loader

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

const notifyProfile = `{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/unused",
	"syscalls":[{"names":["mkdirat","getppid"],"action":"SCMP_ACT_NOTIFY"}]}`

// TestLoaderNotify: a supervisor goroutine in the child answers a NOTIFY
// rule with an errno, with CONTINUE and with a value.
func TestLoaderNotify(t *testing.T) {
	for _, flags := range []Flags{FlagNewListener, FlagNewListener | FlagWaitKillableRecv} {
		t.Run(flags.String(), func(t *testing.T) {
			if err := HaveFlag(flags); err != nil {
				t.Skip(err)
			}
			prog, pol := compileProfile(t, notifyProfile, "")
			require.Equal(t, FlagNewListener, FlagsFor(pol)&FlagNewListener, "FlagsFor must ask for a listener")
			dir := t.TempDir()
			spec := specFor(prog)
			spec.Scenario, spec.Flags, spec.Dir = "notify", flags, dir
			res, _, stderr := runChildSpec(t, spec)
			require.NotNil(t, res, stderr)
			require.Empty(t, res.Err)
			log := strings.Join(res.Steps, "\n")
			t.Log(log)
			assert.Contains(t, log, "notif nr=258 arch=0xc000003e pid-ok=true valid=true err=<nil>")
			assert.Contains(t, log, "respond EACCES: <nil>")
			assert.Contains(t, log, "mkdirat first: permission denied")
			assert.Contains(t, log, "respond CONTINUE: <nil>")
			assert.Contains(t, log, "mkdirat second: <nil>")
			assert.Contains(t, log, "respond 4242: <nil>")
			assert.Contains(t, log, "getppid: 4242 errno 0")
			assert.Contains(t, log, "after answer valid=false err=<nil>")
			assert.Contains(t, log, "receive: context canceled")
			assert.NoDirExists(t, filepath.Join(dir, "first"))
			assert.DirExists(t, filepath.Join(dir, "second"), "CONTINUE runs the real mkdirat")
		})
	}
}

// TestLoaderListenerHandoff: the child sends its listener fd to this
// process over a unix socket, as runc sends it to listenerPath; this
// process supervises the child.
func TestLoaderListenerHandoff(t *testing.T) {
	prog, _ := compileProfile(t, notifyProfile, "")
	sock := filepath.Join(t.TempDir(), "agent.sock")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	require.NoError(t, err)
	defer ln.Close()

	spec := specFor(prog)
	spec.Scenario, spec.Flags, spec.Socket, spec.Metadata, spec.Nr = "handoff", FlagNewListener, sock, "meta-42", unix.SYS_GETPPID
	c := startChild(t, spec)

	conn, err := ln.AcceptUnix()
	require.NoError(t, err)
	defer conn.Close()
	l, st, err := AcceptListener(conn)
	require.NoError(t, err)
	defer l.Close()
	assert.Equal(t, []string{SeccompFdName}, st.Fds)
	assert.Equal(t, "meta-42", st.Metadata)
	assert.Equal(t, c.cmd.Process.Pid, st.Pid)
	assert.Equal(t, "running", st.State.Status)
	assert.Equal(t, OCIVersion, st.Version)

	n, err := l.Receive(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, unix.SYS_GETPPID, n.Data.Nr)
	assert.EqualValues(t, c.cmd.Process.Pid, n.Pid, "the child's main thread made the call")
	require.NoError(t, l.Respond(n.ID, 0, unix.ENOTSUP))
	assert.ErrorIs(t, l.Respond(n.ID, 0, unix.EPERM), ErrNotificationGone, "a second answer")

	res, _ := c.finish(t)
	require.NotNil(t, res, c.stderr.String())
	require.Empty(t, res.Err)
	assert.Equal(t, int(unix.ENOTSUP), res.Errno)

	// The child has exited: the filter has no users and Receive says so.
	_, err = l.Receive(context.Background())
	assert.ErrorIs(t, err, ErrListenerClosed)
}

func TestListenerReceiveAfterClose(t *testing.T) {
	// An eventfd stands in for a listener fd: Receive must notice Close
	// without a kernel notification ever arriving.
	fd, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
	require.NoError(t, err)
	l, err := NewListener(fd)
	require.NoError(t, err)
	require.NoError(t, l.Close())
	_, err = l.Receive(context.Background())
	assert.ErrorIs(t, err, ErrListenerClosed)
	assert.ErrorIs(t, l.Respond(1, 0, 0), ErrListenerClosed)
	assert.Error(t, l.Respond(1, 0, 5000), "errno out of range")

	fd, err = unix.Eventfd(0, unix.EFD_CLOEXEC)
	require.NoError(t, err)
	l, err = NewListener(fd)
	require.NoError(t, err)
	defer l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = l.Receive(ctx)
	assert.ErrorIs(t, err, context.Canceled)
}
