// Command gentables generates syscalls/ztables.go from the syscall tables in
// syscalls/internal/tables: libseccomp's syscalls.csv (the primary source)
// and hrw/syscalls-table (to fill syscalls the CSV does not number).
//
//	go run ./internal/cmd/gentables -tables internal/tables -out ztables.go
//
// Names both sources number differently on an architecture are printed on
// stderr; the CSV's number is used. With -v the syscalls taken from hrw are
// printed as well.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/seccompctl/seccompctl/syscalls/internal/tablegen"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("gentables", flag.ContinueOnError)
	fs.SetOutput(stderr)
	tables := fs.String("tables", "internal/tables", "directory holding libseccomp-syscalls.csv and the syscalls-* files")
	out := fs.String("out", "ztables.go", "Go file to write")
	verbose := fs.Bool("v", false, "also list the syscalls taken from the hrw tables")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "gentables: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	d, err := tablegen.Load(*tables)
	if err != nil {
		fmt.Fprintf(stderr, "gentables: %v\n", err)
		return 1
	}
	for _, dis := range d.Disagreements {
		fmt.Fprintf(stderr, "gentables: disagreement: %v\n", dis)
	}
	if *verbose {
		for _, f := range d.Fills {
			fmt.Fprintf(stderr, "gentables: from hrw: %v\n", f)
		}
	}
	src, err := tablegen.Render(d)
	if err != nil {
		fmt.Fprintf(stderr, "gentables: %v\n", err)
		return 1
	}
	if err := writeFile(*out, src); err != nil {
		fmt.Fprintf(stderr, "gentables: %v\n", err)
		return 1
	}
	return 0
}

// writeFile replaces path atomically, so an interrupted run never leaves a
// truncated ztables.go behind.
func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".gentables-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
