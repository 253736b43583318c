package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/seccompctl/seccompctl/loader"
)

// TestExecNotify plays the seccomp agent at a profile's listenerPath: the
// shim sends it the listener fd with the container process state, and the
// test answers the command's mkdir, once with EACCES and once with
// CONTINUE.
func TestExecNotify(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "agent.sock")
	prof := shimProfile(t, dir, "notify.json", fmt.Sprintf(`{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":%q,"listenerMetadata":"meta=1",
		"syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_NOTIFY"}]}`, sock))

	for _, answer := range []string{"errno", "continue"} {
		t.Run(answer, func(t *testing.T) {
			ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
			require.NoError(t, err)
			defer ln.Close()

			target := filepath.Join(dir, answer)
			cmd := shimCmd(dir, "", "exec", "--profile", prof, "--id", "ctr-"+answer, "--", "mkdir", target)
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			require.NoError(t, cmd.Start())
			exited := make(chan struct{})
			go func() {
				_ = cmd.Wait()
				close(exited)
				_ = ln.Close() // a shim that died early must not leave Accept waiting
			}()

			conn, err := ln.AcceptUnix()
			if err != nil {
				<-exited // stderr is complete only then
				require.NoError(t, err, "stderr: %s", errb.String())
			}
			defer conn.Close()

			var l *loader.Listener
			if answer == "errno" {
				// Read the message by hand and decode it with runtime-spec's
				// own type: the wire format is runc's.
				buf := make([]byte, 64<<10)
				oob := make([]byte, unix.CmsgSpace(4))
				n, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
				require.NoError(t, err)
				dec := json.NewDecoder(bytes.NewReader(buf[:n]))
				dec.DisallowUnknownFields()
				var st specs.ContainerProcessState
				require.NoError(t, dec.Decode(&st))
				assert.Equal(t, specs.Version, st.Version, "loader.OCIVersion follows the runtime-spec in go.mod")
				assert.Equal(t, []string{specs.SeccompFdName}, st.Fds)
				assert.Equal(t, cmd.Process.Pid, st.Pid)
				assert.Equal(t, "meta=1", st.Metadata)
				assert.Equal(t, "ctr-errno", st.State.ID)
				assert.Equal(t, specs.StateRunning, st.State.Status)
				assert.Equal(t, dir, st.State.Bundle)
				msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
				require.NoError(t, err)
				require.Len(t, msgs, 1)
				fds, err := unix.ParseUnixRights(&msgs[0])
				require.NoError(t, err)
				require.Len(t, fds, 1)
				l, err = loader.NewListener(fds[0])
				require.NoError(t, err)
			} else {
				var st *loader.ProcessState
				l, st, err = loader.AcceptListener(conn)
				require.NoError(t, err)
				assert.Equal(t, "ctr-continue", st.State.ID)
			}
			defer l.Close()

			n, err := l.Receive(context.Background())
			if err != nil {
				<-exited
				require.NoError(t, err, "stderr: %s", errb.String())
			}
			assert.Contains(t, []int32{unix.SYS_MKDIR, unix.SYS_MKDIRAT}, n.Data.Nr)
			assert.EqualValues(t, cmd.Process.Pid, n.Pid, "mkdir kept the shim's pid")
			if answer == "errno" {
				require.NoError(t, l.Respond(n.ID, 0, unix.EACCES))
			} else {
				require.NoError(t, l.RespondContinue(n.ID))
			}
			<-exited
			ws := cmd.ProcessState
			if answer == "errno" {
				assert.Equal(t, 1, ws.ExitCode())
				assert.Contains(t, errb.String(), "Permission denied")
				assert.NoDirExists(t, target)
			} else {
				assert.Equal(t, 0, ws.ExitCode(), errb.String())
				assert.DirExists(t, target)
			}
		})
	}

	// Without an agent listening the shim fails before installing.
	r := runShim(t, dir, "", "exec", "--profile", prof, "--", "mkdir", filepath.Join(dir, "x"))
	assert.Equal(t, exitExecFailed, r.status)
	assert.Contains(t, r.stderr, "connecting to the seccomp agent at listenerPath")
	assert.NoDirExists(t, filepath.Join(dir, "x"))
}
