package profile

// This file models libseccomp's per-syscall argument tree (db.c,
// struct db_arg_chain_tree) closely enough to reproduce its decisions:
// how one rule becomes a chain of 32-bit word comparisons, how a new chain
// merges into the tree of earlier rules for the same syscall (_db_tree_add,
// including -EEXIST for conflicting actions), and how the generated BPF
// walks the tree (gen_bpf.c _gen_bpf_chain: nodes of a level are tried in
// order, a branch without a target falls through to the next node, and the
// end of a level falls through to the parent's next node, finally to the
// default action). The compiler emits exactly this walk, and Decide
// evaluates it.
//
// Deliberately not ported: _db_tree_prune, which only removes chains whose
// outcome an equal-action prefix already decides, and so never changes a
// decision.

// CmpOp is a 32-bit word comparison, what a tree node does in BPF.
type CmpOp uint8

// Word comparisons: jeq, jgt, jge (and jeq after "and mask").
const (
	CmpEQ CmpOp = iota
	CmpGT
	CmpGE
	CmpMaskedEQ
)

func (o CmpOp) String() string {
	return [...]string{"==", ">", ">=", "&=="}[o]
}

// Level is one level of the tree: nodes tried in order.
type Level struct {
	Nodes []*Node
}

// Node compares one 32-bit word of one argument with a constant.
type Node struct {
	Arg    int  // argument index 0..5
	Hi     bool // the high word of a 64-bit argument (else the low word)
	Op     CmpOp
	Mask   uint32 // for CmpMaskedEQ: the word is masked before the compare
	Datum  uint32 // already masked for CmpMaskedEQ
	OpOrig Op     // the profile operator this node came from (orders levels)
	// DatumFull is the rule's whole 64-bit value (libseccomp uses it when
	// two GT/GE or LT/LE rules share a high-word node).
	DatumFull uint64

	// True and False lead to a deeper level; if nil, HasActT/HasActF say
	// whether the branch returns ActT/ActF or falls through.
	True, False      *Level
	ActT, ActF       Action
	HasActT, HasActF bool
}

// Matches evaluates the node's comparison on the argument words.
func (n *Node) Matches(args [6]uint64) bool {
	a := args[n.Arg]
	w := uint32(a)
	if n.Hi {
		w = uint32(a >> 32)
	}
	switch n.Op {
	case CmpEQ:
		return w == n.Datum
	case CmpGT:
		return w > n.Datum
	case CmpGE:
		return w >= n.Datum
	case CmpMaskedEQ:
		return w&n.Mask == n.Datum
	}
	return false
}

// eval walks lvl as the BPF walks it. It returns the action and true, or
// false when the walk falls off the level (the caller continues).
func (lvl *Level) eval(args [6]uint64) (Action, bool) {
	for _, n := range lvl.Nodes {
		next, act, has := n.False, n.ActF, n.HasActF
		if n.Matches(args) {
			next, act, has = n.True, n.ActT, n.HasActT
		}
		switch {
		case next != nil:
			if a, ok := next.eval(args); ok {
				return a, true
			}
		case has:
			return act, true
		}
	}
	return 0, false
}

// sameNode is _db_chain_eq.
func sameNode(a, b *Node) bool {
	return a.Arg == b.Arg && a.Hi == b.Hi && a.Op == b.Op && a.Datum == b.Datum && a.Mask == b.Mask
}

func (n *Node) argPriority() int {
	p := n.Arg << 1
	if n.Hi {
		p++
	}
	return p
}

func opPriority(op Op) int {
	switch op {
	case OpMaskedEqual, OpEqualTo, OpNotEqual:
		return 3
	case OpLessEqual, OpLessThan:
		return 2
	case OpGreaterEqual, OpGreaterThan:
		return 1
	}
	return 0
}

// nodeLess is _db_chain_lt: a sorts after b on a level.
func nodeLess(a, b *Node) bool {
	if pa, pb := a.argPriority(), b.argPriority(); pa != pb {
		return pa < pb
	}
	if oa, ob := opPriority(a.OpOrig), opPriority(b.OpOrig); oa != ob {
		return oa < ob
	}
	if a.OpOrig == OpLessEqual || a.OpOrig == OpLessThan {
		return a.Datum > b.Datum
	}
	return a.Datum < b.Datum
}

func isLeaf(n *Node) bool { return n.True == nil && n.False == nil }

// actCheck is _db_tree_act_check: every action in lvl equals act.
func (lvl *Level) actCheck(act Action) bool {
	if lvl == nil {
		return true
	}
	for _, n := range lvl.Nodes {
		if (n.HasActT && n.ActT != act) || (n.HasActF && n.ActF != act) {
			return false
		}
		if !n.True.actCheck(act) || !n.False.actCheck(act) {
			return false
		}
	}
	return true
}

// add merges the single-path chain whose first level is nw into lvl
// (_db_tree_add). It returns false where libseccomp returns -EEXIST.
func (lvl *Level) add(nw *Level) bool {
	n := nw.Nodes[0]
	for i := 0; i < len(lvl.Nodes); i++ {
		x := lvl.Nodes[i]
		if sameNode(x, n) {
			return mergeNode(x, n)
		}
		if nodeLess(x, n) {
			// Insert before x.
			lvl.Nodes = append(lvl.Nodes, nil)
			copy(lvl.Nodes[i+1:], lvl.Nodes[i:])
			lvl.Nodes[i] = n
			return true
		}
	}
	lvl.Nodes = append(lvl.Nodes, n)
	return true
}

func mergeNode(x, n *Node) bool {
	if n.HasActT {
		if !x.HasActT {
			if !x.True.actCheck(n.ActT) {
				return false
			}
			x.True, x.ActT, x.HasActT = nil, n.ActT, true
		} else if n.ActT != x.ActT {
			// A 64-bit GT/GE high-word node shared by two rules takes the
			// action of the rule with the larger value.
			if n.Hi && n.DatumFull > x.DatumFull {
				x.ActT = n.ActT
			}
			if isLeaf(x) || isLeaf(n) {
				return false
			}
		}
	}
	if n.HasActF {
		if !x.HasActF {
			if !x.False.actCheck(n.ActF) {
				return false
			}
			x.False, x.ActF, x.HasActF = nil, n.ActF, true
		} else if n.ActF != x.ActF {
			// The LT/LE counterpart; libseccomp before 2.6.1 wrote ActT
			// here (GHSA-4q85-33p6-j5g6), 2.6.1 writes ActF.
			if n.Hi && n.DatumFull < x.DatumFull {
				x.ActF = n.ActF
			}
			if isLeaf(x) || isLeaf(n) {
				return false
			}
		}
	}
	if n.True != nil {
		switch {
		case x.True != nil:
			if !x.True.add(n.True) {
				return false
			}
		case !x.HasActT:
			x.True = n.True
		default:
			return true // the existing chain is shorter
		}
	}
	if n.False != nil {
		switch {
		case x.False != nil:
			if !x.False.add(n.False) {
				return false
			}
		case !x.HasActF:
			x.False = n.False
		default:
			return true
		}
	}
	return true
}

// condition is one argument condition of a rule as libseccomp takes it.
type condition struct {
	arg   int
	op    Op
	mask  uint64 // MASKED_EQ: the mask (the profile's "value")
	datum uint64 // the value compared (for MASKED_EQ: "valueTwo")
}

// buildChain turns one rule's conditions (sorted by argument index, at most
// one per index) into a single-path tree whose matching end returns act
// (_db_rule_gen with _db_rule_gen_arg_64 / _db_rule_gen_arg_32). It returns
// nil when no condition needs a comparison (the rule is unconditional).
func buildChain(conds []condition, act Action, is64 bool) *Level {
	var b chainBuilder
	for _, c := range conds {
		if is64 {
			b.add64(c)
		} else {
			b.add32(c)
		}
	}
	if b.head == nil {
		return nil
	}
	for _, p := range b.prev[:b.nprev] {
		if b.tf {
			p.ActT, p.HasActT = act, true
		} else {
			p.ActF, p.HasActF = act, true
		}
	}
	return b.head
}

// chainBuilder holds a chain under construction.
type chainBuilder struct {
	head *Level
	// prev are the nodes whose tf branch leads on to the next condition
	// (or, after the last, returns the action).
	prev  [2]*Node
	nprev int
	tf    bool
}

// chainLevel is a level of a chain: one node alone. The level, the node
// and the node list are allocated together; merging into a tree appends
// to a level's list, which then moves out (its capacity is 1).
type chainLevel struct {
	lvl   Level
	node  Node
	nodes [1]*Node
}

func newChainLevel(n Node) (*Level, *Node) {
	c := &chainLevel{node: n}
	c.nodes[0] = &c.node
	c.lvl.Nodes = c.nodes[:]
	return &c.lvl, &c.node
}

// link makes lvl the next condition's level.
func (b *chainBuilder) link(lvl *Level) {
	if b.head == nil {
		b.head = lvl
	}
	for _, p := range b.prev[:b.nprev] {
		if b.tf {
			p.True = lvl
		} else {
			p.False = lvl
		}
	}
}

func (b *chainBuilder) setPrev(tf bool, nodes ...*Node) {
	b.tf, b.nprev = tf, copy(b.prev[:], nodes)
}

// word is c's comparison on one 32-bit word of the argument.
func word(c condition, hi bool, op CmpOp) Node {
	m, d := uint32(c.mask), uint32(c.datum)
	if hi {
		m, d = uint32(c.mask>>32), uint32(c.datum>>32)
	}
	return Node{Arg: c.arg, Hi: hi, Op: op, Mask: m, Datum: d & m, OpOrig: c.op, DatumFull: c.datum}
}

// add64 adds a condition on a 64-bit argument: two or three word
// comparisons, high word first.
func (b *chainBuilder) add64(c condition) {
	needHi := !(c.op == OpMaskedEqual && uint32(c.mask>>32) == 0)
	needLo := !(c.op == OpMaskedEqual && uint32(c.mask) == 0)
	if !needHi && !needLo {
		return
	}
	switch c.op {
	case OpGreaterThan, OpGreaterEqual, OpLessThan, OpLessEqual:
		lowOp := CmpGE
		if c.op == OpGreaterThan || c.op == OpLessEqual {
			lowOp = CmpGT
		}
		l0, n0 := newChainLevel(word(c, true, CmpGT))
		l1, n1 := newChainLevel(word(c, true, CmpEQ))
		l2, n2 := newChainLevel(word(c, false, lowOp))
		b.link(l0)
		n0.False = l1
		n1.True = l2
		if c.op == OpGreaterThan || c.op == OpGreaterEqual {
			b.setPrev(true, n0, n2)
		} else {
			b.setPrev(false, n1, n2)
		}
	default: // EQ, NE, MASKED_EQ
		op := CmpEQ
		if c.op == OpMaskedEqual {
			op = CmpMaskedEQ
		}
		l0, n0 := newChainLevel(word(c, true, op))
		l1, n1 := newChainLevel(word(c, false, op))
		b.link(l0)
		n0.True = l1
		if c.op == OpNotEqual {
			b.setPrev(false, n0, n1)
		} else {
			b.setPrev(true, n1)
		}
	}
}

// add32 adds a condition on a 32-bit argument: one node on the low word,
// the datum truncated.
func (b *chainBuilder) add32(c condition) {
	if c.op == OpMaskedEqual && uint32(c.mask) == 0 {
		return
	}
	n := Node{Arg: c.arg, OpOrig: c.op, Mask: 0xffffffff, Datum: uint32(c.datum), DatumFull: c.datum}
	tf := true
	switch c.op {
	case OpNotEqual:
		n.Op, tf = CmpEQ, false
	case OpLessThan:
		n.Op, tf = CmpGE, false
	case OpLessEqual:
		n.Op, tf = CmpGT, false
	case OpGreaterThan:
		n.Op = CmpGT
	case OpGreaterEqual:
		n.Op = CmpGE
	case OpMaskedEqual:
		n.Op = CmpMaskedEQ
		n.Mask = uint32(c.mask)
		n.Datum = uint32(c.datum) & n.Mask
	default:
		n.Op = CmpEQ
	}
	lvl, np := newChainLevel(n)
	b.link(lvl)
	b.setPrev(tf, np)
}
