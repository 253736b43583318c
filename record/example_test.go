package record_test

import (
	"fmt"
	"strings"

	"github.com/seccompctl/seccompctl/arch"
	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/record"
)

// A recording, however it was made, becomes an allow-list profile.
func Example() {
	rec := record.NewRecording()
	for _, nr := range []int32{59, 1, 231} { // execve, write, exit_group on x86_64
		rec.Add(arch.X86_64.Audit(), nr, [6]uint64{})
	}
	p, _, _ := rec.Profile(record.ProfileOptions{Native: arch.X86_64})
	data, _ := record.Marshal(p)
	fmt.Print(string(data))
	// Output:
	// {
	//   "defaultAction": "SCMP_ACT_ERRNO",
	//   "defaultErrnoRet": 1,
	//   "architectures": [
	//     "SCMP_ARCH_X86_64"
	//   ],
	//   "syscalls": [
	//     {
	//       "names": [
	//         "execve",
	//         "exit_group",
	//         "write"
	//       ],
	//       "action": "SCMP_ACT_ALLOW"
	//     }
	//   ]
	// }
}

// Kernel audit lines of a program run under SCMP_ACT_LOG name what it needs.
func ExampleParseAudit() {
	log := `audit: type=1326 audit(1594067860.484:14536): pid=29064 comm="http-echo" exe="/http-echo" sig=0 arch=c000003e syscall=51 compat=0 ip=0x46fe1f code=0x7ffc0000
audit: type=1326 audit(1594067860.484:14537): pid=29064 comm="http-echo" exe="/http-echo" sig=0 arch=c000003e syscall=54 compat=0 ip=0x46fdba code=0x7ffc0000`
	rec, stats, _ := record.ParseAudit(strings.NewReader(log), record.DefaultAuditOptions)
	for _, c := range rec.Calls() {
		fmt.Println(c.Arch.ShortName(), c.Name)
	}
	fmt.Println(stats.Records, "records")
	// Output:
	// x86_64 getsockname
	// x86_64 setsockopt
	// 2 records
}

// Merging keeps what either profile allows.
func ExampleMerge() {
	a, _ := profile.Parse([]byte(`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}, {"names": ["ptrace"], "action": "SCMP_ACT_KILL_PROCESS"}]}`))
	b, _ := profile.Parse([]byte(`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["write"], "action": "SCMP_ACT_ALLOW"}, {"names": ["ptrace"], "action": "SCMP_ACT_LOG"}]}`))
	m, _, _ := record.Merge(a, b)
	for _, s := range m.Syscalls {
		fmt.Println(s.Action, s.Names)
	}
	// Output:
	// SCMP_ACT_ALLOW [read write]
	// SCMP_ACT_LOG [ptrace]
}
