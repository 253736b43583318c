package fuzz

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"testing"

	"golang.org/x/net/bpf"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
)

// FuzzRaw: arbitrary bytes as a struct sock_filter array, what
// `seccompctl disasm` and `exec --bpf` read from a file. Decoding,
// disassembling, verifying, the action-cache analysis, emulating and
// exporting must never panic; decoding must refuse with ErrInvalidData or
// give back exactly the bytes it read.
func FuzzRaw(f *testing.F) {
	for _, src := range []string{mutationProfile, `{"defaultAction":"SCMP_ACT_ALLOW"}`} {
		p, err := profile.Parse([]byte(src))
		if err != nil {
			f.Fatal(err)
		}
		for _, a := range []arch.Arch{arch.X86_64, arch.S390X} {
			pol, err := p.Resolve(profile.Target{Arch: a, Kernel: profile.KernelVersion{Kernel: 6, Major: 1}})
			if err != nil {
				continue
			}
			prog, err := compile.Compile(pol, compile.DefaultOptions)
			if err != nil {
				f.Fatal(err)
			}
			b, err := prog.MarshalBinary()
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte{})
	f.Add([]byte{6, 0, 0, 0, 0, 0, 0xff, 0x7f})
	f.Add([]byte{0x20, 0, 0, 0, 8, 0, 0, 0, 0x16, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRaw(t, data)
	})
}

func checkRaw(t *testing.T, data []byte) {
	t.Helper()
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		insns, err := compile.ParseRawOrder(data, order)
		if err != nil {
			if !errors.Is(err, compile.ErrInvalidData) || insns != nil {
				t.Fatalf("ParseRawOrder: %v with %d instructions", err, len(insns))
			}
			continue
		}
		if got := encode(insns, order); !bytes.Equal(got, data) {
			t.Fatalf("decoding and encoding changed the bytes:\n%x\n%x", data, got)
		}
		arches := []arch.Arch{arch.X86_64, arch.X86, arch.X32}
		if order == binary.BigEndian {
			arches = []arch.Arch{arch.S390X, arch.S390}
		}
		_ = compile.Disassemble(insns, compile.DisasmOptions{Order: order, Raw: true})
		_ = compile.Disassemble(insns, compile.DisasmOptions{Order: order, Arches: arches})
		for _, a := range arches {
			for _, nr := range []int32{0, 1, 59, 0x40000000, -1} {
				_ = compile.ConstAllow(insns, a.Audit(), nr, order)
			}
		}
		verr := compile.Verify(insns)
		emu, err := compile.NewEmulator(insns, order)
		if (err == nil) != (verr == nil) {
			t.Fatalf("Verify says %v, NewEmulator %v", verr, err)
		}
		if verr != nil {
			if !errors.Is(verr, compile.ErrInvalidProgram) && !errors.Is(verr, compile.ErrTooLong) {
				t.Fatalf("Verify error %v matches no sentinel", verr)
			}
			continue
		}
		s := NewSource(data).Random()
		for range 8 {
			d := compile.Data{Nr: int32(s.Uint32()), Arch: pick(s, arches).Audit(), InstructionPointer: s.Uint64(), Args: randomArgs(s)}
			if r := emu.Run(d); r.Executed < 1 || r.Executed > len(insns) {
				t.Fatalf("emulator ran %d instructions of %d (programs only jump forward)", r.Executed, len(insns))
			}
		}
		prog := &compile.Program{Insns: insns, Arches: arches}
		if _, err := prog.CacheReport(compile.CacheOptions{Limit: 64}); err != nil {
			t.Fatalf("CacheReport of a verified program: %v", err)
		}
		for _, format := range []string{"raw", "base64", "text", "go", "c"} {
			fm, err := compile.ParseFormat(format)
			if err != nil {
				t.Fatal(err)
			}
			if err := prog.Export(io.Discard, fm); err != nil {
				t.Fatalf("Export %s of a verified program: %v", format, err)
			}
		}
		_ = fmt.Sprintf("%v %+v %d", prog, prog, prog)
	}
}

// encode is struct sock_filter's layout, written here independently of
// compile's encoder.
func encode(insns []bpf.RawInstruction, order binary.ByteOrder) []byte {
	b := make([]byte, 8*len(insns))
	for i, in := range insns {
		order.PutUint16(b[8*i:], in.Op)
		b[8*i+2], b[8*i+3] = in.Jt, in.Jf
		order.PutUint32(b[8*i+4:], in.K)
	}
	return b
}
