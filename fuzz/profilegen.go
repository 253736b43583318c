package fuzz

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/syscalls"
)

// GeneratedProfile is a random profile in the JSON format and the target
// it is meant to be resolved for.
type GeneratedProfile struct {
	JSON   []byte
	Target profile.Target
}

// NativeArches are the native architectures GenerateProfile chooses from:
// the host's, 64-bit big-endian ones (s390x, mips64n32's family), 32-bit
// ones of both byte orders, and the ones where socket and IPC calls are
// multiplexed (x86, s390, mips o32).
var NativeArches = []arch.Arch{
	arch.X86_64, arch.AArch64, arch.S390X, arch.PPC64LE, arch.ARM, arch.X86,
	arch.MIPS64N32, arch.MIPS, arch.S390, arch.RISCV64, arch.MIPSEL64,
}

// Boundaries are argument values where 32- and 64-bit, signed and
// unsigned comparisons part ways.
var Boundaries = []uint64{
	0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 1 << 32, 1<<32 + 1,
	0xffffffff00000000, 1<<63 - 1, 1 << 63, ^uint64(0) - 1, ^uint64(0),
}

// Errnos are the errno values GenerateProfile likes: EPERM's neighbours,
// ENOSYS (runc's stub uses it too) and the ends of the range.
var errnos = []uint{0, 1, 2, 13, 38, 4094, 4095}

var ops = []profile.Op{
	profile.OpNotEqual, profile.OpLessThan, profile.OpLessEqual, profile.OpEqualTo,
	profile.OpGreaterEqual, profile.OpGreaterThan, profile.OpMaskedEqual,
}

// actionNames lists every action a rule may have (NOTIFY needs a listener
// path, which GenerateProfile then adds).
var actionNames = []string{
	"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
	"SCMP_ACT_KILL", "SCMP_ACT_TRAP", "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_NOTIFY",
}

// muxNames are calls that socketcall(2) and ipc(2) multiplex on some
// architectures, where one rule becomes two.
var muxNames = []string{
	"socket", "connect", "bind", "accept", "accept4", "sendto", "recvmsg", "socketpair",
	"shmget", "shmat", "semop", "semtimedop", "msgsnd", "msgrcv",
}

var capNames = []string{"CAP_SYS_ADMIN", "CAP_NET_ADMIN", "CAP_SYS_PTRACE", "CAP_CHOWN"}

var kernels = []profile.KernelVersion{{Kernel: 4, Major: 14}, {Kernel: 5, Major: 10}, {Kernel: 6, Major: 1}}

var minKernels = []string{"4.8", "5.10", "6.1", "6.2"}

// namesOf caches each architecture's syscall names.
var namesOf = sync.OnceValue(func() map[arch.Arch][]string {
	m := map[arch.Arch][]string{}
	for _, a := range arch.All() {
		for _, s := range syscalls.Table(a) {
			m[a] = append(m[a], s.Name)
		}
	}
	return m
})

var allNames = sync.OnceValue(syscalls.Names)

// The JSON shapes GenerateProfile writes. They are ours rather than
// profile's types so that the generator decides exactly what the file
// says, independently of how profile marshals.
type genProfile struct {
	DefaultAction   string       `json:"defaultAction"`
	DefaultErrnoRet *uint        `json:"defaultErrnoRet,omitempty"`
	Architectures   []string     `json:"architectures,omitempty"`
	ArchMap         []genArchMap `json:"archMap,omitempty"`
	Syscalls        []genSyscall `json:"syscalls,omitempty"`
	ListenerPath    string       `json:"listenerPath,omitempty"`
}

type genArchMap struct {
	Architecture     string   `json:"architecture"`
	SubArchitectures []string `json:"subArchitectures"`
}

type genSyscall struct {
	Names    []string   `json:"names"`
	Action   string     `json:"action"`
	ErrnoRet *uint      `json:"errnoRet,omitempty"`
	Args     []genArg   `json:"args,omitempty"`
	Includes *genFilter `json:"includes,omitempty"`
	Excludes *genFilter `json:"excludes,omitempty"`
}

type genArg struct {
	Index    uint   `json:"index"`
	Value    uint64 `json:"value"`
	ValueTwo uint64 `json:"valueTwo,omitempty"`
	Op       string `json:"op"`
}

type genFilter struct {
	Arches    []string `json:"arches,omitempty"`
	Caps      []string `json:"caps,omitempty"`
	MinKernel string   `json:"minKernel,omitempty"`
}

// GenerateProfile builds a random valid profile from s: 1 to 50 rules over
// real syscall names (mostly the target's, some of other architectures,
// socket and IPC calls, now and then an unknown name), every action with
// assorted errnos, 0 to 6 argument conditions per rule with every operator
// (an index may repeat, which runc reads as OR) and values near Boundaries,
// an architecture list or archMap, sometimes includes/excludes; and a
// target among NativeArches with runc or crun. profile.Parse accepts every
// profile it builds; Resolve may still refuse one, as runc would.
func GenerateProfile(s *Source) GeneratedProfile {
	native := pick(s, NativeArches)
	t := profile.Target{Arch: native, Runtime: profile.RuntimeRunc, Kernel: pick(s, kernels)}
	if s.Bool() {
		t.Runtime = profile.RuntimeCrun
	}
	for _, c := range capNames {
		if s.Bool() {
			t.Caps = append(t.Caps, c)
		}
	}

	p := genProfile{}
	p.DefaultAction = pick(s, actionNames[:len(actionNames)-1]) // not NOTIFY
	if p.DefaultAction == "SCMP_ACT_ERRNO" || p.DefaultAction == "SCMP_ACT_TRACE" {
		p.DefaultErrnoRet = genErrno(s, p.DefaultAction)
	}

	// The architectures: the target's sub-architectures (in any order and
	// subset), through "architectures" or moby's "archMap", or a few
	// arbitrary ones (which Resolve refuses when byte orders differ).
	subs := arch.DefaultSubArches(native)
	var inFilter []arch.Arch
	switch s.IntN(5) {
	case 0: // native only, and runc then has no ENOSYS rule
	case 1:
		inFilter = append([]arch.Arch{native}, someOf(s, subs)...)
		p.Architectures = arch.Names(inFilter)
	case 2, 3:
		inFilter = someOf(s, subs)
		m := genArchMap{Architecture: native.String(), SubArchitectures: arch.Names(inFilter)}
		other := pick(s, NativeArches)
		p.ArchMap = []genArchMap{{Architecture: other.String(), SubArchitectures: arch.Names(arch.DefaultSubArches(other))}}
		if other != native {
			p.ArchMap = append(p.ArchMap, m)
		}
		if s.Bool() {
			slices.Reverse(p.ArchMap)
		}
	case 4:
		// Mostly of the native byte order: one filter cannot mix them.
		same := slices.DeleteFunc(arch.All(), func(a arch.Arch) bool { return a.BigEndian() != native.BigEndian() })
		for n := 1 + s.IntN(3); n > 0; n-- {
			if s.Chance(1, 8) {
				inFilter = append(inFilter, pick(s, arch.All()))
			} else {
				inFilter = append(inFilter, pick(s, same))
			}
		}
		p.Architectures = arch.Names(inFilter)
	}
	nameArches := append([]arch.Arch{native}, inFilter...)

	for n := 1 + s.IntN(50); n > 0; n-- {
		p.Syscalls = append(p.Syscalls, genRule(s, nameArches, t.Runtime))
	}
	for i := range p.Syscalls {
		if p.Syscalls[i].Action == "SCMP_ACT_NOTIFY" {
			p.ListenerPath = "/run/seccomp-fuzz.sock"
			// runc refuses NOTIFY on write (the runtime would deadlock).
			p.Syscalls[i].Names = slices.DeleteFunc(p.Syscalls[i].Names, func(n string) bool { return n == "write" })
		}
	}
	b, err := json.Marshal(p)
	if err != nil {
		// Only plain strings and integers: marshalling cannot fail.
		panic(fmt.Sprintf("fuzz: marshalling a generated profile: %v", err))
	}
	return GeneratedProfile{JSON: b, Target: t}
}

// genErrno returns an errnoRet for action (ERRNO or TRACE), or nil.
// libseccomp refuses ERRNO(4095) (EINVAL), and so does Parse.
func genErrno(s *Source, action string) *uint {
	var e uint
	switch s.IntN(4) {
	case 0:
		return nil // runc's EPERM
	case 1:
		e = uint(s.IntN(4096))
	default:
		e = pick(s, errnos)
	}
	if action == "SCMP_ACT_ERRNO" {
		e = min(e, 4094)
	}
	return &e
}

func someOf(s *Source, as []arch.Arch) []arch.Arch {
	var out []arch.Arch
	for _, a := range as {
		if s.Chance(3, 4) {
			out = append(out, a)
		}
	}
	if len(out) > 1 && s.Bool() {
		slices.Reverse(out)
	}
	return out
}

func genName(s *Source, arches []arch.Arch) string {
	switch s.IntN(20) {
	case 0, 1, 2:
		return pick(s, allNames())
	case 3, 4:
		return pick(s, muxNames)
	case 5:
		return fmt.Sprintf("fuzz_unknown_%d", s.IntN(4))
	default:
		names := namesOf()[pick(s, arches)]
		if len(names) == 0 {
			return pick(s, allNames())
		}
		return pick(s, names)
	}
}

func genRule(s *Source, arches []arch.Arch, rt profile.Runtime) genSyscall {
	r := genSyscall{Action: pick(s, actionNames)}
	n := 1 + s.IntN(3)
	if s.Chance(1, 8) {
		n = s.IntN(40)
	}
	r.Names = make([]string, 0, n)
	for ; n > 0; n-- {
		r.Names = append(r.Names, genName(s, arches))
	}
	if r.Action == "SCMP_ACT_ERRNO" || r.Action == "SCMP_ACT_TRACE" {
		r.ErrnoRet = genErrno(s, r.Action)
	}
	nargs := s.IntN(7)
	if s.Chance(1, 2) {
		nargs = min(nargs, 1) // keep many rules simple, so others can share
	}
	// crun (and libseccomp) refuse two conditions on one argument in a
	// rule; runc splits such a rule into one rule per condition (OR).
	distinct := rt == profile.RuntimeCrun && s.Chance(7, 8)
	used := map[uint]bool{}
	for ; nargs > 0; nargs-- {
		a := genArg{Index: uint(s.IntN(6)), Op: string(pick(s, ops))}
		if s.Chance(1, 3) {
			a.Index = 0 // conditions on one argument interact the most
		}
		for distinct && used[a.Index] {
			a.Index = (a.Index + 1) % 6
		}
		used[a.Index] = true
		a.Value = genValue(s)
		if a.Op == string(profile.OpMaskedEqual) || s.Chance(1, 8) {
			a.ValueTwo = genValue(s)
		}
		r.Args = append(r.Args, a)
	}
	if s.Chance(1, 10) {
		r.Includes = genFilterOf(s)
	}
	if s.Chance(1, 10) {
		r.Excludes = genFilterOf(s)
	}
	return r
}

// genValue returns a boundary value, a neighbour of one, a small number
// or a random one.
func genValue(s *Source) uint64 {
	switch s.IntN(6) {
	case 0, 1:
		return pick(s, Boundaries)
	case 2:
		return pick(s, Boundaries) + uint64(s.IntN(5)) - 2
	case 3:
		return uint64(s.IntN(64))
	case 4:
		return uint64(s.Uint32()) << (32 * uint(s.IntN(2)))
	default:
		return s.Uint64()
	}
}

func genFilterOf(s *Source) *genFilter {
	f := &genFilter{}
	if s.Bool() {
		f.Arches = []string{pick(s, NativeArches).Info().ProfileName}
	}
	if s.Bool() {
		f.Caps = []string{pick(s, capNames)}
	}
	if s.Bool() {
		f.MinKernel = pick(s, minKernels)
	}
	return f
}
