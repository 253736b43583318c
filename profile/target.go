package profile

import "github.com/seccompctl/seccompctl/arch"

// Runtime selects whose reading of a profile to reproduce.
type Runtime string

const (
	// RuntimeRunc reproduces runc with libseccomp 2.6.1: rules as runc
	// builds them, plus runc's ENOSYS rule (syscall numbers above the
	// largest one the profile names return ENOSYS unless the default action
	// is ALLOW, LOG or TRACE).
	RuntimeRunc Runtime = "runc"
	// RuntimeCrun reproduces crun: no ENOSYS rule, and only the first six
	// conditions of a rule are read.
	RuntimeCrun Runtime = "crun"
)

// Target is what a profile is resolved for: the machine, the container's
// capabilities and the runtime.
type Target struct {
	// Arch is the native architecture. Unknown means arch.Native().
	Arch arch.Arch
	// Caps is the capability bounding set ("CAP_SYS_ADMIN", ...), which
	// includes.caps/excludes.caps are checked against.
	Caps []string
	// Kernel is the kernel version includes.minKernel is checked against.
	// The zero value means the running kernel.
	Kernel KernelVersion
	// Runtime defaults to RuntimeRunc.
	Runtime Runtime
}

// DockerDefaultCaps is Docker's default capability set
// (moby oci/caps/defaults.go).
var DockerDefaultCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// PodmanDefaultCaps is Podman's default capability set
// (containers.conf default_capabilities).
var PodmanDefaultCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
	"CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP",
	"CAP_SETUID", "CAP_SYS_CHROOT",
}
