package profile

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// KernelVersion is a Linux version as "includes.minKernel" writes it:
// "<kernel>.<major>", e.g. "5.8". Patch levels are not part of the format
// (moby rejects "4.8.0"), so they are not part of the type.
type KernelVersion struct {
	Kernel, Major int
}

// ParseKernelVersion parses "X.Y" exactly.
func ParseKernelVersion(s string) (KernelVersion, error) {
	k, m, ok := strings.Cut(s, ".")
	a, err1 := strconv.Atoi(k)
	b, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || a < 0 || b < 0 || strings.ContainsAny(s, "+- ") {
		return KernelVersion{}, fmt.Errorf("invalid kernel version %q: want \"<kernel>.<major>\" such as \"5.8\"", s)
	}
	return KernelVersion{a, b}, nil
}

// String returns "X.Y".
func (v KernelVersion) String() string { return fmt.Sprintf("%d.%d", v.Kernel, v.Major) }

// IsZero reports whether v is unset.
func (v KernelVersion) IsZero() bool { return v == KernelVersion{} }

// AtLeast reports whether v >= min.
func (v KernelVersion) AtLeast(min KernelVersion) bool {
	return v.Kernel > min.Kernel || (v.Kernel == min.Kernel && v.Major >= min.Major)
}

// MarshalText encodes "X.Y".
func (v KernelVersion) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText decodes "X.Y".
func (v *KernelVersion) UnmarshalText(b []byte) error {
	kv, err := ParseKernelVersion(string(b))
	if err != nil {
		return err
	}
	*v = kv
	return nil
}

// RunningKernel returns the version of the running kernel, read the way
// moby reads it: the first two numbers of uname -r.
func RunningKernel() (KernelVersion, error) {
	var uts unix.Utsname
	if err := unix.Uname(&uts); err != nil {
		return KernelVersion{}, fmt.Errorf("uname: %w", err)
	}
	rel := unix.ByteSliceToString(uts.Release[:])
	var v KernelVersion
	if _, err := fmt.Sscanf(rel, "%d.%d", &v.Kernel, &v.Major); err != nil {
		return KernelVersion{}, fmt.Errorf("parsing kernel release %q: %w", rel, err)
	}
	return v, nil
}
