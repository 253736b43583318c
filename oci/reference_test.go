package oci

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseReference(t *testing.T) {
	const d = "sha256:c67d5972c82f8ef8480672093f1033ee9a300cb32e4f62346fc9b55aab108b5c"
	tests := []struct {
		in     string
		want   Reference
		str    string
		errSub string
	}{
		{in: "127.0.0.1:5000/crio/seccomp:v2", want: Reference{Registry: "127.0.0.1:5000", Repository: "crio/seccomp", Tag: "v2"}, str: "127.0.0.1:5000/crio/seccomp:v2"},
		{in: "quay.io/crio/seccomp", want: Reference{Registry: "quay.io", Repository: "crio/seccomp", Tag: "latest"}, str: "quay.io/crio/seccomp:latest"},
		{in: "quay.io/crio/seccomp@" + d, want: Reference{Registry: "quay.io", Repository: "crio/seccomp", Digest: d}, str: "quay.io/crio/seccomp@" + d},
		{in: "quay.io/crio/seccomp:v2@" + d, want: Reference{Registry: "quay.io", Repository: "crio/seccomp", Tag: "v2", Digest: d}, str: "quay.io/crio/seccomp:v2@" + d},
		{in: "localhost/a:b", want: Reference{Registry: "localhost", Repository: "a", Tag: "b"}, str: "localhost/a:b"},
		{in: "", errSub: "invalid reference"},
		{in: "seccomp", errSub: "missing registry"},
		{in: " quay.io/a:b", errSub: "invalid reference"},
		{in: "quay.io/UPPER:v1", errSub: "invalid reference"},
		{in: "quay.io/a:bad tag", errSub: "invalid reference"},
		{in: "quay.io/a:" + string(make([]byte, 200)), errSub: "invalid reference"},
		{in: "quay.io/a@sha256:abc", errSub: "invalid reference"},
		{in: "quay.io/a:t@t@" + d, errSub: "invalid reference"},
		{in: "quay.io/a:b@d:x" + d, errSub: "invalid reference"},
		{in: "quay.io/a:bad!@" + d, errSub: "invalid reference"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseReference(tt.in)
			if tt.errSub != "" {
				require.ErrorIs(t, err, ErrInvalidReference)
				assert.Contains(t, err.Error(), tt.errSub)
				return
			}
			require.NoError(t, err)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			assert.Equal(t, tt.str, got.String())
			again, err := ParseReference(got.String())
			require.NoError(t, err)
			assert.Equal(t, got, again, "String round-trips")
		})
	}
}
