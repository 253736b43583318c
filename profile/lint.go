package profile

import (
	"fmt"
	"sort"
	"strings"
)

// Lint reports what the profile says that no runtime acts on, without
// resolving it for a target; Resolve's warnings cover the rest (unknown
// syscall names, dropped and shadowed rules). The findings are:
//
//   - "unknown-key": a key the format does not define. moby and runc ignore
//     such keys, so a misspelled one ("errno_ret", "minkernel") silently
//     does nothing.
//   - "masked-eq-zero-mask": SCMP_CMP_MASKED_EQ whose "value" (the mask) is
//     0 matches every argument. Profiles that put the mask in "valueTwo"
//     (swapped w.r.t. moby, where value = mask and valueTwo = the expected
//     bits) get a condition that never filters anything.
//
// Findings are sorted by position in the file.
func (p *Profile) Lint() []Warning {
	var out []Warning
	for _, u := range p.unknownFields {
		key := u.path
		if i := strings.LastIndexByte(key, '.'); i >= 0 {
			key = key[i+1:]
		}
		out = append(out, Warning{File: p.Source.File, Pos: u.pos, Path: u.path, Code: "unknown-key",
			Msg: fmt.Sprintf("unknown key %q is ignored (runtimes ignore keys the profile format does not define)", key)})
	}
	for i, s := range p.Syscalls {
		for j, a := range s.Args {
			if a.Op != OpMaskedEqual || a.Value != 0 {
				continue
			}
			msg := "SCMP_CMP_MASKED_EQ with value (the mask) 0 matches every argument, so the condition has no effect"
			if a.ValueTwo != 0 {
				msg += fmt.Sprintf("; value is the mask and valueTwo the expected bits: are they swapped (mask %#x)?", a.ValueTwo)
			}
			out = append(out, Warning{File: p.Source.File, Pos: a.Pos, Path: fmt.Sprintf("syscalls[%d].args[%d]", i, j),
				Code: "masked-eq-zero-mask", Msg: msg})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Pos, out[j].Pos
		return a.Line < b.Line || (a.Line == b.Line && a.Column < b.Column)
	})
	return out
}
