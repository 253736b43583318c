package profile

import (
	"fmt"
	"iter"
	"math"
	"slices"
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
//
// The document is kept as a tape: every value in document order in one
// slice, a container followed by its contents, an object member as a key
// entry followed by the value. One allocation holds the whole document,
// strings alias one copy of the input, and no path string is built unless
// a message needs it (jv.path walks down from the root).

type jsonKind uint8

const (
	jsonNull jsonKind = iota
	jsonBool
	jsonNumber
	jsonString
	jsonArray
	jsonObject
	jsonKey // an object member's name, followed on the tape by its value
)

func (k jsonKind) String() string {
	return [...]string{"null", "a boolean", "a number", "a string", "an array", "an object", "a member name"}[k]
}

// jsonValue is one entry of the tape. It holds no pointers, so the
// garbage collector need not scan the tape: a string's, key's or number's
// text is found in the input by offset and length, or, for a string with
// escapes, in jsonDoc.decoded.
//
// Its numbers have 32 bits, which halves the tape (16 bytes an entry, not
// 32): the input is at most maxInputSize bytes, and the tape has fewer
// entries than the input has bytes.
type jsonValue struct {
	kind    jsonKind
	escaped bool // text is decoded[n]
	// end is the tape index just past the entry and its contents (for a
	// key: past its value), which is where the next sibling starts.
	end int32
	off int32 // byte offset in the input (of the opening quote of a string)
	n   int32 // the length of the text in the input, or the index in decoded
}

// maxInputSize is the largest input the reader accepts (the tape's
// numbers have 32 bits), whatever ParseOptions.MaxSize says.
const maxInputSize = math.MaxInt32

// jsonDoc is a parsed document: the tape, the root at index 0.
type jsonDoc struct {
	src     string // the input
	vals    []jsonValue
	decoded []string // strings that had escapes
	// steps counts the entries the lookups by position (elem, path,
	// paths) step over: a decoder that calls them per value is quadratic,
	// and the tests check that a parse stays within the tape's length.
	steps int
}

// jv refers to one value of a document. The zero jv means "absent", as a
// nil pointer would.
type jv struct {
	doc *jsonDoc
	i   int
}

func (v jv) ok() bool          { return v.doc != nil }
func (v jv) entry() *jsonValue { return &v.doc.vals[v.i] }
func (v jv) kind() jsonKind    { return v.entry().kind }
func (v jv) off() int          { return int(v.entry().off) }
func (v jv) at(i int) jv       { return jv{v.doc, i} }

// elems yields an array's elements with their indices.
func (v jv) elems() iter.Seq2[int, jv] {
	return func(yield func(int, jv) bool) {
		for n, k, end := 0, v.i+1, int(v.entry().end); k < end; n, k = n+1, int(v.doc.vals[k].end) {
			if !yield(n, v.at(k)) {
				return
			}
		}
	}
}

// text returns a string's or key's value, a number's literal, "true",
// "false" or "null".
func (v jv) text() string { return v.doc.text(v.i) }

func (d *jsonDoc) text(i int) string {
	e := &d.vals[i]
	off, n := int(e.off), int(e.n)
	switch {
	case e.escaped:
		return d.decoded[n]
	case e.kind == jsonString || e.kind == jsonKey:
		return d.src[off+1 : off+1+n]
	}
	return d.src[off : off+n]
}

// elem returns an array's element i (which must exist).
func (v jv) elem(i int) jv {
	k := v.i + 1
	v.doc.steps += i
	for ; i > 0; i-- {
		k = int(v.doc.vals[k].end)
	}
	return v.at(k)
}

// len returns the number of an array's elements.
func (v jv) len() int {
	n := 0
	for k, end := v.i+1, int(v.entry().end); k < end; k = int(v.doc.vals[k].end) {
		n++
	}
	return n
}

// members yields an object's members: the key entry (for its name and
// offset) and the value.
func (v jv) members() iter.Seq2[jv, jv] {
	return func(yield func(jv, jv) bool) {
		for k, end := v.i+1, int(v.entry().end); k < end; k = int(v.doc.vals[k].end) {
			if !yield(v.at(k), v.at(k+1)) {
				return
			}
		}
	}
}

// get returns the value of the member named key, or the zero jv.
func (v jv) get(key string) jv {
	for k, val := range v.members() {
		if k.text() == key {
			return val
		}
	}
	return jv{}
}

// path returns v's field path, such as "syscalls[3].args[0].op", found by
// walking down from the root: paths are needed only for messages. A key
// entry has the path of its value.
func (v jv) path() string {
	vals := v.doc.vals
	var b strings.Builder
	for cur := 0; cur != v.i; {
		e := &vals[cur]
		if e.kind == jsonKey {
			cur++ // into the value, which has the key's path
			continue
		}
		// The child of the container that holds v: skip whole siblings.
		n, k := 0, cur+1
		for int(vals[k].end) <= v.i {
			n, k = n+1, int(vals[k].end)
		}
		v.doc.steps += n + 1
		if e.kind == jsonArray {
			b.WriteString("[" + strconv.Itoa(n) + "]")
		} else {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(v.doc.text(k))
		}
		cur = k
	}
	return b.String()
}

// paths returns the paths of the entries at the tape indices idx, as
// path would, in one walk down the tape instead of one walk each: a
// decoder that needs many (unknown keys in every rule) stays linear.
// idx must be in document (ascending) order; otherwise each path is
// found on its own.
func (d *jsonDoc) paths(idx []int) []string {
	out := make([]string, len(idx))
	if !slices.IsSorted(idx) {
		for n, i := range idx {
			out[n] = jv{d, i}.path()
		}
		return out
	}
	n := 0 // the next index to find
	for n < len(idx) && idx[n] == 0 {
		n++ // the root's path is ""
	}
	// walk finds the indices inside container cur, whose path is path.
	var walk func(cur int, path string)
	walk = func(cur int, path string) {
		e := &d.vals[cur]
		end := int(e.end)
		for i, k := 0, cur+1; k < end && n < len(idx) && idx[n] < end; i, k = i+1, int(d.vals[k].end) {
			d.steps++
			next := int(d.vals[k].end)
			if idx[n] >= next {
				continue // not in this element or member
			}
			p, val := path+"["+strconv.Itoa(i)+"]", k
			if e.kind == jsonObject {
				// A key entry has the path of its value.
				p, val = d.text(k), k+1
				if path != "" {
					p = path + "." + p
				}
			}
			for n < len(idx) && (idx[n] == k || idx[n] == val) {
				out[n] = p
				n++
			}
			if kind := d.vals[val].kind; n < len(idx) && idx[n] < next && (kind == jsonArray || kind == jsonObject) {
				walk(val, p)
			}
		}
	}
	if len(d.vals) > 0 && n < len(idx) {
		walk(0, "")
	}
	return out
}

// childPath is the path of the member key of object v, present or not.
func (v jv) childPath(key string) string {
	if p := v.path(); p != "" {
		return p + "." + key
	}
	return key
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
	data     string // a copy of the input: strings without escapes alias it
	pos      int
	depth    int
	maxDepth int
	path     []pathSeg // of the value being read, for messages
	doc      *jsonDoc
	bound    int // tapeSize(data)
}

// pathSeg is one step of the reader's path: a member name, or an array
// index when index >= 0. Formatting waits until there is an error.
type pathSeg struct {
	key   string
	index int
}

func readJSON(data []byte, maxDepth int) (jv, *syntaxError) {
	return parseJSON(string(data), maxDepth)
}

// parseJSON reads the document in src, which the result's strings alias.
func parseJSON(src string, maxDepth int) (jv, *syntaxError) {
	bound := tapeSize(src)
	r := &jsonReader{data: src, maxDepth: maxDepth, bound: bound,
		doc: &jsonDoc{src: src, vals: make([]jsonValue, 0, min(bound, initialTape))}}
	if len(src) == 0 {
		return jv{}, r.fail(0, "empty input: want a JSON object")
	}
	if len(src) > maxInputSize {
		return jv{}, r.fail(0, "input is %d bytes, more than the reader's %d", len(src), maxInputSize)
	}
	if strings.HasPrefix(src, "\xEF\xBB\xBF") {
		return jv{}, r.fail(0, "the file starts with a UTF-8 byte-order mark (BOM); JSON profiles must not have one")
	}
	r.skipSpace()
	if r.pos == len(src) {
		return jv{}, r.fail(r.pos, "no JSON value, only white space")
	}
	if err := r.value(); err != nil {
		return jv{}, err
	}
	r.skipSpace()
	if r.pos != len(src) {
		if err := r.commentError(); err != nil {
			return jv{}, err
		}
		return jv{}, r.fail(r.pos, "unexpected data after the end of the JSON document")
	}
	return jv{doc: r.doc}, nil
}

// tapeSize bounds the tape src needs, so that it is allocated once or
// twice: besides the root, every element follows a '[' or a ',', every key
// a '{' or a ',', and every member value a ':'.
func tapeSize(src string) int {
	return 1 + strings.Count(src, "[") + strings.Count(src, "{") + strings.Count(src, ",") + strings.Count(src, ":")
}

// initialTape is the most entries allocated before the input proves it
// needs them: enough for real profiles, small for input refused early
// (nested too deep).
const initialTape = 4096

// push appends an entry and returns its index; a container's end is set
// when it closes (close).
func (r *jsonReader) push(kind jsonKind, off, n int) int {
	i := len(r.doc.vals)
	if i == cap(r.doc.vals) {
		// Past initialTape: make room for the rest at once.
		vals := make([]jsonValue, i, max(2*i, r.bound))
		copy(vals, r.doc.vals)
		r.doc.vals = vals
	}
	r.doc.vals = append(r.doc.vals, jsonValue{kind: kind, end: int32(i + 1), off: int32(off), n: int32(n)})
	return i
}

// pushString appends a string or key entry whose opening quote is at off.
func (r *jsonReader) pushString(kind jsonKind, off int, s string, escaped bool) int {
	if !escaped {
		return r.push(kind, off, len(s))
	}
	i := r.push(kind, off, len(r.doc.decoded))
	r.doc.vals[i].escaped = true
	r.doc.decoded = append(r.doc.decoded, s)
	return i
}

func (r *jsonReader) close(i int) { r.doc.vals[i].end = int32(len(r.doc.vals)) }

func (r *jsonReader) fail(off int, format string, a ...any) *syntaxError {
	return &syntaxError{off: off, path: r.pathString(), msg: fmt.Sprintf(format, a...)}
}

func (r *jsonReader) pathString() string {
	segs := make([]string, len(r.path))
	for i, s := range r.path {
		segs[i] = s.key
		if s.index >= 0 {
			segs[i] = "[" + strconv.Itoa(s.index) + "]"
		}
	}
	return joinPath(segs)
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
		return r.fail(r.pos, "found a %q comment: JSON has no comments (profiles are not JSONC)", rest[:2])
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

func (r *jsonReader) value() *syntaxError {
	if r.pos >= len(r.data) {
		return r.unexpected("a value")
	}
	start := r.pos
	switch c := r.data[r.pos]; {
	case c == '{':
		return r.object()
	case c == '[':
		return r.array()
	case c == '"':
		s, escaped, err := r.str()
		if err != nil {
			return err
		}
		r.pushString(jsonString, start, s, escaped)
		return nil
	case c == '-' || (c >= '0' && c <= '9'):
		lit, err := r.number()
		if err != nil {
			return err
		}
		r.push(jsonNumber, start, len(lit))
		return nil
	case r.literal("true"):
		r.push(jsonBool, start, len("true"))
		return nil
	case r.literal("false"):
		r.push(jsonBool, start, len("false"))
		return nil
	case r.literal("null"):
		r.push(jsonNull, start, len("null"))
		return nil
	}
	return r.unexpected("a value")
}

func (r *jsonReader) literal(word string) bool {
	if strings.HasPrefix(r.data[r.pos:], word) {
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

func (r *jsonReader) object() *syntaxError {
	if err := r.enter(); err != nil {
		return err
	}
	obj := r.push(jsonObject, r.pos, 0)
	r.pos++ // {
	r.skipSpace()
	if r.pos < len(r.data) && r.data[r.pos] == '}' {
		r.pos++
		r.depth--
		r.close(obj)
		return nil
	}
	names := memberNames{obj: obj}
	for {
		r.skipSpace()
		if r.pos >= len(r.data) || r.data[r.pos] != '"' {
			return r.unexpected("a member name in double quotes")
		}
		keyOff := r.pos
		key, escaped, err := r.str()
		if err != nil {
			return err
		}
		r.path = append(r.path, pathSeg{key: key, index: -1})
		if first, dup := names.add(r.doc, key, keyOff); dup {
			return &syntaxError{off: keyOff, path: r.pathString(), msg: "duplicate key " + strconv.Quote(key), dupOf: first}
		}
		k := r.pushString(jsonKey, keyOff, key, escaped)
		r.skipSpace()
		if r.pos >= len(r.data) || r.data[r.pos] != ':' {
			return r.unexpected("':' after the member name")
		}
		r.pos++
		r.skipSpace()
		if err := r.value(); err != nil {
			return err
		}
		r.path = r.path[:len(r.path)-1]
		r.close(k)
		r.skipSpace()
		if r.pos < len(r.data) && r.data[r.pos] == ',' {
			r.pos++
			continue
		}
		if r.pos < len(r.data) && r.data[r.pos] == '}' {
			r.pos++
			r.depth--
			r.close(obj)
			return nil
		}
		return r.unexpected("',' or '}'")
	}
}

// fewMembers is how many member names an object may have before the
// duplicate check indexes them: scanning a few is cheaper than a map, and
// real profiles have at most ten per object.
const fewMembers = 16

// memberNames finds duplicate member names in the object being read: it
// scans the names already on the tape while there are few, then keeps a
// map so that the check stays linear in hostile input.
type memberNames struct {
	obj   int // the object's tape index
	n     int // names added
	index map[string]int
}

// add records name (at offset off) and returns the offset of an earlier
// member with the same name, if there is one.
func (m *memberNames) add(doc *jsonDoc, name string, off int) (int, bool) {
	m.n++
	if m.n <= fewMembers {
		// The members read so far are complete: keys follow one another
		// by their end indices.
		for k := m.obj + 1; k < len(doc.vals); k = int(doc.vals[k].end) {
			if doc.text(k) == name {
				return int(doc.vals[k].off), true
			}
		}
		return 0, false
	}
	if m.index == nil {
		m.index = make(map[string]int, 2*fewMembers)
		for k := m.obj + 1; k < len(doc.vals); k = int(doc.vals[k].end) {
			m.index[doc.text(k)] = int(doc.vals[k].off)
		}
	}
	if first, dup := m.index[name]; dup {
		return first, true
	}
	m.index[name] = off
	return 0, false
}

func (r *jsonReader) array() *syntaxError {
	if err := r.enter(); err != nil {
		return err
	}
	arr := r.push(jsonArray, r.pos, 0)
	r.pos++ // [
	r.skipSpace()
	if r.pos < len(r.data) && r.data[r.pos] == ']' {
		r.pos++
		r.depth--
		r.close(arr)
		return nil
	}
	for i := 0; ; i++ {
		r.skipSpace()
		r.path = append(r.path, pathSeg{index: i})
		if err := r.value(); err != nil {
			return err
		}
		r.path = r.path[:len(r.path)-1]
		r.skipSpace()
		if r.pos < len(r.data) && r.data[r.pos] == ',' {
			r.pos++
			continue
		}
		if r.pos < len(r.data) && r.data[r.pos] == ']' {
			r.pos++
			r.depth--
			r.close(arr)
			return nil
		}
		return r.unexpected("',' or ']'")
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
	return d[start:r.pos], nil
}

// str reads a string, checking UTF-8 and escapes, and returns its value
// and whether it had escapes (else it is a slice of the input).
func (r *jsonReader) str() (string, bool, *syntaxError) {
	d := r.data
	r.pos++ // opening quote
	start := r.pos
	// Fast path: no escapes, so the value is a slice of the input, and
	// only one with a byte above 0x7f needs checking for UTF-8.
	var bits byte // all bytes or-ed
	for r.pos < len(d) {
		c := d[r.pos]
		if c == '"' {
			s := d[start:r.pos]
			if bits >= utf8.RuneSelf && !utf8.ValidString(s) {
				return "", false, r.badUTF8(start, r.pos)
			}
			r.pos++
			return s, false, nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		bits |= c
		r.pos++
	}
	var b strings.Builder
	b.WriteString(d[start:r.pos])
	for {
		if r.pos >= len(d) {
			return "", false, r.fail(r.pos, "unexpected end of input inside a string")
		}
		c := d[r.pos]
		switch {
		case c == '"':
			r.pos++
			s := b.String()
			if !utf8.ValidString(s) {
				return "", false, r.badUTF8(start, r.pos-1)
			}
			return s, true, nil
		case c < 0x20:
			return "", false, r.fail(r.pos, "control character 0x%02x inside a string: escape it", c)
		case c != '\\':
			b.WriteByte(c)
			r.pos++
			continue
		}
		// Escape sequence.
		if r.pos+1 >= len(d) {
			return "", false, r.fail(r.pos, "unexpected end of input inside a string")
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
				return "", false, err
			}
			if utf16.IsSurrogate(ru) {
				if r.pos+1 < len(d) && d[r.pos] == '\\' && d[r.pos+1] == 'u' {
					r.pos += 2
					lo, err := r.hex4()
					if err != nil {
						return "", false, err
					}
					ru = utf16.DecodeRune(ru, lo)
				} else {
					ru = utf8.RuneError
				}
				if ru == utf8.RuneError {
					return "", false, r.fail(r.pos, "invalid UTF-16 surrogate pair in a \\u escape")
				}
			}
			b.WriteRune(ru)
		default:
			return "", false, r.fail(r.pos-2, "invalid escape sequence \\%c", esc)
		}
	}
}

func (r *jsonReader) hex4() (rune, *syntaxError) {
	if r.pos+4 > len(r.data) {
		return 0, r.fail(r.pos, "unexpected end of input in a \\u escape")
	}
	v, err := strconv.ParseUint(r.data[r.pos:r.pos+4], 16, 16)
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
		ru, size := utf8.DecodeRuneInString(s[i:])
		if ru == utf8.RuneError && size <= 1 {
			break
		}
		i += size
	}
	return r.fail(start+i, "invalid UTF-8 byte 0x%02x inside a string", s[min(i, len(s)-1)])
}
