package profile

import (
	"encoding/json"
	"errors"
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// FromSpec converts the seccomp section of an OCI runtime spec, the type
// runtimes already hold, into a Profile, checking it exactly as Parse
// checks a file. Errors name the field (syscalls[3].args[0].op) but no
// position. A nil section is an error: runc treats it as "no seccomp",
// which a caller should decide explicitly.
func FromSpec(s *specs.LinuxSeccomp) (*Profile, error) {
	if s == nil {
		return nil, &Error{Msg: "no seccomp section", Err: ErrNotProfile}
	}
	// The spec types marshal to the profile format; parsing that text
	// applies every check once, in one place.
	data, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encoding the runtime-spec seccomp section: %w", err)
	}
	p, err := ParseWithOptions(data, ParseOptions{File: "", MaxSize: -1})
	if err != nil {
		var pe *Error
		if errors.As(err, &pe) {
			pe.Pos = Position{}
		}
		return nil, err
	}
	if s.Flags != nil && len(s.Flags) == 0 {
		// "flags": [] means no flags to runc, unlike a missing list (then
		// SPEC_ALLOW); omitempty loses the difference in the JSON.
		p.Flags = []Flag{}
	}
	p.Source = Source{}
	for i := range p.Syscalls {
		p.Syscalls[i].Pos = Position{}
		for j := range p.Syscalls[i].Args {
			p.Syscalls[i].Args[j].Pos = Position{}
		}
	}
	return p, nil
}
