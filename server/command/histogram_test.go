package command

import (
	"sync"
	"testing"
)

func TestHistogramBuckets(t *testing.T) {
	// Buckets tile the durations: each starts where the previous ended.
	var next uint64
	for i := range HistBuckets {
		lo, hi := HistBucketRange(i)
		if lo != next || hi < lo {
			t.Fatalf("bucket %d: [%d, %d], want it to start at %d", i, lo, hi, next)
		}
		if histBucket(lo) != i || histBucket(hi) != i {
			t.Fatalf("bucket %d: [%d, %d] maps to %d, %d", i, lo, hi, histBucket(lo), histBucket(hi))
		}
		if lo >= 32 && float64(hi-lo+1)/float64(lo) > 1.0/16 {
			t.Fatalf("bucket %d: [%d, %d] wider than 1/16", i, lo, hi)
		}
		next = hi + 1
	}
	if next != HistMax+1 || histBucket(1<<62) != HistBuckets-1 {
		t.Fatalf("last bucket ends at %d", next-1)
	}
}

func TestHistogramFigures(t *testing.T) {
	var h Histogram
	for i := range 100 {
		h.Record(int64(i+1) * 1000) // 1 µs .. 100 µs
	}
	h.Record(-5)
	var c [HistBuckets]uint64
	h.AddPublished(&c)
	if HistTotal(&c) != 0 {
		t.Fatal("counts visible before Publish")
	}
	h.Publish()
	h.RecordShared(2_000_000) // 2 ms from another goroutine
	h.AddPublished(&c)
	if HistTotal(&c) != 102 {
		t.Fatalf("total %d", HistTotal(&c))
	}
	p50 := HistPercentile(&c, 50)
	if p50 < 50_000 || p50 > 53_000 {
		t.Errorf("p50 = %d ns", p50)
	}
	if p := HistPercentile(&c, 0); p != 0 {
		t.Errorf("p0 = %d", p)
	}
	if p := HistPercentile(&c, 100); p < 2_000_000 || p > 2_100_000 {
		t.Errorf("p100 = %d", p)
	}
	cdf := HistCDF(&c)
	want := []HistCDFPoint{{1, 2}, {2, 3}, {4, 5}, {8, 9}, {16, 17}, {33, 33}, {66, 66}, {132, 101}, {2113, 102}}
	if len(cdf) != len(want) {
		t.Fatalf("CDF %v, want %v", cdf, want)
	}
	for i := range want {
		if cdf[i] != want[i] {
			t.Fatalf("CDF %v, want %v", cdf, want)
		}
	}
	h.Reset()
	c = [HistBuckets]uint64{}
	h.AddPublished(&c)
	if HistTotal(&c) != 0 {
		t.Error("counts after Reset")
	}
}

func TestHistogramSharedConcurrent(t *testing.T) {
	var h Histogram
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				h.RecordShared(int64(i))
			}
		}()
	}
	wg.Wait()
	var c [HistBuckets]uint64
	h.AddPublished(&c)
	if HistTotal(&c) != 4000 {
		t.Fatalf("total %d", HistTotal(&c))
	}
}

func TestHistogramRecordAllocs(t *testing.T) {
	var h Histogram
	if n := testing.AllocsPerRun(100, func() { h.Record(12345) }); n != 0 {
		t.Errorf("Record allocates %v", n)
	}
}
