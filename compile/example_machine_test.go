package compile_test

import (
	"encoding/binary"
	"fmt"
	"os"

	"golang.org/x/net/bpf"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
)

// denyWriteToStderr is a small x86_64 filter: write(2, ...) fails with
// EBADF, everything else is allowed, other architectures are killed.
func denyWriteToStderr() []bpf.RawInstruction {
	insns, err := bpf.Assemble([]bpf.Instruction{
		bpf.LoadAbsolute{Off: 4, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0xc000003e, SkipFalse: 6},
		bpf.LoadAbsolute{Off: 0, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 1, SkipFalse: 2},
		bpf.LoadAbsolute{Off: 16, Size: 4}, // args[0], low word
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 2, SkipTrue: 1},
		bpf.RetConstant{Val: 0x7fff0000}, // ALLOW
		bpf.RetConstant{Val: 0x00050009}, // ERRNO(EBADF)
		bpf.RetConstant{Val: 0},          // KILL_THREAD
	})
	if err != nil {
		panic(err)
	}
	return insns
}

func ExampleEmulate() {
	insns := denyWriteToStderr()
	for _, fd := range []uint64{1, 2} {
		d := compile.Data{Nr: 1, Arch: 0xc000003e, Args: [6]uint64{fd}}
		res, err := compile.Emulate(insns, d, binary.LittleEndian)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("write(%d): %v after %d instructions\n", fd, res.Action, res.Executed)
	}
	// Output:
	// write(1): SCMP_ACT_ALLOW after 7 instructions
	// write(2): SCMP_ACT_ERRNO(9) after 7 instructions
}

func ExampleVerify() {
	insns := []bpf.RawInstruction{
		{Op: 0x20, K: 2}, // ld [2]: not 4-byte aligned
		{Op: 0x16},       // ret a
	}
	fmt.Println(compile.Verify(insns))
	// Output:
	// invalid seccomp program: instruction 0: load from offset 2: seccomp_data loads must be 4-byte aligned and below 64
}

func ExampleProgram_Format() {
	p := &compile.Program{Insns: denyWriteToStderr(), Arches: []arch.Arch{arch.X86_64}}
	fmt.Printf("%v", p)
	// Output:
	// 0: ld   arch
	// 1: jeq  #SCMP_ARCH_X86_64    jt 2  jf 8         ; 0xc000003e
	// 2: ld   nr
	// 3: jeq  #write               jt 4  jf 6         ; 1
	// 4: ld   args[0].lo
	// 5: jeq  #2                   jt 7  jf 6
	// 6: ret  ALLOW
	// 7: ret  ERRNO(9)
	// 8: ret  KILL_THREAD
}

func ExampleProgram_Export() {
	p := &compile.Program{Insns: denyWriteToStderr(), Arches: []arch.Arch{arch.X86_64}}
	// The value for crun's run.oci.seccomp_bpf_data annotation.
	if err := p.Export(os.Stdout, compile.FormatBase64); err != nil {
		fmt.Println(err)
	}
	// Output:
	// IAAAAAQAAAAVAAAGPgAAwCAAAAAAAAAAFQAAAgEAAAAgAAAAEAAAABUAAQACAAAABgAAAAAA/38GAAAACQAFAAYAAAAAAAAA
}

func ExampleConstAllow() {
	insns := denyWriteToStderr()
	// read (0) is allowed whatever its arguments, so Linux 5.11+ caches it
	// and skips the filter; write (1) depends on args[0], so the filter runs.
	for _, nr := range []int32{0, 1} {
		fmt.Println(nr, compile.ConstAllow(insns, 0xc000003e, nr, binary.LittleEndian))
	}
	// Output:
	// 0 true
	// 1 false
}
