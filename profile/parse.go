package profile

import (
	"fmt"
	"io"
	"os"
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
	// negative value means no limit.
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
	if opts.MaxSize > 0 && int64(len(data)) > opts.MaxSize {
		return nil, tooLarge(opts, int64(len(data)))
	}
	d := &decoder{src: Source{File: opts.File, lines: newLineIndex(data)}}
	root, se := readJSON(data, opts.MaxDepth)
	if se != nil {
		msg := se.msg
		if se.dupOf > 0 {
			msg += " (first at " + d.src.lines.pos(se.dupOf).String() + ")"
		}
		return nil, &Error{File: opts.File, Path: se.path, Pos: d.src.lines.pos(se.off), Msg: msg, Err: ErrSyntax}
	}
	p, err := d.profile(root)
	if err != nil {
		return nil, err
	}
	p.Source = d.src
	p.pathPrefix = d.prefix
	return p, nil
}

// decoder turns a JSON tree into a Profile, checking every field.
type decoder struct {
	src     Source
	unknown []unknownField
	prefix  string // "linux.seccomp." in a runtime config.json
}

func (d *decoder) errorf(v *jsonValue, path string, sentinel error, format string, a ...any) error {
	pos := Position{}
	if v != nil {
		pos = d.src.lines.pos(v.off)
	}
	if sentinel == nil {
		sentinel = ErrInvalid
	}
	return &Error{File: d.src.File, Path: path, Pos: pos, Msg: fmt.Sprintf(format, a...), Err: sentinel}
}

func (d *decoder) typeError(v *jsonValue, path, want string) error {
	return d.errorf(v, path, nil, "want %s, got %s", want, v.kind)
}

// fields walks an object's members, calling set for each known key.
// Unknown keys are remembered for warnings (moby and runc ignore them), but
// a key that differs from a known one only in case is an error: Go's
// encoding/json would match it case-insensitively, we do not.
func (d *decoder) fields(v *jsonValue, path string, known []string, set func(key string, val *jsonValue, path string) error) error {
	if v.kind != jsonObject {
		return d.typeError(v, path, "an object")
	}
	for _, m := range v.members {
		p := m.key
		if path != "" {
			p = path + "." + m.key
		}
		isKnown := false
		for _, k := range known {
			if k == m.key {
				isKnown = true
				break
			}
			if strings.EqualFold(k, m.key) {
				return d.errorf(&jsonValue{off: m.keyOff}, p, nil, "unknown key %q: did you mean %q? (keys are case-sensitive)", m.key, k)
			}
		}
		if !isKnown {
			d.unknown = append(d.unknown, unknownField{path: p, pos: d.src.lines.pos(m.keyOff)})
			continue
		}
		if err := set(m.key, m.value, p); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) profile(root *jsonValue) (*Profile, error) {
	if root.kind != jsonObject {
		return nil, d.errorf(root, "", ErrNotProfile, "not an OCI seccomp profile: the top level is %s, want an object", root.kind)
	}
	if root.get("default_action") != nil {
		return nil, d.errorf(root.get("default_action"), "default_action", ErrNotProfile,
			"not an OCI seccomp profile: this is Docker's pre-OCI format of 2016 (numeric default_action/action/op); rewrite it with defaultAction and names")
	}
	path := ""
	if root.get("ociVersion") != nil || root.get("linux") != nil || root.get("process") != nil {
		// An OCI runtime config.json: use linux.seccomp.
		linux := root.get("linux")
		if linux == nil || linux.kind != jsonObject || linux.get("seccomp") == nil {
			return nil, d.errorf(root, "linux.seccomp", ErrNotProfile, "an OCI runtime config without linux.seccomp")
		}
		root, path = linux.get("seccomp"), "linux.seccomp"
		d.prefix = "linux.seccomp."
		if root.kind != jsonObject {
			return nil, d.typeError(root, path, "an object")
		}
	}
	at := func(key string) string {
		if path == "" {
			return key
		}
		return path + "." + key
	}

	p := &Profile{defaultActionOff: -1, defaultErrnoOff: -1}
	var defaultErrno *uint
	var errnoNameVal *jsonValue
	err := d.fields(root, path, []string{"defaultAction", "defaultErrnoRet", "defaultErrno", "architectures",
		"archMap", "syscalls", "flags", "listenerPath", "listenerMetadata", "comment"},
		func(key string, v *jsonValue, path string) error {
			var err error
			switch key {
			case "defaultAction":
				p.defaultActionOff = v.off
				p.DefaultAction, err = d.action(v, path)
			case "defaultErrnoRet":
				p.defaultErrnoOff = v.off
				p.DefaultErrnoRet, err = d.errno(v, path)
			case "defaultErrno":
				p.defaultErrnoOff = v.off
				errnoNameVal = v
				defaultErrno, err = d.errnoName(v, path)
			case "architectures":
				p.Architectures, err = d.arches(v, path)
			case "archMap":
				p.ArchMap, err = d.archMap(v, path)
			case "syscalls":
				p.Syscalls, err = d.syscalls(v, path)
			case "flags":
				p.Flags, err = d.flags(v, path)
			case "listenerPath":
				p.ListenerPath, err = d.str(v, path)
			case "listenerMetadata":
				p.ListenerMeta, err = d.str(v, path)
			case "comment":
				_, err = d.str(v, path)
			}
			return err
		})
	if err != nil {
		return nil, err
	}
	p.unknownFields = d.unknown

	if p.DefaultAction == "" {
		return nil, d.errorf(root, at("defaultAction"), nil, "missing defaultAction: a profile must say what happens to syscalls no rule matches")
	}
	if p.DefaultErrnoRet, err = d.mergeErrno(p.DefaultErrnoRet, defaultErrno, errnoNameVal, at("defaultErrno")); err != nil {
		return nil, err
	}
	if err := d.errnoFits(root, path, p.DefaultAction, p.DefaultErrnoRet, "defaultErrnoRet"); err != nil {
		return nil, err
	}
	if p.DefaultErrnoRet != nil && !p.DefaultAction.TakesData() {
		key := "defaultErrnoRet"
		if root.get(key) == nil {
			key = "defaultErrno"
		}
		return nil, d.errorf(root.get(key), at(key), nil,
			"an errno is given but defaultAction %s takes none (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)", p.DefaultAction)
	}
	if p.DefaultAction == "SCMP_ACT_NOTIFY" {
		return nil, d.errorf(root.get("defaultAction"), at("defaultAction"), nil,
			"SCMP_ACT_NOTIFY cannot be the default action (runc refuses it: the supervisor would see every syscall, including its own replies)")
	}
	if len(p.Architectures) > 0 && len(p.ArchMap) > 0 {
		return nil, d.errorf(root.get("archMap"), at("archMap"), nil, "both architectures and archMap are given: use one of them")
	}
	if p.ListenerMeta != "" && p.ListenerPath == "" {
		return nil, d.errorf(root.get("listenerMetadata"), at("listenerMetadata"), nil, "listenerMetadata without listenerPath")
	}
	for i, s := range p.Syscalls {
		if s.Action != "SCMP_ACT_NOTIFY" {
			continue
		}
		sp := fmt.Sprintf("%s[%d].action", at("syscalls"), i)
		sv := root.get("syscalls").elems[i].get("action")
		if p.ListenerPath == "" {
			return nil, d.errorf(sv, sp, nil, "SCMP_ACT_NOTIFY needs listenerPath: without a listener nothing answers the notifications and the syscalls block forever")
		}
		for _, n := range s.Names {
			if n == "write" {
				return nil, d.errorf(sv, sp, nil, "SCMP_ACT_NOTIFY on write is refused (runc: it would deadlock the runtime sending the listener fd)")
			}
		}
	}
	return p, nil
}

// mergeErrno folds an errno given by name into the numeric field.
func (d *decoder) mergeErrno(num, byName *uint, nameVal *jsonValue, path string) (*uint, error) {
	if byName == nil {
		return num, nil
	}
	if num != nil && *num != *byName {
		return nil, d.errorf(nameVal, path, nil, "%s is %d but the numeric errno says %d", nameVal.text, *byName, *num)
	}
	return byName, nil
}

func (d *decoder) str(v *jsonValue, path string) (string, error) {
	if v.kind != jsonString {
		return "", d.typeError(v, path, "a string")
	}
	return v.text, nil
}

// strs accepts an array of strings or null.
func (d *decoder) strs(v *jsonValue, path string) ([]string, error) {
	if v.kind == jsonNull {
		return nil, nil
	}
	if v.kind != jsonArray {
		return nil, d.typeError(v, path, "an array of strings")
	}
	out := make([]string, len(v.elems))
	for i, e := range v.elems {
		if e.kind != jsonString {
			return nil, d.typeError(e, fmt.Sprintf("%s[%d]", path, i), "a string")
		}
		out[i] = e.text
	}
	return out, nil
}

func (d *decoder) action(v *jsonValue, path string) (ActionName, error) {
	s, err := d.str(v, path)
	if err != nil {
		return "", err
	}
	n := ActionName(s)
	if _, ok := n.Kind(); ok {
		return n, nil
	}
	if _, ok := ActionName(strings.ToUpper(s)).Kind(); ok {
		return "", d.errorf(v, path, ErrUnknownAction, "unknown action %q: action names are case-sensitive, did you mean %q?", s, strings.ToUpper(s))
	}
	return "", d.errorf(v, path, ErrUnknownAction, "unknown action %q: want one of %s", s, validActionNames())
}

// uint64Value reads an exact unsigned 64-bit integer: no sign, fraction or
// exponent, and no detour through float64.
func (d *decoder) uint64Value(v *jsonValue, path string) (uint64, error) {
	if v.kind != jsonNumber {
		return 0, d.typeError(v, path, "an unsigned integer")
	}
	lit := v.text
	if strings.HasPrefix(lit, "-") {
		hint := ""
		if n, err := strconv.ParseInt(lit, 10, 64); err == nil {
			hint = fmt.Sprintf("; the kernel compares unsigned 64-bit values, so write %d for (u64)%d", uint64(n), n)
		}
		return 0, d.errorf(v, path, nil, "%s is negative: want an unsigned 64-bit integer%s", lit, hint)
	}
	if strings.ContainsAny(lit, ".eE") {
		return 0, d.errorf(v, path, nil, "%s is not an integer: want an unsigned 64-bit integer without fraction or exponent", lit)
	}
	n, err := strconv.ParseUint(lit, 10, 64)
	if err != nil {
		return 0, d.errorf(v, path, nil, "%s does not fit in an unsigned 64-bit integer", lit)
	}
	return n, nil
}

func (d *decoder) errno(v *jsonValue, path string) (*uint, error) {
	n, err := d.uint64Value(v, path)
	if err != nil {
		return nil, err
	}
	if n > maxErrno {
		return nil, d.errorf(v, path, nil, "errno %d is out of range: want 0..%d (the kernel returns 16 bits of data and only values below 4096 are errnos; runc would silently wrap %d to %d)",
			n, maxErrno, n, uint16(int16(n)))
	}
	u := uint(n)
	return &u, nil
}

// errnoFits refuses SCMP_ACT_ERRNO(4095): libseccomp accepts errno data
// below 4095 only (EINVAL otherwise), so runc fails to start the container.
func (d *decoder) errnoFits(obj *jsonValue, path string, act ActionName, errno *uint, key string) error {
	if act != "SCMP_ACT_ERRNO" || errno == nil || *errno < maxErrno {
		return nil
	}
	v := obj.get(key) // nil (no position) if the errno came by name
	p := key
	if path != "" {
		p = path + "." + key
	}
	return d.errorf(v, p, nil, "errno %d is out of range for SCMP_ACT_ERRNO: libseccomp refuses 4095 and above (EINVAL), so runc would fail to start the container", *errno)
}

func (d *decoder) errnoName(v *jsonValue, path string) (*uint, error) {
	s, err := d.str(v, path)
	if err != nil {
		return nil, err
	}
	n, ok := ErrnoByName(s)
	if !ok {
		return nil, d.errorf(v, path, nil, "unknown errno name %q: want a name such as EPERM or ENOSYS", s)
	}
	return &n, nil
}

func (d *decoder) arch(v *jsonValue, path string) (arch.Arch, error) {
	s, err := d.str(v, path)
	if err != nil {
		return 0, err
	}
	a, err := arch.FromSCMPName(s)
	if err != nil {
		hint := ""
		if b, err2 := arch.Parse(s); err2 == nil {
			hint = fmt.Sprintf(", did you mean %q?", b.String())
		}
		return 0, d.errorf(v, path, ErrUnknownArch, "unknown architecture %q: want an SCMP_ARCH_* name%s", s, hint)
	}
	return a, nil
}

func (d *decoder) arches(v *jsonValue, path string) ([]arch.Arch, error) {
	if v.kind == jsonNull {
		return nil, nil
	}
	if v.kind != jsonArray {
		return nil, d.typeError(v, path, "an array of SCMP_ARCH_* names")
	}
	out := make([]arch.Arch, 0, len(v.elems))
	for i, e := range v.elems {
		a, err := d.arch(e, fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func (d *decoder) archMap(v *jsonValue, path string) ([]ArchMapEntry, error) {
	if v.kind == jsonNull {
		return nil, nil
	}
	if v.kind != jsonArray {
		return nil, d.typeError(v, path, "an array")
	}
	out := make([]ArchMapEntry, 0, len(v.elems))
	for i, e := range v.elems {
		ep := fmt.Sprintf("%s[%d]", path, i)
		var m ArchMapEntry
		err := d.fields(e, ep, []string{"architecture", "subArchitectures"}, func(key string, v *jsonValue, path string) error {
			var err error
			if key == "architecture" {
				m.Arch, err = d.arch(v, path)
			} else {
				m.SubArches, err = d.arches(v, path)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		if m.Arch == arch.Unknown {
			return nil, d.errorf(e, ep+".architecture", nil, "missing architecture")
		}
		out = append(out, m)
	}
	return out, nil
}

func (d *decoder) flags(v *jsonValue, path string) ([]Flag, error) {
	if v.kind == jsonNull {
		return nil, nil
	}
	if v.kind != jsonArray {
		return nil, d.typeError(v, path, "an array of SECCOMP_FILTER_FLAG_* names")
	}
	out := make([]Flag, 0, len(v.elems))
	for i, e := range v.elems {
		ep := fmt.Sprintf("%s[%d]", path, i)
		s, err := d.str(e, ep)
		if err != nil {
			return nil, err
		}
		if !Flag(s).valid() {
			return nil, d.errorf(e, ep, ErrUnknownFlag, "unknown flag %q: want one of %s, %s, %s, %s",
				s, FlagTSYNC, FlagLog, FlagSpecAllow, FlagWaitKillableRecv)
		}
		out = append(out, Flag(s))
	}
	return out, nil
}

func (d *decoder) syscalls(v *jsonValue, path string) ([]Syscall, error) {
	if v.kind == jsonNull {
		return nil, nil
	}
	if v.kind != jsonArray {
		return nil, d.typeError(v, path, "an array of rules")
	}
	out := make([]Syscall, 0, len(v.elems))
	for i, e := range v.elems {
		s, err := d.syscall(e, fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return nil, err
		}
		s.Index = i
		out = append(out, s)
	}
	return out, nil
}

func (d *decoder) syscall(v *jsonValue, path string) (Syscall, error) {
	s := Syscall{actionOff: -1, errnoOff: -1}
	if v.kind == jsonObject {
		s.Pos = d.src.lines.pos(v.off)
	}
	var name string
	var nameVal, errnoNameVal *jsonValue
	var byName *uint
	err := d.fields(v, path, []string{"names", "name", "action", "errnoRet", "errno", "args", "comment", "includes", "excludes"},
		func(key string, v *jsonValue, path string) error {
			var err error
			switch key {
			case "names":
				s.Names, err = d.strs(v, path)
				if err == nil && len(v.elems) > 0 {
					s.nameOffs = make([]int, len(v.elems))
					for i, e := range v.elems {
						s.nameOffs[i] = e.off
					}
				}
			case "name":
				nameVal = v
				name, err = d.str(v, path)
			case "action":
				s.actionOff = v.off
				s.Action, err = d.action(v, path)
			case "errnoRet":
				s.errnoOff = v.off
				s.ErrnoRet, err = d.errno(v, path)
			case "errno":
				errnoNameVal = v
				s.errnoOff = v.off
				byName, err = d.errnoName(v, path)
			case "args":
				s.Args, err = d.args(v, path)
			case "comment":
				s.Comment, err = d.str(v, path)
			case "includes":
				s.Includes, err = d.filter(v, path)
			case "excludes":
				s.Excludes, err = d.filter(v, path)
			}
			return err
		})
	if err != nil {
		return s, err
	}
	if name != "" {
		if len(s.Names) > 0 {
			return s, d.errorf(nameVal, path+".name", nil, "both name and names are given: use names")
		}
		s.Names = []string{name}
		s.nameOffs, s.singleName = []int{nameVal.off}, true
	}
	if s.Action == "" {
		return s, d.errorf(v, path+".action", nil, "missing action")
	}
	if s.ErrnoRet, err = d.mergeErrno(s.ErrnoRet, byName, errnoNameVal, path+".errno"); err != nil {
		return s, err
	}
	if err := d.errnoFits(v, path, s.Action, s.ErrnoRet, "errnoRet"); err != nil {
		return s, err
	}
	if s.ErrnoRet != nil && !s.Action.TakesData() {
		key := "errnoRet"
		if v.get(key) == nil {
			key = "errno"
		}
		return s, d.errorf(v.get(key), path+"."+key, nil, "an errno is given but action %s takes none (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)", s.Action)
	}
	return s, nil
}

func (d *decoder) args(v *jsonValue, path string) ([]Arg, error) {
	if v.kind == jsonNull {
		return nil, nil
	}
	if v.kind != jsonArray {
		return nil, d.typeError(v, path, "an array of argument conditions")
	}
	out := make([]Arg, 0, len(v.elems))
	for i, e := range v.elems {
		ap := fmt.Sprintf("%s[%d]", path, i)
		a := Arg{}
		var haveIndex, haveOp bool
		err := d.fields(e, ap, []string{"index", "value", "valueTwo", "op"}, func(key string, v *jsonValue, path string) error {
			switch key {
			case "index":
				n, err := d.uint64Value(v, path)
				if err != nil {
					return err
				}
				if n > 5 {
					return d.errorf(v, path, nil, "argument index %d is out of range: syscalls have arguments 0..5", n)
				}
				a.Index, haveIndex = uint(n), true
			case "value", "valueTwo":
				n, err := d.uint64Value(v, path)
				if err != nil {
					return err
				}
				if key == "value" {
					a.Value = n
				} else {
					a.ValueTwo = n
				}
			case "op":
				s, err := d.str(v, path)
				if err != nil {
					return err
				}
				if !Op(s).valid() {
					return d.errorf(v, path, ErrUnknownOp, "unknown operator %q: want one of %s, %s, %s, %s, %s, %s, %s", s,
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
			return nil, d.errorf(e, ap+".index", nil, "missing index")
		}
		if !haveOp {
			return nil, d.errorf(e, ap+".op", nil, "missing op")
		}
		a.Pos = d.src.lines.pos(e.off)
		out = append(out, a)
	}
	return out, nil
}

func (d *decoder) filter(v *jsonValue, path string) (*Filter, error) {
	if v.kind == jsonNull {
		return nil, nil
	}
	f := &Filter{}
	err := d.fields(v, path, []string{"arches", "caps", "minKernel"}, func(key string, v *jsonValue, path string) error {
		var err error
		switch key {
		case "arches":
			f.Arches, err = d.strs(v, path)
		case "caps":
			f.Caps, err = d.strs(v, path)
		case "minKernel":
			if v.kind == jsonNull {
				return nil
			}
			var s string
			if s, err = d.str(v, path); err != nil {
				return err
			}
			kv, err := ParseKernelVersion(s)
			if err != nil {
				return d.errorf(v, path, nil, "%v", err)
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
