package compile

import (
	"encoding/binary"
	"fmt"
	"slices"

	"golang.org/x/net/bpf"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/syscalls"
)

// The kernel action cache (Linux 5.11 and later, kernel/seccomp.c).
//
// When a filter is attached, seccomp_cache_prepare builds one bitmap per
// cached ABI: bit nr is set when seccomp_is_const_allow finds that the
// filter returns exactly SECCOMP_RET_ALLOW for that nr and arch no matter
// what the other fields hold. A later system call whose bit is set skips
// every filter. With several filters stacked, a bit stays set only if every
// filter allows (the new bitmap starts as a copy of the previous one).
//
// seccomp_is_const_allow is a tiny abstract interpreter over the original
// classic program, walking it from instruction 0 with a single register:
//
//   - BPF_LD|BPF_W|BPF_ABS of offset 0 (nr) or 4 (arch) loads the known
//     value; a load of any other offset gives up (not constant).
//   - BPF_JMP|BPF_JA, and BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JSET with BPF_K,
//     are followed.
//   - BPF_ALU|BPF_AND|BPF_K is applied.
//   - BPF_RET|BPF_K answers: cached if and only if k == SECCOMP_RET_ALLOW
//     (0x7fff0000 exactly; LOG, or ALLOW with data bits, is not cached).
//   - Any other instruction (RET A, any X operand, other ALU operations,
//     LD IMM, scratch memory, LEN loads) gives up.
//
// Which ABIs have a bitmap (SECCOMP_ARCH_NATIVE and SECCOMP_ARCH_COMPAT in
// arch/*/include/asm/seccomp.h), each indexed by nr from 0 to the ABI's
// syscall count:
//
//   - x86_64 kernels: AUDIT_ARCH_X86_64 and AUDIT_ARCH_I386. x32 shares
//     AUDIT_ARCH_X86_64 but its numbers carry __X32_SYSCALL_BIT
//     (0x40000000), far past the bitmap, so seccomp_cache_check_allow_bitmap
//     treats them as out of range: x32 calls always run the filter
//     (arch/x86/include/asm/seccomp.h says so in a comment).
//   - arm64: AARCH64 and ARM; s390x: S390X and S390; ppc64: PPC64 (or
//     PPC64LE) and PPC with the same endianness bit; parisc64: PARISC64 and
//     PARISC. 32-bit arm, x86, parisc, ppc, riscv64, loongarch64, m68k and
//     sh kernels: the native ABI only.
//   - MIPS is not in the list above: we have not found a SECCOMP_ARCH_NATIVE
//     definition for it, so we report its ABIs as uncached.
//   - Numbers at or above the ABI's bitmap size (arm's private calls at
//     0xf0000, anything negative) are never cached.
//
// Recent kernels also let uretprobe (and later uprobe) through on the
// native ABI without consulting any filter ("seccomp: passthrough uretprobe
// systemcall without filtering"); that is kernel policy, not a property of
// a program, and ConstAllow does not model it.

// ConstAllow reports whether the kernel's seccomp_is_const_allow, run on
// insns with seccomp_data.arch = auditArch and seccomp_data.nr = nr, finds
// that the filter returns SECCOMP_RET_ALLOW whatever the arguments: that
// is, whether Linux ≥ 5.11 puts nr in its action cache (when the ABI has a
// bitmap and nr is in range, see KernelCaches). The analysis reads nr and
// arch as register values, so order does not change the answer; it is
// taken so callers can pass what they pass to Emulate. insns need not be
// verified: anything the kernel's walk would not understand, or a walk
// off the end, is "not constant", as in the kernel.
func ConstAllow(insns []bpf.RawInstruction, auditArch uint32, nr int32, order binary.ByteOrder) bool {
	_ = order
	var reg uint32
	n := uint64(len(insns))
	for pc := uint64(0); pc < n; pc++ {
		ins := insns[pc]
		switch ins.Op {
		case codeLdAbsW:
			switch ins.K {
			case 0:
				reg = uint32(nr)
			case 4:
				reg = auditArch
			default:
				return false
			}
		case codeRetK:
			return profile.Action(ins.K) == profile.ActAllow
		case codeJa:
			pc += uint64(ins.K)
		case codeJeqK, codeJgeK, codeJgtK, codeJsetK:
			var taken bool
			switch ins.Op {
			case codeJeqK:
				taken = reg == ins.K
			case codeJgeK:
				taken = reg >= ins.K
			case codeJgtK:
				taken = reg > ins.K
			case codeJsetK:
				taken = reg&ins.K != 0
			}
			if taken {
				pc += uint64(ins.Jt)
			} else {
				pc += uint64(ins.Jf)
			}
		case codeAndK:
			reg &= ins.K
		default:
			return false
		}
	}
	// Ran off the end: the kernel WARNs and answers false.
	return false
}

// KernelCaches reports whether a kernel keeps an action-cache bitmap for
// the ABI a at all (see the list above). It is false for x32, whose
// numbers never fit the x86_64 bitmap, and for the MIPS ABIs.
func KernelCaches(a arch.Arch) bool {
	switch a {
	case arch.X86, arch.X86_64, arch.ARM, arch.AArch64, arch.LoongArch64, arch.M68K,
		arch.PARISC, arch.PARISC64, arch.PPC, arch.PPC64, arch.PPC64LE, arch.RISCV64,
		arch.S390, arch.S390X, arch.SH, arch.SHEB:
		return true
	}
	return false
}

// CacheOptions tunes CacheReport.
type CacheOptions struct {
	// Limit is how many syscall numbers are analysed per architecture:
	// SyscallBit+0 to SyscallBit+Limit-1. Zero means one past the
	// largest number package syscalls knows for the architecture, leaving
	// out arm's private calls at 0xf0000 and up, which no kernel caches.
	Limit int
}

// DefaultCacheOptions analyses every number up to the largest known one.
var DefaultCacheOptions = CacheOptions{}

// armPrivateBase is where arm's private calls (__ARM_NR_BASE) start.
const armPrivateBase = 0xf0000

// ArchCache is the action-cache analysis of one architecture.
type ArchCache struct {
	Arch arch.Arch
	// Kernel reports whether kernels keep a bitmap for this ABI at all
	// (KernelCaches). When false, Allowed says what the filter would let
	// a kernel cache, but no kernel does.
	Kernel bool
	// Checked is the number of syscall numbers analysed.
	Checked int
	// Allowed lists, ascending, the numbers (as seccomp_data.nr, x32 bit
	// included) for which ConstAllow holds.
	Allowed []int32
}

// CacheReport is the action-cache analysis of a program for each of its
// architectures.
type CacheReport struct {
	Arches []ArchCache
}

// CacheReport runs the kernel's action-cache analysis for every number of
// every architecture of the program.
func (p *Program) CacheReport(opts CacheOptions) (*CacheReport, error) {
	if err := Verify(p.Insns); err != nil {
		return nil, err
	}
	if len(p.Arches) == 0 {
		return nil, fmt.Errorf("%w: program has no architecture to analyse", ErrInvalidProgram)
	}
	order, err := p.byteOrder()
	if err != nil {
		return nil, err
	}
	rep := &CacheReport{}
	for _, a := range p.Arches {
		if !a.Valid() {
			return nil, fmt.Errorf("%w: %v", arch.ErrUnknown, a)
		}
		info := a.Info()
		limit := opts.Limit
		if limit <= 0 {
			limit = defaultCacheLimit(a)
		}
		ac := ArchCache{Arch: a, Kernel: KernelCaches(a), Checked: limit}
		for i := 0; i < limit; i++ {
			nr := int32(info.SyscallBit) + int32(i)
			if ConstAllow(p.Insns, info.Audit, nr, order) {
				ac.Allowed = append(ac.Allowed, nr)
			}
		}
		rep.Arches = append(rep.Arches, ac)
	}
	return rep, nil
}

func defaultCacheLimit(a arch.Arch) int {
	bit := int(a.Info().SyscallBit)
	limit := 0
	for _, s := range syscalls.Table(a) {
		if n := s.Nr - bit; n >= 0 && n < armPrivateBase && n+1 > limit {
			limit = n + 1
		}
	}
	return limit
}

// Cached reports whether nr is in the analysis' Allowed list.
func (c ArchCache) Cached(nr int32) bool {
	_, found := slices.BinarySearch(c.Allowed, nr)
	return found
}
