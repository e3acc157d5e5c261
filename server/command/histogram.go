package command

import (
	"math/bits"
	"sync/atomic"
)

// Histogram is one command's latency distribution on one event loop, for
// INFO latencystats and LATENCY HISTOGRAM (latency-tracking). Durations
// are counted in log-linear buckets: 16 per power of two, so a bucket is
// at most 1/16 of its value wide, from 1 ns to HistMax.
//
// The loop that owns the Stat records into plain counters (Record: no
// atomic, no allocation) and publishes them from time to time (Publish);
// any goroutine reads the published counts (AddPublished). Readers thus
// see the distribution as of the last publication.
type Histogram struct {
	counts [HistBuckets]uint64 // owner loop only
	pub    [HistBuckets]atomic.Uint64
	// shared counts what other goroutines record (RecordShared): commands
	// that ran through a hop or a transaction, whose statistics go to the
	// slot of a loop they did not run on. Made on first use.
	shared atomic.Pointer[[HistBuckets]atomic.Uint64]
	// Dirty is set by Record and cleared by Publish (owner loop only): the
	// owner keeps a list of its dirty histograms.
	Dirty bool
}

const (
	histSub = 16 // buckets per power of two
	// HistMax is the largest duration recorded (2^40 ns, about 18
	// minutes); longer ones count as HistMax.
	HistMax = 1<<40 - 1
	// HistBuckets is the number of buckets.
	HistBuckets = 37 * histSub
)

// histBucket returns the bucket of v nanoseconds.
func histBucket(v uint64) int {
	if v < 2*histSub {
		return int(v)
	}
	if v > HistMax {
		v = HistMax
	}
	e := bits.Len64(v) - 5 // v>>e is in [16, 32)
	return e*histSub + int(v>>e)
}

// HistBucketRange returns the smallest and largest durations, in
// nanoseconds, that bucket i counts.
func HistBucketRange(i int) (lo, hi uint64) {
	if i < 2*histSub {
		return uint64(i), uint64(i)
	}
	e := i/histSub - 1
	m := uint64(i%histSub + histSub)
	return m << e, (m+1)<<e - 1
}

// Record counts one duration of ns nanoseconds. Owner loop only.
func (h *Histogram) Record(ns int64) {
	if ns < 0 {
		ns = 0
	}
	h.counts[histBucket(uint64(ns))]++
}

// RecordShared counts one duration from any goroutine, with an atomic
// add: for the paths that already cost a hop or a transaction.
func (h *Histogram) RecordShared(ns int64) {
	sh := h.shared.Load()
	if sh == nil {
		h.shared.CompareAndSwap(nil, new([HistBuckets]atomic.Uint64))
		sh = h.shared.Load()
	}
	sh[histBucket(uint64(max(ns, 0)))].Add(1)
}

// Publish makes the counts visible to AddPublished and clears Dirty.
// Owner loop only.
func (h *Histogram) Publish() {
	for i, n := range h.counts {
		if n != 0 && h.pub[i].Load() != n {
			h.pub[i].Store(n)
		}
	}
	h.Dirty = false
}

// Reset forgets every count (CONFIG RESETSTAT). Owner loop only.
func (h *Histogram) Reset() {
	h.counts = [HistBuckets]uint64{}
	for i := range h.pub {
		h.pub[i].Store(0)
	}
	if sh := h.shared.Load(); sh != nil {
		for i := range sh {
			sh[i].Store(0)
		}
	}
	h.Dirty = false
}

// AddPublished adds the published counts to dst. Any goroutine.
func (h *Histogram) AddPublished(dst *[HistBuckets]uint64) {
	sh := h.shared.Load()
	for i := range h.pub {
		dst[i] += h.pub[i].Load()
		if sh != nil {
			dst[i] += sh[i].Load()
		}
	}
}

// HistTotal returns the number of durations counts holds.
func HistTotal(counts *[HistBuckets]uint64) uint64 {
	var n uint64
	for _, c := range counts {
		n += c
	}
	return n
}

// HistPercentile returns the duration in nanoseconds at percentile p
// (0-100) of counts, as hdr_histogram's value_at_percentile does: the
// largest duration of the bucket where the running count reaches p% of the
// total (the smallest of the first bucket for p 0); 0 when counts is empty.
func HistPercentile(counts *[HistBuckets]uint64, p float64) uint64 {
	total := HistTotal(counts)
	if total == 0 {
		return 0
	}
	want := uint64(p/100*float64(total) + 0.5)
	want = max(want, 1)
	var run uint64
	for i, c := range counts {
		run += c
		if run >= want && c > 0 {
			lo, hi := HistBucketRange(i)
			if p == 0 {
				return lo
			}
			return hi
		}
	}
	_, hi := HistBucketRange(HistBuckets - 1)
	return hi
}

// HistCDFPoint is one point of LATENCY HISTOGRAM's cumulative
// distribution: Count durations took at most about Usec microseconds.
type HistCDFPoint struct {
	Usec, Count int64
}

// HistCDF returns the cumulative distribution as Redis 7's LATENCY
// HISTOGRAM reports it: at 1024 ns and each power of two above it, shown
// in microseconds the way Redis's hdr_histogram (two significant digits)
// shows that boundary (1, 2, 4, 8, 16, 33, 66, 132...), only the points
// where the count grew.
func HistCDF(counts *[HistBuckets]uint64) []HistCDFPoint {
	var out []HistCDFPoint
	var run, prev uint64
	i := 0
	for b := uint64(1024); ; b *= 2 {
		// Count the buckets that lie below b.
		for i < HistBuckets {
			lo, _ := HistBucketRange(i)
			if lo >= b {
				break
			}
			run += counts[i]
			i++
		}
		if run > prev {
			// hdr_histogram's highest value equivalent to b, with 256
			// sub-buckets: b plus b/128, less one.
			out = append(out, HistCDFPoint{Usec: int64((b + b/128 - 1) / 1000), Count: int64(run)})
			prev = run
		}
		if i >= HistBuckets {
			return out
		}
	}
}
