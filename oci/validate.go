package oci

import (
	"encoding/json"
	"fmt"

	"github.com/seccompctl/seccompctl/profile"
)

// parseProfile is the one gate every profile passes on its way into or
// out of a registry: profile.ParseWithOptions, and not a runtime
// config.json (Parse accepts one and uses its linux.seccomp, but CRI-O
// loads the layer bytes as a profile, so such a layer would not work).
func parseProfile(data []byte, name string, maxSize int64) (*profile.Profile, error) {
	p, err := profile.ParseWithOptions(data, profile.ParseOptions{File: name, MaxSize: maxSize})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidProfile, err)
	}
	// Parse succeeded, so data is a JSON object; only its keys matter here.
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalidProfile, name, err)
	}
	for _, k := range []string{"ociVersion", "process", "linux"} {
		if _, ok := top[k]; ok {
			return nil, fmt.Errorf("%w: %s: an OCI runtime config (it has %q), not a seccomp profile; CRI-O loads the layer as a profile", ErrInvalidProfile, name, k)
		}
	}
	return p, nil
}
