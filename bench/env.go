package bench

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Environment describes the machine a report was measured on. Timings
// mean little without it: the numbers in README.md come from a shared
// virtual machine, and the load average says how shared.
type Environment struct {
	Date      time.Time
	Kernel    string // uname -sr
	CPU       string // model name from /proc/cpuinfo
	CPUs      int
	Go        string
	LoadStart string // /proc/loadavg when the run started
	LoadEnd   string // and when it ended
}

func environment() Environment {
	e := Environment{Date: time.Now().UTC().Truncate(time.Second), CPUs: runtime.NumCPU(), Go: runtime.Version(), LoadStart: loadavg()}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		e.Kernel = unix.ByteSliceToString(u.Sysname[:]) + " " + unix.ByteSliceToString(u.Release[:])
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				e.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	return e
}

// loadavg is the first three fields of /proc/loadavg, or "".
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// cpuTime is the CPU time (user + system) the process has used, all
// threads included. Benchmarks report it per operation beside wall time:
// on a shared machine the wall clock also counts the time other
// processes held the CPU, and CPU time does not.
func cpuTime() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
