package profile

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// BenchmarkReadJSON times the JSON reader alone (the tape), without
// decoding it into a Profile.
//
//	go test -run=NONE -bench ReadJSON -benchmem ./profile/
func BenchmarkReadJSON(b *testing.B) {
	data, err := os.ReadFile("../bench/testdata/profiles/docker-default.json")
	require.NoError(b, err)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := readJSON(data, DefaultMaxDepth); err != nil {
			b.Fatal(err)
		}
	}
}

// The tests below cover internals the speed-ups introduced and the
// table-driven parse tests reach only in part (this package's file
// ownership puts them beside the benchmark).

// An object with more members than fewMembers checks duplicates through a
// map built from the names read so far; the error is the same as for a
// small object.
func TestDuplicateKeyInLargeObject(t *testing.T) {
	tests := []struct {
		name    string
		members int
		dup     int // index of the member repeated at the end
	}{
		{"small object", fewMembers - 1, 3},
		{"repeat of a name read before the map", 40, 3},
		{"repeat of a name read after the map", 40, 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString(`{"x":{`)
			for i := range tt.members {
				fmt.Fprintf(&b, `"k%d":%d,`, i, i)
			}
			dupOff := b.Len()
			fmt.Fprintf(&b, `"k%d":0}}`, tt.dup)
			src := b.String()
			firstOff := strings.Index(src, fmt.Sprintf(`"k%d":`, tt.dup))

			_, se := readJSON([]byte(src), DefaultMaxDepth)
			require.NotNil(t, se)
			assert.Equal(t, fmt.Sprintf("duplicate key %q", fmt.Sprintf("k%d", tt.dup)), se.msg)
			assert.Equal(t, fmt.Sprintf("x.k%d", tt.dup), se.path)
			assert.Equal(t, dupOff, se.off)
			assert.Equal(t, firstOff, se.dupOf)
		})
	}
	// Without the repeat, every member is there, in order.
	var b strings.Builder
	b.WriteString(`{`)
	for i := range 40 {
		fmt.Fprintf(&b, `"k%d":%d,`, i, i)
	}
	b.WriteString(`"last":true}`)
	root, se := readJSON([]byte(b.String()), DefaultMaxDepth)
	require.Nil(t, se)
	n := 0
	for k, v := range root.members() {
		if n < 40 {
			assert.Equal(t, fmt.Sprintf("k%d", n), k.text())
			assert.Equal(t, fmt.Sprint(n), v.text())
		}
		n++
	}
	assert.Equal(t, 41, n)
}

// jv.path finds a value's field path by walking down from the root, with
// the decoder's spelling (the reader's own error paths are tested with the
// parse errors).
func TestJSONPath(t *testing.T) {
	src := `{"a":[1,{"b":[true,{"c":null}]}],"d":{"e":"x\u0041"},"":{"f":[]}}`
	root, se := readJSON([]byte(src), DefaultMaxDepth)
	require.Nil(t, se)
	a := root.get("a")
	c := a.elem(1).get("b").elem(1).get("c")
	e := root.get("d").get("e")
	tests := []struct {
		v    jv
		want string
	}{
		{root, ""},
		{a, "a"},
		{a.elem(0), "a[0]"},
		{a.elem(1).get("b"), "a[1].b"},
		{c, "a[1].b[1].c"},
		{e, "d.e"},
		{root.get("").get("f"), "f"}, // an empty name adds nothing, as in the decoder
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.v.path())
	}
	// paths finds the same paths in one walk, for every entry of the
	// tape (keys, values, the root, empty containers), in any order.
	all := make([]int, len(root.doc.vals))
	want := make([]string, len(all))
	for i := range all {
		all[i], want[i] = i, root.at(i).path()
	}
	assert.Equal(t, want, root.doc.paths(all))
	some := []int{2, 2, 9, len(all) - 1}
	assert.Equal(t, []string{want[2], want[2], want[9], want[len(all)-1]}, root.doc.paths(some))
	slices.Reverse(all)
	slices.Reverse(want)
	assert.Equal(t, want, root.doc.paths(all), "not in document order")
	assert.Empty(t, root.doc.paths(nil))
	assert.Equal(t, "d.g", root.get("d").childPath("g"))
	assert.Equal(t, "g", root.childPath("g"))
	assert.Equal(t, "xA", e.text(), "an escaped string is decoded")
	assert.Equal(t, jsonNull, c.kind())
	assert.False(t, root.get("missing").ok())
	assert.Equal(t, 2, a.len())
}

// The decoder's cursor and the line table agree on every offset; the
// decoder goes back to the table for an offset behind the cursor.
func TestLineCursor(t *testing.T) {
	src := "{\n  \"a\": 1,\r\n\n\t\"b\": [\n2]\n}"
	li := newLineIndex(src)
	c := lineCursor{src: src}
	for off := 0; off <= len(src); off++ {
		require.Equal(t, li.pos(off), c.pos(off), "offset %d", off)
	}
	d := decoder{src: Source{lines: newLineIndex(src)}, cur: lineCursor{src: src}}
	assert.Equal(t, Position{Line: 5, Column: 1}, d.pos(strings.Index(src, "2]")))
	assert.Equal(t, Position{Line: 2, Column: 3}, d.pos(strings.Index(src, `"a"`)))
	assert.Equal(t, Position{Line: 6, Column: 1}, d.pos(len(src)-1), "the cursor goes on after a lookup behind it")
	assert.Equal(t, Position{}, d.pos(-1))
	var none *lineIndex
	assert.Equal(t, Position{}, none.pos(3))
}

// Parse allows argument indices 0..5, which a bit set covers; a Profile
// built in code may use others.
func TestRepeatsIndex(t *testing.T) {
	tests := []struct {
		indices []uint
		want    bool
	}{
		{nil, false},
		{[]uint{0, 1, 5}, false},
		{[]uint{1, 0, 1}, true},
		{[]uint{63, 64, 65}, false},
		{[]uint{70, 3, 70}, true},
		{[]uint{1 << 40, 1<<40 + 1}, false},
	}
	for _, tt := range tests {
		args := make([]Arg, len(tt.indices))
		for i, x := range tt.indices {
			args[i].Index = x
		}
		assert.Equal(t, tt.want, repeatsIndex(args), "%v", tt.indices)
	}
}
