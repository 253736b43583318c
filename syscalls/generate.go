package syscalls

// ztables.go is generated from the copies of libseccomp's syscalls.csv and
// hrw/syscalls-table under internal/tables; edit those, never ztables.go.
//go:generate go run ./internal/cmd/gentables -tables internal/tables -out ztables.go
