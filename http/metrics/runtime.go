package metrics

import (
	"math"
	"runtime"
	"runtime/metrics"

	"github.com/prometheus/client_golang/prometheus"
)

// The Go runtime's figures, read with runtime/metrics: unlike
// runtime.ReadMemStats (and the collectors built on it), metrics.Read does
// not stop the world, so a scrape never pauses the shards.

var runtimeNames = []string{
	"/sched/goroutines:goroutines",
	"/gc/cycles/total:gc-cycles",
	"/sched/pauses/total/gc:seconds",
	"/cpu/classes/gc/total:cpu-seconds",
	"/gc/heap/goal:bytes",
	"/gc/gomemlimit:bytes",
	"/memory/classes/total:bytes",
}

// gcPauseBounds are the upper bounds of anax_go_gc_pause_seconds: the
// runtime's own histogram has about a hundred fine buckets, too many for a
// scrape.
var gcPauseBounds = []float64{
	10e-6, 25e-6, 50e-6, 100e-6, 250e-6, 500e-6,
	1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3, 250e-3, 1,
}

func collectRuntime(ch chan<- prometheus.Metric, version string) {
	samples := make([]metrics.Sample, len(runtimeNames))
	for i, n := range runtimeNames {
		samples[i].Name = n
	}
	metrics.Read(samples)
	u := func(i int) float64 {
		switch samples[i].Value.Kind() {
		case metrics.KindUint64:
			return float64(samples[i].Value.Uint64())
		case metrics.KindFloat64:
			return samples[i].Value.Float64()
		}
		return 0
	}
	ch <- prometheus.MustNewConstMetric(dBuildInfo, prometheus.GaugeValue, 1, version, runtime.Version())
	ch <- prometheus.MustNewConstMetric(dGoroutines, prometheus.GaugeValue, u(0))
	ch <- prometheus.MustNewConstMetric(dGCCycles, prometheus.CounterValue, u(1))
	if samples[2].Value.Kind() == metrics.KindFloat64Histogram {
		count, sum, buckets := foldHistogram(samples[2].Value.Float64Histogram(), gcPauseBounds)
		ch <- prometheus.MustNewConstHistogram(dGCPause, count, sum, buckets)
	}
	ch <- prometheus.MustNewConstMetric(dGCCPU, prometheus.CounterValue, u(3))
	ch <- prometheus.MustNewConstMetric(dHeapGoal, prometheus.GaugeValue, u(4))
	ch <- prometheus.MustNewConstMetric(dMemLimit, prometheus.GaugeValue, u(5))
	ch <- prometheus.MustNewConstMetric(dRuntimeMapped, prometheus.GaugeValue, u(6))
}

// foldHistogram turns a runtime histogram into cumulative counts at bounds.
// A runtime bucket counts under the first bound at or above its upper
// edge, so a bucket's figure never understates a pause. The sum is
// estimated from each runtime bucket's midpoint (its lower edge when the
// upper one is infinite).
func foldHistogram(h *metrics.Float64Histogram, bounds []float64) (count uint64, sum float64, buckets map[float64]uint64) {
	per := make([]uint64, len(bounds))
	for i, n := range h.Counts {
		if n == 0 {
			continue
		}
		lo, hi := h.Buckets[i], h.Buckets[i+1]
		count += n
		mid := lo
		switch {
		case math.IsInf(lo, -1):
			mid = hi
		case !math.IsInf(hi, 1):
			mid = (lo + hi) / 2
		}
		sum += mid * float64(n)
		for j, b := range bounds {
			if hi <= b {
				per[j] += n
				break
			}
		}
	}
	buckets = make(map[float64]uint64, len(bounds))
	var cum uint64
	for j, b := range bounds {
		cum += per[j]
		buckets[b] = cum
	}
	return count, sum, buckets
}
