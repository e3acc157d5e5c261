package server

import (
	"strconv"
	"sync/atomic"

	"github.com/anaxdb/anax/server/command"
)

// Per-command latency tracking (latency-tracking, INFO latencystats,
// LATENCY HISTOGRAM). Each loop records the commands it runs into its own
// command.Histogram of each command (command.Stat.Hist) with plain
// counters, and publishes the histograms it touched hz times a second from
// the periodic task (cron), like the byte counters: the hot path pays one
// atomic load of the tracking switch and the histogram's pointer, and no
// locked instruction. Readers see the figures of the last publication.
//
// Inline commands are timed by batch (see runInline): each gets its share
// of the batch's time, as in INFO commandstats.

// latencyTracking is the server's tracking state.
type latencyTracking struct {
	on    atomic.Bool // latency-tracking
	loops []latencyLoop
}

// latencyLoop is one loop's bookkeeping (that loop's goroutine only).
type latencyLoop struct {
	dirty []*command.Histogram // recorded into since the last publication
	_     [40]byte
}

// initLatency readies the tracking for n loops and follows
// latency-tracking.
func (s *Server) initLatency(n int) {
	s.lat.loops = make([]latencyLoop, n)
	s.lat.on.Store(s.cfg.Bool("latency-tracking"))
	s.cfg.OnChange("latency-tracking", func(string) { s.lat.on.Store(s.cfg.Bool("latency-tracking")) })
}

// noteLatency records that cmd took ns nanoseconds on loop. It runs on
// that loop's goroutine (the inline path and subcommands). Container
// commands are not recorded: their subcommands are (config|set), as in
// Redis.
func (s *Server) noteLatency(cmd *command.Spec, loop int, ns int64) {
	if !s.lat.on.Load() || len(cmd.Subcommands) > 0 {
		return
	}
	h := histOf(cmd, loop)
	h.Record(ns)
	if !h.Dirty {
		h.Dirty = true
		s.lat.loops[loop].dirty = append(s.lat.loops[loop].dirty, h)
	}
}

// noteLatencyShared is noteLatency from any goroutine, for commands whose
// statistics go to the slot of a loop they may not run on (hops,
// transactions, blocking commands).
func (s *Server) noteLatencyShared(cmd *command.Spec, slot int, ns int64) {
	if !s.lat.on.Load() || len(cmd.Subcommands) > 0 {
		return
	}
	histOf(cmd, slot).RecordShared(ns)
}

// histOf returns cmd's histogram in slot, made on first use.
func histOf(cmd *command.Spec, slot int) *command.Histogram {
	st := &cmd.Stats[slot]
	h := st.Hist.Load()
	if h == nil {
		st.Hist.CompareAndSwap(nil, new(command.Histogram))
		h = st.Hist.Load()
	}
	return h
}

// publishLoop publishes loop's byte counters and the histograms it
// recorded into. It runs on that loop's goroutine (cron).
func (s *Server) publishLoop(loop int) {
	if loop < len(s.loops) {
		s.loops[loop].PublishNet()
	}
	if loop >= len(s.lat.loops) {
		return
	}
	l := &s.lat.loops[loop]
	for i, h := range l.dirty {
		h.Publish()
		l.dirty[i] = nil
	}
	l.dirty = l.dirty[:0]
}

// resetLatency forgets the histograms (CONFIG RESETSTAT); each loop
// clears its own, soon after.
func (s *Server) resetLatency() {
	for i, sh := range s.router.Shards() {
		sh.Post(func() {
			l := &s.lat.loops[i]
			clear(l.dirty)
			l.dirty = l.dirty[:0]
			for _, c := range s.cmdList {
				for _, cmd := range append([]*command.Spec{c}, c.Subcommands...) {
					if h := cmd.Stats[i].Hist.Load(); h != nil {
						h.Reset()
					}
				}
			}
		})
	}
}

// commandHistogram sums cmd's published histograms over the loops; ok is
// false when no loop recorded it.
func commandHistogram(cmd *command.Spec, dst *[command.HistBuckets]uint64) (ok bool) {
	*dst = [command.HistBuckets]uint64{}
	for i := range cmd.Stats {
		if h := cmd.Stats[i].Hist.Load(); h != nil {
			h.AddPublished(dst)
			ok = true
		}
	}
	return ok && command.HistTotal(dst) > 0
}

// netBytes returns the bytes read from and written to clients since start
// or CONFIG RESETSTAT, as the loops last published them.
func (s *Server) netBytes() (in, out int64) {
	if s.net == nil {
		return 0, 0
	}
	in, out = s.net.NetBytes()
	return in - s.netBase[0].Load(), out - s.netBase[1].Load()
}

// LatencyPercentiles implements infocmd.LatencySource.
func (s *Server) LatencyPercentiles() []float64 {
	if !s.cfg.Bool("latency-tracking") {
		return nil
	}
	words := s.cfg.Strings("latency-tracking-info-percentiles")
	out := make([]float64, 0, len(words))
	for _, w := range words {
		if p, err := strconv.ParseFloat(w, 64); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// CommandHistogram implements infocmd.LatencySource and slowlog.Host.
func (s *Server) CommandHistogram(cmd *command.Spec, dst *[command.HistBuckets]uint64) bool {
	return commandHistogram(cmd, dst)
}
