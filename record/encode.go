package record

import (
	"bytes"
	"encoding/json"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
)

// jsonProfile is profile.Profile as Marshal writes it: flags are left out
// when the profile has none given (nil) rather than written as null, and
// kept as [] when explicitly empty, since runc reads the two differently.
type jsonProfile struct {
	DefaultAction   profile.ActionName `json:"defaultAction"`
	DefaultErrnoRet *uint              `json:"defaultErrnoRet,omitempty"`
	Architectures   []arch.Arch        `json:"architectures,omitempty"`
	ArchMap         []jsonArchMap      `json:"archMap,omitempty"`
	Flags           *[]profile.Flag    `json:"flags,omitempty"`
	ListenerPath    string             `json:"listenerPath,omitempty"`
	ListenerMeta    string             `json:"listenerMetadata,omitempty"`
	Syscalls        []profile.Syscall  `json:"syscalls"`
}

type jsonArchMap struct {
	Arch      arch.Arch   `json:"architecture"`
	SubArches []arch.Arch `json:"subArchitectures"`
}

// Marshal encodes a profile as indented JSON (two spaces, a final newline)
// that profile.Parse reads back to the same profile. The output depends
// only on the profile, so it diffs well between recordings.
func Marshal(p *profile.Profile) ([]byte, error) {
	jp := jsonProfile{
		DefaultAction:   p.DefaultAction,
		DefaultErrnoRet: p.DefaultErrnoRet,
		Architectures:   p.Architectures,
		ListenerPath:    p.ListenerPath,
		ListenerMeta:    p.ListenerMeta,
		Syscalls:        p.Syscalls,
	}
	if jp.Syscalls == nil {
		jp.Syscalls = []profile.Syscall{}
	}
	if p.Flags != nil {
		jp.Flags = &p.Flags
	}
	for _, m := range p.ArchMap {
		sub := m.SubArches
		if sub == nil {
			sub = []arch.Arch{}
		}
		jp.ArchMap = append(jp.ArchMap, jsonArchMap{Arch: m.Arch, SubArches: sub})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(jp); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
