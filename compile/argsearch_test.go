package compile_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
)

// Argument trees whose tests on one word become a search over values
// (argsearch.go), and shapes that must stay node by node: each program
// decides as the reference on every interesting value, and the longest
// argument path is what the search promises.
func TestValueSearch(t *testing.T) {
	eqRules := func(op string, vals ...uint64) string {
		var rules []string
		for _, v := range vals {
			rules = append(rules, fmt.Sprintf(`{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":%d,"op":%q}]}`, v, op))
		}
		return strings.Join(rules, ",")
	}
	many := make([]uint64, 200)
	for i := range many {
		many[i] = uint64(3 * i)
	}
	tests := []struct {
		name  string
		rules string
		// most instructions any personality call runs on x86 (32-bit:
		// low words only), from "ld arch" to the return; 0: not checked.
		most int
	}{
		// ld arch, 2 × jeq arch, ld nr, 2 × jge nr, ld args[0],
		// jge 0x20000, 3 × jeq, ret: 12 (node by node, 5 jeq: 13).
		{"personality, five values", eqRules("SCMP_CMP_EQ", 0, 8, 0x20000, 0x20008, 0xffffffff), 12},
		{"two values", eqRules("SCMP_CMP_EQ", 7, 9), 0},
		{"four values", eqRules("SCMP_CMP_EQ", 1, 2, 3, 4), 0},
		{"64-bit values", eqRules("SCMP_CMP_EQ", 1, 1<<32, 5<<32|7, 0xffffffffffffffff), 0},
		{"not equal", `{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":38,"op":"SCMP_CMP_NE"},{"index":0,"value":40,"op":"SCMP_CMP_NE"}]}`, 0},
		{"socket", `{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":40,"op":"SCMP_CMP_NE"}]},
		            {"names":["personality"],"action":"SCMP_ACT_ERRNO","errnoRet":2,"args":[{"index":0,"value":38,"op":"SCMP_CMP_EQ"}]},
		            {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":39,"op":"SCMP_CMP_EQ"}]}`, 0},
		{"ranges", `{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":10,"op":"SCMP_CMP_GT"}]},
		            {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":3,"op":"SCMP_CMP_EQ"}]},
		            {"names":["personality"],"action":"SCMP_ACT_ERRNO","errnoRet":2,"args":[{"index":0,"value":5,"op":"SCMP_CMP_LE"}]}`, 0},
		{"two arguments", `{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":1,"value":2,"op":"SCMP_CMP_EQ"}]},
		                   {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":3,"op":"SCMP_CMP_EQ"},{"index":1,"value":4,"op":"SCMP_CMP_EQ"}]},
		                   {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":5,"op":"SCMP_CMP_EQ"}]}`, 0},
		{"different actions", eqRules("SCMP_CMP_EQ", 1, 2) + `,{"names":["personality"],"action":"SCMP_ACT_LOG","args":[{"index":0,"value":3,"op":"SCMP_CMP_EQ"}]},
		                       {"names":["personality"],"action":"SCMP_ACT_TRAP","args":[{"index":0,"value":4,"op":"SCMP_CMP_EQ"}]}`, 0},
		{"masked", `{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":4,"valueTwo":4,"op":"SCMP_CMP_MASKED_EQ"}]},
		            {"names":["personality"],"action":"SCMP_ACT_ERRNO","errnoRet":3,"args":[{"index":0,"value":6,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"}]},
		            {"names":["personality"],"action":"SCMP_ACT_LOG","args":[{"index":0,"value":6,"valueTwo":2,"op":"SCMP_CMP_MASKED_EQ"}]},
		            {"names":["personality"],"action":"SCMP_ACT_TRAP","args":[{"index":1,"value":5,"valueTwo":5,"op":"SCMP_CMP_MASKED_EQ"}]}`, 0},
		// Too many values for a search: node by node, as before.
		{"200 values", eqRules("SCMP_CMP_EQ", many...), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,
			"archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86","SCMP_ARCH_X32"]}],
			"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"},` + tt.rules + `]}`
			p, err := profile.Parse([]byte(src))
			require.NoError(t, err)
			pol, err := p.Resolve(profile.Target{Arch: arch.X86_64})
			require.NoError(t, err)
			for _, opts := range []compile.Options{{}, {NoShare: true}} {
				prog, err := compile.Compile(pol, opts)
				require.NoError(t, err)
				assert.Positive(t, checkAgainstReference(t, pol, prog))
				if tt.most == 0 || opts.NoShare {
					continue
				}
				emu, err := compile.NewEmulator(prog.Insns, orderOf(arch.X86))
				require.NoError(t, err)
				most := 0
				for v := range uint64(0x20010) {
					r := emu.Run(compile.Data{Nr: 136, Arch: arch.X86.Audit(), Args: [6]uint64{v}})
					most = max(most, r.Executed)
				}
				r := emu.Run(compile.Data{Nr: 136, Arch: arch.X86.Audit(), Args: [6]uint64{0xffffffff}})
				most = max(most, r.Executed)
				assert.Equal(t, tt.most, most, "%v", prog)
			}
		})
	}
}
