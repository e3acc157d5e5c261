package main

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestBucketsAreContiguousAndTight(t *testing.T) {
	// Every value maps to a bucket whose high bound is at or above it and
	// within 1/subCount of it; buckets never go backwards.
	prev := 0
	f := func(v int64) {
		t.Helper()
		b := bucketOf(v)
		if b < prev {
			t.Fatalf("bucketOf(%d) = %d, below the previous %d", v, b, prev)
		}
		prev = b
		hi := bucketHigh(b)
		if hi < v || float64(hi-v) > float64(v)/subCount+1 {
			t.Fatalf("bucketOf(%d) = %d with high bound %d", v, b, hi)
		}
		if b > 0 && bucketHigh(b-1) >= v {
			t.Fatalf("bucket %d below %d's bucket %d already holds it (high %d)", b-1, v, b, bucketHigh(b-1))
		}
	}
	for v := int64(0); v < 1<<16; v++ {
		f(v)
	}
	for v := int64(1 << 16); v > 0 && v < 1<<62; v += v/97 + 1 {
		f(v)
	}
	if b := bucketOf(1<<63 - 1); b >= numBuckets {
		t.Fatalf("max int64 maps to bucket %d of %d", b, numBuckets)
	}
}

func TestQuantileMatchesSortedValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h Histogram
	vals := make([]int64, 100000)
	for i := range vals {
		vals[i] = int64(rng.ExpFloat64() * 200e3) // ~200µs mean
		h.Record(vals[i])
	}
	slices.Sort(vals)
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999, 1} {
		want := vals[int(q*float64(len(vals)))-1]
		got := int64(h.Quantile(q))
		if got < want || float64(got-want) > float64(want)/subCount+1 {
			t.Errorf("Quantile(%v) = %d, exact %d", q, got, want)
		}
	}
	if h.Max() != time.Duration(vals[len(vals)-1]) {
		t.Errorf("Max = %v, want %v", h.Max(), vals[len(vals)-1])
	}
}

func TestMerge(t *testing.T) {
	var a, b Histogram
	for i := range 100 {
		a.Record(int64(i))
		b.Record(int64(1000 + i))
	}
	a.Merge(&b)
	if a.Count() != 200 || a.Quantile(0.5) != 99 || a.Max() != 1099 {
		t.Fatalf("merged: count %d p50 %v max %v", a.Count(), a.Quantile(0.5), a.Max())
	}
	var empty Histogram
	if empty.Quantile(0.99) != 0 {
		t.Fatal("empty histogram has a quantile")
	}
}

func TestRecordDoesNotAllocate(t *testing.T) {
	var h Histogram
	if n := testing.AllocsPerRun(100, func() { h.Record(123456) }); n != 0 {
		t.Fatalf("%v allocations per Record", n)
	}
}

func BenchmarkRecord(b *testing.B) {
	var h Histogram
	for i := 0; i < b.N; i++ {
		h.Record(int64(i & 0xfffff))
	}
}
