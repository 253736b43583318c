package compile

import (
	"fmt"
)

// The assembler: lay the block graph out so every jump goes forward, then
// turn block references into jt/jf/ja offsets. Conditional jumps reach at
// most 255 instructions; a farther target gets an unconditional "ja"
// trampoline right after the jump (ja has 32 bits of offset), or a copy of
// the target when it is a return. Trampolines
// push code further apart, so the offsets are recomputed until no new
// trampoline is needed.

// layout returns the blocks reachable from entry in reverse postorder,
// visiting the true successor first so that a block's false successor
// tends to follow it directly (jf 0).
func layout(entry *block) []*block {
	var post []*block
	seen := map[*block]bool{}
	var dfs func(b *block)
	dfs = func(b *block) {
		if b == nil || seen[b] {
			return
		}
		seen[b] = true
		dfs(b.succT)
		dfs(b.succF)
		post = append(post, b)
	}
	dfs(entry)
	out := make([]*block, len(post))
	for i, b := range post {
		out[len(post)-1-i] = b
		b.order = len(post) - 1 - i
	}
	return out
}

// assemble encodes laid-out blocks.
func assemble(blocks []*block) ([]bpfInsn, error) {
	farT := make([]bool, len(blocks))
	farF := make([]bool, len(blocks))
	for {
		// Positions with the current trampolines.
		pos := make([]int, len(blocks)+1)
		pc := 0
		for i, b := range blocks {
			pos[i] = pc
			pc += blockLen(b, i, blocks, farT[i], farF[i])
		}
		pos[len(blocks)] = pc
		changed := false
		for i, b := range blocks {
			if b.kind != termCond {
				continue
			}
			jpc := pos[i] + len(b.insns)
			if !farT[i] && pos[b.succT.order]-(jpc+1) > 255 {
				farT[i], changed = true, true
			}
			if !farF[i] && pos[b.succF.order]-(jpc+1) > 255 {
				farF[i], changed = true, true
			}
		}
		if !changed {
			return encode(blocks, pos, farT, farF)
		}
	}
}

func blockLen(b *block, i int, blocks []*block, farT, farF bool) int {
	n := len(b.insns)
	switch b.kind {
	case termRet:
		n++
	case termJump:
		if b.succT.order != i+1 {
			n++
		}
	case termCond:
		n++
		if farT {
			n++
		}
		if farF {
			n++
		}
	}
	return n
}

func encode(blocks []*block, pos []int, farT, farF []bool) ([]bpfInsn, error) {
	out := make([]bpfInsn, 0, pos[len(blocks)])
	for i, b := range blocks {
		if len(out) != pos[i] {
			return nil, fmt.Errorf("compile: internal error: block %d at %d, want %d", b.id, len(out), pos[i])
		}
		out = append(out, b.insns...)
		switch b.kind {
		case termRet:
			out = append(out, bpfInsn{Op: opRetK, K: b.k})
		case termJump:
			if b.succT.order != i+1 {
				off := pos[b.succT.order] - (len(out) + 1)
				out = append(out, bpfInsn{Op: opJa, K: uint32(off)})
			}
		case termCond:
			jpc := len(out)
			var jt, jf int
			tramp := 0
			if farT[i] {
				jt = 0
				tramp++
			} else {
				jt = pos[b.succT.order] - (jpc + 1)
			}
			if farF[i] {
				jf = tramp
			} else {
				jf = pos[b.succF.order] - (jpc + 1)
			}
			if jt < 0 || jf < 0 || jt > 255 || jf > 255 {
				return nil, fmt.Errorf("compile: internal error: jump out of range at %d (jt %d, jf %d)", jpc, jt, jf)
			}
			out = append(out, bpfInsn{Op: b.op, Jt: uint8(jt), Jf: uint8(jf), K: b.k})
			if farT[i] {
				out = append(out, trampoline(b.succT, pos, len(out)))
			}
			if farF[i] {
				out = append(out, trampoline(b.succF, pos, len(out)))
			}
		}
	}
	return out, nil
}

// trampoline reaches a far block from pc: a copy of the return when the
// block is one (saving the jump at run time), else a ja.
func trampoline(to *block, pos []int, pc int) bpfInsn {
	if to.kind == termRet && len(to.insns) == 0 {
		return bpfInsn{Op: opRetK, K: to.k}
	}
	return bpfInsn{Op: opJa, K: uint32(pos[to.order] - (pc + 1))}
}
