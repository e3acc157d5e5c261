package main

import (
	"math"
	"math/rand/v2"
)

// keyGen picks key indexes in [0, n). Each connection has its own, so
// drawing a key takes no lock.
type keyGen interface {
	next() uint64
}

type uniformGen struct {
	rng *rand.Rand
	n   uint64
}

func (g *uniformGen) next() uint64 { return g.rng.Uint64N(g.n) }

// zipfShape holds what every generator of one Zipf distribution shares;
// computing zeta(n) is O(n), so it is done once.
type zipfShape struct {
	n                 uint64
	theta, alpha, eta float64
	zetan, half2theta float64
	scramble          bool
}

// newZipfShape prepares a Zipf distribution over n items with exponent
// theta in (0, 1) (YCSB's default is 0.99), after Gray et al., "Quickly
// Generating Billion-Record Synthetic Databases" (SIGMOD 1994), the
// generator YCSB uses. With scramble, rank r maps to a hashed index, so
// the hot keys are spread over the keyspace (and over Anax's shards)
// instead of being key 0, 1, 2, ...
func newZipfShape(n uint64, theta float64, scramble bool) *zipfShape {
	zetan := 0.0
	for i := uint64(1); i <= n; i++ {
		zetan += 1 / math.Pow(float64(i), theta)
	}
	zeta2 := 1 + 1/math.Pow(2, theta)
	z := &zipfShape{
		n:          n,
		theta:      theta,
		alpha:      1 / (1 - theta),
		zetan:      zetan,
		half2theta: 1 + math.Pow(0.5, theta),
		scramble:   scramble,
	}
	z.eta = (1 - math.Pow(2/float64(n), 1-theta)) / (1 - zeta2/zetan)
	return z
}

type zipfGen struct {
	*zipfShape
	rng *rand.Rand
}

// rank draws a rank in [0, n); rank 0 is the most frequent.
func (g *zipfGen) rank() uint64 {
	u := g.rng.Float64()
	uz := u * g.zetan
	if uz < 1 {
		return 0
	}
	if uz < g.half2theta {
		return 1
	}
	r := uint64(float64(g.n) * math.Pow(g.eta*u-g.eta+1, g.alpha))
	if r >= g.n {
		r = g.n - 1
	}
	return r
}

func (g *zipfGen) next() uint64 {
	r := g.rank()
	if !g.scramble {
		return r
	}
	return mix64(r+0x9e3779b97f4a7c15) % g.n
}

// mix64 is SplitMix64's finalizer: a bijection on uint64 that spreads
// neighbouring ranks apart (it maps 0 to 0, hence the offset above).
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
