package profile

import "github.com/seccompctl/seccompctl/arch"

// Profile is a seccomp profile as written in the OCI/Docker JSON format,
// faithful to the file: nothing is resolved for a target yet (see Resolve).
// It marshals back to JSON with encoding/json.
type Profile struct {
	DefaultAction ActionName `json:"defaultAction"`
	// DefaultErrnoRet is the errno of an ERRNO or TRACE default action
	// (runc uses EPERM when it is nil). defaultErrno, the containers/common
	// spelling by name, is folded into it.
	DefaultErrnoRet *uint `json:"defaultErrnoRet,omitempty"`
	// Architectures is the flat OCI list; ArchMap is moby's per-native-arch
	// form. A profile has at most one of them.
	Architectures []arch.Arch    `json:"architectures,omitempty"`
	ArchMap       []ArchMapEntry `json:"archMap,omitempty"`
	Syscalls      []Syscall      `json:"syscalls,omitempty"`
	Flags         []Flag         `json:"flags"` // nil: not given (runc then uses SPEC_ALLOW); empty: none
	ListenerPath  string         `json:"listenerPath,omitempty"`
	ListenerMeta  string         `json:"listenerMetadata,omitempty"`
	Source        Source         `json:"-"`
	unknownFields []unknownField // reported as warnings by Lint
	pathPrefix    string         // of JSON paths: "linux.seccomp." in a config.json
	// Byte offsets of values in the file, for findings (-1: absent; 0 in
	// a Profile not parsed from a file, which has no Source.lines).
	defaultActionOff, defaultErrnoOff int
}

// Source says where a profile came from, for messages.
type Source struct {
	File  string
	lines *lineIndex
}

// ArchMapEntry is one element of "archMap".
type ArchMapEntry struct {
	Arch      arch.Arch   `json:"architecture"`
	SubArches []arch.Arch `json:"subArchitectures"`
}

// Syscall is one element of "syscalls": a rule for one or more names.
type Syscall struct {
	Names  []string   `json:"names"`
	Action ActionName `json:"action"`
	// ErrnoRet is the errno for ERRNO/TRACE (nil: EPERM). The per-rule
	// "errno" name of containers/common is folded into it.
	ErrnoRet *uint    `json:"errnoRet,omitempty"`
	Args     []Arg    `json:"args,omitempty"`
	Comment  string   `json:"comment,omitempty"`
	Includes *Filter  `json:"includes,omitempty"`
	Excludes *Filter  `json:"excludes,omitempty"`
	Pos      Position `json:"-"` // where the rule starts in the file
	Index    int      `json:"-"` // its index in "syscalls"
	// Byte offsets in the file of each name and of the action and errno
	// values, for findings that point at them.
	nameOffs            []int
	actionOff, errnoOff int
	singleName          bool // given as "name", not "names"
}

// Filter is an "includes" or "excludes" condition (moby and
// containers/common extensions).
type Filter struct {
	// Arches are compared with the target's arch.Info().ProfileName
	// ("amd64", "arm64", "s390x"), exactly as moby does.
	Arches    []string       `json:"arches,omitempty"`
	Caps      []string       `json:"caps,omitempty"`
	MinKernel *KernelVersion `json:"minKernel,omitempty"`
}

// Arg is one argument condition.
type Arg struct {
	Index    uint     `json:"index"`
	Value    uint64   `json:"value"`
	ValueTwo uint64   `json:"valueTwo,omitempty"`
	Op       Op       `json:"op"`
	Pos      Position `json:"-"`
}

// Op is an argument comparison operator (SCMP_CMP_*).
type Op string

// The comparison operators.
const (
	OpNotEqual     Op = "SCMP_CMP_NE"
	OpLessThan     Op = "SCMP_CMP_LT"
	OpLessEqual    Op = "SCMP_CMP_LE"
	OpEqualTo      Op = "SCMP_CMP_EQ"
	OpGreaterEqual Op = "SCMP_CMP_GE"
	OpGreaterThan  Op = "SCMP_CMP_GT"
	OpMaskedEqual  Op = "SCMP_CMP_MASKED_EQ"
)

func (o Op) valid() bool {
	switch o {
	case OpNotEqual, OpLessThan, OpLessEqual, OpEqualTo, OpGreaterEqual, OpGreaterThan, OpMaskedEqual:
		return true
	}
	return false
}

// Flag is a seccomp filter flag as named in the profile.
type Flag string

// The flags runtime-spec allows.
const (
	FlagTSYNC            Flag = "SECCOMP_FILTER_FLAG_TSYNC"
	FlagLog              Flag = "SECCOMP_FILTER_FLAG_LOG"
	FlagSpecAllow        Flag = "SECCOMP_FILTER_FLAG_SPEC_ALLOW"
	FlagWaitKillableRecv Flag = "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"
)

func (f Flag) valid() bool {
	switch f {
	case FlagTSYNC, FlagLog, FlagSpecAllow, FlagWaitKillableRecv:
		return true
	}
	return false
}

type unknownField struct {
	path string
	pos  Position
}
