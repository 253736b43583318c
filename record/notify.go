package record

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Sizes of struct seccomp_notif (id, pid, flags, struct seccomp_data) and
// struct seccomp_notif_resp (id, val, error, flags) as this code lays them
// out; the kernel may report larger ones (SECCOMP_GET_NOTIF_SIZES), and
// then the buffers grow to its sizes with the known fields first.
const (
	sizeofData      = 64
	sizeofNotif     = 8 + 4 + 4 + sizeofData
	sizeofNotifResp = 8 + 8 + 4 + 4
)

// notification is the part of one struct seccomp_notif the recorder uses.
type notification struct {
	id        uint64
	pid       uint32
	nr        int32
	auditArch uint32
	args      [6]uint64
}

// listener is the recorder's end of a seccomp user-notification fd.
type listener struct {
	fd   int
	buf  []byte // struct seccomp_notif, zeroed before each receive
	resp []byte // struct seccomp_notif_resp
}

// notifSizes asks the kernel for its structure sizes
// (seccomp(SECCOMP_GET_NOTIF_SIZES), Linux 5.0).
func notifSizes() (notif, resp int, err error) {
	var sizes struct{ notif, resp, data uint16 }
	_, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_GET_NOTIF_SIZES, 0, uintptr(unsafe.Pointer(&sizes)))
	if e != 0 {
		return 0, 0, fmt.Errorf("%w: seccomp(SECCOMP_GET_NOTIF_SIZES): %v (user notification needs Linux 5.0)", ErrUnsupported, e)
	}
	return int(sizes.notif), int(sizes.resp), nil
}

func newListener(fd int) (*listener, error) {
	n, r, err := notifSizes()
	if err != nil {
		return nil, err
	}
	return &listener{fd: fd, buf: make([]byte, max(n, sizeofNotif)), resp: make([]byte, max(r, sizeofNotifResp))}, nil
}

// errGone: the notification is no longer pending (its task was killed or
// interrupted by a signal, after which it retries and notifies anew).
var errGone = errors.New("notification gone")

// receive takes one pending notification (SECCOMP_IOCTL_NOTIF_RECV). Call
// it only after poll reported the fd readable: the ioctl ignores
// O_NONBLOCK. After a readable poll it does not block even if the
// notification vanished meanwhile: the kernel then returns ENOENT.
func (l *listener) receive() (notification, error) {
	clear(l.buf) // the kernel refuses a buffer that is not zeroed
	for {
		_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(l.fd), unix.SECCOMP_IOCTL_NOTIF_RECV, uintptr(unsafe.Pointer(&l.buf[0])))
		switch e {
		case 0:
		case unix.EINTR:
			continue
		case unix.ENOENT:
			return notification{}, errGone
		default:
			return notification{}, fmt.Errorf("record: SECCOMP_IOCTL_NOTIF_RECV: %w", e)
		}
		break
	}
	o := binary.NativeEndian
	b := l.buf
	n := notification{id: o.Uint64(b[0:]), pid: o.Uint32(b[8:])}
	d := b[16:]
	n.nr = int32(o.Uint32(d[0:]))
	n.auditArch = o.Uint32(d[4:])
	for i := range n.args {
		n.args[i] = o.Uint64(d[16+8*i:])
	}
	return n, nil
}

// allow lets the notified system call run as if the filter had allowed
// it (SECCOMP_USER_NOTIF_FLAG_CONTINUE, Linux 5.5).
func (l *listener) allow(id uint64) error {
	clear(l.resp)
	o := binary.NativeEndian
	o.PutUint64(l.resp[0:], id)
	o.PutUint32(l.resp[20:], unix.SECCOMP_USER_NOTIF_FLAG_CONTINUE)
	for {
		_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(l.fd), unix.SECCOMP_IOCTL_NOTIF_SEND, uintptr(unsafe.Pointer(&l.resp[0])))
		switch e {
		case 0:
			return nil
		case unix.EINTR:
			continue
		case unix.ENOENT:
			return errGone
		case unix.EINVAL:
			return fmt.Errorf("%w: SECCOMP_USER_NOTIF_FLAG_CONTINUE refused (needs Linux 5.5)", ErrUnsupported)
		}
		return fmt.Errorf("record: SECCOMP_IOCTL_NOTIF_SEND: %w", e)
	}
}
