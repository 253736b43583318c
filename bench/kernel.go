package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"time"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/seccompctl/seccompctl/compile"
	"github.com/seccompctl/seccompctl/profile"
)

// The real-kernel benchmark runs each filter in a child process: a filter
// cannot be removed once installed, and must never be installed in the
// process that runs the tests. The child is the running binary itself,
// started with childEnv set; RunChildIfRequested must be called first
// thing in main (or TestMain) of any binary that calls MeasureKernel.

const childEnv = "SECCOMPBENCH_CHILD"

// ErrChild is returned when a benchmark child fails.
var ErrChild = errors.New("bench: kernel benchmark child failed")

// KernelCall is one system call the kernel benchmark makes in a loop.
type KernelCall struct {
	// Label names the call in reports, e.g. "personality(0xffffffff)".
	Label string
	Nr    uintptr
	Args  [3]uintptr
}

// DefaultKernelCalls are the calls issue 7 asks for, each harmless with
// and without a filter:
//
//   - getppid: allowed unconditionally, so the kernel's action cache skips
//     the filter (Linux ≥ 5.11);
//   - personality(0xffffffff): only queries the persona; Docker's profile
//     allows personality for a few argument values, so the filter runs
//     its argument test;
//   - setns(-1, 0): Docker's profile denies setns with EPERM (it needs
//     CAP_SYS_ADMIN); without a filter the kernel answers EBADF at once.
var DefaultKernelCalls = []KernelCall{
	{Label: "getppid", Nr: unix.SYS_GETPPID},
	{Label: "personality(0xffffffff)", Nr: unix.SYS_PERSONALITY, Args: [3]uintptr{0xffffffff}},
	{Label: "setns(-1, 0)", Nr: unix.SYS_SETNS, Args: [3]uintptr{^uintptr(0), 0}},
}

// KernelVariant is one filter to measure; nil Insns means no filter.
type KernelVariant struct {
	Name  string
	Insns []bpf.RawInstruction
}

// AllowAll is the one-instruction filter "ret ALLOW", the floor: it turns
// seccomp on for the process, and the kernel's action cache then skips it
// for every call.
func AllowAll() []bpf.RawInstruction {
	return []bpf.RawInstruction{{Op: opRetK, K: uint32(profile.ActAllow)}}
}

// AllowAllUncached is "ld args[0].lo; ret ALLOW": it allows everything
// like AllowAll, but the load of an argument keeps the kernel's action
// cache from absorbing any call, so every call runs a (2-instruction)
// filter. Its distance to AllowAll is what running any filter at all
// costs: a floor no compiler can go under for an argument-filtered call.
func AllowAllUncached() []bpf.RawInstruction {
	return []bpf.RawInstruction{{Op: opLdAbsW, K: 16}, {Op: opRetK, K: uint32(profile.ActAllow)}}
}

// KernelOptions tunes MeasureKernel.
type KernelOptions struct {
	// Reps is how many times each variant is measured; children run round
	// robin (rep 1 of every variant, then rep 2, ...) so that a noisy
	// moment spreads over all variants.
	Reps int
	// Iterations is how many calls one repetition makes, in Rounds timed
	// loops; the repetition's result is its fastest loop, so that a
	// preemption or another process's burst in one loop does not count.
	Iterations int
	// Rounds defaults to 10, and is at most Iterations.
	Rounds int
	// CPU pins the timing thread of each child to one CPU; -1 leaves it
	// to the scheduler.
	CPU int
}

// DefaultKernelOptions: 9 repetitions of 100 loops of 2,000 calls each,
// pinned to the last CPU.
var DefaultKernelOptions = KernelOptions{Reps: 9, Iterations: 200000, Rounds: 100, CPU: runtime.NumCPU() - 1}

// KernelSample is the timings of one call under one variant.
type KernelSample struct {
	Variant, Call string
	// NsPerCall has one value per repetition, in run order: the fastest
	// of its timed loops.
	NsPerCall []float64
	// Errno is what the call returned in the last repetition (0: success).
	Errno unix.Errno
}

// Median is the median of NsPerCall.
func (s KernelSample) Median() float64 { return quantile(s.NsPerCall, 0.5) }

// Spread is the interquartile range of NsPerCall, in ns.
func (s KernelSample) Spread() float64 {
	return quantile(s.NsPerCall, 0.75) - quantile(s.NsPerCall, 0.25)
}

// Min is the fastest repetition (0 for none).
func (s KernelSample) Min() float64 {
	if len(s.NsPerCall) == 0 {
		return 0
	}
	return slices.Min(s.NsPerCall)
}

func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	pos := q * float64(len(s)-1)
	i := int(pos)
	if i+1 >= len(s) {
		return s[len(s)-1]
	}
	return s[i] + (pos-float64(i))*(s[i+1]-s[i])
}

// KernelResult holds every sample of a run.
type KernelResult struct {
	Calls    []KernelCall
	Variants []string
	// Samples[v][c] is variant v, call c.
	Samples [][]KernelSample
}

// Sample returns the sample of a variant and call by name, or nil.
func (r *KernelResult) Sample(variant, call string) *KernelSample {
	for v := range r.Samples {
		for c := range r.Samples[v] {
			if s := &r.Samples[v][c]; s.Variant == variant && s.Call == call {
				return s
			}
		}
	}
	return nil
}

type childRequest struct {
	Filter     []byte // raw little-endian struct sock_filter array; empty: none
	Calls      []KernelCall
	Iterations int // per round
	Rounds     int
	CPU        int
}

type childResponse struct {
	NsPerCall []float64
	Errno     []int
	Err       string
}

// MeasureKernel times calls under each variant, in child processes.
func MeasureKernel(variants []KernelVariant, calls []KernelCall, opts KernelOptions) (*KernelResult, error) {
	if opts.Reps <= 0 || opts.Iterations <= 0 {
		return nil, fmt.Errorf("bench: MeasureKernel needs Reps and Iterations > 0, got %d and %d", opts.Reps, opts.Iterations)
	}
	res := &KernelResult{Calls: calls}
	reqs := make([][]byte, len(variants))
	for v, kv := range variants {
		res.Variants = append(res.Variants, kv.Name)
		samples := make([]KernelSample, len(calls))
		for c, call := range calls {
			samples[c] = KernelSample{Variant: kv.Name, Call: call.Label}
		}
		res.Samples = append(res.Samples, samples)
		rounds := opts.Rounds
		if rounds <= 0 {
			rounds = 10
		}
		rounds = min(rounds, opts.Iterations)
		req := childRequest{Calls: calls, Iterations: opts.Iterations / rounds, Rounds: rounds, CPU: opts.CPU}
		if kv.Insns != nil {
			if err := compile.Verify(kv.Insns); err != nil {
				return nil, fmt.Errorf("bench: %s: %w", kv.Name, err)
			}
			req.Filter = rawLE(kv.Insns)
		}
		b, err := json.Marshal(req)
		if err != nil {
			return nil, err
		}
		reqs[v] = b
	}
	for range opts.Reps {
		for v := range variants {
			resp, err := runChild(reqs[v])
			if err != nil {
				return nil, fmt.Errorf("%w: %s: %w", ErrChild, variants[v].Name, err)
			}
			for c := range calls {
				s := &res.Samples[v][c]
				s.NsPerCall = append(s.NsPerCall, resp.NsPerCall[c])
				s.Errno = unix.Errno(resp.Errno[c])
			}
		}
	}
	return res, nil
}

func rawLE(insns []bpf.RawInstruction) []byte {
	b := make([]byte, 0, 8*len(insns))
	for _, ins := range insns {
		b = append(b, byte(ins.Op), byte(ins.Op>>8), ins.Jt, ins.Jf,
			byte(ins.K), byte(ins.K>>8), byte(ins.K>>16), byte(ins.K>>24))
	}
	return b
}

func runChild(req []byte) (*childResponse, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), childEnv+"=1", "GOMAXPROCS=1")
	cmd.Stdin = bytes.NewReader(req)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var resp childResponse
	if err := json.Unmarshal(stdout.Bytes(), &resp); err != nil {
		return nil, fmt.Errorf("no answer (%v, %v): %s", runErr, err, bytes.TrimSpace(stderr.Bytes()))
	}
	if resp.Err != "" {
		return nil, errors.New(resp.Err)
	}
	if runErr != nil {
		return nil, fmt.Errorf("%w: %s", runErr, bytes.TrimSpace(stderr.Bytes()))
	}
	if len(resp.NsPerCall) != len(resp.Errno) {
		return nil, fmt.Errorf("malformed answer: %d timings, %d errnos", len(resp.NsPerCall), len(resp.Errno))
	}
	return &resp, nil
}

// RunChildIfRequested turns the process into a kernel benchmark child
// when the parent started it as one, and never returns then. Otherwise it
// returns at once.
func RunChildIfRequested() {
	if os.Getenv(childEnv) != "1" {
		return
	}
	resp := childMain()
	out, err := json.Marshal(resp)
	if err != nil {
		out = []byte(`{"Err":"cannot encode the answer"}`)
	}
	_, _ = os.Stdout.Write(out)
	os.Exit(0)
}

func childMain() (resp childResponse) {
	var req childRequest
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		return childResponse{Err: "reading request: " + err.Error()}
	}
	// The filter and the timing loop stay on this thread; TSYNC puts the
	// filter on the runtime's other threads too.
	runtime.LockOSThread()
	if req.CPU >= 0 {
		var set unix.CPUSet
		set.Set(req.CPU)
		if err := unix.SchedSetaffinity(0, &set); err != nil {
			return childResponse{Err: "sched_setaffinity: " + err.Error()}
		}
	}
	if len(req.Filter) > 0 {
		if err := installFilter(req.Filter); err != nil {
			return childResponse{Err: err.Error()}
		}
	}
	resp.NsPerCall = make([]float64, len(req.Calls))
	resp.Errno = make([]int, len(req.Calls))
	for i, c := range req.Calls {
		// Warm up caches and the branch predictor.
		loop(c, req.Iterations)
		resp.NsPerCall[i] = math.Inf(1)
	}
	// Rounds interleave the calls, so that a noisy moment hits all of
	// them; each call keeps its fastest round.
	for range req.Rounds {
		for i, c := range req.Calls {
			start := time.Now()
			errno := loop(c, req.Iterations)
			ns := float64(time.Since(start).Nanoseconds()) / float64(req.Iterations)
			resp.NsPerCall[i] = min(resp.NsPerCall[i], ns)
			resp.Errno[i] = int(errno)
		}
	}
	return resp
}

// loop makes the call n times and returns the last errno.
func loop(c KernelCall, n int) unix.Errno {
	var errno unix.Errno
	for range n {
		_, _, errno = unix.RawSyscall(c.Nr, c.Args[0], c.Args[1], c.Args[2])
	}
	return errno
}

// installFilter sets no_new_privs and installs raw with
// seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC).
func installFilter(raw []byte) error {
	insns, err := compile.ParseRaw(raw)
	if err != nil {
		return err
	}
	filter := make([]unix.SockFilter, len(insns))
	for i, ins := range insns {
		filter[i] = unix.SockFilter{Code: ins.Op, Jt: ins.Jt, Jf: ins.Jf, K: ins.K}
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl(PR_SET_NO_NEW_PRIVS): %w", err)
	}
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	r, _, errno := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER,
		unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&prog)))
	runtime.KeepAlive(filter)
	switch {
	case errno != 0:
		return fmt.Errorf("seccomp(SET_MODE_FILTER, TSYNC): %w", errno)
	case r != 0:
		// With TSYNC, a positive return is the id of a thread that could
		// not be synchronized.
		return fmt.Errorf("seccomp(SET_MODE_FILTER, TSYNC): thread %d cannot take the filter", r)
	}
	return nil
}
