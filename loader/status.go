package loader

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// The seccomp modes /proc/PID/status reports.
const (
	ModeDisabled = 0
	ModeStrict   = 1
	ModeFilter   = 2
)

// capSysAdmin is CAP_SYS_ADMIN's bit in the capability sets.
const capSysAdmin = 21

// Status is the seccomp-related part of /proc/PID/status.
type Status struct {
	// Mode is the "Seccomp" field: ModeDisabled, ModeStrict or
	// ModeFilter.
	Mode int
	// Filters is "Seccomp_filters", the number of filters attached to the
	// task (Linux 5.9), or -1 when the kernel does not report it.
	Filters int
	// NoNewPrivs is the "NoNewPrivs" field.
	NoNewPrivs bool
	// CapEff is the effective capability set ("CapEff").
	CapEff uint64
}

// HasCap reports whether capability number c (CAP_SYS_ADMIN is 21) is in
// the effective set.
func (s Status) HasCap(c uint) bool { return c < 64 && s.CapEff&(1<<c) != 0 }

// ReadStatus reads the status of process pid's main thread; pid 0 means
// the calling thread (/proc/thread-self/status), since seccomp state and
// no_new_privs are per thread.
func ReadStatus(pid int) (Status, error) {
	path := "/proc/thread-self/status"
	if pid != 0 {
		path = fmt.Sprintf("/proc/%d/status", pid)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return Status{}, fmt.Errorf("loader: %w", err)
	}
	return parseStatus(b, path)
}

func parseStatus(b []byte, path string) (Status, error) {
	st := Status{Mode: -1, Filters: -1}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		var err error
		switch k {
		case "Seccomp":
			st.Mode, err = strconv.Atoi(v)
		case "Seccomp_filters":
			st.Filters, err = strconv.Atoi(v)
		case "NoNewPrivs":
			st.NoNewPrivs = v == "1"
		case "CapEff":
			st.CapEff, err = strconv.ParseUint(v, 16, 64)
		}
		if err != nil {
			return Status{}, fmt.Errorf("loader: %s: field %s: %w", path, k, err)
		}
	}
	if st.Mode < 0 {
		return Status{}, fmt.Errorf("loader: %s has no Seccomp field: %w", path,
			&UnsupportedFeatureError{Name: "CONFIG_SECCOMP"})
	}
	return st, nil
}
