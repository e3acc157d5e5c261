package server

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
)

// The collector's headroom. The arena's chunks and the tables are Go heap
// (pointer-free, so a cycle hardly marks them), and with the default GOGC
// of 100 the heap goal is twice the live heap: a write load that leaves
// garbage (a command that hops to another shard copies its arguments,
// big commands their buffers) lets the heap, and the RSS, grow by as much
// as the dataset before a cycle reclaims anything. The cron keeps the
// headroom at about 1/gcHeadroomDen of the live heap instead, at least
// gcHeadroomMin, never more than GOGC=100 would give: cycles come more
// often under garbage, and each costs little since the dataset has no
// pointers to follow. The floor keeps small heaps (a test process's
// many small servers) at the default. A GOGC set in the environment is
// left alone.
const (
	gcHeadroomMin = 32 << 20
	gcHeadroomDen = 32
)

// gcPercentFor returns the GOGC that gives a live heap of live bytes its
// headroom.
func gcPercentFor(live int64) int {
	if live <= 0 {
		return 100
	}
	h := max(gcHeadroomMin, live/gcHeadroomDen)
	return int(min(max(h*100/live, 1), 100))
}

// gcPacer sets GOGC from the live heap (memGuard's cron).
type gcPacer struct {
	checked, fixed bool // fixed: GOGC comes from the environment
	percent        int
	sample         [1]metrics.Sample
}

// pace sets GOGC for the live heap measured by the last cycle.
func (p *gcPacer) pace() {
	if !p.checked {
		p.checked = true
		p.fixed = os.Getenv("GOGC") != ""
		p.percent = 100
		p.sample[0].Name = "/gc/heap/live:bytes"
	}
	if p.fixed {
		return
	}
	metrics.Read(p.sample[:])
	if p.sample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	if want := gcPercentFor(int64(p.sample[0].Value.Uint64())); want != p.percent {
		p.percent = want
		debug.SetGCPercent(want)
	}
}
