package fuzz

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
)

// mutationProfile has argument conditions of every operator, on 64-bit
// and (through the x86 sub-architecture) 32-bit arguments, and x32.
const mutationProfile = `{
 "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
 "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]}],
 "syscalls": [
  {"names": ["read", "write", "close"], "action": "SCMP_ACT_ALLOW"},
  {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
  {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 4294967295, "op": "SCMP_CMP_EQ"}]},
  {"names": ["mmap"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13, "args": [{"index": 2, "value": 4, "valueTwo": 4, "op": "SCMP_CMP_MASKED_EQ"}]},
  {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 16, "op": "SCMP_CMP_NE"}, {"index": 1, "value": 4294967296, "op": "SCMP_CMP_LT"}]},
  {"names": ["clone"], "action": "SCMP_ACT_TRACE", "args": [{"index": 0, "value": 2114060288, "op": "SCMP_CMP_GE"}]},
  {"names": ["kill"], "action": "SCMP_ACT_KILL_PROCESS", "args": [{"index": 1, "value": 9, "op": "SCMP_CMP_GT"}, {"index": 0, "value": 1, "op": "SCMP_CMP_LE"}]},
  {"names": ["ptrace"], "action": "SCMP_ACT_KILL"}
 ]}`

// TestCheckProgramCatches checks that CheckProgram has teeth: a correct
// program with any one return value changed must be caught, and so must
// most programs with a jump's branches swapped or its constant off by
// one. Not all of those: some mutants decide the same as the original.
// In this profile, x86's socketcall and x32's socket compare argument 1
// with the low word of 1<<32, which is 0, so every path through them ends
// in the default ERRNO(1) whichever way their jumps go, and a jeq on the
// high word right after a jgt on it always goes one way (its other branch
// is dead code when blocks are not shared).
func TestCheckProgramCatches(t *testing.T) {
	p, err := profile.Parse([]byte(mutationProfile))
	require.NoError(t, err)
	pol, err := p.Resolve(profile.Target{Arch: arch.X86_64, Kernel: profile.KernelVersion{Kernel: 6, Major: 1}})
	require.NoError(t, err)
	inputs := Inputs(pol, NewSource([]byte("seed")))
	for _, o := range compileOptions {
		t.Run(o.name, func(t *testing.T) {
			prog, err := compile.Compile(pol, o.opts)
			require.NoError(t, err)
			require.NoError(t, CheckProgram(pol, prog, inputs))
			caught := func(i int, m bpf.RawInstruction) bool {
				mutated := &compile.Program{Insns: append([]bpf.RawInstruction(nil), prog.Insns...), Arches: prog.Arches}
				mutated.Insns[i] = m
				err := CheckProgram(pol, mutated, inputs)
				var mm *Mismatch
				return errors.As(err, &mm)
			}
			var rets, jumps, swapsCaught, plusOneCaught int
			for i, in := range prog.Insns {
				switch {
				case in.Op == unix.BPF_RET|unix.BPF_K:
					rets++
					m := in
					m.K ^= 0x0fff // another errno, or ALLOW/KILL with data
					assert.True(t, caught(i, m), "return %d changed to %#x is not caught", i, m.K)
				case in.Op&0x07 == unix.BPF_JMP && in.Op != unix.BPF_JMP|unix.BPF_JA && in.Jt != in.Jf:
					jumps++
					m := in
					m.Jt, m.Jf = in.Jf, in.Jt
					if caught(i, m) {
						swapsCaught++
					} else {
						t.Logf("not caught: instruction %d's branches swapped: %s", i, compile.Disassemble(prog.Insns[i:i+1], compile.DisasmOptions{}))
					}
					m = in
					m.K++
					if caught(i, m) {
						plusOneCaught++
					}
				}
			}
			t.Logf("%d instructions: %d returns; %d jumps, %d caught swapped, %d caught with k+1", len(prog.Insns), rets, jumps, swapsCaught, plusOneCaught)
			assert.GreaterOrEqual(t, rets, 7)
			assert.GreaterOrEqual(t, swapsCaught*100, jumps*90, "swapped branches caught")
			assert.GreaterOrEqual(t, plusOneCaught*100, jumps*50, "constants off by one caught")
		})
	}
}
