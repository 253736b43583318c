package compile

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"go/parser"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"

	"github.com/seccompctl/seccompctl/arch"
)

func exportProgram(t testing.TB) *Program {
	return &Program{Insns: libseccompShape(t), Arches: []arch.Arch{arch.X86_64, arch.X86}}
}

func TestExportGolden(t *testing.T) {
	p := exportProgram(t)
	for _, f := range []Format{FormatRaw, FormatBase64, FormatText, FormatGo, FormatC} {
		t.Run(f.String(), func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, p.Export(&buf, f))
			checkGolden(t, "export_"+f.String()+".golden", buf.Bytes())
		})
	}
}

func TestExportFormatsAgree(t *testing.T) {
	p := exportProgram(t)
	export := func(f Format) []byte {
		var buf bytes.Buffer
		require.NoError(t, p.Export(&buf, f))
		return buf.Bytes()
	}
	rawBytes := export(FormatRaw)
	bin, err := p.MarshalBinary()
	require.NoError(t, err)
	assert.Equal(t, bin, rawBytes)
	assert.Len(t, rawBytes, 8*len(p.Insns))
	// struct sock_filter, little-endian: {0x20, 0, 0, 4} is "ld arch".
	assert.Equal(t, []byte{0x20, 0, 0, 0, 4, 0, 0, 0}, rawBytes[:8])

	dec, err := base64.StdEncoding.DecodeString(string(export(FormatBase64)))
	require.NoError(t, err)
	assert.Equal(t, rawBytes, dec)

	assert.Equal(t, Disassemble(p.Insns, DisasmOptions{Arches: p.Arches}), string(export(FormatText)))

	_, err = parser.ParseExpr(string(export(FormatGo)))
	assert.NoError(t, err, "FormatGo must be a Go expression")
}

// TestExportCCompiles checks the C output with the system's C compiler,
// against the real <linux/filter.h>.
func TestExportCCompiles(t *testing.T) {
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler")
	}
	var buf bytes.Buffer
	require.NoError(t, exportProgram(t).Export(&buf, FormatC))
	src := "#include <linux/filter.h>\n" + buf.String() +
		"int main(void) { return sizeof(filter) / sizeof(filter[0]) == 19 ? 0 : 1; }\n"
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "f.c"), []byte(src), 0o644))
	out, err := exec.Command(cc, "-Wall", "-Werror", "-o", filepath.Join(dir, "f"), filepath.Join(dir, "f.c")).CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.NoError(t, exec.Command(filepath.Join(dir, "f")).Run())
}

func TestMarshalBinaryByteOrder(t *testing.T) {
	p := &Program{Insns: []bpf.RawInstruction{raw(codeRetK, 1, 2, 0x7fff0000)}, Arches: []arch.Arch{arch.S390X}}
	b, err := p.MarshalBinary()
	require.NoError(t, err)
	assert.Equal(t, []byte{0, 6, 1, 2, 0x7f, 0xff, 0, 0}, b)
	back, err := ParseRawOrder(b, binary.BigEndian)
	require.NoError(t, err)
	assert.Equal(t, p.Insns, back)
}

func TestMarshalBinaryRefuses(t *testing.T) {
	tests := []struct {
		name string
		p    *Program
		want error
	}{
		{"invalid", &Program{Insns: []bpf.RawInstruction{raw(codeLdAbsW, 0, 0, 0)}, Arches: []arch.Arch{arch.X86_64}}, ErrInvalidProgram},
		{"too long", &Program{Insns: rets(KernelMaxInsns + 1), Arches: []arch.Arch{arch.X86_64}}, ErrTooLong},
		{"no arch", &Program{Insns: rets(1)}, ErrInvalidProgram},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.p.MarshalBinary()
			assert.ErrorIs(t, err, tt.want)
			var buf bytes.Buffer
			assert.ErrorIs(t, tt.p.Export(&buf, FormatText), tt.want)
			assert.Zero(t, buf.Len(), "nothing is written for a refused program")
		})
	}
}

func TestParseRaw(t *testing.T) {
	insns := libseccompShape(t)
	b := encodeRaw(insns, binary.LittleEndian)
	got, err := ParseRaw(b)
	require.NoError(t, err)
	if diff := cmp.Diff(insns, got); diff != "" {
		t.Errorf("round trip (-want +got)\n%s", diff)
	}

	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrInvalidData},
		{"partial instruction", b[:len(b)-1], ErrInvalidData},
		{"not a multiple", make([]byte, 12), ErrInvalidData},
		{"too many", make([]byte, 8*(KernelMaxInsns+1)), ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRaw(tt.b)
			assert.ErrorIs(t, err, tt.want)
			assert.ErrorIs(t, err, ErrInvalidData)
		})
	}
	// The most the kernel takes is fine (ParseRaw does not verify).
	got, err = ParseRaw(make([]byte, 8*KernelMaxInsns))
	require.NoError(t, err)
	assert.Len(t, got, KernelMaxInsns)
}

func TestParseFormat(t *testing.T) {
	for _, f := range []Format{FormatRaw, FormatBase64, FormatText, FormatGo, FormatC} {
		got, err := ParseFormat(f.String())
		require.NoError(t, err)
		assert.Equal(t, f, got)
	}
	_, err := ParseFormat("json")
	assert.ErrorIs(t, err, ErrUnknownFormat)
	assert.Equal(t, "Format(99)", Format(99).String())
	assert.ErrorIs(t, exportProgram(t).Export(&bytes.Buffer{}, Format(99)), ErrUnknownFormat)
}

type failingWriter struct{}

var errWrite = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestExportWriteError(t *testing.T) {
	for _, f := range []Format{FormatRaw, FormatBase64, FormatText, FormatGo, FormatC} {
		assert.ErrorIs(t, exportProgram(t).Export(failingWriter{}, f), errWrite, f.String())
	}
}
