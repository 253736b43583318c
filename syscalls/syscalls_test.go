package syscalls

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/seccompctl/seccompctl/arch"
)

func TestNumber(t *testing.T) {
	tests := []struct {
		arch arch.Arch
		name string
		nr   int
	}{
		{arch.X86_64, "read", 0},
		{arch.X86_64, "_sysctl", 156}, // removed in 5.5; CSV only
		{arch.X86_64, "uselib", 134},
		{arch.X86_64, "rseq_slice_yield", 471},
		{arch.X86_64, "uretprobe", 335},
		{arch.X86, "read", 3},
		{arch.X86, "socket", 359}, // direct socket calls since 4.3
		{arch.X86, "socketcall", 102},
		{arch.X32, "read", 0x40000000},
		{arch.X32, "rt_sigaction", 0x40000000 + 512}, // x32-specific compat entry
		{arch.ARM, "read", 3},
		{arch.ARM, "cacheflush", 0xf0002},
		{arch.ARM, "arm_sync_file_range", 341},
		{arch.AArch64, "openat", 56},
		{arch.LoongArch64, "memfd_secret", 447}, // hrw only
		{arch.M68K, "socketcall", 102},
		{arch.MIPS, "read", 4003},
		{arch.MIPSEL, "read", 4003},
		{arch.MIPS, "socketcall", 4102},
		{arch.MIPS64, "read", 5000},
		{arch.MIPSEL64, "read", 5000},
		{arch.MIPS64N32, "read", 6000},
		{arch.MIPSEL64N32, "read", 6000},
		{arch.PARISC, "_llseek", 140},
		{arch.PPC64LE, "sync_file_range2", 308},
		{arch.RISCV64, "riscv_hwprobe", 258},
		{arch.S390X, "socketcall", 102},
		{arch.S390, "ipc", 117},
		{arch.SHEB, "sync_file_range2", 388},
	}
	for _, tt := range tests {
		t.Run(tt.arch.ShortName()+"/"+tt.name, func(t *testing.T) {
			nr, ok := Number(tt.arch, tt.name)
			if !ok || nr != tt.nr {
				t.Errorf("Number = %d, %t; want %d, true", nr, ok, tt.nr)
			}
			name, ok := Name(tt.arch, tt.nr)
			if !ok || name != tt.name {
				t.Errorf("Name(%d) = %q, %t; want %q, true", tt.nr, name, ok, tt.name)
			}
		})
	}
}

func TestNumberMissing(t *testing.T) {
	tests := []struct {
		arch arch.Arch
		name string
	}{
		{arch.X86_64, "socketcall"},   // libseccomp: pseudo-number -10060
		{arch.AArch64, "open"},        // the generic syscall ABI has only openat
		{arch.PARISC64, "_llseek"},    // libseccomp 2.5.4 said 140; 2.6.1 and the kernel: none
		{arch.RISCV64, "fork"},        // only clone/clone3 on the generic ABI
		{arch.X86_64, "no_such_call"}, // unknown everywhere
		{arch.X86_64, ""},
		{arch.Unknown, "read"},
		{arch.Arch(200), "read"},
	}
	for _, tt := range tests {
		t.Run(tt.arch.String()+"/"+tt.name, func(t *testing.T) {
			if nr, ok := Number(tt.arch, tt.name); ok || nr != 0 {
				t.Errorf("Number = %d, %t; want 0, false", nr, ok)
			}
		})
	}
}

func TestNameMissing(t *testing.T) {
	tests := []struct {
		arch arch.Arch
		nr   int
	}{
		{arch.X86_64, -1},
		{arch.X86_64, -101},
		{arch.X86_64, 1 << 20},
		{arch.X86_64, 0x40000000}, // x32's read, not x86_64's
		{arch.X32, 0},             // x32 numbers carry the bit
		{arch.PARISC64, 140},
		{arch.Unknown, 0},
	}
	for _, tt := range tests {
		if name, ok := Name(tt.arch, tt.nr); ok {
			t.Errorf("Name(%v, %d) = %q, want none", tt.arch, tt.nr, name)
		}
	}
}

// TestSharedNumber: arm 341 has two names; Name returns libseccomp's.
func TestSharedNumber(t *testing.T) {
	if nr, ok := Number(arch.ARM, "sync_file_range2"); !ok || nr != 341 {
		t.Errorf("Number(arm, sync_file_range2) = %d, %t; want 341", nr, ok)
	}
	if name, _ := Name(arch.ARM, 341); name != "arm_sync_file_range" {
		t.Errorf("Name(arm, 341) = %q, want arm_sync_file_range", name)
	}
	var at341 []Syscall
	for _, s := range Table(arch.ARM) {
		if s.Nr == 341 {
			at341 = append(at341, s)
		}
	}
	want := []Syscall{{"arm_sync_file_range", 341, true}, {"sync_file_range2", 341, false}}
	if d := cmp.Diff(want, at341); d != "" {
		t.Errorf("arm entries at 341 (-want +got):\n%s", d)
	}
}

// TestTableConsistency checks every table against the lookups built from it.
func TestTableConsistency(t *testing.T) {
	for _, a := range arch.All() {
		t.Run(a.ShortName(), func(t *testing.T) {
			tab := Table(a)
			if len(tab) < 300 {
				t.Fatalf("only %d syscalls", len(tab))
			}
			if !slices.IsSortedFunc(tab, func(x, y Syscall) int { return x.Nr - y.Nr }) {
				t.Fatal("not sorted by number")
			}
			if m := Max(a); m != tab[len(tab)-1].Nr {
				t.Errorf("Max = %d, last entry %d", m, tab[len(tab)-1].Nr)
			}
			seen := map[string]bool{}
			for i, s := range tab {
				if seen[s.Name] {
					t.Errorf("%s twice", s.Name)
				}
				seen[s.Name] = true
				if !Known(s.Name) {
					t.Errorf("Known(%s) = false", s.Name)
				}
				if nr, ok := Number(a, s.Name); !ok || nr != s.Nr {
					t.Errorf("Number(%s) = %d, %t; want %d", s.Name, nr, ok, s.Nr)
				}
				name, ok := Name(a, s.Nr)
				first := i == 0 || tab[i-1].Nr != s.Nr
				switch {
				case !ok:
					t.Errorf("Name(%d) not found", s.Nr)
				case first && name != s.Name:
					t.Errorf("Name(%d) = %q, want %q (first entry)", s.Nr, name, s.Name)
				case !first && s.Libseccomp && !tab[i-1].Libseccomp:
					t.Errorf("%s at %d: a libseccomp name after a non-libseccomp one", s.Name, s.Nr)
				}
				if s.Nr < 0 {
					t.Errorf("%s: negative number %d", s.Name, s.Nr)
				}
				if (a == arch.X32) != (s.Nr&arch.X32SyscallBit != 0) {
					t.Errorf("%s: number %#x and the x32 bit disagree", s.Name, s.Nr)
				}
			}
		})
	}
}

// TestNonLibseccompEntries pins which entries libseccomp 2.6.1 does not
// know: the hrw table numbers them, the CSV has PNR or no row there.
func TestNonLibseccompEntries(t *testing.T) {
	type entry struct {
		Arch string
		Syscall
	}
	var got []entry
	for _, a := range arch.All() {
		for _, s := range Table(a) {
			if !s.Libseccomp {
				got = append(got, entry{a.ShortName(), s})
			}
		}
	}
	want := []entry{
		// The kernel's uapi alias of arm_sync_file_range (same number).
		{"arm", Syscall{"sync_file_range2", 341, false}},
		// Numbered by the kernel 7.2-rc1 tables, PNR in libseccomp's CSV.
		{"loongarch64", Syscall{"memfd_secret", 447, false}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("non-libseccomp entries (-want +got):\n%s", d)
	}
}

func TestSharedTables(t *testing.T) {
	pairs := [][2]arch.Arch{
		{arch.MIPS, arch.MIPSEL}, {arch.MIPS64, arch.MIPSEL64}, {arch.MIPS64N32, arch.MIPSEL64N32},
		{arch.PPC64, arch.PPC64LE}, {arch.SH, arch.SHEB},
	}
	for _, p := range pairs {
		if d := cmp.Diff(Table(p[0]), Table(p[1])); d != "" {
			t.Errorf("%v and %v differ:\n%s", p[0], p[1], d)
		}
	}
}

func TestTableIsCopy(t *testing.T) {
	tab := Table(arch.X86_64)
	if tab[0].Name != "read" {
		t.Fatalf("first x86_64 entry %q", tab[0].Name)
	}
	tab[0].Name, tab[0].Nr = "clobbered", 999
	if name, _ := Name(arch.X86_64, 0); name != "read" {
		t.Errorf("Table's result aliases the package's table: Name(0) = %q", name)
	}
	if got := Table(arch.Unknown); got != nil {
		t.Errorf("Table(Unknown) = %v, want nil", got)
	}
}

func TestMax(t *testing.T) {
	tests := []struct {
		arch arch.Arch
		max  int
	}{
		{arch.X86_64, 471},
		{arch.X32, 0x40000000 + 547},
		{arch.ARM, 0xf0006}, // get_tls, an ARM-private call
		{arch.AArch64, 471},
		{arch.MIPS, 4471},
		{arch.S390X, 471},
		{arch.Unknown, -1},
	}
	for _, tt := range tests {
		if got := Max(tt.arch); got != tt.max {
			t.Errorf("Max(%v) = %d, want %d", tt.arch, got, tt.max)
		}
	}
}

func TestKnownAndNames(t *testing.T) {
	names := Names()
	if !slices.IsSorted(names) {
		t.Fatal("Names not sorted")
	}
	if len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Fatal("Names has duplicates")
	}
	for _, n := range []string{"read", "_sysctl", "arch_prctl", "cacheflush", "rseq_slice_yield", "memfd_secret", "sync_file_range2"} {
		if !Known(n) || !slices.Contains(names, n) {
			t.Errorf("%s: Known %t, in Names %t", n, Known(n), slices.Contains(names, n))
		}
	}
	for _, n := range []string{"", "READ", "no_such_call", "read "} {
		if Known(n) {
			t.Errorf("Known(%q) = true", n)
		}
	}
	// Names is exactly the union of the tables.
	union := map[string]bool{}
	for _, a := range arch.All() {
		for _, s := range Table(a) {
			union[s.Name] = true
		}
	}
	if len(names) != len(union) {
		t.Errorf("Names has %d names, the tables %d", len(names), len(union))
	}
	names[0] = "clobbered"
	if Names()[0] == "clobbered" {
		t.Error("Names' result aliases the package's list")
	}
}

func TestCSVVersion(t *testing.T) {
	// The header of libseccomp v2.6.1's syscalls.csv; another one means the
	// inputs were replaced and the package doc needs a look.
	if !strings.HasPrefix(csvVersion, "#syscall (v7.1.0-rc4") {
		t.Errorf("csvVersion = %q", csvVersion)
	}
}

func TestLookupsDoNotAllocate(t *testing.T) {
	sink := 0
	allocs := testing.AllocsPerRun(100, func() {
		nr, _ := Number(arch.X86_64, "rseq_slice_yield")
		name, _ := Name(arch.MIPS64N32, 6000)
		call, _ := SocketcallNumber("sendmmsg")
		ipc, _ := IPCNr(arch.S390X)
		id, _ := IDOf("openat")
		s, _ := LookupID(arch.X32, id)
		sink += s.Nr
		if Known("openat") && Multiplexed(arch.S390X) {
			sink++
		}
		sink += nr + len(name) + call + ipc + Max(arch.AArch64)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per lookup round", allocs)
	}
	if sink == 0 {
		t.Error("lookups returned nothing")
	}
}

func BenchmarkNumber(b *testing.B) {
	for b.Loop() {
		Number(arch.X86_64, "rseq_slice_yield")
	}
}

func BenchmarkName(b *testing.B) {
	for b.Loop() {
		Name(arch.X86_64, 334)
	}
}
