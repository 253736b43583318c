package bench

import (
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/net/bpf"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/syscalls"
)

// ErrNoArch is returned when a subject names no architecture to measure.
var ErrNoArch = errors.New("bench: no architecture to measure")

// Subject is a program to measure: ours or another compiler's.
type Subject struct {
	// Name labels the program in reports ("seccompctl", "libseccomp-opt2").
	Name string
	// Insns is the program.
	Insns []bpf.RawInstruction
	// Arches are the ABIs to measure it on, native first. A raw program
	// does not say which architectures it handles; the caller does.
	Arches []arch.Arch
}

// NrCost is what one syscall number costs on one ABI with zero arguments.
type NrCost struct {
	Nr   int
	Name string
	// Executed is the number of instructions the filter runs.
	Executed int
	// Cached reports that the kernel's action cache absorbs the call, so
	// on Linux ≥ 5.11 the filter does not run at all.
	Cached bool
}

// ArchCost is a program's cost on one ABI.
type ArchCost struct {
	Arch arch.Arch
	// PerNr has one entry per number of the ABI's syscall table (aliases
	// counted once), ascending.
	PerNr []NrCost
	// Mean and Max are over PerNr, every call running the filter (kernels
	// before 5.11, or no action cache).
	Mean float64
	Max  int
	// MaxName is a syscall whose path is Max long.
	MaxName string
	// Cached is how many numbers the kernel caches; CachedMean is the mean
	// with cached numbers costing 0 (Linux ≥ 5.11).
	Cached     int
	CachedMean float64
	// Weighted and WeightedCached map a mix name to the call-weighted mean
	// without and with the action cache. Only mixes recorded on this ABI
	// are applied.
	Weighted       map[string]float64
	WeightedCached map[string]float64
}

// Cost is a program's measurement on all of its ABIs.
type Cost struct {
	Subject string
	Len     int
	Arches  []ArchCost
}

// Arch returns the cost on a, or nil.
func (c *Cost) Arch(a arch.Arch) *ArchCost {
	for i := range c.Arches {
		if c.Arches[i].Arch == a {
			return &c.Arches[i]
		}
	}
	return nil
}

// Measure emulates s on every syscall number of each of its ABIs with zero
// arguments, and weights the results by each mix recorded on that ABI.
func Measure(s Subject, mixes []*Mix) (*Cost, error) {
	if len(s.Arches) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoArch, s.Name)
	}
	order := binary.ByteOrder(binary.LittleEndian)
	if s.Arches[0].BigEndian() {
		order = binary.BigEndian
	}
	emu, err := compile.NewEmulator(s.Insns, order)
	if err != nil {
		return nil, fmt.Errorf("bench: %s: %w", s.Name, err)
	}
	c := &Cost{Subject: s.Name, Len: len(s.Insns)}
	for _, a := range s.Arches {
		ac := measureArch(emu, s.Insns, a, order)
		for _, m := range mixes {
			if m.Arch != a {
				continue
			}
			if ac.Weighted == nil {
				ac.Weighted, ac.WeightedCached = map[string]float64{}, map[string]float64{}
			}
			ac.Weighted[m.Name], ac.WeightedCached[m.Name] = ac.weighted(m)
		}
		c.Arches = append(c.Arches, ac)
	}
	return c, nil
}

func measureArch(emu *compile.Emulator, insns []bpf.RawInstruction, a arch.Arch, order binary.ByteOrder) ArchCost {
	ac := ArchCost{Arch: a}
	caches := compile.KernelCaches(a)
	audit := a.Audit()
	sum, cachedSum := 0, 0
	for _, s := range syscalls.Table(a) {
		if n := len(ac.PerNr); n > 0 && ac.PerNr[n-1].Nr == s.Nr {
			continue // an alias; the table puts the canonical name first
		}
		r := emu.Run(compile.Data{Nr: int32(s.Nr), Arch: audit})
		nc := NrCost{Nr: s.Nr, Name: s.Name, Executed: r.Executed}
		nc.Cached = caches && compile.ConstAllow(insns, audit, int32(s.Nr), order)
		ac.PerNr = append(ac.PerNr, nc)
		sum += nc.Executed
		if nc.Cached {
			ac.Cached++
		} else {
			cachedSum += nc.Executed
		}
		if nc.Executed > ac.Max {
			ac.Max, ac.MaxName = nc.Executed, nc.Name
		}
	}
	if n := len(ac.PerNr); n > 0 {
		ac.Mean = float64(sum) / float64(n)
		ac.CachedMean = float64(cachedSum) / float64(n)
	}
	return ac
}

// lookup returns the cost of number nr, or nil.
func (ac *ArchCost) lookup(nr int) *NrCost {
	lo, hi := 0, len(ac.PerNr)
	for lo < hi {
		mid := (lo + hi) / 2
		switch {
		case ac.PerNr[mid].Nr == nr:
			return &ac.PerNr[mid]
		case ac.PerNr[mid].Nr < nr:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return nil
}

// Lookup returns the cost of the syscall called name, or nil.
func (ac *ArchCost) Lookup(name string) *NrCost {
	nr, ok := syscalls.Number(ac.Arch, name)
	if !ok {
		return nil
	}
	return ac.lookup(nr)
}

// weighted is the call-weighted mean cost over m, without and with the
// action cache. Names the ABI lacks are left out (strace names come from
// the same kernel table, so there are none in practice; a test checks).
func (ac *ArchCost) weighted(m *Mix) (plain, cached float64) {
	w, _ := m.Numbers(ac.Arch)
	total := 0.0
	for nr, n := range w {
		c := ac.lookup(nr)
		if c == nil {
			continue
		}
		total += n
		plain += n * float64(c.Executed)
		if !c.Cached {
			cached += n * float64(c.Executed)
		}
	}
	if total == 0 {
		return 0, 0
	}
	return plain / total, cached / total
}
