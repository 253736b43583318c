package loader

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seccompctl/seccompctl/profile"
)

func TestFlagsFor(t *testing.T) {
	const notifyRule = `{"names":["getppid"],"action":"SCMP_ACT_NOTIFY"}`
	const notifyArgRule = `{"names":["getppid"],"action":"SCMP_ACT_NOTIFY","args":[{"index":0,"value":7,"op":"SCMP_CMP_EQ"}]}`
	const errnoRule = `{"names":["getppid"],"action":"SCMP_ACT_ERRNO"}`
	prof := func(flags, rule string) string {
		if flags != "" {
			flags = `"flags":` + flags + `,`
		}
		return fmt.Sprintf(`{"defaultAction":"SCMP_ACT_ALLOW",%s"listenerPath":"/l","syscalls":[%s]}`, flags, rule)
	}
	tests := []struct {
		name  string
		src   string
		rt    profile.Runtime
		flags Flags
	}{
		{"no flags: SPEC_ALLOW", prof("", errnoRule), "", FlagSpecAllow},
		{"empty list: none", prof("[]", errnoRule), "", 0},
		{"log", prof(`["SECCOMP_FILTER_FLAG_LOG"]`, errnoRule), "", FlagLog},
		{"log and spec allow", prof(`["SECCOMP_FILTER_FLAG_LOG","SECCOMP_FILTER_FLAG_SPEC_ALLOW"]`, errnoRule), "", FlagLog | FlagSpecAllow},
		{"TSYNC ignored by runc", prof(`["SECCOMP_FILTER_FLAG_TSYNC"]`, errnoRule), profile.RuntimeRunc, 0},
		{"TSYNC passed by crun", prof(`["SECCOMP_FILTER_FLAG_TSYNC"]`, errnoRule), profile.RuntimeCrun, FlagTSYNC},
		{"notify rule: listener", prof("[]", notifyRule), "", FlagNewListener},
		{"notify in an argument tree: listener", prof("[]", notifyArgRule), "", FlagNewListener},
		{"notify and default flags", prof("", notifyRule), "", FlagNewListener | FlagSpecAllow},
		{"wait killable without notify: dropped", prof(`["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]`, errnoRule), "", 0},
		{"wait killable with notify", prof(`["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]`, notifyRule), "", FlagNewListener | FlagWaitKillableRecv},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.flags&FlagSpecAllow != 0 {
				if err := HaveFlag(FlagSpecAllow); err != nil {
					t.Skip(err)
				}
			}
			_, pol := compileProfile(t, tt.src, tt.rt)
			assert.Equal(t, tt.flags, FlagsFor(pol), "got %v", FlagsFor(pol))
		})
	}
}

func TestFlagsString(t *testing.T) {
	tests := []struct {
		f    Flags
		want string
	}{
		{0, "0"},
		{FlagLog, "SECCOMP_FILTER_FLAG_LOG"},
		{FlagTSYNC | FlagNewListener | FlagTSYNCESRCH, "SECCOMP_FILTER_FLAG_TSYNC|SECCOMP_FILTER_FLAG_NEW_LISTENER|SECCOMP_FILTER_FLAG_TSYNC_ESRCH"},
		{FlagWaitKillableRecv | 1<<9, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV|0x200"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.f.String())
	}
}

func TestUnsupportedFeatureError(t *testing.T) {
	err := fmt.Errorf("loader: %w", &UnsupportedFeatureError{Name: "SECCOMP_FILTER_FLAG_TSYNC_ESRCH", MinimumVersion: profile.KernelVersion{Kernel: 5, Major: 7}})
	assert.ErrorIs(t, err, ErrNotSupported)
	assert.EqualError(t, err, "loader: SECCOMP_FILTER_FLAG_TSYNC_ESRCH not supported by the running kernel (requires Linux >= 5.7)")
	var ufe *UnsupportedFeatureError
	require.True(t, errors.As(err, &ufe))
	assert.Equal(t, 5, ufe.MinimumVersion.Kernel)
	assert.EqualError(t, &UnsupportedFeatureError{Name: "X"}, "X not supported by the running kernel")
	assert.ErrorIs(t, &TSYNCError{TID: 7}, ErrThreadSync)
	assert.NotErrorIs(t, &TSYNCError{TID: 7}, ErrNotSupported)
}

// TestProbe compares the probes with what the kernel lists in
// /proc/sys/kernel/seccomp/actions_avail and with its version. Probing
// changes nothing in the calling process, so it runs in the test process.
func TestProbe(t *testing.T) {
	require.NoError(t, HaveFilterMode())
	avail, err := os.ReadFile("/proc/sys/kernel/seccomp/actions_avail")
	require.NoError(t, err)
	names := map[profile.Action]string{
		profile.ActKillProcess: "kill_process", profile.ActKillThread: "kill_thread", profile.ActTrap: "trap",
		profile.ActErrno: "errno", profile.ActNotify: "user_notif", profile.ActTrace: "trace",
		profile.ActLog: "log", profile.ActAllow: "allow",
	}
	listed := strings.Fields(string(avail))
	for a, name := range names {
		err := HaveAction(a | 5) // the data bits do not matter
		if assertContains(listed, name) {
			assert.NoError(t, err, name)
		} else {
			assert.ErrorIs(t, err, ErrNotSupported, name)
		}
	}
	assert.ErrorIs(t, HaveAction(0x12340000), ErrNotSupported)

	k, err := profile.RunningKernel()
	require.NoError(t, err)
	for _, f := range allFlags {
		err := HaveFlag(f.flag)
		if k.AtLeast(f.min) {
			assert.NoError(t, err, f.name)
		} else {
			assert.ErrorIs(t, err, ErrNotSupported, f.name)
		}
	}
	assert.ErrorIs(t, HaveFlag(1<<30), ErrInvalidFlags)

	sizes, err := GetNotifSizes()
	if k.AtLeast(profile.KernelVersion{Kernel: 5, Major: 0}) {
		require.NoError(t, err)
		assert.True(t, sizes.Available)
		assert.GreaterOrEqual(t, int(sizes.Notif), sizeofNotif)
		assert.GreaterOrEqual(t, int(sizes.Resp), sizeofNotifResp)
		assert.Equal(t, sizeofData, int(sizes.Data))
	}
	st, err := ReadStatus(0)
	require.NoError(t, err)
	assert.Equal(t, ModeDisabled, st.Mode, "probing must not install anything")
}

func assertContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
