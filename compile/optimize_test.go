package compile

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
)

// TestShare: identical blocks become one, bottom-up (parents of merged
// blocks merge in turn), and trivial tests vanish, whether the blocks
// were made bottom-up (one pass in order) or not (the depth-first walk
// takes over).
func TestShare(t *testing.T) {
	ld := []bpfInsn{ldAbs(offArgs)}
	type graphOf struct {
		g     *graph
		entry *block
		// groups of blocks that must share one canonical block, and the
		// block each trivial one must become
		same    [][]*block
		threads map[*block]*block
	}
	tests := []struct {
		name    string
		make    func() graphOf
		inOrder bool
	}{
		{"identical tests", func() graphOf {
			g := newGraph()
			r0, r1 := g.ret(0), g.ret(1)
			a := g.cond(ld, opJeqK, 5, r0, r1)
			b := g.cond(ld, opJeqK, 5, r0, r1)
			entry := g.cond([]bpfInsn{ldAbs(offNr)}, opJgeK, 10, a, b)
			return graphOf{g: g, entry: entry, same: [][]*block{{a, b}}}
		}, true},
		{"parents of merged blocks merge", func() graphOf {
			g := newGraph()
			r0, r1 := g.ret(0), g.ret(1)
			a := g.cond(ld, opJeqK, 5, r0, r1)
			b := g.cond(ld, opJeqK, 5, r0, r1)
			pa := g.cond(nil, opJgtK, 7, a, r0)
			pb := g.cond(nil, opJgtK, 7, b, r0)
			entry := g.cond([]bpfInsn{ldAbs(offNr)}, opJgeK, 10, pa, pb)
			return graphOf{g: g, entry: entry, same: [][]*block{{a, b}, {pa, pb}}}
		}, true},
		{"different constants stay apart", func() graphOf {
			g := newGraph()
			r0, r1 := g.ret(0), g.ret(1)
			a := g.cond(ld, opJeqK, 5, r0, r1)
			b := g.cond(ld, opJeqK, 6, r0, r1)
			entry := g.cond([]bpfInsn{ldAbs(offNr)}, opJgeK, 10, a, b)
			return graphOf{g: g, entry: entry, same: [][]*block{{a}, {b}}}
		}, true},
		{"a test going one way either way vanishes", func() graphOf {
			g := newGraph()
			r0, r1 := g.ret(0), g.ret(1)
			a := g.cond(ld, opJeqK, 5, r0, r1)
			b := g.cond(ld, opJeqK, 5, r0, r1)
			trivial := g.cond(nil, opJgtK, 3, a, b) // a and b merge: then trivial
			entry := g.cond([]bpfInsn{ldAbs(offNr)}, opJgeK, 10, trivial, r1)
			return graphOf{g: g, entry: entry, same: [][]*block{{a, b}}, threads: map[*block]*block{trivial: a}}
		}, true},
		{"made out of order", func() graphOf {
			g := newGraph()
			r0, r1 := g.ret(0), g.ret(1)
			late := g.cond(nil, opJgtK, 7, r0, r1) // successor set below
			a := g.cond(ld, opJeqK, 5, r0, r1)
			b := g.cond(ld, opJeqK, 5, r0, r1)
			late.succT = b
			entry := g.cond([]bpfInsn{ldAbs(offNr)}, opJgeK, 10, late, a)
			return graphOf{g: g, entry: entry, same: [][]*block{{a, b}}}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gr := tt.make()
			canon := newBlockSet(int(gr.g.n))
			assert.Equal(t, tt.inOrder, canon.addInOrder(gr.g))

			gr = tt.make()
			entry := share(gr.g, gr.entry)
			require.Same(t, gr.entry.shared, entry)
			for _, group := range gr.same {
				c := group[0].shared
				require.NotNil(t, c)
				assert.Same(t, c, c.shared, "canonical blocks are their own")
				for _, b := range group {
					assert.Same(t, c, b.shared)
				}
			}
			for i := 1; i < len(gr.same); i++ {
				assert.NotSame(t, gr.same[0][0].shared, gr.same[i][0].shared)
			}
			for b, to := range gr.threads {
				assert.Same(t, to.shared, b.shared)
			}
			// No reachable block goes to a block that was merged away.
			blocks := layout(entry, int(gr.g.n))
			for _, b := range blocks {
				assert.Same(t, b, b.shared)
				for _, s := range []*block{b.succT, b.succF} {
					if s != nil {
						assert.Same(t, s, s.shared)
					}
				}
			}
		})
	}
}

// TestShareInOrder: the generator makes every block after its successors,
// so sharing a real profile's program never needs the depth-first walk.
func TestShareInOrder(t *testing.T) {
	data, err := os.ReadFile("../bench/testdata/profiles/docker-default.json")
	require.NoError(t, err)
	p, err := profile.Parse(data)
	require.NoError(t, err)
	pol, err := p.Resolve(profile.Target{Arch: arch.X86_64, Caps: profile.DockerDefaultCaps, Kernel: profile.KernelVersion{Kernel: 6, Major: 1}})
	require.NoError(t, err)
	for _, opts := range []Options{{}, {Balanced: true}, {UncachedOnly: true}} {
		c := &codegen{g: newGraph(), pol: pol, opts: opts, intervals: map[arch.Arch]int{}}
		c.generate()
		require.NoError(t, c.g.err)
		canon := newBlockSet(int(c.g.n))
		assert.True(t, canon.addInOrder(c.g), "%+v", opts)
	}
}
