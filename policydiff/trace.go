package policydiff

import (
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Classic BPF opcode parts used below (linux/bpf_common.h).
const (
	clsMask  = 0x07
	clsLD    = unix.BPF_LD
	clsLDX   = unix.BPF_LDX
	clsALU   = unix.BPF_ALU
	clsJMP   = unix.BPF_JMP
	clsRET   = unix.BPF_RET
	modeMask = 0xe0
	srcMask  = 0x08
	opMask   = 0xf0
	dataSize = 64 // sizeof(struct seccomp_data)
)

// wordSource says where the accumulator's value came from: a 32-bit word
// of seccomp_data at off (possibly ANDed with mask), or nowhere we track.
type wordSource struct {
	known bool
	off   uint32
	mask  uint32
}

// programConstants are the constants a program compares things with,
// sorted by what they are compared with, found by a forward pass over the
// program (seccomp programs only jump forward, so one pass in order sees
// every predecessor of an instruction before the instruction).
type programConstants struct {
	// nr are constants compared with seccomp_data.nr.
	nr []uint32
	// words maps a seccomp_data offset (16..60: argument words) to the
	// constants compared with that word, with the mask it was ANDed with.
	words map[uint32][]maskedConst
	// anywhere are constants compared with something untracked (X, scratch
	// memory, arithmetic): they are tried on every argument word.
	anywhere []uint32
}

type maskedConst struct{ k, mask uint32 }

// constantsOf runs the forward pass.
func constantsOf(insns []bpf.RawInstruction) programConstants {
	pc := programConstants{words: map[uint32][]maskedConst{}}
	// in[i] are the accumulator sources that reach instruction i; more
	// than a few distinct ones are collapsed to "unknown".
	in := make([][]wordSource, len(insns)+1)
	in[0] = []wordSource{{}}
	merge := func(i int, srcs []wordSource) {
		if i < 0 || i >= len(in) {
			return
		}
		for _, s := range srcs {
			found := false
			for _, t := range in[i] {
				if t == s {
					found = true
					break
				}
			}
			if !found {
				in[i] = append(in[i], s)
			}
		}
		if len(in[i]) > 8 {
			in[i] = []wordSource{{}}
		}
	}
	for i, ins := range insns {
		srcs := in[i]
		if len(srcs) == 0 {
			continue // unreachable
		}
		out := srcs
		switch ins.Op & clsMask {
		case clsLD:
			if ins.Op&modeMask == unix.BPF_ABS && ins.Op&0x18 == unix.BPF_W && ins.K < dataSize {
				out = []wordSource{{known: true, off: ins.K, mask: 0xffffffff}}
			} else {
				out = []wordSource{{}}
			}
		case clsALU:
			if ins.Op&opMask == unix.BPF_AND && ins.Op&srcMask == unix.BPF_K {
				out = nil
				for _, s := range srcs {
					s.mask &= ins.K
					out = append(out, s)
				}
			} else {
				out = []wordSource{{}}
			}
		case clsJMP:
			op := ins.Op & opMask
			if op == unix.BPF_JA {
				merge(i+1+int(ins.K), srcs)
				continue
			}
			if ins.Op&srcMask == unix.BPF_K {
				for _, s := range srcs {
					pc.note(s, ins.K, op == unix.BPF_JSET)
				}
			}
			merge(i+1+int(ins.Jt), srcs)
			merge(i+1+int(ins.Jf), srcs)
			continue
		case clsRET:
			continue
		default: // LDX, ST, STX, MISC: A may change through X
			if ins.Op&clsMask == clsLDX || ins.Op&clsMask == unix.BPF_ST || ins.Op&clsMask == unix.BPF_STX {
				out = srcs
			} else {
				out = []wordSource{{}}
			}
		}
		merge(i+1, out)
	}
	return pc
}

func (pc *programConstants) note(s wordSource, k uint32, jset bool) {
	switch {
	case !s.known:
		pc.anywhere = append(pc.anywhere, k)
	case s.off == 0:
		if !jset {
			pc.nr = append(pc.nr, k)
		}
	case s.off >= 16:
		m := s.mask
		if jset {
			m &= k
		}
		pc.words[s.off] = append(pc.words[s.off], maskedConst{k: k, mask: m})
	}
}
