package record_test

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
	_ "github.com/seccompctl/seccompctl/record" // the shim hook
)

// The test binary doubles as the programs the tests record and as a tiny
// loader: TestMain looks at helperEnv and runs one of these instead of
// the tests.
const (
	helperEnv     = "RECORD_TEST_HELPER"
	nextHelperEnv = "RECORD_TEST_NEXT_HELPER"
)

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "threads":
		os.Exit(helperThreads())
	case "args":
		os.Exit(helperArgs(os.Args[1:]))
	case "exec-under":
		os.Exit(helperExecUnder(os.Args[1], os.Args[2:]))
	default:
		fmt.Fprintln(os.Stderr, "unknown helper", os.Getenv(helperEnv))
		os.Exit(99)
	}
}

// helperThreads makes sysinfo(2) on a second OS thread only, and prints
// both thread ids, so a test can check that threads are recorded.
func helperThreads() int {
	runtime.LockOSThread()
	mainTid := unix.Gettid()
	ch := make(chan int)
	go func() {
		runtime.LockOSThread()
		var si unix.Sysinfo_t
		if err := unix.Sysinfo(&si); err != nil {
			ch <- -1
			return
		}
		ch <- unix.Gettid()
	}()
	tid := <-ch
	fmt.Println(mainTid, tid)
	if tid < 0 || tid == mainTid {
		return 1
	}
	return 0
}

// helperArgs calls personality and socket with the given values:
// "personality=N" and "socket=FAMILY". It exits 0 when all succeed, 1 with
// 100+errno otherwise (the profile under test may refuse write(2), so the
// status carries the errno).
func helperArgs(args []string) int {
	for _, a := range args {
		name, val, _ := strings.Cut(a, "=")
		v, err := strconv.ParseUint(val, 0, 64)
		if err != nil {
			return 98
		}
		switch name {
		case "personality":
			if _, _, e := unix.Syscall(unix.SYS_PERSONALITY, uintptr(v), 0, 0); e != 0 {
				return 100 + int(e)
			}
		case "socket":
			fd, err := unix.Socket(int(v), unix.SOCK_DGRAM, 0)
			if e, ok := err.(syscall.Errno); ok {
				return 100 + int(e)
			} else if err != nil {
				return 99
			}
			unix.Close(fd)
		default:
			return 98
		}
	}
	return 0
}

// helperExecUnder installs the profile in file (resolved for this machine,
// compiled) on this thread and execs argv, as runc does: no_new_privs,
// seccomp(2) on the thread that calls execve, and nothing but the raw
// execve after the filter is in place.
func helperExecUnder(file string, argv []string) int {
	p, err := profile.ParseFile(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 97
	}
	pol, err := p.Resolve(profile.Target{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 97
	}
	prog, err := compile.Compile(pol, compile.DefaultOptions)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 97
	}
	filters := prog.SockFilters()
	fprog := &unix.SockFprog{Len: uint16(len(filters)), Filter: &filters[0]}
	path, err := lookPath(argv[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 97
	}
	argv0, _ := unix.BytePtrFromString(path)
	argvp := cstrings(argv)
	// The program started gets the helper role named by nextHelperEnv.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, helperEnv+"=") && !strings.HasPrefix(kv, nextHelperEnv+"=") {
			env = append(env, kv)
		}
	}
	if next := os.Getenv(nextHelperEnv); next != "" {
		env = append(env, helperEnv+"="+next)
	}
	envp := cstrings(env)
	runtime.LockOSThread()
	if _, _, e := unix.RawSyscall6(unix.SYS_PRCTL, unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0); e != 0 {
		fmt.Fprintln(os.Stderr, "prctl:", e)
		return 97
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(fprog))); e != 0 {
		fmt.Fprintln(os.Stderr, "seccomp:", e)
		return 97
	}
	_, _, e := unix.RawSyscall(unix.SYS_EXECVE, uintptr(unsafe.Pointer(argv0)),
		uintptr(unsafe.Pointer(&argvp[0])), uintptr(unsafe.Pointer(&envp[0])))
	// Reached only if execve failed; the filter may refuse the write.
	fmt.Fprintln(os.Stderr, "execve:", syscall.Errno(e))
	return 96
}

func lookPath(name string) (string, error) {
	if len(name) > 0 && name[0] == '/' {
		return name, nil
	}
	for _, dir := range []string{"/usr/local/bin", "/usr/bin", "/bin"} {
		p := dir + "/" + name
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: not found", name)
}

// self is the test binary, for starting helpers.
func self(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// cstrings is a NULL-terminated array of C strings.
func cstrings(ss []string) []*byte {
	out := make([]*byte, 0, len(ss)+1)
	for _, s := range ss {
		p, err := unix.BytePtrFromString(s)
		if err != nil {
			return nil
		}
		out = append(out, p)
	}
	return append(out, nil)
}
