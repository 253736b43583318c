package bench

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/syscalls"
)

//go:embed testdata/profiles/*.json
var profileFS embed.FS

// The profiles the benchmarks and the command measure.
const (
	// DockerDefault is Docker's default profile (moby/profiles).
	DockerDefault = "docker-default"
	// ContainersDefault is containers/common's default profile (Podman,
	// CRI-O), as of 2025-04.
	ContainersDefault = "containers-default"
	// Rules2000 is a generated profile of 2000 rules with argument
	// conditions (see GenerateRules2000).
	Rules2000 = "rules-2000"
)

// ProfileNames lists the built-in profiles in the order reports show them.
func ProfileNames() []string { return []string{DockerDefault, ContainersDefault, Rules2000} }

// ProfileJSON returns the JSON of a built-in profile.
func ProfileJSON(name string) ([]byte, error) {
	if name == Rules2000 {
		return GenerateRules2000()
	}
	b, err := profileFS.ReadFile("testdata/profiles/" + name + ".json")
	if err != nil {
		return nil, fmt.Errorf("bench: no built-in profile %q (have %v): %w", name, ProfileNames(), err)
	}
	return b, nil
}

// DefaultKernel is the kernel version profiles are resolved for, so that
// results do not depend on the machine: includes.minKernel entries are
// decided as on Linux 6.1.
var DefaultKernel = profile.KernelVersion{Kernel: 6, Major: 1}

// Target is what the benchmarks resolve profiles for: a native
// architecture (its sub-architectures come from the profile's archMap),
// Docker's default capabilities, Linux 6.1, runc.
func Target(native arch.Arch) profile.Target {
	return profile.Target{Arch: native, Caps: profile.DockerDefaultCaps, Kernel: DefaultKernel, Runtime: profile.RuntimeRunc}
}

// CompileJSON is the whole pipeline the compile benchmark times: parse,
// resolve for t, compile with opts, encode as raw struct sock_filter.
func CompileJSON(data []byte, t profile.Target, opts compile.Options) ([]byte, error) {
	p, err := profile.Parse(data)
	if err != nil {
		return nil, err
	}
	pol, err := p.Resolve(t)
	if err != nil {
		return nil, err
	}
	prog, err := compile.Compile(pol, opts)
	if err != nil {
		return nil, err
	}
	return prog.MarshalBinary()
}

// Policy parses and resolves a built-in profile for Target(native).
func Policy(name string, native arch.Arch) (*profile.Policy, error) {
	data, err := ProfileJSON(name)
	if err != nil {
		return nil, err
	}
	p, err := profile.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("bench: %s: %w", name, err)
	}
	pol, err := p.Resolve(Target(native))
	if err != nil {
		return nil, fmt.Errorf("bench: %s: %w", name, err)
	}
	return pol, nil
}

// rules2000Count is how many rules GenerateRules2000 writes.
const rules2000Count = 2000

// GenerateRules2000 returns a profile with 2000 rules, each on one real
// x86_64 syscall name with one or two argument conditions, for x86_64, x86
// and x32 with an ERRNO(EPERM) default. It is deterministic.
//
// Rule i names syscall i mod N (N names, sorted) in round i/N. The
// conditions and the action depend on the round only, so every syscall
// gets the same few argument trees, as in real profiles where rules
// repeat across names; the datums are distinct per round so no chain is
// a prefix of another (libseccomp would refuse a chain under a shorter
// one with another action with EEXIST). Names that x86 multiplexes
// through socketcall or ipc are left out: there libseccomp replaces the
// arg0 condition with the call number, which would merge rounds.
func GenerateRules2000() ([]byte, error) {
	names := rules2000Names()
	type jsonArg struct {
		Index    uint   `json:"index"`
		Value    uint64 `json:"value"`
		ValueTwo uint64 `json:"valueTwo"`
		Op       string `json:"op"`
	}
	type jsonRule struct {
		Names    []string  `json:"names"`
		Action   string    `json:"action"`
		ErrnoRet *uint     `json:"errnoRet,omitempty"`
		Args     []jsonArg `json:"args"`
	}
	type jsonProfile struct {
		DefaultAction string     `json:"defaultAction"`
		Architectures []string   `json:"architectures"`
		Syscalls      []jsonRule `json:"syscalls"`
	}
	ops := []string{"SCMP_CMP_EQ", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_GE", "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_GT"}
	eacces := uint(13)
	out := jsonProfile{
		DefaultAction: "SCMP_ACT_ERRNO",
		Architectures: []string{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"},
	}
	for i := range rules2000Count {
		round := i / len(names)
		r := jsonRule{Names: []string{names[i%len(names)]}, Action: "SCMP_ACT_ALLOW"}
		if round%2 == 1 {
			r.Action, r.ErrnoRet = "SCMP_ACT_ERRNO", &eacces
		}
		datum := uint64(round+1) << 8
		first := jsonArg{Index: uint(round % 6), Op: ops[round%len(ops)], Value: datum}
		if first.Op == "SCMP_CMP_MASKED_EQ" {
			first.Value, first.ValueTwo = 0xff00, datum
		}
		r.Args = append(r.Args, first)
		if round%2 == 1 {
			r.Args = append(r.Args, jsonArg{Index: uint((round + 3) % 6), Op: "SCMP_CMP_EQ", Value: datum | 7})
		}
		out.Syscalls = append(out.Syscalls, r)
	}
	return json.MarshalIndent(out, "", "\t")
}

// rules2000Names are the x86_64 syscall names libseccomp knows, minus the
// socket and SysV IPC names, sorted.
func rules2000Names() []string {
	var names []string
	for _, s := range syscalls.Table(arch.X86_64) {
		if !s.Libseccomp {
			continue
		}
		if _, ok := syscalls.SocketcallNumber(s.Name); ok {
			continue
		}
		if _, ok := syscalls.IPCNumber(s.Name); ok {
			continue
		}
		names = append(names, s.Name)
	}
	slices.Sort(names)
	return slices.Compact(names)
}
