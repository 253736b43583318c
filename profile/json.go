package profile

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// This file is a small strict JSON reader. encoding/json cannot do what the
// profile format needs: it silently replaces invalid UTF-8, accepts
// duplicate keys (last wins), loses the position of a value once decoded and
// rounds big numbers through float64 unless told otherwise. The reader keeps
// every value's byte offset so errors and lint findings can name line:column.

type jsonKind uint8

const (
	jsonNull jsonKind = iota
	jsonBool
	jsonNumber
	jsonString
	jsonArray
	jsonObject
)

func (k jsonKind) String() string {
	return [...]string{"null", "a boolean", "a number", "a string", "an array", "an object"}[k]
}

// jsonValue is one parsed value. text holds a string's decoded value or a
// number's literal.
type jsonValue struct {
	kind    jsonKind
	off     int
	text    string
	boolean bool
	elems   []*jsonValue
	members []jsonMember
}

type jsonMember struct {
	key    string
	keyOff int
	value  *jsonValue
}

// get returns the member named key, or nil.
func (v *jsonValue) get(key string) *jsonValue {
	for i := range v.members {
		if v.members[i].key == key {
			return v.members[i].value
		}
	}
	return nil
}

// syntaxError is a reader error at a byte offset, with the path of the
// value being read.
type syntaxError struct {
	off   int
	path  string
	msg   string
	dupOf int // for a duplicate key: the offset of the first one
}

func (e *syntaxError) Error() string { return e.msg }

type jsonReader struct {
	data     []byte
	pos      int
	depth    int
	maxDepth int
	path     []string // path segments of the value being read
}

func readJSON(data []byte, maxDepth int) (*jsonValue, *syntaxError) {
	r := &jsonReader{data: data, maxDepth: maxDepth}
	if len(data) == 0 {
		return nil, r.fail(0, "empty input: want a JSON object")
	}
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		return nil, r.fail(0, "the file starts with a UTF-8 byte-order mark (BOM); JSON profiles must not have one")
	}
	r.skipSpace()
	if r.pos == len(data) {
		return nil, r.fail(r.pos, "no JSON value, only white space")
	}
	v, err := r.value()
	if err != nil {
		return nil, err
	}
	r.skipSpace()
	if r.pos != len(data) {
		if err := r.commentError(); err != nil {
			return nil, err
		}
		return nil, r.fail(r.pos, "unexpected data after the end of the JSON document")
	}
	return v, nil
}

func (r *jsonReader) fail(off int, format string, a ...any) *syntaxError {
	return &syntaxError{off: off, path: joinPath(r.path), msg: fmt.Sprintf(format, a...)}
}

func joinPath(segs []string) string {
	if len(segs) > 12 {
		// Deeply nested input: name the start and the end of the path.
		head := joinPath(segs[:6])
		tail := joinPath(segs[len(segs)-2:])
		return fmt.Sprintf("%s…(%d levels)…%s", head, len(segs)-8, tail)
	}
	var b strings.Builder
	for _, s := range segs {
		if !strings.HasPrefix(s, "[") && b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

func (r *jsonReader) skipSpace() {
	for r.pos < len(r.data) {
		switch r.data[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// commentError reports comments, which people put in profiles and JSON
// does not have, by name rather than as a bare syntax error.
func (r *jsonReader) commentError() *syntaxError {
	rest := r.data[r.pos:]
	switch {
	case len(rest) >= 2 && rest[0] == '/' && (rest[1] == '/' || rest[1] == '*'):
		return r.fail(r.pos, "found a %q comment: JSON has no comments (profiles are not JSONC)", string(rest[:2]))
	case len(rest) >= 1 && rest[0] == '#':
		return r.fail(r.pos, "found a '#' comment: JSON has no comments")
	}
	return nil
}

func (r *jsonReader) unexpected(want string) *syntaxError {
	if r.pos >= len(r.data) {
		return r.fail(r.pos, "unexpected end of input: want %s", want)
	}
	if err := r.commentError(); err != nil {
		return err
	}
	c := r.data[r.pos]
	if c < 0x20 || c >= 0x7f {
		return r.fail(r.pos, "unexpected byte 0x%02x: want %s", c, want)
	}
	return r.fail(r.pos, "unexpected %q: want %s", c, want)
}

func (r *jsonReader) value() (*jsonValue, *syntaxError) {
	if r.pos >= len(r.data) {
		return nil, r.unexpected("a value")
	}
	start := r.pos
	switch c := r.data[r.pos]; {
	case c == '{':
		return r.object()
	case c == '[':
		return r.array()
	case c == '"':
		s, err := r.str()
		if err != nil {
			return nil, err
		}
		return &jsonValue{kind: jsonString, off: start, text: s}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		lit, err := r.number()
		if err != nil {
			return nil, err
		}
		return &jsonValue{kind: jsonNumber, off: start, text: lit}, nil
	case r.literal("true"):
		return &jsonValue{kind: jsonBool, off: start, boolean: true}, nil
	case r.literal("false"):
		return &jsonValue{kind: jsonBool, off: start}, nil
	case r.literal("null"):
		return &jsonValue{kind: jsonNull, off: start}, nil
	}
	return nil, r.unexpected("a value")
}

func (r *jsonReader) literal(word string) bool {
	if strings.HasPrefix(string(r.data[r.pos:min(len(r.data), r.pos+len(word))]), word) {
		r.pos += len(word)
		return true
	}
	return false
}

func (r *jsonReader) enter() *syntaxError {
	r.depth++
	if r.depth > r.maxDepth {
		return r.fail(r.pos, "nesting deeper than %d levels", r.maxDepth)
	}
	return nil
}

func (r *jsonReader) object() (*jsonValue, *syntaxError) {
	if err := r.enter(); err != nil {
		return nil, err
	}
	v := &jsonValue{kind: jsonObject, off: r.pos}
	r.pos++ // {
	r.skipSpace()
	if r.pos < len(r.data) && r.data[r.pos] == '}' {
		r.pos++
		r.depth--
		return v, nil
	}
	seen := map[string]int{}
	for {
		r.skipSpace()
		if r.pos >= len(r.data) || r.data[r.pos] != '"' {
			return nil, r.unexpected("a member name in double quotes")
		}
		keyOff := r.pos
		key, err := r.str()
		if err != nil {
			return nil, err
		}
		r.path = append(r.path, key)
		if first, dup := seen[key]; dup {
			return nil, &syntaxError{off: keyOff, path: joinPath(r.path), msg: "duplicate key " + strconv.Quote(key), dupOf: first}
		}
		seen[key] = keyOff
		r.skipSpace()
		if r.pos >= len(r.data) || r.data[r.pos] != ':' {
			return nil, r.unexpected("':' after the member name")
		}
		r.pos++
		r.skipSpace()
		val, err := r.value()
		if err != nil {
			return nil, err
		}
		r.path = r.path[:len(r.path)-1]
		v.members = append(v.members, jsonMember{key: key, keyOff: keyOff, value: val})
		r.skipSpace()
		if r.pos < len(r.data) && r.data[r.pos] == ',' {
			r.pos++
			continue
		}
		if r.pos < len(r.data) && r.data[r.pos] == '}' {
			r.pos++
			r.depth--
			return v, nil
		}
		return nil, r.unexpected("',' or '}'")
	}
}

func (r *jsonReader) array() (*jsonValue, *syntaxError) {
	if err := r.enter(); err != nil {
		return nil, err
	}
	v := &jsonValue{kind: jsonArray, off: r.pos}
	r.pos++ // [
	r.skipSpace()
	if r.pos < len(r.data) && r.data[r.pos] == ']' {
		r.pos++
		r.depth--
		return v, nil
	}
	for i := 0; ; i++ {
		r.skipSpace()
		r.path = append(r.path, "["+strconv.Itoa(i)+"]")
		el, err := r.value()
		if err != nil {
			return nil, err
		}
		r.path = r.path[:len(r.path)-1]
		v.elems = append(v.elems, el)
		r.skipSpace()
		if r.pos < len(r.data) && r.data[r.pos] == ',' {
			r.pos++
			continue
		}
		if r.pos < len(r.data) && r.data[r.pos] == ']' {
			r.pos++
			r.depth--
			return v, nil
		}
		return nil, r.unexpected("',' or ']'")
	}
}

// number checks the JSON number grammar and returns the literal.
func (r *jsonReader) number() (string, *syntaxError) {
	start := r.pos
	d := r.data
	digits := func() int {
		n := 0
		for r.pos < len(d) && d[r.pos] >= '0' && d[r.pos] <= '9' {
			r.pos++
			n++
		}
		return n
	}
	if d[r.pos] == '-' {
		r.pos++
	}
	intStart := r.pos
	if digits() == 0 {
		return "", r.unexpected("a digit")
	}
	if d[intStart] == '0' && r.pos-intStart > 1 {
		return "", r.fail(intStart, "a number must not have a leading zero")
	}
	if r.pos < len(d) && d[r.pos] == '.' {
		r.pos++
		if digits() == 0 {
			return "", r.unexpected("a digit after '.'")
		}
	}
	if r.pos < len(d) && (d[r.pos] == 'e' || d[r.pos] == 'E') {
		r.pos++
		if r.pos < len(d) && (d[r.pos] == '+' || d[r.pos] == '-') {
			r.pos++
		}
		if digits() == 0 {
			return "", r.unexpected("a digit in the exponent")
		}
	}
	return string(d[start:r.pos]), nil
}

// str reads a string, checking UTF-8 and escapes, and returns its value.
func (r *jsonReader) str() (string, *syntaxError) {
	d := r.data
	r.pos++ // opening quote
	start := r.pos
	// Fast path: no escapes.
	for r.pos < len(d) {
		c := d[r.pos]
		if c == '"' {
			s := d[start:r.pos]
			if !utf8.Valid(s) {
				return "", r.badUTF8(start, r.pos)
			}
			r.pos++
			return string(s), nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		r.pos++
	}
	var b strings.Builder
	b.Write(d[start:r.pos])
	for {
		if r.pos >= len(d) {
			return "", r.fail(r.pos, "unexpected end of input inside a string")
		}
		c := d[r.pos]
		switch {
		case c == '"':
			r.pos++
			s := b.String()
			if !utf8.ValidString(s) {
				return "", r.badUTF8(start, r.pos-1)
			}
			return s, nil
		case c < 0x20:
			return "", r.fail(r.pos, "control character 0x%02x inside a string: escape it", c)
		case c != '\\':
			b.WriteByte(c)
			r.pos++
			continue
		}
		// Escape sequence.
		if r.pos+1 >= len(d) {
			return "", r.fail(r.pos, "unexpected end of input inside a string")
		}
		esc := d[r.pos+1]
		r.pos += 2
		switch esc {
		case '"', '\\', '/':
			b.WriteByte(esc)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			ru, err := r.hex4()
			if err != nil {
				return "", err
			}
			if utf16.IsSurrogate(ru) {
				if r.pos+1 < len(d) && d[r.pos] == '\\' && d[r.pos+1] == 'u' {
					r.pos += 2
					lo, err := r.hex4()
					if err != nil {
						return "", err
					}
					ru = utf16.DecodeRune(ru, lo)
				} else {
					ru = utf8.RuneError
				}
				if ru == utf8.RuneError {
					return "", r.fail(r.pos, "invalid UTF-16 surrogate pair in a \\u escape")
				}
			}
			b.WriteRune(ru)
		default:
			return "", r.fail(r.pos-2, "invalid escape sequence \\%c", esc)
		}
	}
}

func (r *jsonReader) hex4() (rune, *syntaxError) {
	if r.pos+4 > len(r.data) {
		return 0, r.fail(r.pos, "unexpected end of input in a \\u escape")
	}
	v, err := strconv.ParseUint(string(r.data[r.pos:r.pos+4]), 16, 16)
	if err != nil {
		return 0, r.fail(r.pos, "invalid \\u escape: want 4 hex digits")
	}
	r.pos += 4
	return rune(v), nil
}

func (r *jsonReader) badUTF8(start, end int) *syntaxError {
	// The caller found s invalid, so some rune in it decodes as an error.
	s := r.data[start:end]
	i := 0
	for i < len(s) {
		ru, size := utf8.DecodeRune(s[i:])
		if ru == utf8.RuneError && size <= 1 {
			break
		}
		i += size
	}
	return r.fail(start+i, "invalid UTF-8 byte 0x%02x inside a string", s[min(i, len(s)-1)])
}
