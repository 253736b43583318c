package loader

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// SeccompFdName is the name runtime-spec gives the notification fd in
// ProcessState.Fds.
const SeccompFdName = "seccompFd"

// OCIVersion is the runtime-spec version ProcessState reports.
const OCIVersion = "1.3.0"

// maxStateSize bounds what AcceptListener reads.
const maxStateSize = 1 << 20

// ProcessState is runtime-spec's ContainerProcessState, the JSON document
// a runtime sends to the seccomp agent listening on a profile's
// listenerPath, together with the notification fd. It is declared here
// field for field (same JSON) so that this package needs no dependency
// on runtime-spec.
type ProcessState struct {
	// Version is the runtime-spec version (OCIVersion by default).
	Version string `json:"ociVersion"`
	// Fds names the fds sent with the message, by position:
	// [SeccompFdName].
	Fds []string `json:"fds"`
	// Pid is the filtered process as the sender sees it.
	Pid int `json:"pid"`
	// Metadata is the profile's listenerMetadata, opaque to the runtime.
	Metadata string `json:"metadata,omitempty"`
	// State is the container's state.
	State ContainerState `json:"state"`
}

// ContainerState is runtime-spec's State.
type ContainerState struct {
	Version     string            `json:"ociVersion"`
	ID          string            `json:"id"`
	Status      string            `json:"status"`
	Pid         int               `json:"pid,omitempty"`
	Bundle      string            `json:"bundle"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Handoff is a connection to a seccomp agent's unix socket (a profile's
// listenerPath). Exec dials it before installing the filter, so that
// after installing only sendmsg and close remain to be done under the
// filter.
type Handoff struct {
	fd int
}

// DialHandoff connects to the agent listening on the unix stream socket
// at path.
func DialHandoff(path string) (*Handoff, error) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("loader: listenerPath %s: socket: %w", path, err)
	}
	for {
		err = unix.Connect(fd, &unix.SockaddrUnix{Name: path})
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		_ = unix.Close(fd)
		return nil, fmt.Errorf("loader: connecting to the seccomp agent at listenerPath %s: %w", path, err)
	}
	return &Handoff{fd: fd}, nil
}

// Send sends state as JSON in one message with the listener's fd
// attached (SCM_RIGHTS), the way runc hands the fd to a seccomp agent.
// Empty fields get defaults: the versions OCIVersion, Fds
// [SeccompFdName], Pid and State.Pid this process's pid (the filtered
// process, when it sends its own fd), State.Status "running".
func (h *Handoff) Send(l *Listener, state ProcessState) error {
	if state.Pid == 0 {
		state.Pid = os.Getpid()
	}
	if state.State.Pid == 0 {
		state.State.Pid = state.Pid
	}
	if state.State.Status == "" {
		state.State.Status = "running"
	}
	if state.Version == "" {
		state.Version = OCIVersion
	}
	if state.State.Version == "" {
		state.State.Version = OCIVersion
	}
	if state.Fds == nil {
		state.Fds = []string{SeccompFdName}
	}
	b, err := json.Marshal(state)
	if err != nil {
		return fmt.Errorf("loader: encoding the process state: %w", err)
	}
	return l.rawFd(func(lfd int) error {
		n, err := unix.SendmsgN(h.fd, b, unix.UnixRights(lfd), nil, 0)
		for err == unix.EINTR {
			n, err = unix.SendmsgN(h.fd, b, unix.UnixRights(lfd), nil, 0)
		}
		if err != nil {
			return fmt.Errorf("loader: sending the listener fd to the seccomp agent: %w", err)
		}
		if n != len(b) {
			return fmt.Errorf("loader: sending the listener fd to the seccomp agent: short write (%d of %d bytes)", n, len(b))
		}
		return nil
	})
}

// Close closes the connection.
func (h *Handoff) Close() error { return unix.Close(h.fd) }

// SendListener connects to the agent at path, sends state and the
// listener fd, and closes the connection.
func SendListener(path string, l *Listener, state ProcessState) error {
	h, err := DialHandoff(path)
	if err != nil {
		return err
	}
	err = h.Send(l, state)
	return errors.Join(err, h.Close())
}

// AcceptListener is the agent's side of SendListener: it reads one
// message from conn, the process state as JSON with a seccomp notification
// fd attached, and returns the fd as a Listener. It reads until the JSON
// document is complete (runc does not close its end promptly), at most
// 1 MiB.
func AcceptListener(conn *net.UnixConn) (*Listener, *ProcessState, error) {
	var (
		data []byte
		fds  []int
	)
	closeFds := func() {
		for _, fd := range fds {
			_ = unix.Close(fd)
		}
	}
	buf := make([]byte, 64<<10)
	oob := make([]byte, unix.CmsgSpace(4*4))
	for !json.Valid(data) {
		n, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
		if oobn > 0 {
			got, perr := parseRights(oob[:oobn])
			fds = append(fds, got...)
			if perr != nil {
				closeFds()
				return nil, nil, perr
			}
		}
		data = append(data, buf[:n]...)
		if err != nil {
			if json.Valid(data) {
				break
			}
			closeFds()
			return nil, nil, fmt.Errorf("loader: reading the process state: %w", err)
		}
		if n == 0 && oobn == 0 {
			closeFds()
			return nil, nil, errors.New("loader: reading the process state: connection closed before a complete JSON document")
		}
		if len(data) > maxStateSize {
			closeFds()
			return nil, nil, fmt.Errorf("loader: process state larger than %d bytes", maxStateSize)
		}
	}
	var st ProcessState
	if err := json.Unmarshal(data, &st); err != nil {
		closeFds()
		return nil, nil, fmt.Errorf("loader: decoding the process state: %w", err)
	}
	idx := -1
	for i, name := range st.Fds {
		if name == SeccompFdName {
			idx = i
		}
	}
	if idx < 0 || idx >= len(fds) {
		closeFds()
		return nil, nil, fmt.Errorf("loader: the message carries %d fds and names %q; no %q among them", len(fds), st.Fds, SeccompFdName)
	}
	lfd := fds[idx]
	fds = append(fds[:idx], fds[idx+1:]...)
	closeFds()
	l, err := NewListener(lfd)
	if err != nil {
		_ = unix.Close(lfd)
		return nil, nil, err
	}
	return l, &st, nil
}

func parseRights(oob []byte) ([]int, error) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, fmt.Errorf("loader: control message: %w", err)
	}
	var fds []int
	for _, m := range msgs {
		if m.Header.Level != unix.SOL_SOCKET || m.Header.Type != unix.SCM_RIGHTS {
			continue
		}
		got, err := unix.ParseUnixRights(&m)
		if err != nil {
			return fds, fmt.Errorf("loader: SCM_RIGHTS: %w", err)
		}
		fds = append(fds, got...)
	}
	return fds, nil
}
