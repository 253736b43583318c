package policydiff

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/seccompctl/seccompctl/arch"
)

// maxListed is how many changes WriteText lists for an architecture only
// one side covers: there every syscall differs, and the count says it.
const maxListed = 5

// WriteText writes the result for people: one line per change, grouped by
// architecture, and a summary line.
func (r *Result) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "--- %s\n+++ %s\n", r.A, r.B)
	n := 0
	for _, ad := range r.Arches {
		if len(ad.Changes) == 0 {
			continue
		}
		n += len(ad.Changes)
		if ad.Arch == arch.Unknown {
			c := ad.Changes[0]
			fmt.Fprintf(&b, "other architectures: %s -> %s\n", c.From, c.To)
			continue
		}
		fmt.Fprintf(&b, "%s:", ad.Arch)
		listed := ad.Changes
		switch {
		case ad.InA && !ad.InB:
			fmt.Fprintf(&b, " only in %s's filter (%d changes)", r.A, len(ad.Changes))
		case !ad.InA && ad.InB:
			fmt.Fprintf(&b, " only in %s's filter (%d changes)", r.B, len(ad.Changes))
		}
		b.WriteString("\n")
		if ad.InA != ad.InB && len(listed) > maxListed {
			listed = listed[:maxListed]
		}
		for _, c := range listed {
			b.WriteString("  " + c.String() + "\n")
			if c.Conditional {
				for _, ex := range c.Examples {
					fmt.Fprintf(&b, "      args %s: %s -> %s\n", argsText(ex.Args), ex.From, ex.To)
				}
			}
		}
		if len(listed) < len(ad.Changes) {
			fmt.Fprintf(&b, "  ... and %d more\n", len(ad.Changes)-len(listed))
		}
	}
	if n == 0 {
		fmt.Fprintf(&b, "equivalent (%d probes)\n", r.Probes)
	} else {
		plural := "s"
		if n == 1 {
			plural = ""
		}
		fmt.Fprintf(&b, "%d change%s (%d probes)\n", n, plural, r.Probes)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// String describes a change in one line.
func (c Change) String() string {
	var what string
	switch {
	case c.Last > c.Nr:
		what = fmt.Sprintf("%d-%d (no syscall)", c.Nr, c.Last)
	case c.Name == "":
		what = fmt.Sprintf("%d (no syscall)", c.Nr)
	default:
		what = fmt.Sprintf("%s (%d)", c.Name, c.Nr)
	}
	if !c.Conditional {
		return fmt.Sprintf("%s: %s -> %s", what, c.From, c.To)
	}
	return fmt.Sprintf("%s: depends on the arguments; %d of %d argument vectors tried differ, e.g.", what, c.Differing, c.Tried)
}

func argsText(a [6]uint64) string {
	parts := make([]string, len(a))
	for i, v := range a {
		parts[i] = fmt.Sprintf("%#x", v)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

type jsonResult struct {
	A          string     `json:"a"`
	B          string     `json:"b"`
	Equivalent bool       `json:"equivalent"`
	Probes     int        `json:"probes"`
	Arches     []jsonArch `json:"arches"`
}

type jsonArch struct {
	Arch    string       `json:"arch"`
	InA     bool         `json:"inA"`
	InB     bool         `json:"inB"`
	Changes []jsonChange `json:"changes"`
}

type jsonChange struct {
	Nr          uint32        `json:"nr"`
	Last        uint32        `json:"last"`
	Syscall     string        `json:"syscall,omitempty"`
	From        string        `json:"from"`
	To          string        `json:"to"`
	Conditional bool          `json:"conditional,omitempty"`
	Differing   int           `json:"differing"`
	Tried       int           `json:"tried"`
	Examples    []jsonExample `json:"examples,omitempty"`
}

type jsonExample struct {
	Args []uint64 `json:"args"`
	From string   `json:"from"`
	To   string   `json:"to"`
}

// WriteJSON writes the result as JSON, for programs. The architecture
// "other" stands for architectures neither side covers.
func (r *Result) WriteJSON(w io.Writer) error {
	out := jsonResult{A: r.A, B: r.B, Equivalent: r.Equivalent(), Probes: r.Probes, Arches: []jsonArch{}}
	for _, ad := range r.Arches {
		ja := jsonArch{Arch: "other", InA: ad.InA, InB: ad.InB, Changes: []jsonChange{}}
		if ad.Arch != arch.Unknown {
			ja.Arch = ad.Arch.String()
		}
		for _, c := range ad.Changes {
			jc := jsonChange{Nr: c.Nr, Last: c.Last, Syscall: c.Name, From: c.From.String(), To: c.To.String(),
				Conditional: c.Conditional, Differing: c.Differing, Tried: c.Tried}
			for _, ex := range c.Examples {
				jc.Examples = append(jc.Examples, jsonExample{Args: ex.Args[:], From: ex.From.String(), To: ex.To.String()})
			}
			ja.Changes = append(ja.Changes, jc)
		}
		out.Arches = append(out.Arches, ja)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
