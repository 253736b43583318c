package profile

import (
	"sync"

	"golang.org/x/sys/unix"
)

// errnoByName resolves the errno names containers/common allows in
// "defaultErrno" and "errno". Like containers/common it uses the errno
// numbers of the architecture the program is built for (they differ on
// mips, parisc and sparc).
var errnoByName = sync.OnceValue(func() map[string]uint {
	m := map[string]uint{}
	for e := 1; e < 4096; e++ {
		if name := unix.ErrnoName(unix.Errno(e)); name != "" {
			m[name] = uint(e)
		}
	}
	// Names that share a number with another: ErrnoName returns one.
	for alias, name := range map[string]string{"EWOULDBLOCK": "EAGAIN", "EDEADLOCK": "EDEADLK", "ENOTSUP": "EOPNOTSUPP"} {
		if n, ok := m[name]; ok {
			m[alias] = n
		}
	}
	return m
})

// ErrnoByName returns the number of an errno name such as "ENOSYS".
func ErrnoByName(name string) (uint, bool) {
	n, ok := errnoByName()[name]
	return n, ok
}
