package loader_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"runtime"

	"golang.org/x/sys/unix"

	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/loader"
	"github.com/seccompctl/seccompctl/profile"
)

// This example compiles a profile and puts it on every thread of the
// process. It has no "Output:" line on purpose: go test compiles it but
// does not run it, since running it would filter the test process itself.
func ExampleInstall() {
	p, err := profile.Parse([]byte(`{
		"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]
	}`))
	if err != nil {
		log.Fatal(err)
	}
	pol, err := p.Resolve(profile.Target{Caps: profile.DockerDefaultCaps})
	if err != nil {
		log.Fatal(err)
	}
	prog, err := compile.Compile(pol, compile.DefaultOptions)
	if err != nil {
		log.Fatal(err)
	}
	f, err := loader.Install(prog, loader.InstallOptions{Flags: loader.FlagsFor(pol)})
	if err != nil {
		// For example "loader: SECCOMP_FILTER_FLAG_SPEC_ALLOW not supported
		// by the running kernel (requires Linux >= 4.17)"; nothing changed.
		log.Fatal(err)
	}
	fmt.Println("installed with", f.Flags)
	fmt.Println(os.Mkdir("/tmp/example", 0o755)) // mkdir /tmp/example: operation not permitted
}

// An exec shim: the filter goes on the locked thread that calls execve,
// as in runc's init. Like ExampleInstall it only compiles.
func ExampleExec() {
	prog := mustCompile()
	path, err := exec.LookPath("ls")
	if err != nil {
		log.Fatal(err)
	}
	runtime.LockOSThread()
	err = loader.Exec(prog, path, []string{"ls", "/"}, os.Environ(), loader.DefaultExecOptions)
	log.Fatal(err) // only reached on error
}

// A supervisor for SCMP_ACT_NOTIFY rules: answer every notification with
// EPERM. The listener comes from Install (Filter.Listener) or, in an
// agent, from loader.AcceptListener on the listenerPath socket.
func ExampleListener_Receive() {
	var l *loader.Listener // from Filter.Listener or AcceptListener
	if l == nil {
		return
	}
	for {
		n, err := l.Receive(context.Background())
		if err != nil {
			return
		}
		_ = l.Respond(n.ID, 0, unix.EPERM)
	}
}

func mustCompile() *compile.Program {
	p, err := profile.ParseFile("profile.json")
	if err != nil {
		log.Fatal(err)
	}
	pol, err := p.Resolve(profile.Target{})
	if err != nil {
		log.Fatal(err)
	}
	prog, err := compile.Compile(pol, compile.DefaultOptions)
	if err != nil {
		log.Fatal(err)
	}
	return prog
}
