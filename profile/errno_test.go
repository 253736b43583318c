package profile

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// libseccomp refuses SCMP_ACT_ERRNO with data 4095 or more (EINVAL), for a
// rule and for the default action; runc then fails to start the container
// (compat/testdata/errno-4095.json). TRACE data is not an errno.
func TestErrno4095(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"rule", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","errnoRet":4095}]}`,
			"1:102: syscalls[0].errnoRet: errno 4095 is out of range for SCMP_ACT_ERRNO"},
		{"default", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":4095}`,
			"1:53: defaultErrnoRet: errno 4095 is out of range for SCMP_ACT_ERRNO"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src))
			require.ErrorIs(t, err, ErrInvalid)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	_, err := Parse([]byte(`{"defaultAction":"SCMP_ACT_TRACE","defaultErrnoRet":4095}`))
	assert.NoError(t, err, "TRACE data may be 4095")
}
