package profile

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Sentinel errors. Every error about bad input matches ErrInvalid with
// errors.Is, and also the more specific sentinel when there is one.
var (
	// ErrInvalid: the input is not a valid seccomp profile.
	ErrInvalid = errors.New("invalid seccomp profile")
	// ErrSyntax: the input is not well-formed JSON.
	ErrSyntax = errors.New("JSON syntax error")
	// ErrNotProfile: well-formed JSON, but not an OCI seccomp profile.
	ErrNotProfile = errors.New("not an OCI seccomp profile")
	// ErrTooLarge: the input exceeds ParseOptions.MaxSize.
	ErrTooLarge = errors.New("profile too large")
	// ErrUnknownAction, ErrUnknownOp, ErrUnknownArch, ErrUnknownFlag:
	// a name the format does not define (names are case-sensitive).
	ErrUnknownAction = errors.New("unknown action")
	ErrUnknownOp     = errors.New("unknown comparison operator")
	ErrUnknownArch   = errors.New("unknown architecture")
	ErrUnknownFlag   = errors.New("unknown flag")
	// ErrConflict: libseccomp would refuse the rules with EEXIST (one
	// syscall and argument path with two different actions), which makes
	// runc fail to start the container.
	ErrConflict = errors.New("conflicting rules")
)

// Position is a place in a profile file. Line and Column count from 1;
// Column counts bytes. The zero Position means "unknown".
type Position struct {
	Line, Column int
}

func (p Position) String() string {
	if p.Line == 0 {
		return ""
	}
	return fmt.Sprintf("%d:%d", p.Line, p.Column)
}

// IsValid reports whether the position is known.
func (p Position) IsValid() bool { return p.Line > 0 }

// Error is an error about one place in a profile.
type Error struct {
	File string   // file name, if known
	Path string   // JSON path such as "syscalls[3].args[0].op"
	Pos  Position // where in File
	Msg  string   // what is wrong and what was expected
	Err  error    // the sentinel it matches (ErrSyntax, ErrUnknownOp, ...)
}

func (e *Error) Error() string { return located(e.File, e.Pos, e.Path, e.Msg) }

// located formats "FILE:LINE:COL: path: msg", leaving out what is unknown.
func located(file string, pos Position, path, msg string) string {
	s := ""
	if file != "" {
		s = file + ":"
	}
	if pos.IsValid() {
		s += pos.String() + ":"
	}
	if s != "" {
		s += " "
	}
	if path != "" {
		s += path + ": "
	}
	return s + msg
}

// Unwrap returns the specific sentinel.
func (e *Error) Unwrap() error { return e.Err }

// Is makes every *Error match ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// lineIndex maps byte offsets to line:column. The table of line starts is
// built on first use: parsing finds its positions with a lineCursor, so a
// profile whose warnings and findings nobody asks for never needs it.
type lineIndex struct {
	src    string
	once   sync.Once
	starts []int // offset of the first byte of each line
}

func newLineIndex(src string) *lineIndex { return &lineIndex{src: src} }

func (li *lineIndex) pos(off int) Position {
	if li == nil || off < 0 {
		return Position{}
	}
	li.once.Do(li.build)
	line := sort.Search(len(li.starts), func(i int) bool { return li.starts[i] > off }) - 1
	return Position{Line: line + 1, Column: off - li.starts[line] + 1}
}

func (li *lineIndex) build() {
	li.starts = make([]int, 1, 1+strings.Count(li.src, "\n"))
	for i := 0; ; {
		j := strings.IndexByte(li.src[i:], '\n')
		if j < 0 {
			return
		}
		i += j + 1
		li.starts = append(li.starts, i)
	}
}

// lineCursor finds positions for increasing offsets, as the decoder visits
// the document, by counting the newlines since the previous offset: no
// table, and each byte is looked at about once. An offset behind the
// previous one (an error pointing back at an enclosing value) is for the
// line table: decoder.pos sends it there.
type lineCursor struct {
	src       string
	off       int // the previous offset
	line      int // lines before off
	lineStart int // offset of the first byte of off's line
}

func (c *lineCursor) pos(off int) Position {
	if off < 0 {
		return Position{}
	}
	if seg := c.src[c.off:off]; strings.IndexByte(seg, '\n') >= 0 {
		c.line += strings.Count(seg, "\n")
		c.lineStart = c.off + strings.LastIndexByte(seg, '\n') + 1
	}
	c.off = off
	return Position{Line: c.line + 1, Column: off - c.lineStart + 1}
}
