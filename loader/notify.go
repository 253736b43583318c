package loader

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/seccompctl/seccompctl/compile"
)

// Sizes of the notification structures this package knows (Linux 5.0
// through 6.x): struct seccomp_notif is id, pid, flags and a struct
// seccomp_data; struct seccomp_notif_resp is id, val, error and flags.
const (
	sizeofNotif     = 8 + 4 + 4 + sizeofData
	sizeofNotifResp = 8 + 8 + 4 + 4
	sizeofData      = 64
)

// Notification is one struct seccomp_notif: a task stopped in a system
// call that a SECCOMP_RET_USER_NOTIF rule sent to the listener. The task
// waits until the listener answers it (Respond, RespondContinue) or dies.
type Notification struct {
	// ID identifies the notification in answers and in IDValid.
	ID uint64
	// Pid is the task's thread id in the listener's pid namespace, 0 if
	// the task is not visible there.
	Pid uint32
	// Flags is currently always 0.
	Flags uint32
	// Data is what the filter saw: syscall number, audit arch,
	// instruction pointer and arguments.
	Data compile.Data
}

// Listener is the user-notification fd of a filter installed with
// FlagNewListener. A supervisor calls Receive in a loop and answers each
// notification. It is safe to use from several goroutines, but a
// notification is delivered to one Receive only.
type Listener struct {
	f      *os.File
	sizes  NotifSizes
	closed atomic.Bool
}

// NewListener wraps a seccomp notification fd, for example one received
// from a runtime over its listenerPath socket (see AcceptListener). It
// takes ownership of fd: Close closes it. The fd is switched to
// non-blocking mode and registered with the Go runtime's poller, so
// Receive waits without occupying an OS thread and Close wakes it.
func NewListener(fd int) (*Listener, error) {
	sizes, err := GetNotifSizes()
	if err != nil {
		return nil, err
	}
	if fd < 0 {
		return nil, fmt.Errorf("loader: NewListener: invalid fd %d", fd)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		return nil, fmt.Errorf("loader: listener fd %d: %w", fd, err)
	}
	return &Listener{f: os.NewFile(uintptr(fd), "seccomp-notify"), sizes: sizes}, nil
}

// Close closes the fd. Receive calls waiting on it return
// ErrListenerClosed. Tasks still waiting for an answer get ENOSYS from
// their system call once no other copy of the fd is open.
func (l *Listener) Close() error {
	l.closed.Store(true)
	return l.f.Close()
}

// control runs fn with the raw fd.
func (l *Listener) control(fn func(fd uintptr) error) error {
	rc, err := l.f.SyscallConn()
	if err != nil {
		return l.closedError(err)
	}
	var opErr error
	if err := rc.Control(func(fd uintptr) { opErr = fn(fd) }); err != nil {
		return l.closedError(err)
	}
	return opErr
}

// closedError reports errors of a closed file (the poller's "use of
// closed file" is not os.ErrClosed) as ErrListenerClosed.
func (l *Listener) closedError(err error) error {
	if l.closed.Load() || errors.Is(err, os.ErrClosed) {
		return fmt.Errorf("%w (%w)", ErrListenerClosed, err)
	}
	return err
}

// Receive waits for the next notification (SECCOMP_IOCTL_NOTIF_RECV). It
// returns ErrListenerClosed when the listener is closed or no task uses
// the filter any more, and ctx.Err() when ctx ends first.
func (l *Listener) Receive(ctx context.Context) (*Notification, error) {
	rc, err := l.f.SyscallConn()
	if err != nil {
		return nil, l.closedError(err)
	}
	// A cancelled context moves the read deadline into the past, which
	// wakes the poller wait below.
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(fired)
		_ = l.f.SetReadDeadline(time.Unix(1, 0))
	})
	defer func() {
		if !stop() {
			<-fired
			_ = l.f.SetReadDeadline(time.Time{})
		}
	}()

	var (
		n     *Notification
		opErr error
	)
	err = rc.Read(func(fd uintptr) bool {
		n, opErr = l.tryReceive(int(fd))
		return n != nil || opErr != nil
	})
	switch {
	case ctx.Err() != nil && n == nil && opErr == nil:
		return nil, ctx.Err()
	case err != nil:
		return nil, l.closedError(err)
	case opErr != nil:
		return nil, opErr
	}
	return n, nil
}

// tryReceive receives a pending notification, or returns (nil, nil) when
// there is none yet. The kernel's NOTIF_RECV ignores O_NONBLOCK and would
// block, so poll(2) says first whether one is pending.
func (l *Listener) tryReceive(fd int) (*Notification, error) {
	for {
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		if _, err := unix.Poll(pfd, 0); err != nil {
			if err == unix.EINTR {
				continue
			}
			return nil, fmt.Errorf("loader: poll on listener: %w", err)
		}
		switch {
		case pfd[0].Revents&unix.POLLIN != 0:
		case pfd[0].Revents&unix.POLLHUP != 0:
			return nil, fmt.Errorf("%w: no task uses the filter any more", ErrListenerClosed)
		default:
			return nil, nil
		}
		// The kernel requires a zeroed buffer at least as large as its
		// struct seccomp_notif.
		buf := make([]byte, max(int(l.sizes.Notif), sizeofNotif))
		_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SECCOMP_IOCTL_NOTIF_RECV, uintptr(unsafe.Pointer(&buf[0])))
		switch e {
		case 0:
			return decodeNotif(buf), nil
		case unix.EINTR, unix.ENOENT:
			// Interrupted, or the notification vanished (its task was
			// killed) between poll and receive: look again.
			continue
		}
		return nil, fmt.Errorf("loader: SECCOMP_IOCTL_NOTIF_RECV: %w", e)
	}
}

func decodeNotif(b []byte) *Notification {
	o := binary.NativeEndian
	n := &Notification{ID: o.Uint64(b[0:]), Pid: o.Uint32(b[8:]), Flags: o.Uint32(b[12:])}
	d := b[16:]
	n.Data.Nr = int32(o.Uint32(d[0:]))
	n.Data.Arch = o.Uint32(d[4:])
	n.Data.InstructionPointer = o.Uint64(d[8:])
	for i := range n.Data.Args {
		n.Data.Args[i] = o.Uint64(d[16+8*i:])
	}
	return n
}

// Respond answers notification id: the task's system call returns val
// when errno is 0, and fails with errno otherwise. The system call itself
// is not run. ErrNotificationGone means the task is no longer waiting.
func (l *Listener) Respond(id uint64, val int64, errno unix.Errno) error {
	if errno < 0 || errno > 4095 {
		return fmt.Errorf("loader: Respond: errno %d out of range 0..4095", int(errno))
	}
	return l.send(id, val, -int32(errno), 0)
}

// RespondContinue lets the task's system call run as if the filter had
// allowed it (SECCOMP_USER_NOTIF_FLAG_CONTINUE, Linux 5.5). See "Security
// considerations" in the package documentation: the arguments the
// supervisor looked at may have changed by the time the call runs.
func (l *Listener) RespondContinue(id uint64) error {
	return l.send(id, 0, 0, unix.SECCOMP_USER_NOTIF_FLAG_CONTINUE)
}

func (l *Listener) send(id uint64, val int64, errno int32, flags uint32) error {
	buf := make([]byte, max(int(l.sizes.Resp), sizeofNotifResp))
	o := binary.NativeEndian
	o.PutUint64(buf[0:], id)
	o.PutUint64(buf[8:], uint64(val))
	o.PutUint32(buf[16:], uint32(errno))
	o.PutUint32(buf[20:], flags)
	return l.control(func(fd uintptr) error {
		_, _, e := unix.Syscall(unix.SYS_IOCTL, fd, unix.SECCOMP_IOCTL_NOTIF_SEND, uintptr(unsafe.Pointer(&buf[0])))
		switch e {
		case 0:
			return nil
		case unix.ENOENT:
			return fmt.Errorf("loader: answering notification %d: %w", id, ErrNotificationGone)
		case unix.EINPROGRESS:
			// The notification is not in the "received, not answered"
			// state: it was answered already.
			return fmt.Errorf("loader: answering notification %d: %w: it was answered already (%w)", id, ErrNotificationGone, e)
		case unix.EINVAL:
			if flags&unix.SECCOMP_USER_NOTIF_FLAG_CONTINUE != 0 {
				return fmt.Errorf("loader: answering notification %d: %w", id,
					&UnsupportedFeatureError{Name: "SECCOMP_USER_NOTIF_FLAG_CONTINUE", MinimumVersion: minNotifContinue})
			}
		}
		return fmt.Errorf("loader: SECCOMP_IOCTL_NOTIF_SEND for notification %d: %w", id, e)
	})
}

// IDValid reports whether notification id is still pending
// (SECCOMP_IOCTL_NOTIF_ID_VALID): its task is alive and still waiting. A
// supervisor that reads the task's memory (/proc/PID/mem) checks this
// afterwards, so it knows the pid was not reused in between.
func (l *Listener) IDValid(id uint64) (bool, error) {
	var valid bool
	err := l.control(func(fd uintptr) error {
		v := id
		_, _, e := unix.Syscall(unix.SYS_IOCTL, fd, unix.SECCOMP_IOCTL_NOTIF_ID_VALID, uintptr(unsafe.Pointer(&v)))
		switch e {
		case 0:
			valid = true
			return nil
		case unix.ENOENT:
			return nil
		}
		return fmt.Errorf("loader: SECCOMP_IOCTL_NOTIF_ID_VALID: %w", e)
	})
	return valid, err
}

// rawFd runs fn with the listener's fd number, for passing it on.
func (l *Listener) rawFd(fn func(fd int) error) error {
	return l.control(func(fd uintptr) error { return fn(int(fd)) })
}
