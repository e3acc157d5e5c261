package main

import (
	"math/rand/v2"
	"testing"
)

func TestZipfIsSkewed(t *testing.T) {
	const n, draws = 10000, 200000
	g := &zipfGen{zipfShape: newZipfShape(n, 0.99, false), rng: rand.New(rand.NewPCG(3, 4))}
	counts := make([]int, n)
	for range draws {
		r := g.next()
		if r >= n {
			t.Fatalf("rank %d out of range", r)
		}
		counts[r]++
	}
	// With theta 0.99 over 10,000 keys rank 0 draws about 1/zeta(n) ≈ 10%
	// and the top 1% of keys about half.
	top := 0
	for _, c := range counts[:n/100] {
		top += c
	}
	if p0 := float64(counts[0]) / draws; p0 < 0.08 || p0 > 0.13 {
		t.Errorf("rank 0 drew %.3f of the draws", p0)
	}
	if pt := float64(top) / draws; pt < 0.4 || pt > 0.7 {
		t.Errorf("top 1%% of ranks drew %.3f of the draws", pt)
	}
	if counts[0] < counts[1] || counts[1] < counts[10] || counts[10] < counts[1000] {
		t.Errorf("counts not decreasing: %d %d %d %d", counts[0], counts[1], counts[10], counts[1000])
	}
}

func TestZipfScrambleStaysInRange(t *testing.T) {
	g := &zipfGen{zipfShape: newZipfShape(1000, 0.99, true), rng: rand.New(rand.NewPCG(5, 6))}
	seen := map[uint64]int{}
	for range 10000 {
		k := g.next()
		if k >= 1000 {
			t.Fatalf("key %d out of range", k)
		}
		seen[k]++
	}
	if seen[0] > 500 {
		t.Errorf("scrambled: key 0 drawn %d times, the hot key should have moved", seen[0])
	}
}

func TestAppendKeyMatchesRedisBenchmark(t *testing.T) {
	o := &options{prefix: "key:", pad: 12}
	if got := string(o.appendKey(nil, 42)); got != "key:000000000042" {
		t.Fatalf("appendKey = %q", got)
	}
	o.pad = 0
	if got := string(o.appendKey(nil, 42)); got != "key:42" {
		t.Fatalf("appendKey without padding = %q", got)
	}
}
