package main

import (
	"math/bits"
	"time"
)

// Histogram records latencies in nanoseconds in log-linear buckets, the
// layout of HdrHistogram: values below 2^subBits each have their own
// bucket; above that, every power of two is split into 2^subBits linear
// sub-buckets. A recorded value is reported as the highest value of its
// bucket, so a percentile is never under-stated and is at most 1/2^subBits
// (0.8%) above the true value.
//
// A Histogram is owned by one goroutine; Merge combines them at the end.
// Recording does not allocate.
type Histogram struct {
	counts [numBuckets]uint64
	total  uint64
	max    int64
}

const (
	subBits    = 7
	subCount   = 1 << subBits
	numBuckets = (64 - subBits) * subCount
)

// bucketOf maps a value to its bucket index. Values in [0, 2*subCount) map
// to themselves; above, the top subBits+1 bits of the value select the
// bucket within its power of two.
func bucketOf(v int64) int {
	if v < 0 {
		v = 0
	}
	u := uint64(v)
	if u < 2*subCount {
		return int(u)
	}
	shift := bits.Len64(u) - subBits - 1 // >= 1
	return shift*subCount + int(u>>shift)
}

// bucketHigh is the highest value that maps to bucket i.
func bucketHigh(i int) int64 {
	if i < 2*subCount {
		return int64(i)
	}
	shift := i/subCount - 1
	m := uint64(i - shift*subCount) // in [subCount, 2*subCount)
	return int64((m+1)<<shift - 1)
}

// Record adds one value in nanoseconds.
func (h *Histogram) Record(ns int64) {
	h.counts[bucketOf(ns)]++
	h.total++
	if ns > h.max {
		h.max = ns
	}
}

// Merge adds o's counts to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.total += o.total
	if o.max > h.max {
		h.max = o.max
	}
}

// Count is the number of recorded values.
func (h *Histogram) Count() uint64 { return h.total }

// Max is the largest recorded value.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max) }

// Quantile returns the value at quantile q (0 < q <= 1): the smallest
// bucket bound at or below which at least q of the values lie. It is 0
// for an empty histogram.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	rank := uint64(q*float64(h.total) + 0.5)
	if rank < 1 {
		rank = 1
	}
	if rank > h.total {
		rank = h.total
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			hi := bucketHigh(i)
			if hi > h.max {
				hi = h.max
			}
			return time.Duration(hi)
		}
	}
	return time.Duration(h.max)
}
