package record

import "errors"

// Sentinel errors; returned errors wrap them with %w.
var (
	// ErrStart: the command could not be started under the recorder (the
	// program was not found, the shim failed, the kernel refused the
	// filter).
	ErrStart = errors.New("record: cannot start the command")
	// ErrUnsupported: the kernel lacks what recording needs (seccomp user
	// notification with SECCOMP_USER_NOTIF_FLAG_CONTINUE, Linux 5.5).
	ErrUnsupported = errors.New("record: the kernel cannot record system calls")
	// ErrTooLarge: an audit log is larger than AuditOptions.MaxSize.
	ErrTooLarge = errors.New("record: input too large")
	// ErrNoProfiles: Merge was given no profile.
	ErrNoProfiles = errors.New("record: nothing to merge")
	// ErrMerge: the profiles cannot be merged into one valid profile.
	ErrMerge = errors.New("record: cannot merge profiles")
)
