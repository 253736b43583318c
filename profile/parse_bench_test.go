package profile_test

import (
	"testing"

	"github.com/seccompctl/seccompctl/profile"
)

// benchProfiles are the real profiles bench/ compiles; Parse and Resolve
// are the first two thirds of its compile pipeline.
var benchProfiles = []string{"docker-default", "containers-default"}

func benchJSON(b testing.TB, name string) []byte {
	return readFile(b, "../bench/testdata/profiles/"+name+".json")
}

// BenchmarkParse times JSON bytes → Profile.
//
//	go test -run=NONE -bench 'Parse$|Resolve$' -benchmem ./profile/
func BenchmarkParse(b *testing.B) {
	for _, name := range benchProfiles {
		data := benchJSON(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := profile.Parse(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkResolve times Profile → Policy for x86_64 with its
// sub-architectures, Docker's caps, Linux 6.1 and runc (bench.Target).
func BenchmarkResolve(b *testing.B) {
	for _, name := range benchProfiles {
		p, err := profile.Parse(benchJSON(b, name))
		if err != nil {
			b.Fatal(err)
		}
		t := x86_64Target
		t.Runtime = profile.RuntimeRunc
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Resolve(t); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
