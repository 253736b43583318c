package profile

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
)

// Hostile input sizes, parsed (and, where it parses, resolved) within the
// default limits: nesting 10^5 levels deep (refused at DefaultMaxDepth
// after reading 64 levels), 10^5 names in one rule and 10^4 rules, plain,
// with an unknown key in every rule or argument, or with SCMP_ACT_NOTIFY
// (the shapes that once made the decoder walk over all earlier rules per
// rule). The bounds these show are stated in the package doc.
func hostileInputs() map[string][]byte {
	names := make([]string, 100000)
	real := []string{"read", "write", "openat", "close", "mmap"}
	for i := range names {
		names[i] = fmt.Sprintf("%q", real[i%len(real)])
	}
	var rules strings.Builder
	rules.WriteString(`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[`)
	for i := 0; i < 10000; i++ {
		if i > 0 {
			rules.WriteByte(',')
		}
		fmt.Fprintf(&rules, `{"names":["ioctl"],"action":"SCMP_ACT_ALLOW","args":[{"index":1,"value":%d,"op":"SCMP_CMP_EQ"}]}`, i)
	}
	rules.WriteString(`]}`)
	return map[string][]byte{
		"nested-100000": []byte(`{"defaultAction":"SCMP_ACT_ALLOW","x":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`),
		"names-100000":  []byte(`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":[` + strings.Join(names, ",") + `],"action":"SCMP_ACT_ALLOW"}]}`),
		"rules-10000":   []byte(rules.String()),
		"unknown-key-rules-10000": repeatRules(`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[`, 10000,
			`{"x":0,"action":"SCMP_ACT_ALLOW","names":["read"]}`),
		"unknown-key-args-10000": repeatRules(`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[`, 10000,
			`{"names":["ioctl"],"action":"SCMP_ACT_ALLOW","args":[{"x":0,"index":1,"value":2,"op":"SCMP_CMP_EQ"}]}`),
		"notify-rules-10000": repeatRules(`{"defaultAction":"SCMP_ACT_ERRNO","listenerPath":"/run/seccomp.sock","syscalls":[`, 10000,
			`{"action":"SCMP_ACT_NOTIFY","names":["read"]}`),
	}
}

// repeatRules is head, then rule n times separated by commas, then "]}".
func repeatRules(head string, n int, rule string) []byte {
	var b strings.Builder
	b.WriteString(head)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(rule)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// TestHostileInputsLinear checks, without timing anything, that decoding
// the hostile inputs does not look values up by position over and over:
// the lookups that walk the tape from the root or an array's start (jv.path,
// jv.elem) may step over no more entries in all than the tape has. One
// path or elem call per rule would step over all earlier rules each time,
// some 5*10^7 entries for 10^4 rules.
func TestHostileInputsLinear(t *testing.T) {
	for name, data := range hostileInputs() {
		if name == "nested-100000" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			src := string(data)
			root, se := parseJSON(src, DefaultMaxDepth)
			require.Nil(t, se)
			p, err := newDecoder(src, "").profile(root)
			require.NoError(t, err)
			assert.LessOrEqual(t, root.doc.steps, len(root.doc.vals))
			if strings.HasPrefix(name, "unknown-key") {
				require.Len(t, p.unknownFields, len(p.Syscalls))
				last := len(p.Syscalls) - 1
				want := fmt.Sprintf("syscalls[%d].x", last)
				if name == "unknown-key-args-10000" {
					want = fmt.Sprintf("syscalls[%d].args[0].x", last)
				}
				assert.Equal(t, want, p.unknownFields[last].path)
			}
		})
	}
}

func TestHostileInputs(t *testing.T) {
	for name, data := range hostileInputs() {
		p, err := Parse(data)
		if name == "nested-100000" {
			if err == nil {
				t.Fatal("100000 levels of nesting accepted")
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := p.Resolve(Target{Arch: arch.X86_64, Kernel: KernelVersion{6, 1}}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

func BenchmarkHostile(b *testing.B) {
	for name, data := range hostileInputs() {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				p, err := Parse(data)
				if err == nil {
					_, _ = p.Resolve(Target{Arch: arch.X86_64, Kernel: KernelVersion{6, 1}})
				}
			}
		})
	}
}
