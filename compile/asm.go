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
// inserted for a far jump. Items refer to each other by index in the
// assembler's item list (no pointers: nothing for the collector to scan).
//
// The first items are the blocks, by place in the layout; inserted items
// follow.
type item struct {
	jt    int32 // a block's terminator targets; a long jump's target in jt
	jf    int32
	after int32  // instructions after this item's last instruction
	retK  uint32 // return: ret #retK
	prev  int32  // return: the return copy of retK placed before, or -1
	size  uint8  // a block has at most maxBlockInsns+1 instructions
	isRet bool
}

// start is the number of instructions after the item's first one.
func (it *item) start() int { return int(it.after) + int(it.size) - 1 }

// assembler holds the items while assemble places them.
type assembler struct {
	blocks int     // items below this index are blocks
	items  []item  // one per block (by place in the layout), then inserted ones
	placed []int32 // items in the order placed: reverse program order
	copies map[uint32]int32
	after  int // instructions placed
}

// place puts item i next, size instructions long.
func (a *assembler) place(i int32, size int) {
	it := &a.items[i]
	it.after, it.size = int32(a.after), uint8(size)
	a.after += size
	a.placed = append(a.placed, i)
}

// addRet records item i as a place that returns k.
func (a *assembler) addRet(i int32, k uint32) {
	it := &a.items[i]
	it.isRet, it.retK, it.prev = true, k, -1
	if p, ok := a.copies[k]; ok {
		it.prev = p
	}
	a.copies[k] = i
}

// inserted adds an item that is not a block and returns its index.
func (a *assembler) inserted() int32 {
	a.items = append(a.items, item{jt: -1, jf: -1, prev: -1})
	return int32(len(a.items) - 1)
}

// reach returns an item for target that a jump whose instruction has
// from instructions after it can reach with an 8-bit offset, inserting a
// return copy or long jump right after the block when needed.
func (a *assembler) reach(target int32, from int) int32 {
	if inReach(from, &a.items[target]) {
		return target
	}
	if t := &a.items[target]; int(target) >= a.blocks && !t.isRet {
		target = t.jt // a long jump reaches anything
	}
	if t := a.items[target]; t.isRet {
		// The copies of the return, the last placed first.
		for c, ok := a.copies[t.retK]; ok && c >= 0; c = a.items[c].prev {
			if inReach(from, &a.items[c]) {
				return c
			}
		}
		c := a.inserted()
		a.addRet(c, t.retK)
		a.place(c, 1)
		return c
	}
	j := a.inserted()
	a.items[j].jt = target
	a.place(j, 1)
	return j
}

// assemble places and encodes laid-out blocks.
func assemble(blocks []*block) ([]bpfInsn, error) {
	a := &assembler{
		blocks: len(blocks),
		items:  make([]item, len(blocks), len(blocks)+8),
		placed: make([]int32, 0, len(blocks)+8),
		copies: map[uint32]int32{},
	}
	for i := len(blocks) - 1; i >= 0; i-- {
		b := blocks[i]
		idx := int32(i)
		a.items[idx] = item{jt: -1, jf: -1, prev: -1}
		switch b.kind {
		case termRet:
			if b.nIns == 0 {
				a.addRet(idx, b.k)
			}
			a.place(idx, int(b.nIns)+1)
		case termJump:
			a.items[idx].jt = b.succT.order
			n := int(b.nIns)
			if a.items[b.succT.order].start() != a.after-1 {
				n++ // the target is not next: a ja
			}
			a.place(idx, n)
		case termCond:
			// The jump is the block's last instruction; the items
			// inserted for it go between it and what was placed before,
			// and each insertion moves the other target one further.
			t, f := b.succT.order, b.succF.order
			for tries := 0; ; tries++ {
				if inReach(a.after, &a.items[t]) && inReach(a.after, &a.items[f]) {
					break
				}
				if tries == 4 {
					return nil, fmt.Errorf("compile: internal error: cannot reach the targets of block %d", b.id)
				}
				t = a.reach(t, a.after)
				f = a.reach(f, a.after)
			}
			a.items[idx].jt, a.items[idx].jf = t, f
			a.place(idx, int(b.nIns)+1)
		}
	}
	total := a.after
	out := make([]bpfInsn, 0, total)
	for i := len(a.placed) - 1; i >= 0; i-- {
		idx := int(a.placed[i])
		it := &a.items[idx]
		pc := len(out)
		if pc != total-1-it.start() {
			return nil, fmt.Errorf("compile: internal error: item at %d, want %d", pc, total-1-it.start())
		}
		switch {
		case idx >= a.blocks && it.isRet:
			out = append(out, bpfInsn{Op: opRetK, K: it.retK})
		case idx >= a.blocks:
			out = append(out, bpfInsn{Op: opJa, K: uint32(int(it.after) - a.items[it.jt].start() - 1)})
		default:
			b := blocks[idx]
			out = append(out, b.code()...)
			switch b.kind {
			case termRet:
				out = append(out, bpfInsn{Op: opRetK, K: b.k})
			case termJump:
				if int(it.size) > int(b.nIns) {
					out = append(out, bpfInsn{Op: opJa, K: uint32(int(it.after) - a.items[it.jt].start() - 1)})
				}
			case termCond:
				jt := int(it.after) - a.items[it.jt].start() - 1
				jf := int(it.after) - a.items[it.jf].start() - 1
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
