package fuzz

import (
	"encoding/binary"
	"math/rand/v2"
)

// Source turns fuzz input into a deterministic stream of choices. Reading
// past the end yields zeros, so every generator terminates on any input
// and a short input means "the simplest choices".
type Source struct {
	b   []byte
	i   int
	rng *rand.PCG // if set, what comes after the end of b
}

// NewSource returns a Source reading b. It does not copy b.
func NewSource(b []byte) *Source { return &Source{b: b} }

// Random returns a Source of pseudo-random bytes seeded from the next 16
// bytes of s, for choices that should stay varied when the input is
// short (which inputs to check a program on), yet be reproducible.
func (s *Source) Random() *Source {
	return &Source{rng: rand.NewPCG(s.Uint64(), s.Uint64())}
}

// Exhausted reports whether every byte has been read (never, for a
// Random source).
func (s *Source) Exhausted() bool { return s.rng == nil && s.i >= len(s.b) }

// Byte returns the next byte, or 0 past the end.
func (s *Source) Byte() byte {
	if s.i >= len(s.b) {
		if s.rng != nil {
			return byte(s.rng.Uint64())
		}
		return 0
	}
	c := s.b[s.i]
	s.i++
	return c
}

// Bool returns a choice of two.
func (s *Source) Bool() bool { return s.Byte()&1 == 1 }

// Uint32 returns the next four bytes, little-endian.
func (s *Source) Uint32() uint32 {
	var w [4]byte
	for i := range w {
		w[i] = s.Byte()
	}
	return binary.LittleEndian.Uint32(w[:])
}

// Uint64 returns the next eight bytes, little-endian.
func (s *Source) Uint64() uint64 {
	return uint64(s.Uint32()) | uint64(s.Uint32())<<32
}

// IntN returns a number in [0, n); n must be positive. Small ranges use
// one byte, so the fuzzer can steer a choice by changing one byte.
func (s *Source) IntN(n int) int {
	if n <= 0 {
		return 0
	}
	if n <= 256 {
		return int(s.Byte()) % n
	}
	return int(s.Uint32() % uint32(n))
}

// Chance returns true with probability about num/den (den at most 256).
// A zero byte (as past the end) is false: the simple choice.
func (s *Source) Chance(num, den int) bool { return s.IntN(den) >= den-num }

// pick returns one element of xs.
func pick[T any](s *Source, xs []T) T { return xs[s.IntN(len(xs))] }
