package compile

import (
	"bufio"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/bpf"

	"github.com/seccompctl/seccompctl/arch"
)

// sizeofSockFilter is sizeof(struct sock_filter): u16 code, u8 jt, u8 jf,
// u32 k.
const sizeofSockFilter = 8

// Format is a way to write a program out.
type Format int

// The export formats.
const (
	// FormatRaw is the struct sock_filter array as the kernel reads it
	// (MarshalBinary): what seccomp(2) takes, what crun caches on disk.
	FormatRaw Format = iota + 1
	// FormatBase64 is FormatRaw in standard base64 without a trailing
	// newline, the value crun's run.oci.seccomp_bpf_data annotation takes.
	FormatBase64
	// FormatText is the disassembly (Disassemble).
	FormatText
	// FormatGo is a []unix.SockFilter composite literal.
	FormatGo
	// FormatC is a struct sock_filter array definition with plain
	// initializers.
	FormatC
)

var formatNames = map[Format]string{
	FormatRaw:    "raw",
	FormatBase64: "base64",
	FormatText:   "text",
	FormatGo:     "go",
	FormatC:      "c",
}

// String returns the name ParseFormat accepts.
func (f Format) String() string {
	if n, ok := formatNames[f]; ok {
		return n
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// ParseFormat maps "raw", "base64", "text", "go" or "c" to a Format.
func ParseFormat(s string) (Format, error) {
	for f, n := range formatNames {
		if n == s {
			return f, nil
		}
	}
	return 0, fmt.Errorf("%w: %q (want raw, base64, text, go or c)", ErrUnknownFormat, s)
}

// MarshalBinary encodes the program as the kernel's struct sock_filter
// array, 8 bytes per instruction (u16 code, u8 jt, u8 jf, u32 k). The
// integers are in the byte order of the program's first architecture,
// because the array is read by the kernel of the machine the filter is
// for: little-endian for x86_64, aarch64 and the other little-endian
// architectures, big-endian for s390x, ppc64, mips and the like. It
// refuses a program Verify rejects.
func (p *Program) MarshalBinary() ([]byte, error) {
	if err := Verify(p.Insns); err != nil {
		return nil, err
	}
	order, err := p.byteOrder()
	if err != nil {
		return nil, err
	}
	return encodeRaw(p.Insns, order), nil
}

func encodeRaw(insns []bpf.RawInstruction, order binary.ByteOrder) []byte {
	b := make([]byte, len(insns)*sizeofSockFilter)
	for i, ins := range insns {
		r := b[i*sizeofSockFilter:]
		order.PutUint16(r, ins.Op)
		r[2], r[3] = ins.Jt, ins.Jf
		order.PutUint32(r[4:], ins.K)
	}
	return b
}

// ParseRaw decodes a little-endian struct sock_filter array, the inverse
// of MarshalBinary for little-endian architectures. It does not verify the
// instructions; it refuses data that is empty, not a whole number of
// instructions, or longer than KernelMaxInsns, before allocating anything
// for it.
func ParseRaw(b []byte) ([]bpf.RawInstruction, error) {
	return ParseRawOrder(b, binary.LittleEndian)
}

// ParseRawOrder is ParseRaw for an array in the given byte order.
func ParseRawOrder(b []byte, order binary.ByteOrder) ([]bpf.RawInstruction, error) {
	switch {
	case len(b) == 0:
		return nil, fmt.Errorf("%w: empty", ErrInvalidData)
	case len(b)%sizeofSockFilter != 0:
		return nil, fmt.Errorf("%w: %d bytes is not a multiple of %d (sizeof(struct sock_filter))", ErrInvalidData, len(b), sizeofSockFilter)
	case len(b)/sizeofSockFilter > KernelMaxInsns:
		return nil, fmt.Errorf("%w: %w", ErrInvalidData, TooLongError{Len: len(b) / sizeofSockFilter})
	}
	insns := make([]bpf.RawInstruction, len(b)/sizeofSockFilter)
	for i := range insns {
		r := b[i*sizeofSockFilter:]
		insns[i] = bpf.RawInstruction{Op: order.Uint16(r), Jt: r[2], Jf: r[3], K: order.Uint32(r[4:])}
	}
	return insns, nil
}

// Export writes the program to w in format f. The program must pass
// Verify: an export is meant to be loaded, and a program the kernel
// refuses is caught here rather than in a container's init.
func (p *Program) Export(w io.Writer, f Format) error {
	raw, err := p.MarshalBinary()
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	switch f {
	case FormatRaw:
		_, _ = bw.Write(raw)
	case FormatBase64:
		_, _ = bw.WriteString(base64.StdEncoding.EncodeToString(raw))
	case FormatText:
		_, _ = fmt.Fprintf(bw, "%v", p)
	case FormatGo:
		p.writeLiteral(bw, goSyntax)
	case FormatC:
		p.writeLiteral(bw, cSyntax)
	default:
		return fmt.Errorf("%w: %v", ErrUnknownFormat, f)
	}
	// bufio.Writer keeps the first write error and Flush returns it.
	return bw.Flush()
}

type literalSyntax struct {
	open, close   string
	insn          string // format of one instruction: code, jt, jf, k
	commentPrefix string
	commentSuffix string
}

var (
	goSyntax = literalSyntax{
		open:          "[]unix.SockFilter{\n",
		close:         "}\n",
		insn:          "\t{Code: 0x%02x, Jt: %d, Jf: %d, K: 0x%08x},",
		commentPrefix: " // ",
	}
	cSyntax = literalSyntax{
		open:          "struct sock_filter filter[] = {\n",
		close:         "};\n",
		insn:          "\t{0x%02x, %d, %d, 0x%08x},",
		commentPrefix: " /* ",
		commentSuffix: " */",
	}
)

// writeLiteral writes the instructions as a source-code initializer with
// each instruction's disassembly as a comment.
func (p *Program) writeLiteral(w io.StringWriter, syn literalSyntax) {
	lines := strings.Split(strings.TrimSuffix(fmt.Sprintf("%v", p), "\n"), "\n")
	header := fmt.Sprintf("seccompctl: %d instructions for %s", len(p.Insns), strings.Join(arch.Names(p.Arches), ", "))
	if syn.commentSuffix != "" {
		_, _ = w.WriteString("/* " + header + " */\n")
	} else {
		_, _ = w.WriteString("// " + header + "\n")
	}
	_, _ = w.WriteString(syn.open)
	for i, ins := range p.Insns {
		line := fmt.Sprintf(syn.insn, ins.Op, ins.Jt, ins.Jf, ins.K)
		// Disassembly text never contains "*/"; collapse the padding
		// that aligns comments in the text format.
		comment := strings.Join(strings.Fields(lines[i]), " ")
		_, _ = w.WriteString(line + syn.commentPrefix + comment + syn.commentSuffix + "\n")
	}
	_, _ = w.WriteString(syn.close)
}
