package main

import (
	"fmt"

	"github.com/seccompctl/seccompctl/profile"
	"github.com/seccompctl/seccompctl/record"
)

func init() {
	register(command{name: "merge", summary: "write the union of several profiles (the less restrictive action wins)", run: runMerge})
}

func runMerge(e *env) int {
	fs := newFlagSet(e, "merge", "-o OUT.json PROFILE.json PROFILE.json...")
	out := fs.String("o", "", "where to write the merged profile (required; - for standard output)")
	if status, ok := parseFlags(e, fs); !ok {
		return status
	}
	if *out == "" || fs.NArg() < 1 {
		fs.Usage()
		return exitInput
	}
	var ps []*profile.Profile
	for _, f := range fs.Args() {
		p, err := profile.ParseFile(f)
		if err != nil {
			return e.errorf(exitInput, "%v", err)
		}
		ps = append(ps, p)
	}
	merged, warnings, err := record.Merge(ps...)
	if err != nil {
		return e.errorf(exitInput, "%v", err)
	}
	for _, w := range warnings {
		fmt.Fprintf(e.stderr, "seccompctl: warning: %s\n", w)
	}
	data, err := record.Marshal(merged)
	if err != nil {
		return e.errorf(exitInput, "%v", err)
	}
	if err := writeOutput(e, *out, data); err != nil {
		return e.errorf(exitInput, "%v", err)
	}
	return exitOK
}
