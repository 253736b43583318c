package arch_test

import (
	"encoding/json"
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/seccompctl/seccompctl/arch"
)

// want is what we know of each architecture from outside this package:
// the kernel's AUDIT_ARCH_* constant (golang.org/x/sys/unix), libseccomp's
// short name, its argument width (ARCH_SIZE_32/64 in libseccomp's arch-*.c)
// and the name moby compares includes.arches with (goToNative values in
// moby/profiles seccomp_linux.go).
var want = map[arch.Arch]struct {
	audit   uint32
	short   string
	bits    int
	profile string
}{
	arch.X86:    {unix.AUDIT_ARCH_I386, "x86", 32, "x86"},
	arch.X86_64: {unix.AUDIT_ARCH_X86_64, "x86_64", 64, "amd64"},
	// x32 reports AUDIT_ARCH_X86_64; libseccomp compares only low words.
	arch.X32:         {unix.AUDIT_ARCH_X86_64, "x32", 32, "x32"},
	arch.ARM:         {unix.AUDIT_ARCH_ARM, "arm", 32, "arm"},
	arch.AArch64:     {unix.AUDIT_ARCH_AARCH64, "aarch64", 64, "arm64"},
	arch.LoongArch64: {unix.AUDIT_ARCH_LOONGARCH64, "loongarch64", 64, "loongarch64"},
	arch.M68K:        {unix.AUDIT_ARCH_M68K, "m68k", 32, "m68k"},
	arch.MIPS:        {unix.AUDIT_ARCH_MIPS, "mips", 32, "mips"},
	arch.MIPSEL:      {unix.AUDIT_ARCH_MIPSEL, "mipsel", 32, "mipsel"},
	arch.MIPS64:      {unix.AUDIT_ARCH_MIPS64, "mips64", 64, "mips64"},
	arch.MIPSEL64:    {unix.AUDIT_ARCH_MIPSEL64, "mipsel64", 64, "mipsel64"},
	arch.MIPS64N32:   {unix.AUDIT_ARCH_MIPS64N32, "mips64n32", 32, "mips64n32"},
	// moby's own spelling, typo included (COMPAT §3).
	arch.MIPSEL64N32: {unix.AUDIT_ARCH_MIPSEL64N32, "mipsel64n32", 32, "mips3l64n32"},
	arch.PARISC:      {unix.AUDIT_ARCH_PARISC, "parisc", 32, "parisc"},
	arch.PARISC64:    {unix.AUDIT_ARCH_PARISC64, "parisc64", 64, "parisc64"},
	arch.PPC:         {unix.AUDIT_ARCH_PPC, "ppc", 32, "ppc"},
	arch.PPC64:       {unix.AUDIT_ARCH_PPC64, "ppc64", 64, "ppc64"},
	arch.PPC64LE:     {unix.AUDIT_ARCH_PPC64LE, "ppc64le", 64, "ppc64le"},
	arch.RISCV64:     {unix.AUDIT_ARCH_RISCV64, "riscv64", 64, "riscv64"},
	arch.S390:        {unix.AUDIT_ARCH_S390, "s390", 32, "s390"},
	arch.S390X:       {unix.AUDIT_ARCH_S390X, "s390x", 64, "s390x"},
	// libseccomp's SCMP_ARCH_SH is little-endian sh (AUDIT_ARCH_SHEL),
	// SCMP_ARCH_SHEB the big-endian one (AUDIT_ARCH_SH).
	arch.SH:   {unix.AUDIT_ARCH_SHEL, "sh", 32, "sh"},
	arch.SHEB: {unix.AUDIT_ARCH_SH, "sheb", 32, "sheb"},
}

func TestAll(t *testing.T) {
	all := arch.All()
	assert.Len(t, all, len(want), "every libseccomp architecture, once")
	seen := map[arch.Arch]bool{}
	for _, a := range all {
		assert.True(t, a.Valid())
		assert.False(t, seen[a], "%s twice", a)
		seen[a] = true
		_, ok := want[a]
		assert.True(t, ok, "%s has no expectation", a)
	}
	assert.False(t, arch.Unknown.Valid())
	assert.Equal(t, arch.X86, all[0], "libseccomp's order")
}

// TestInfo: audit value, word size, byte order and the x32 syscall bit
// (issue 2 "audit arch value, word size (32/64), endianness, and for x32
// the 0x40000000 syscall bit").
func TestInfo(t *testing.T) {
	for a, w := range want {
		t.Run(a.String(), func(t *testing.T) {
			info := a.Info()
			assert.Equal(t, a, info.Arch)
			assert.Equal(t, w.audit, info.Audit, "AUDIT_ARCH value %#x", info.Audit)
			assert.Equal(t, w.audit, a.Audit())
			assert.Equal(t, w.bits, info.Bits)
			assert.Equal(t, w.bits == 64, a.Is64Bit())
			// __AUDIT_ARCH_LE (0x40000000) marks little-endian ABIs.
			assert.Equal(t, w.audit&0x40000000 == 0, info.BigEndian, "endianness from the audit value")
			assert.Equal(t, info.BigEndian, a.BigEndian())
			assert.Equal(t, w.short, a.ShortName())
			assert.Equal(t, "SCMP_ARCH_"+strings.ToUpper(w.short), a.String())
			assert.Equal(t, w.profile, info.ProfileName)
			if a == arch.X32 {
				assert.Equal(t, uint32(0x40000000), info.SyscallBit)
			} else {
				assert.Zero(t, info.SyscallBit)
			}
		})
	}
	assert.Equal(t, uint32(0x40000000), uint32(arch.X32SyscallBit))
}

// TestNamesRoundTrip: every name an arch has parses back to it, and no
// name belongs to two arches.
func TestNamesRoundTrip(t *testing.T) {
	owner := map[string]arch.Arch{}
	for _, a := range arch.All() {
		info := a.Info()
		names := append([]string{a.String(), a.ShortName(), info.ProfileName}, info.Aliases...)
		for _, n := range names {
			got, err := arch.Parse(n)
			require.NoError(t, err, n)
			assert.Equal(t, a, got, "Parse(%q)", n)
			if prev, dup := owner[n]; dup && prev != a {
				t.Errorf("name %q is both %s and %s", n, prev, a)
			}
			owner[n] = a
		}

		got, err := arch.FromSCMPName(a.String())
		require.NoError(t, err)
		assert.Equal(t, a, got)

		text, err := a.MarshalText()
		require.NoError(t, err)
		var back arch.Arch
		require.NoError(t, back.UnmarshalText(text))
		assert.Equal(t, a, back)
	}
}

// TestParseAliases: the Go/uname names profiles use in includes.arches and
// users type (issue 2's list).
func TestParseAliases(t *testing.T) {
	tests := map[string]arch.Arch{
		"amd64": arch.X86_64, "x86_64": arch.X86_64, "386": arch.X86, "x86": arch.X86, "i386": arch.X86, "i686": arch.X86,
		"x32": arch.X32, "arm": arch.ARM, "arm64": arch.AArch64, "aarch64": arch.AArch64,
		"loong64": arch.LoongArch64, "loongarch64": arch.LoongArch64, "m68k": arch.M68K,
		"mips": arch.MIPS, "mipsle": arch.MIPSEL, "mipsel": arch.MIPSEL, "mips64": arch.MIPS64,
		"mips64le": arch.MIPSEL64, "mipsel64": arch.MIPSEL64, "mips64n32": arch.MIPS64N32, "mipsel64n32": arch.MIPSEL64N32,
		"mips3l64n32": arch.MIPSEL64N32, "parisc": arch.PARISC, "parisc64": arch.PARISC64, "ppc": arch.PPC,
		"ppc64": arch.PPC64, "ppc64le": arch.PPC64LE, "riscv64": arch.RISCV64, "s390": arch.S390, "s390x": arch.S390X,
		"sh": arch.SH, "sheb": arch.SHEB,
		"SCMP_ARCH_X86_64": arch.X86_64, "SCMP_ARCH_AARCH64": arch.AArch64, "SCMP_ARCH_MIPSEL64N32": arch.MIPSEL64N32,
	}
	for name, a := range tests {
		got, err := arch.Parse(name)
		require.NoError(t, err, name)
		assert.Equal(t, a, got, name)
	}
	for _, bad := range []string{"", "sparc64", "AMD64", "scmp_arch_x86_64", "SCMP_ARCH_NATIVE", "x86-64", " amd64"} {
		_, err := arch.Parse(bad)
		assert.ErrorIs(t, err, arch.ErrUnknown, "Parse(%q)", bad)
	}
}

// TestFromSCMPName: runc reads SCMP_ARCH_* names exactly (case-sensitive,
// no Go names).
func TestFromSCMPName(t *testing.T) {
	for _, bad := range []string{"amd64", "x86_64", "scmp_arch_x86_64", "SCMP_ARCH_x86_64", "SCMP_ARCH_NATIVE", "SCMP_ARCH_I386", ""} {
		_, err := arch.FromSCMPName(bad)
		require.Error(t, err, bad)
		assert.True(t, errors.Is(err, arch.ErrUnknown), bad)
	}
	var a arch.Arch
	assert.Error(t, a.UnmarshalText([]byte("amd64")))
	_, err := arch.Unknown.MarshalText()
	assert.Error(t, err)
	assert.Equal(t, "Arch(0)", arch.Unknown.String())
	assert.Equal(t, "Arch(200)", arch.Arch(200).String())
	assert.False(t, arch.Arch(200).Valid())
}

// TestFromAudit: x86_64 and x32 share AUDIT_ARCH_X86_64 (package doc); every
// other audit value names one arch.
func TestFromAudit(t *testing.T) {
	assert.Equal(t, []arch.Arch{arch.X86_64, arch.X32}, arch.FromAudit(unix.AUDIT_ARCH_X86_64))
	assert.Equal(t, []arch.Arch{arch.X86}, arch.FromAudit(unix.AUDIT_ARCH_I386))
	assert.Equal(t, []arch.Arch{arch.SH}, arch.FromAudit(unix.AUDIT_ARCH_SHEL))
	assert.Empty(t, arch.FromAudit(0))
	assert.Empty(t, arch.FromAudit(unix.AUDIT_ARCH_SPARC64), "sparc has no seccomp arch in libseccomp")
	for _, a := range arch.All() {
		got := arch.FromAudit(a.Audit())
		assert.Contains(t, got, a)
		if a != arch.X86_64 && a != arch.X32 {
			assert.Len(t, got, 1, "%s", a)
		}
	}
}

// TestNative: the arch of the running binary (moby maps GOARCH the same way).
func TestNative(t *testing.T) {
	goarch := map[string]arch.Arch{
		"386": arch.X86, "amd64": arch.X86_64, "arm": arch.ARM, "arm64": arch.AArch64, "loong64": arch.LoongArch64,
		"mips": arch.MIPS, "mipsle": arch.MIPSEL, "mips64": arch.MIPS64, "mips64le": arch.MIPSEL64,
		"ppc64": arch.PPC64, "ppc64le": arch.PPC64LE, "riscv64": arch.RISCV64, "s390x": arch.S390X,
	}
	for g, a := range goarch {
		got, err := arch.FromGOARCH(g)
		require.NoError(t, err, g)
		assert.Equal(t, a, got, g)
	}
	_, err := arch.FromGOARCH("wasm")
	assert.ErrorIs(t, err, arch.ErrUnknown)
	if a, ok := goarch[runtime.GOARCH]; ok {
		assert.Equal(t, a, arch.Native())
	}
	if runtime.GOARCH == "amd64" {
		assert.Equal(t, arch.X86_64, arch.Native())
	}
}

// TestDefaultSubArchesMatchMoby: DefaultSubArches is moby's archMap
// (../shared/profiles/moby-profiles-default-2026.json), entry by entry.
func TestDefaultSubArchesMatchMoby(t *testing.T) {
	data, err := os.ReadFile("../../shared/profiles/moby-profiles-default-2026.json")
	require.NoError(t, err, "is ../shared checked out beside the repository?")
	var doc struct {
		ArchMap []struct {
			Architecture     string   `json:"architecture"`
			SubArchitectures []string `json:"subArchitectures"`
		} `json:"archMap"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	require.Len(t, doc.ArchMap, 9)
	inMoby := map[arch.Arch]bool{}
	for _, m := range doc.ArchMap {
		a, err := arch.FromSCMPName(m.Architecture)
		require.NoError(t, err)
		inMoby[a] = true
		var subs []arch.Arch
		for _, s := range m.SubArchitectures {
			sa, err := arch.FromSCMPName(s)
			require.NoError(t, err)
			subs = append(subs, sa)
		}
		if diff := cmp.Diff(subs, arch.DefaultSubArches(a)); diff != "" {
			t.Errorf("DefaultSubArches(%s) (-moby +got):\n%s", a, diff)
		}
	}
	for _, a := range arch.All() {
		if !inMoby[a] {
			assert.Empty(t, arch.DefaultSubArches(a), "%s is not in moby's archMap", a)
		}
	}
	// A sub-arch always shares the byte order (libseccomp: EDOM otherwise).
	for _, a := range arch.All() {
		for _, s := range arch.DefaultSubArches(a) {
			assert.Equal(t, a.BigEndian(), s.BigEndian(), "%s / %s", a, s)
		}
	}
}

func TestNames(t *testing.T) {
	assert.Equal(t, []string{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}, arch.Names([]arch.Arch{arch.X86_64, arch.X86, arch.X32}))
	assert.Empty(t, arch.Names(nil))
}
