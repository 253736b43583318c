package oci

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/seccompctl/seccompctl/internal/registrytest"
)

// exampleRegistry is the host:port of a plain-HTTP registry the Example
// functions push to and pull from (Examples get no testing.T, so TestMain
// starts it).
var exampleRegistry string

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "seccompctl-oci-example-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	reg, err := registrytest.StartPlain(dir)
	switch {
	case err == nil:
		defer reg.Stop()
		exampleRegistry = reg.Host
	case os.Getenv(registrytest.RequireToolsEnv) == "1":
		fmt.Fprintln(os.Stderr, "oci: examples need a registry:", err)
		return 1
	default:
		// Like the tests that t.Skip without docker-registry: skip the
		// examples, and say so.
		fmt.Fprintln(os.Stderr, "oci: skipping examples:", err)
		if err := flag.Set("test.skip", "^Example"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return m.Run()
}
