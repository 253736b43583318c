package compile

import (
	"fmt"
	"slices"
)

// The assembler: lay the block graph out so every jump goes forward, then
// turn block references into jt/jf/ja offsets.
//
// A conditional jump reaches at most 255 instructions. A farther target is
// reached through an item placed right after the jumping block: a copy of
// the target when it is a return (which also saves the jump at run time),
// else an unconditional "ja" (32 bits of offset). The blocks are placed
// from the last to the first, so an item inserted after a block never
// changes the distances between blocks already placed, and a return copy
// placed for one jump is reused by every earlier jump within reach
// (libseccomp's _gen_bpf_build_jmp_ret does the same).

// layout returns the blocks reachable from entry in reverse postorder,
// visiting the true successor first so that a block's false successor
// tends to follow it directly (jf 0).
func layout(entry *block, n int) []*block {
	post := make([]*block, 0, n)
	var dfs func(b *block)
	dfs = func(b *block) {
		if b == nil || b.laidOut {
			return
		}
		b.laidOut = true
		dfs(b.succT)
		dfs(b.succF)
		post = append(post, b)
	}
	dfs(entry)
	slices.Reverse(post)
	for i, b := range post {
		b.order = int32(i)
	}
	return post
}

// item is one placed piece of code: a block, or a return copy / long jump
// inserted for a far jump.
type item struct {
	b     *block // the block, for a block item
	jaTo  *item  // long jump to this item
	jt    *item  // resolved targets of a block's terminator
	jf    *item
	after int32 // instructions after this item's last instruction
	size  int32
	retK  uint32 // return copy: ret #retK
	isRet bool
}

// start is the number of instructions after the item's first one.
func (it *item) start() int { return int(it.after + it.size - 1) }

// assemble places and encodes laid-out blocks.
func assemble(blocks []*block) ([]bpfInsn, error) {
	// One item per block, found by the block's place in the layout.
	items := make([]item, len(blocks))
	placed := make([]*item, 0, len(blocks)+8) // in reverse order of the program
	copies := map[uint32][]*item{}
	after := 0
	place := func(it *item, size int) {
		it.after, it.size = int32(after), int32(size)
		after += size
		placed = append(placed, it)
	}
	// reach returns an item for target that a jump whose instruction has
	// `from` instructions after it can reach with an 8-bit offset,
	// inserting a return copy or long jump right after the block when
	// needed.
	reach := func(target *item, from int) *item {
		if inReach(from, target) {
			return target
		}
		if target.b == nil && target.jaTo != nil {
			target = target.jaTo // a long jump reaches anything
		}
		if target.isRet {
			for i := len(copies[target.retK]) - 1; i >= 0; i-- {
				c := copies[target.retK][i]
				if inReach(from, c) {
					return c
				}
			}
			c := &item{isRet: true, retK: target.retK}
			place(c, 1)
			copies[target.retK] = append(copies[target.retK], c)
			return c
		}
		j := &item{jaTo: target}
		place(j, 1)
		return j
	}
	for i := len(blocks) - 1; i >= 0; i-- {
		b := blocks[i]
		it := &items[i]
		it.b = b
		switch b.kind {
		case termRet:
			if int(b.nIns) == 0 {
				copies[b.k] = append(copies[b.k], it)
				it.isRet, it.retK = true, b.k
			}
			place(it, int(b.nIns)+1)
		case termJump:
			it.jt = &items[b.succT.order]
			n := int(b.nIns)
			if it.jt.start() != after-1 {
				n++ // the target is not next: a ja
			}
			place(it, n)
		case termCond:
			// The jump is the block's last instruction; the items
			// inserted for it go between it and what was placed before,
			// and each insertion moves the other target one further.
			t, f := &items[b.succT.order], &items[b.succF.order]
			for tries := 0; ; tries++ {
				if inReach(after, t) && inReach(after, f) {
					break
				}
				if tries == 4 {
					return nil, fmt.Errorf("compile: internal error: cannot reach the targets of block %d", b.id)
				}
				t, f = reach(t, after), reach(f, after)
			}
			it.jt, it.jf = t, f
			place(it, int(b.nIns)+1)
		}
	}
	total := after
	out := make([]bpfInsn, 0, total)
	for i := len(placed) - 1; i >= 0; i-- {
		it := placed[i]
		pc := len(out)
		if pc != total-1-it.start() {
			return nil, fmt.Errorf("compile: internal error: item at %d, want %d", pc, total-1-it.start())
		}
		switch {
		case it.b == nil && it.isRet:
			out = append(out, bpfInsn{Op: opRetK, K: it.retK})
		case it.b == nil:
			out = append(out, bpfInsn{Op: opJa, K: uint32(int(it.after) - it.jaTo.start() - 1)})
		default:
			b := it.b
			out = append(out, b.code()...)
			switch b.kind {
			case termRet:
				out = append(out, bpfInsn{Op: opRetK, K: b.k})
			case termJump:
				if int(it.size) > int(b.nIns) {
					out = append(out, bpfInsn{Op: opJa, K: uint32(int(it.after) - it.jt.start() - 1)})
				}
			case termCond:
				jt := int(it.after) - it.jt.start() - 1
				jf := int(it.after) - it.jf.start() - 1
				if jt < 0 || jf < 0 || jt > 255 || jf > 255 {
					return nil, fmt.Errorf("compile: internal error: jump out of range at %d (jt %d, jf %d)", len(out), jt, jf)
				}
				out = append(out, bpfInsn{Op: b.op, Jt: uint8(jt), Jf: uint8(jf), K: b.k})
			}
		}
	}
	return out, nil
}

// inReach reports whether a conditional jump with `from` instructions
// after it reaches target.
func inReach(from int, target *item) bool {
	d := from - target.start() - 1
	return d >= 0 && d <= 255
}
