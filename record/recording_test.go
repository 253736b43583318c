package record_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/record"
)

var ignorePos = []cmp.Option{
	cmpopts.IgnoreFields(profile.Profile{}, "Source"),
	cmpopts.IgnoreFields(profile.Syscall{}, "Pos", "Index"),
	cmpopts.IgnoreFields(profile.Arg{}, "Pos"),
	cmpopts.IgnoreUnexported(profile.Profile{}, profile.Syscall{}),
	cmpopts.EquateEmpty(),
}

func TestCallArch(t *testing.T) {
	tests := []struct {
		name  string
		audit uint32
		nr    int32
		want  arch.Arch
		ok    bool
	}{
		{"x86_64", arch.X86_64.Audit(), 59, arch.X86_64, true},
		{"x32 by bit 30", arch.X86_64.Audit(), 0x40000000 + 59, arch.X32, true},
		{"i386", arch.X86.Audit(), 11, arch.X86, true},
		{"aarch64", arch.AArch64.Audit(), 221, arch.AArch64, true},
		{"mips n32", arch.MIPSEL64N32.Audit(), 6057, arch.MIPSEL64N32, true},
		{"unknown", 0xdeadbeef, 1, arch.Unknown, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := record.CallArch(tt.audit, tt.nr)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func u(v uint) *uint { return &v }

func TestProfile(t *testing.T) {
	x86_64, x86 := arch.X86_64.Audit(), arch.X86.Audit()
	rec := record.NewRecording()
	rec.Add(x86_64, 1, [6]uint64{})      // write
	rec.Add(x86_64, 1, [6]uint64{})      // write again
	rec.Add(x86_64, 59, [6]uint64{})     // execve
	rec.Add(x86, 102, [6]uint64{})       // socketcall (i386)
	rec.Add(x86_64, 135, [6]uint64{8})   // personality(PER_LINUX32)
	rec.Add(x86_64, 135, [6]uint64{0})   // personality(PER_LINUX)
	rec.Add(x86_64, 41, [6]uint64{1, 1}) // socket(AF_UNIX)
	// clone for a thread and for a new user namespace: only the
	// namespace bits are kept.
	rec.Add(x86_64, 56, [6]uint64{0x3d0f00})
	rec.Add(x86_64, 56, [6]uint64{0x10000000 | 0x11})
	rec.Add(x86_64, 999, [6]uint64{}) // not a syscall
	rec.Add(0xdeadbeef, 1, [6]uint64{})

	tests := []struct {
		name     string
		opts     record.ProfileOptions
		want     *profile.Profile
		warnings int
	}{
		{
			name: "plain",
			opts: record.ProfileOptions{Native: arch.X86_64},
			want: &profile.Profile{
				DefaultAction: "SCMP_ACT_ERRNO", DefaultErrnoRet: u(1),
				Architectures: []arch.Arch{arch.X86_64, arch.X86},
				Syscalls:      []profile.Syscall{{Names: []string{"clone", "execve", "personality", "socket", "socketcall", "write"}, Action: "SCMP_ACT_ALLOW"}},
			},
			warnings: 2,
		},
		{
			name: "args and errno",
			opts: record.ProfileOptions{Native: arch.X86_64, Args: true, DefaultErrnoRet: 38},
			want: &profile.Profile{
				DefaultAction: "SCMP_ACT_ERRNO", DefaultErrnoRet: u(38),
				Architectures: []arch.Arch{arch.X86_64, arch.X86},
				Syscalls: []profile.Syscall{
					{Names: []string{"execve", "socketcall", "write"}, Action: "SCMP_ACT_ALLOW"},
					{Names: []string{"clone"}, Action: "SCMP_ACT_ALLOW", Args: []profile.Arg{{Index: 0, Value: 0x7E020000, ValueTwo: 0, Op: profile.OpMaskedEqual}}},
					{Names: []string{"clone"}, Action: "SCMP_ACT_ALLOW", Args: []profile.Arg{{Index: 0, Value: 0x7E020000, ValueTwo: 0x10000000, Op: profile.OpMaskedEqual}}},
					{Names: []string{"personality"}, Action: "SCMP_ACT_ALLOW", Args: []profile.Arg{{Index: 0, Value: 0, Op: profile.OpEqualTo}}},
					{Names: []string{"personality"}, Action: "SCMP_ACT_ALLOW", Args: []profile.Arg{{Index: 0, Value: 8, Op: profile.OpEqualTo}}},
					{Names: []string{"socket"}, Action: "SCMP_ACT_ALLOW", Args: []profile.Arg{{Index: 0, Value: 1, Op: profile.OpEqualTo}}},
				},
			},
			warnings: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warnings, err := rec.Profile(tt.opts)
			require.NoError(t, err)
			assert.Len(t, warnings, tt.warnings, "%q", warnings)
			if d := cmp.Diff(tt.want, got, ignorePos...); d != "" {
				t.Errorf("profile (-want +got):\n%s", d)
			}
			// Valid for our parser and for runc's reading.
			data, err := record.Marshal(got)
			require.NoError(t, err)
			p, err := profile.Parse(data)
			require.NoError(t, err)
			_, err = p.Resolve(profile.Target{Arch: arch.X86_64})
			require.NoError(t, err)
		})
	}
}

func TestProfileBaseAndLimits(t *testing.T) {
	rec := record.NewRecording()
	rec.Add(arch.X86_64.Audit(), 1, [6]uint64{})
	p, _, err := rec.Profile(record.ProfileOptions{Native: arch.X86_64, Base: record.BaseDocker})
	require.NoError(t, err)
	names := p.Syscalls[0].Names
	for _, n := range []string{"write", "execve", "close", "openat", "close_range", "futex", "getdents64", "fstatfs"} {
		assert.Contains(t, names, n)
	}
	assert.IsIncreasing(t, names, "sorted names")

	// More distinct values than kept: unconditional, with a warning.
	many := record.NewRecording()
	for i := range 40 {
		many.Add(arch.X86_64.Audit(), 41, [6]uint64{uint64(i)})
	}
	p, warnings, err := many.Profile(record.ProfileOptions{Native: arch.X86_64, Args: true})
	require.NoError(t, err)
	require.Len(t, p.Syscalls, 1)
	assert.Empty(t, p.Syscalls[0].Args)
	assert.Len(t, warnings, 1)

	// s390x passes clone flags in argument 1.
	s := record.NewRecording()
	s.Add(arch.S390X.Audit(), 120, [6]uint64{0, 0x20000000})
	p, _, err = s.Profile(record.ProfileOptions{Native: arch.S390X, Args: true})
	require.NoError(t, err)
	require.Len(t, p.Syscalls, 1)
	assert.Equal(t, []profile.Arg{{Index: 1, Value: 0x7E020000, ValueTwo: 0x20000000, Op: profile.OpMaskedEqual}}, p.Syscalls[0].Args)

	// Mixed byte orders cannot share a profile.
	mixed := record.NewRecording()
	mixed.Add(arch.S390X.Audit(), 1, [6]uint64{})
	_, _, err = mixed.Profile(record.ProfileOptions{Native: arch.X86_64})
	require.Error(t, err)

	_, err = record.ParseBase("podman-ish")
	require.Error(t, err)
}

func TestMarshalRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		p    *profile.Profile
		want string // a substring of the JSON
	}{
		{"flags absent", &profile.Profile{DefaultAction: "SCMP_ACT_ALLOW"}, `"syscalls": []`},
		{"flags empty", &profile.Profile{DefaultAction: "SCMP_ACT_ALLOW", Flags: []profile.Flag{}}, `"flags": []`},
		{"archMap", &profile.Profile{DefaultAction: "SCMP_ACT_ERRNO", ArchMap: []profile.ArchMapEntry{{Arch: arch.AArch64}}}, `"subArchitectures": []`},
		{"html characters", &profile.Profile{DefaultAction: "SCMP_ACT_ALLOW", Syscalls: []profile.Syscall{{Names: []string{"read"}, Action: "SCMP_ACT_LOG", Comment: "a<b&c"}}}, `a<b&c`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := record.Marshal(tt.p)
			require.NoError(t, err)
			assert.Contains(t, string(data), tt.want)
			again, err := profile.Parse(data)
			require.NoError(t, err)
			if d := cmp.Diff(tt.p, again, ignorePos...); d != "" {
				t.Errorf("round trip (-want +got):\n%s", d)
			}
			assert.Equal(t, tt.p.Flags == nil, again.Flags == nil)
		})
	}
}
