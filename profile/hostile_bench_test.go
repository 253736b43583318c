package profile

import (
	"fmt"
	"strings"
	"testing"

	"github.com/seccompctl/seccompctl/arch"
)

// Hostile input sizes, parsed (and, where it parses, resolved) within the
// default limits: nesting 10^5 levels deep (refused at DefaultMaxDepth
// after reading 64 levels), 10^5 names in one rule and 10^4 rules. The
// bounds these show are stated in the package doc.
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
