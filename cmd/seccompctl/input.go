package main

import (
	"io"
	"os"
)

// readInput reads a file, or standard input for "-", but no more than
// limit+1 bytes: callers compare the length with limit to report an input
// that is too large instead of cutting it.
func readInput(e *env, path string, limit int64) ([]byte, error) {
	var r io.Reader = e.stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	return io.ReadAll(io.LimitReader(r, limit+1))
}
