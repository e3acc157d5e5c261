package server

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
	"time"
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

// Collecting when idle. Garbage (a FLUSHALL's or an UNLINK's chunks, the
// buffers of a big request) stays counted in used_memory and held in the
// RSS until the next collection, and a server that allocates little may
// not run one for minutes, where Redis's used_memory drops as soon as its
// lazyfree thread is done. So once at least reclaimEvery has passed
// without a cycle, the cron starts one in the background when the heap
// holds reclaimMin and 1/reclaimDen of the live heap more than the last
// cycle left live. Under load the collector's own cycles come more often
// and this does nothing; a cycle costs little here, as the dataset has no
// pointers to follow.
const (
	reclaimEvery = time.Second
	reclaimMin   = 1 << 20
	reclaimDen   = 16
)

// reclaimer starts the idle collections. note is called by the cron alone.
type reclaimer struct {
	cycles  uint64    // the collector's cycle count at the last note
	last    time.Time // when a new cycle was last seen or started
	running atomic.Bool
	samples [3]metrics.Sample // cycles, heap object bytes, live heap bytes
}

// note reads the collector's figures at time now and starts a cycle when
// one is due.
func (r *reclaimer) note(now time.Time) {
	if r.samples[0].Name == "" {
		r.samples[0].Name = "/gc/cycles/total:gc-cycles"
		r.samples[1].Name = "/memory/classes/heap/objects:bytes"
		r.samples[2].Name = "/gc/heap/live:bytes"
	}
	metrics.Read(r.samples[:])
	for _, sm := range r.samples {
		if sm.Value.Kind() != metrics.KindUint64 {
			return
		}
	}
	if c := r.samples[0].Value.Uint64(); c != r.cycles {
		r.cycles, r.last = c, now
		return
	}
	heap, live := int64(r.samples[1].Value.Uint64()), int64(r.samples[2].Value.Uint64())
	if now.Sub(r.last) < reclaimEvery || !worthCollecting(heap, live) || !r.running.CompareAndSwap(false, true) {
		return
	}
	r.last = now
	go func() {
		defer r.running.Store(false)
		runtime.GC()
	}()
}

// worthCollecting reports whether a heap of heap bytes, after a cycle
// left live bytes, may hold enough garbage for an idle collection.
func worthCollecting(heap, live int64) bool {
	extra := heap - live
	return extra >= reclaimMin && extra >= live/reclaimDen
}
