package profile

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/seccompctl/seccompctl/arch"
)

// ParseOptions control Parse.
type ParseOptions struct {
	// File names the input in error messages.
	File string
	// MaxSize is the largest input accepted, in bytes; larger input fails
	// with ErrTooLarge before it is read. Zero means DefaultMaxSize; a
	// negative value means no limit but the reader's own, 2 GiB - 1.
	MaxSize int64
	// MaxDepth bounds JSON nesting. Zero means DefaultMaxDepth.
	MaxDepth int
}

// Limits applied by DefaultParseOptions. Real profiles are at most a few
// tens of KiB and four levels deep; CRI-O caps artifacts at 1 MiB.
const (
	DefaultMaxSize  = 4 << 20
	DefaultMaxDepth = 64
)

// DefaultParseOptions are the options Parse uses.
var DefaultParseOptions = ParseOptions{MaxSize: DefaultMaxSize, MaxDepth: DefaultMaxDepth}

// maxErrno is the largest errno the format accepts. SECCOMP_RET_DATA has
// 16 bits, but the kernel treats return values above -4096 as errnos only
// up to MAX_ERRNO (4095); runc silently wraps larger values through int16.
const maxErrno = 4095

// Parse parses a seccomp profile in the OCI/Docker JSON format, or an OCI
// runtime config.json whose linux.seccomp holds one, with
// DefaultParseOptions.
func Parse(data []byte) (*Profile, error) {
	return ParseWithOptions(data, DefaultParseOptions)
}

// ParseFile reads and parses a profile file, naming it in errors. It reads
// at most DefaultMaxSize+1 bytes, so a huge file fails fast with ErrTooLarge.
func ParseFile(path string) (*Profile, error) {
	opts := DefaultParseOptions
	opts.File = path
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, opts.MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if int64(len(data)) > opts.MaxSize {
		size := int64(len(data))
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			size = st.Size() // say how big the file is, not how much was read
		}
		return nil, tooLarge(opts, size)
	}
	return ParseWithOptions(data, opts)
}

func tooLarge(opts ParseOptions, size int64) error {
	return &Error{File: opts.File, Err: ErrTooLarge,
		Msg: fmt.Sprintf("input is %d bytes, more than the limit of %d bytes", size, opts.MaxSize)}
}

// ParseWithOptions parses like Parse with the given options.
func ParseWithOptions(data []byte, opts ParseOptions) (*Profile, error) {
	if opts.MaxSize == 0 {
		opts.MaxSize = DefaultMaxSize
	}
	if opts.MaxDepth == 0 {
		opts.MaxDepth = DefaultMaxDepth
	}
	if opts.MaxSize < 0 || opts.MaxSize > maxInputSize {
		opts.MaxSize = maxInputSize
	}
	if int64(len(data)) > opts.MaxSize {
		return nil, tooLarge(opts, int64(len(data)))
	}
	// One copy of the input: the profile's strings alias it, and the
	// caller may reuse data.
	src := string(data)
	d := newDecoder(src, opts.File)
	root, se := parseJSON(src, opts.MaxDepth)
	if se != nil {
		msg := se.msg
		if se.dupOf > 0 {
			msg += " (first at " + d.pos(se.dupOf).String() + ")"
		}
		return nil, &Error{File: opts.File, Path: se.path, Pos: d.pos(se.off), Msg: msg, Err: ErrSyntax}
	}
	p, err := d.profile(root)
	if err != nil {
		return nil, err
	}
	p.Source = d.src
	p.pathPrefix = d.prefix
	return p, nil
}

// decoder turns a JSON document into a Profile, checking every field.
// Field paths for messages come from the document (jv.path), built only
// when there is something to say.
type decoder struct {
	src     Source
	cur     lineCursor
	unknown []unknownField
	// unknownKeys are the tape indices of unknown's keys, whose paths are
	// found in one walk when the profile is complete (one jv.path each
	// would walk over every earlier rule: quadratic).
	unknownKeys []int
	prefix      string // "linux.seccomp." in a runtime config.json
}

func newDecoder(src, file string) *decoder {
	return &decoder{src: Source{File: file, lines: newLineIndex(src)}, cur: lineCursor{src: src}}
}

// pos is the position of a byte offset. The decoder visits the document in
// order, so a cursor finds it; an error may point back, to an enclosing
// value, and is looked up in the (then built) line table.
func (d *decoder) pos(off int) Position {
	if off < d.cur.off {
		return d.src.lines.pos(off)
	}
	return d.cur.pos(off)
}

func (d *decoder) errorf(v jv, path string, sentinel error, format string, a ...any) error {
	pos := Position{}
	if v.ok() {
		pos = d.pos(v.off())
	}
	if sentinel == nil {
		sentinel = ErrInvalid
	}
	return &Error{File: d.src.File, Path: path, Pos: pos, Msg: fmt.Sprintf(format, a...), Err: sentinel}
}

func (d *decoder) typeError(v jv, want string) error {
	return d.errorf(v, v.path(), nil, "want %s, got %s", want, v.kind())
}

// The keys each object of the format defines.
var (
	profileKeys = []string{"defaultAction", "defaultErrnoRet", "defaultErrno", "architectures",
		"archMap", "syscalls", "flags", "listenerPath", "listenerMetadata", "comment"}
	archMapKeys = []string{"architecture", "subArchitectures"}
	syscallKeys = []string{"names", "name", "action", "errnoRet", "errno", "args", "comment", "includes", "excludes"}
	argKeys     = []string{"index", "value", "valueTwo", "op"}
	filterKeys  = []string{"arches", "caps", "minKernel"}
)

// fields walks an object's members, calling set for each known key.
// Unknown keys are remembered for warnings (moby and runc ignore them), but
// a key that differs from a known one only in case is an error: Go's
// encoding/json would match it case-insensitively, we do not.
func (d *decoder) fields(v jv, known []string, set func(key string, val jv) error) error {
	if v.kind() != jsonObject {
		return d.typeError(v, "an object")
	}
	for k, val := range v.members() {
		key := k.text()
		if !slices.Contains(known, key) {
			// No two known keys differ only in case, so the exact match
			// can come first.
			for _, name := range known {
				if strings.EqualFold(name, key) {
					return d.errorf(k, k.path(), nil, "unknown key %q: did you mean %q? (keys are case-sensitive)", key, name)
				}
			}
			// The position now, while the cursor is here; the path
			// later (see unknownKeys).
			d.unknown = append(d.unknown, unknownField{pos: d.pos(k.off())})
			d.unknownKeys = append(d.unknownKeys, k.i)
			continue
		}
		if err := set(key, val); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) profile(root jv) (*Profile, error) {
	if root.kind() != jsonObject {
		return nil, d.errorf(root, "", ErrNotProfile, "not an OCI seccomp profile: the top level is %s, want an object", root.kind())
	}
	if v := root.get("default_action"); v.ok() {
		return nil, d.errorf(v, "default_action", ErrNotProfile,
			"not an OCI seccomp profile: this is Docker's pre-OCI format of 2016 (numeric default_action/action/op); rewrite it with defaultAction and names")
	}
	if root.get("ociVersion").ok() || root.get("linux").ok() || root.get("process").ok() {
		// An OCI runtime config.json: use linux.seccomp.
		linux := root.get("linux")
		if !linux.ok() || linux.kind() != jsonObject || !linux.get("seccomp").ok() {
			return nil, d.errorf(root, "linux.seccomp", ErrNotProfile, "an OCI runtime config without linux.seccomp")
		}
		root = linux.get("seccomp")
		d.prefix = "linux.seccomp."
		if root.kind() != jsonObject {
			return nil, d.typeError(root, "an object")
		}
	}

	p := &Profile{}
	act := profileActionFields
	err := d.fields(root, profileKeys, func(key string, v jv) error {
		var err error
		switch key {
		case act.actionKey, act.errnoKey, act.nameKey:
			err = d.actionField(&act, key, v)
		case "architectures":
			p.Architectures, err = d.arches(v)
		case "archMap":
			p.ArchMap, err = d.archMap(v)
		case "syscalls":
			p.Syscalls, err = d.syscalls(v)
		case "flags":
			p.Flags, err = d.flags(v)
		case "listenerPath":
			p.ListenerPath, err = d.str(v)
		case "listenerMetadata":
			p.ListenerMeta, err = d.str(v)
		case "comment":
			_, err = d.str(v)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	p.unknownFields = d.unknown
	p.DefaultAction, p.defaultActionOff, p.defaultErrnoOff = act.action, act.actionOff, act.errnoOff

	if p.DefaultAction == "" {
		return nil, d.errorf(root, root.childPath("defaultAction"), nil, "missing defaultAction: a profile must say what happens to syscalls no rule matches")
	}
	if p.DefaultErrnoRet, err = d.checkErrno(root, &act); err != nil {
		return nil, err
	}
	if p.DefaultAction == "SCMP_ACT_NOTIFY" {
		return nil, d.errorf(root.get("defaultAction"), root.childPath("defaultAction"), nil,
			"SCMP_ACT_NOTIFY cannot be the default action (runc refuses it: the supervisor would see every syscall, including its own replies)")
	}
	if len(p.Architectures) > 0 && len(p.ArchMap) > 0 {
		return nil, d.errorf(root.get("archMap"), root.childPath("archMap"), nil, "both architectures and archMap are given: use one of them")
	}
	if p.ListenerMeta != "" && p.ListenerPath == "" {
		return nil, d.errorf(root.get("listenerMetadata"), root.childPath("listenerMetadata"), nil, "listenerMetadata without listenerPath")
	}
	for i, s := range p.Syscalls {
		if s.Action != "SCMP_ACT_NOTIFY" {
			continue
		}
		// The rule's action value is looked up only for a message: elem
		// walks over the earlier rules.
		action := func() jv { return root.get("syscalls").elem(i).get("action") }
		if p.ListenerPath == "" {
			sv := action()
			return nil, d.errorf(sv, sv.path(), nil, "SCMP_ACT_NOTIFY needs listenerPath: without a listener nothing answers the notifications and the syscalls block forever")
		}
		if slices.Contains(s.Names, "write") {
			sv := action()
			return nil, d.errorf(sv, sv.path(), nil, "SCMP_ACT_NOTIFY on write is refused (runc: it would deadlock the runtime sending the listener fd)")
		}
	}
	for n, path := range root.doc.paths(d.unknownKeys) {
		p.unknownFields[n].path = path
	}
	return p, nil
}

// actionFields are the members of an object that say what happens: the
// action and the errno, by number or by name (a profile's defaultAction,
// defaultErrnoRet and defaultErrno, a rule's action, errnoRet and errno).
// They are read by actionField and checked together by checkErrno, with
// the object's own key names in messages.
type actionFields struct {
	actionKey, errnoKey, nameKey string

	action              ActionName
	errno               *uint // by number
	actionOff, errnoOff int   // the values' offsets, -1 if absent
	byName              *uint // the errno given by name
	nameVal             jv    // its value
}

var (
	profileActionFields = actionFields{actionKey: "defaultAction", errnoKey: "defaultErrnoRet", nameKey: "defaultErrno", actionOff: -1, errnoOff: -1}
	ruleActionFields    = actionFields{actionKey: "action", errnoKey: "errnoRet", nameKey: "errno", actionOff: -1, errnoOff: -1}
)

// actionField reads the member key, one of f's, whose value is v.
func (d *decoder) actionField(f *actionFields, key string, v jv) error {
	var err error
	switch key {
	case f.actionKey:
		f.actionOff = v.off()
		f.action, err = d.action(v)
	case f.errnoKey:
		f.errnoOff = v.off()
		f.errno, err = d.errno(v)
	case f.nameKey:
		f.errnoOff = v.off()
		f.nameVal = v
		f.byName, err = d.errnoName(v)
	}
	return err
}

// checkErrno returns the errno of the object obj (nil if none) once the
// action is known: the numeric errno and the one by name must agree,
// libseccomp must accept it with the action, and the action must take one.
func (d *decoder) checkErrno(obj jv, f *actionFields) (*uint, error) {
	errno, err := d.mergeErrno(f.errno, f.byName, f.nameVal)
	if err != nil {
		return nil, err
	}
	if err := d.errnoFits(obj, f.action, errno, f.errnoKey); err != nil {
		return nil, err
	}
	if errno != nil && !f.action.TakesData() {
		key := f.errnoKey
		if !obj.get(key).ok() {
			key = f.nameKey
		}
		return nil, d.errorf(obj.get(key), obj.childPath(key), nil,
			"an errno is given but %s %s takes none (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)", f.actionKey, f.action)
	}
	return errno, nil
}

// mergeErrno folds an errno given by name (the value nameVal) into the
// numeric field.
func (d *decoder) mergeErrno(num, byName *uint, nameVal jv) (*uint, error) {
	if byName == nil {
		return num, nil
	}
	if num != nil && *num != *byName {
		return nil, d.errorf(nameVal, nameVal.path(), nil, "%s is %d but the numeric errno says %d", nameVal.text(), *byName, *num)
	}
	return byName, nil
}

func (d *decoder) str(v jv) (string, error) {
	if v.kind() != jsonString {
		return "", d.typeError(v, "a string")
	}
	return v.text(), nil
}

// strs accepts an array of strings or null.
func (d *decoder) strs(v jv) ([]string, error) {
	out, _, err := d.strsAt(v, false)
	return out, err
}

// strsAt is strs that, if withOffs, also returns each string's offset
// (nil when there are none), in the same walk.
func (d *decoder) strsAt(v jv, withOffs bool) ([]string, []int, error) {
	if v.kind() == jsonNull {
		return nil, nil, nil
	}
	if v.kind() != jsonArray {
		return nil, nil, d.typeError(v, "an array of strings")
	}
	n := v.len()
	out := make([]string, n)
	var offs []int
	if withOffs && n > 0 {
		offs = make([]int, n)
	}
	for i, e := range v.elems() {
		if e.kind() != jsonString {
			return nil, nil, d.typeError(e, "a string")
		}
		out[i] = e.text()
		if offs != nil {
			offs[i] = e.off()
		}
	}
	return out, offs, nil
}

func (d *decoder) action(v jv) (ActionName, error) {
	s, err := d.str(v)
	if err != nil {
		return "", err
	}
	n := ActionName(s)
	if _, ok := n.Kind(); ok {
		return n, nil
	}
	if _, ok := ActionName(strings.ToUpper(s)).Kind(); ok {
		return "", d.errorf(v, v.path(), ErrUnknownAction, "unknown action %q: action names are case-sensitive, did you mean %q?", s, strings.ToUpper(s))
	}
	return "", d.errorf(v, v.path(), ErrUnknownAction, "unknown action %q: want one of %s", s, validActionNames())
}

// uint64Value reads an exact unsigned 64-bit integer: no sign, fraction or
// exponent, and no detour through float64.
func (d *decoder) uint64Value(v jv) (uint64, error) {
	if v.kind() != jsonNumber {
		return 0, d.typeError(v, "an unsigned integer")
	}
	lit := v.text()
	if strings.HasPrefix(lit, "-") {
		hint := ""
		if n, err := strconv.ParseInt(lit, 10, 64); err == nil {
			hint = fmt.Sprintf("; the kernel compares unsigned 64-bit values, so write %d for (u64)%d", uint64(n), n)
		}
		return 0, d.errorf(v, v.path(), nil, "%s is negative: want an unsigned 64-bit integer%s", lit, hint)
	}
	if strings.ContainsAny(lit, ".eE") {
		return 0, d.errorf(v, v.path(), nil, "%s is not an integer: want an unsigned 64-bit integer without fraction or exponent", lit)
	}
	n, err := strconv.ParseUint(lit, 10, 64)
	if err != nil {
		return 0, d.errorf(v, v.path(), nil, "%s does not fit in an unsigned 64-bit integer", lit)
	}
	return n, nil
}

func (d *decoder) errno(v jv) (*uint, error) {
	n, err := d.uint64Value(v)
	if err != nil {
		return nil, err
	}
	if n > maxErrno {
		return nil, d.errorf(v, v.path(), nil, "errno %d is out of range: want 0..%d (the kernel returns 16 bits of data and only values below 4096 are errnos; runc would silently wrap %d to %d)",
			n, maxErrno, n, uint16(int16(n)))
	}
	u := uint(n)
	return &u, nil
}

// errnoFits refuses SCMP_ACT_ERRNO(4095): libseccomp accepts errno data
// below 4095 only (EINVAL otherwise), so runc fails to start the container.
func (d *decoder) errnoFits(obj jv, act ActionName, errno *uint, key string) error {
	if act != "SCMP_ACT_ERRNO" || errno == nil || *errno < maxErrno {
		return nil
	}
	v := obj.get(key) // absent (no position) if the errno came by name
	return d.errorf(v, obj.childPath(key), nil, "errno %d is out of range for SCMP_ACT_ERRNO: libseccomp refuses 4095 and above (EINVAL), so runc would fail to start the container", *errno)
}

func (d *decoder) errnoName(v jv) (*uint, error) {
	s, err := d.str(v)
	if err != nil {
		return nil, err
	}
	n, ok := ErrnoByName(s)
	if !ok {
		return nil, d.errorf(v, v.path(), nil, "unknown errno name %q: want a name such as EPERM or ENOSYS", s)
	}
	return &n, nil
}

func (d *decoder) arch(v jv) (arch.Arch, error) {
	s, err := d.str(v)
	if err != nil {
		return 0, err
	}
	a, err := arch.FromSCMPName(s)
	if err != nil {
		hint := ""
		if b, err2 := arch.Parse(s); err2 == nil {
			hint = fmt.Sprintf(", did you mean %q?", b.String())
		}
		return 0, d.errorf(v, v.path(), ErrUnknownArch, "unknown architecture %q: want an SCMP_ARCH_* name%s", s, hint)
	}
	return a, nil
}

func (d *decoder) arches(v jv) ([]arch.Arch, error) {
	if v.kind() == jsonNull {
		return nil, nil
	}
	if v.kind() != jsonArray {
		return nil, d.typeError(v, "an array of SCMP_ARCH_* names")
	}
	out := make([]arch.Arch, 0, v.len())
	for _, e := range v.elems() {
		a, err := d.arch(e)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func (d *decoder) archMap(v jv) ([]ArchMapEntry, error) {
	if v.kind() == jsonNull {
		return nil, nil
	}
	if v.kind() != jsonArray {
		return nil, d.typeError(v, "an array")
	}
	out := make([]ArchMapEntry, 0, v.len())
	for _, e := range v.elems() {
		var m ArchMapEntry
		err := d.fields(e, archMapKeys, func(key string, v jv) error {
			var err error
			if key == "architecture" {
				m.Arch, err = d.arch(v)
			} else {
				m.SubArches, err = d.arches(v)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		if m.Arch == arch.Unknown {
			return nil, d.errorf(e, e.childPath("architecture"), nil, "missing architecture")
		}
		out = append(out, m)
	}
	return out, nil
}

func (d *decoder) flags(v jv) ([]Flag, error) {
	if v.kind() == jsonNull {
		return nil, nil
	}
	if v.kind() != jsonArray {
		return nil, d.typeError(v, "an array of SECCOMP_FILTER_FLAG_* names")
	}
	out := make([]Flag, 0, v.len())
	for _, e := range v.elems() {
		s, err := d.str(e)
		if err != nil {
			return nil, err
		}
		if !Flag(s).valid() {
			return nil, d.errorf(e, e.path(), ErrUnknownFlag, "unknown flag %q: want one of %s, %s, %s, %s",
				s, FlagTSYNC, FlagLog, FlagSpecAllow, FlagWaitKillableRecv)
		}
		out = append(out, Flag(s))
	}
	return out, nil
}

func (d *decoder) syscalls(v jv) ([]Syscall, error) {
	if v.kind() == jsonNull {
		return nil, nil
	}
	if v.kind() != jsonArray {
		return nil, d.typeError(v, "an array of rules")
	}
	out := make([]Syscall, 0, v.len())
	for i, e := range v.elems() {
		s, err := d.syscall(e)
		if err != nil {
			return nil, err
		}
		s.Index = i
		out = append(out, s)
	}
	return out, nil
}

func (d *decoder) syscall(v jv) (Syscall, error) {
	var s Syscall
	if v.kind() == jsonObject {
		s.Pos = d.pos(v.off())
	}
	var name string
	var nameVal jv
	act := ruleActionFields
	err := d.fields(v, syscallKeys, func(key string, v jv) error {
		var err error
		switch key {
		case "names":
			s.Names, s.nameOffs, err = d.strsAt(v, true)
		case "name":
			nameVal = v
			name, err = d.str(v)
		case act.actionKey, act.errnoKey, act.nameKey:
			err = d.actionField(&act, key, v)
		case "args":
			s.Args, err = d.args(v)
		case "comment":
			s.Comment, err = d.str(v)
		case "includes":
			s.Includes, err = d.filter(v)
		case "excludes":
			s.Excludes, err = d.filter(v)
		}
		return err
	})
	s.Action, s.actionOff, s.errnoOff = act.action, act.actionOff, act.errnoOff
	if err != nil {
		return s, err
	}
	if name != "" {
		if len(s.Names) > 0 {
			return s, d.errorf(nameVal, nameVal.path(), nil, "both name and names are given: use names")
		}
		s.Names = []string{name}
		s.nameOffs, s.singleName = []int{nameVal.off()}, true
	}
	if s.Action == "" {
		return s, d.errorf(v, v.childPath("action"), nil, "missing action")
	}
	if s.ErrnoRet, err = d.checkErrno(v, &act); err != nil {
		return s, err
	}
	return s, nil
}

func (d *decoder) args(v jv) ([]Arg, error) {
	if v.kind() == jsonNull {
		return nil, nil
	}
	if v.kind() != jsonArray {
		return nil, d.typeError(v, "an array of argument conditions")
	}
	out := make([]Arg, 0, v.len())
	for _, e := range v.elems() {
		// The position first: the cursor only moves forward.
		a := Arg{Pos: d.pos(e.off())}
		var haveIndex, haveOp bool
		err := d.fields(e, argKeys, func(key string, v jv) error {
			switch key {
			case "index":
				n, err := d.uint64Value(v)
				if err != nil {
					return err
				}
				if n > 5 {
					return d.errorf(v, v.path(), nil, "argument index %d is out of range: syscalls have arguments 0..5", n)
				}
				a.Index, haveIndex = uint(n), true
			case "value", "valueTwo":
				n, err := d.uint64Value(v)
				if err != nil {
					return err
				}
				if key == "value" {
					a.Value = n
				} else {
					a.ValueTwo = n
				}
			case "op":
				s, err := d.str(v)
				if err != nil {
					return err
				}
				if !Op(s).valid() {
					return d.errorf(v, v.path(), ErrUnknownOp, "unknown operator %q: want one of %s, %s, %s, %s, %s, %s, %s", s,
						OpEqualTo, OpNotEqual, OpLessThan, OpLessEqual, OpGreaterThan, OpGreaterEqual, OpMaskedEqual)
				}
				a.Op, haveOp = Op(s), true
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if !haveIndex {
			return nil, d.errorf(e, e.childPath("index"), nil, "missing index")
		}
		if !haveOp {
			return nil, d.errorf(e, e.childPath("op"), nil, "missing op")
		}
		out = append(out, a)
	}
	return out, nil
}

func (d *decoder) filter(v jv) (*Filter, error) {
	if v.kind() == jsonNull {
		return nil, nil
	}
	f := &Filter{}
	err := d.fields(v, filterKeys, func(key string, v jv) error {
		var err error
		switch key {
		case "arches":
			f.Arches, err = d.strs(v)
		case "caps":
			f.Caps, err = d.strs(v)
		case "minKernel":
			if v.kind() == jsonNull {
				return nil
			}
			var s string
			if s, err = d.str(v); err != nil {
				return err
			}
			kv, err := ParseKernelVersion(s)
			if err != nil {
				return d.errorf(v, v.path(), nil, "%v", err)
			}
			f.MinKernel = &kv
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}
