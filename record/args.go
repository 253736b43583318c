package record

import (
	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
)

// maxArgValues bounds the distinct argument values kept per syscall. A
// program that passes more distinct values than this gets the syscall
// allowed without conditions: a list that long is no longer a useful
// restriction, and the filter would grow with it.
const maxArgValues = 32

// cloneNamespaceFlags are the clone flags that create namespaces
// (CLONE_NEWNS|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|
// CLONE_NEWPID|CLONE_NEWNET), the mask Docker's default profile tests.
// Threads and forks differ in the other flags; what matters for a
// container is whether namespaces are created.
const cloneNamespaceFlags = 0x7E020000

// argSpec says which argument of a syscall is recorded and how it becomes
// a rule.
type argSpec struct {
	name string
	// index returns the argument's position on an architecture.
	index func(a arch.Arch) uint
	// mask, if nonzero, makes the rule SCMP_CMP_MASKED_EQ with this mask
	// (the recorded value is stored already masked); zero means
	// SCMP_CMP_EQ on the whole value.
	mask uint64
	why  string
}

func arg0(arch.Arch) uint { return 0 }

// cloneFlagsIndex: s390 and s390x pass clone's stack first and the flags
// second (CLONE_BACKWARDS2); everywhere else the flags are argument 0.
func cloneFlagsIndex(a arch.Arch) uint {
	if a == arch.S390 || a == arch.S390X {
		return 1
	}
	return 0
}

// ArgSyscalls are the syscalls whose arguments Recording keeps, with the
// argument and why it matters. Profile turns them into argument rules when
// ProfileOptions.Args is set.
var argSpecs = []argSpec{
	{name: "personality", index: arg0, why: "the execution domain; some values disable ASLR (ADDR_NO_RANDOMIZE)"},
	{name: "socket", index: arg0, why: "the address family (AF_INET, AF_UNIX, AF_NETLINK, ...)"},
	{name: "clone", index: cloneFlagsIndex, mask: cloneNamespaceFlags, why: "the namespace flags (CLONE_NEW*)"},
}

// ArgSyscalls returns the names of the syscalls whose arguments a
// Recording keeps.
func ArgSyscalls() []string {
	out := make([]string, len(argSpecs))
	for i, s := range argSpecs {
		out[i] = s.name
	}
	return out
}

func argSpecFor(c Call) *argSpec {
	name := c.Name()
	for i := range argSpecs {
		if argSpecs[i].name == name {
			return &argSpecs[i]
		}
	}
	return nil
}

// value extracts the recorded value: the argument, masked for MASKED_EQ.
// On 32-bit architectures only the low word reaches the filter.
func (s *argSpec) value(a arch.Arch, args [6]uint64) uint64 {
	v := args[s.index(a)]
	if !a.Is64Bit() {
		v = uint64(uint32(v))
	}
	if s.mask != 0 {
		v &= s.mask
	}
	return v
}

// rule returns the profile argument condition for one recorded value.
func (s *argSpec) rule(a arch.Arch, v uint64) profile.Arg {
	if s.mask != 0 {
		return profile.Arg{Index: s.index(a), Value: s.mask, ValueTwo: v, Op: profile.OpMaskedEqual}
	}
	return profile.Arg{Index: s.index(a), Value: v, Op: profile.OpEqualTo}
}
