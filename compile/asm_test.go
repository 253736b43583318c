package compile

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/profile"
)

// TestAssembleFarJumps: a chain of n tests on nr whose true branches all
// go to one block that the layout puts after the whole chain. Past 255
// instructions the assembler inserts return copies (target a return) or
// long jumps (target an argument test), reusing them while in reach; the
// program must still decide what the graph says.
func TestAssembleFarJumps(t *testing.T) {
	const (
		actMatch = 0x7fff0000 // ALLOW
		actArg0  = 0x00050001 // ERRNO(1)
		actArgN  = 0x00050002 // ERRNO(2)
		actMiss  = 0x00050026 // ERRNO(38)
	)
	tests := []struct {
		name      string
		n         int
		argTarget bool // the common target tests args[0] instead of returning
		wantLen   int  // instructions, or 0: at least the blocks
		wantJa    bool // some long jump inserted
		wantCopy  bool // some return copy inserted
	}{
		{name: "near return", n: 10, wantLen: 10*2 + 2},
		{name: "far return", n: 300, wantCopy: true},
		{name: "very far return", n: 1000, wantCopy: true},
		{name: "near argument test", n: 10, argTarget: true, wantLen: 10*2 + 2 + 3},
		{name: "far argument test", n: 300, argTarget: true, wantJa: true},
		{name: "very far argument test", n: 1000, argTarget: true, wantJa: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGraph()
			target := g.ret(actMatch)
			if tt.argTarget {
				target = g.condLd(offArgs, opJeqK, 0, g.ret(actArg0), g.ret(actArgN))
			}
			next := g.ret(actMiss)
			for i := tt.n - 1; i >= 0; i-- {
				next = g.condLd(offNr, opJeqK, uint32(i), target, next)
			}
			blocks := layout(next, int(g.n))
			insns, err := assemble(blocks)
			require.NoError(t, err)
			require.NoError(t, Verify(insns))
			if tt.wantLen > 0 {
				assert.Len(t, insns, tt.wantLen)
			}
			hasJa, matchRets := false, 0
			for _, ins := range insns {
				hasJa = hasJa || ins.Op == opJa
				if ins.Op == opRetK && ins.K == actMatch {
					matchRets++
				}
			}
			assert.Equal(t, tt.wantJa, hasJa)
			assert.Equal(t, tt.wantCopy, matchRets > 1, "returns of the match action: %d", matchRets)
			e, err := NewEmulator(insns, binary.LittleEndian)
			require.NoError(t, err)
			for nr := 0; nr <= tt.n; nr++ {
				for _, arg := range []uint64{0, 1} {
					want := profile.Action(actMiss)
					switch {
					case nr == tt.n:
					case !tt.argTarget:
						want = actMatch
					case arg == 0:
						want = actArg0
					default:
						want = actArgN
					}
					got := e.Run(Data{Nr: int32(nr), Args: [6]uint64{arg}})
					require.Equal(t, want, got.Action, "nr %d arg %d", nr, arg)
				}
			}
		})
	}
}
