package compile

import (
	"errors"
	"fmt"
)

// Sentinel errors of package compile. Errors returned by this package wrap
// one of them; test with errors.Is.
var (
	// ErrTooLong means a program has more instructions than the kernel
	// accepts (KernelMaxInsns). The error is a TooLongError.
	ErrTooLong = errors.New("program too long")
	// ErrInvalidProgram means a program breaks a rule of the kernel's
	// classic-BPF or seccomp verifier. The error is usually a
	// *VerifyError naming the instruction.
	ErrInvalidProgram = errors.New("invalid seccomp program")
	// ErrInvalidData means serialized instructions (ParseRaw) are malformed.
	ErrInvalidData = errors.New("invalid sock_filter data")
	// ErrUnknownFormat is returned by ParseFormat for an unknown name.
	ErrUnknownFormat = errors.New("unknown export format")
)

// TooLongError reports a program longer than KernelMaxInsns. It matches
// ErrTooLong with errors.Is.
type TooLongError struct {
	// Len is the program's length in instructions.
	Len int
}

func (e TooLongError) Error() string {
	return fmt.Sprintf("%v: %d instructions, the kernel accepts at most %d (BPF_MAXINSNS)",
		ErrTooLong, e.Len, KernelMaxInsns)
}

// Is makes errors.Is(err, ErrTooLong) true.
func (e TooLongError) Is(target error) bool { return target == ErrTooLong }

// VerifyError names the instruction the verifier rejects and why. It
// matches ErrInvalidProgram with errors.Is.
type VerifyError struct {
	// Index is the offending instruction, or -1 when the problem is the
	// program as a whole (it is empty).
	Index int
	// Reason says what is wrong, in the kernel's terms.
	Reason string
}

func (e *VerifyError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("%v: %s", ErrInvalidProgram, e.Reason)
	}
	return fmt.Sprintf("%v: instruction %d: %s", ErrInvalidProgram, e.Index, e.Reason)
}

// Is makes errors.Is(err, ErrInvalidProgram) true.
func (e *VerifyError) Is(target error) bool { return target == ErrInvalidProgram }

func invalidf(index int, format string, args ...any) error {
	return &VerifyError{Index: index, Reason: fmt.Sprintf(format, args...)}
}
