package slowlog

import (
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anaxdb/anax/config"
	"github.com/anaxdb/anax/server/command"
)

const (
	// MaxArgs is the most arguments an entry keeps (Redis's
	// SLOWLOG_ENTRY_MAX_ARGC): callers need keep no more than the first
	// MaxArgs of a command's arguments for the slow log.
	MaxArgs      = 32
	maxArgBytes  = 128 // Redis's SLOWLOG_ENTRY_MAX_STRING
	latencyTSLen = 160 // Redis's LATENCY_TS_LEN: samples kept per event
)

// Monitor is the slow log and the latency monitor of one server. Init
// readies it; its methods are safe on any goroutine.
type Monitor struct {
	// minNs is the shortest duration worth recording: min(slowNs, latNs).
	minNs atomic.Int64
	// slowNs and latNs are each threshold in nanoseconds (MaxInt64: off).
	slowNs atomic.Int64
	latNs  atomic.Int64

	mu struct {
		sync.Mutex
		slow   []Entry // oldest first; ids increase by one
		nextID int64
		maxLen int
		events map[string]*latencyEvent
	}
}

// Entry is one SLOWLOG GET entry.
type Entry struct {
	ID   int64
	Time int64 // Unix seconds
	Usec int64
	Args []string // at most MaxArgs, cut and redacted
	Peer string   // the client's address, "" when unknown
	Name string   // the client's name (CLIENT SETNAME)
}

// latencyEvent is the history of one LATENCY event class: a ring of one
// sample per second in which the event happened.
type latencyEvent struct {
	samples [latencyTSLen]latencySample
	idx     int   // next slot
	max     int64 // largest latency seen, ms
}

type latencySample struct {
	at int64 // Unix seconds; 0: unused
	ms int64
}

// Init reads the thresholds and the slow log's length from cfg and follows
// their changes.
func (m *Monitor) Init(cfg *config.Config) {
	m.mu.events = map[string]*latencyEvent{}
	m.mu.maxLen = int(min(cfg.Int("slowlog-max-len"), math.MaxInt32))
	m.setThresholds(cfg.Int("slowlog-log-slower-than"), cfg.Int("latency-monitor-threshold"))
	refresh := func(string) {
		m.setThresholds(cfg.Int("slowlog-log-slower-than"), cfg.Int("latency-monitor-threshold"))
	}
	cfg.OnChange("slowlog-log-slower-than", refresh)
	cfg.OnChange("latency-monitor-threshold", refresh)
	cfg.OnChange("slowlog-max-len", func(string) {
		n := int(min(cfg.Int("slowlog-max-len"), math.MaxInt32))
		m.mu.Lock()
		m.mu.maxLen = n
		m.trimLocked()
		m.mu.Unlock()
	})
}

// setThresholds converts slowlog-log-slower-than (µs, negative: off) and
// latency-monitor-threshold (ms, 0: off) to nanoseconds.
func (m *Monitor) setThresholds(slowUsec, latMs int64) {
	slow, lat := int64(math.MaxInt64), int64(math.MaxInt64)
	if slowUsec >= 0 && slowUsec < math.MaxInt64/1000 {
		slow = slowUsec * 1000
	}
	if latMs > 0 && latMs < math.MaxInt64/1_000_000 {
		lat = latMs * 1_000_000
	}
	m.slowNs.Store(slow)
	m.latNs.Store(lat)
	m.minNs.Store(min(slow, lat))
}

// Notable reports whether a command (or batch) that took d may be worth
// recording: the one check every command pays, so it takes no lock and
// inlines.
func (m *Monitor) Notable(d time.Duration) bool { return int64(d) >= m.minNs.Load() }

// Note records command cmd that took d (the caller checked Notable(d)).
// args are copied; they may be only the first of the command's argc
// arguments, as long as they are the first MaxArgs at least. peer and name
// are the client's address and name ("" when the command has no client).
func (m *Monitor) Note(cmd *command.Spec, args [][]byte, argc int, d time.Duration, peer, name string) {
	ns := int64(d)
	if ns >= m.slowNs.Load() && cmd.Name != "exec" {
		e := Entry{Time: time.Now().Unix(), Usec: ns / 1000, Args: entryArgs(args, argc), Peer: peer, Name: name}
		m.mu.Lock()
		e.ID = m.mu.nextID
		m.mu.nextID++
		m.mu.slow = append(m.mu.slow, e)
		m.trimLocked()
		m.mu.Unlock()
	}
	if ns >= m.latNs.Load() {
		event := "command"
		if cmd.Flags&command.FlagFast != 0 {
			event = "fast-command"
		}
		m.addLatency(event, ns/1_000_000, time.Now().Unix())
	}
}

// NoteBatch records the slow commands of a batch run inline that took
// total (the caller checked Notable(total)); see the package comment for
// how the time is shared. args holds every command's first arguments
// (MaxArgs at most each) end to end, argc how many each command had; both
// are read only during the call. peer and name are the client's.
func (m *Monitor) NoteBatch(cmds []*command.Spec, args [][]byte, argc []int32, total time.Duration, peer, name string) {
	slow := 0
	for _, cmd := range cmds {
		if cmd.Flags&command.FlagFast == 0 {
			slow++
		}
	}
	share := total
	if slow == 0 {
		share /= time.Duration(len(cmds))
	} else {
		share /= time.Duration(slow)
	}
	start := 0
	for i, cmd := range cmds {
		n := int(argc[i])
		end := start + min(n, MaxArgs)
		d := time.Duration(0) // a fast command beside slow ones
		if slow == 0 || cmd.Flags&command.FlagFast == 0 {
			d = share
		}
		if m.Notable(d) {
			m.Note(cmd, args[start:end], n, d, peer, name)
		}
		start = end
	}
}

func (m *Monitor) trimLocked() {
	if extra := len(m.mu.slow) - m.mu.maxLen; extra > 0 {
		clear(m.mu.slow[:extra])
		m.mu.slow = m.mu.slow[extra:]
	}
}

// addLatency is Redis's latencyAddSample: one sample per second and event,
// the largest when several fall in the same second.
func (m *Monitor) addLatency(event string, ms, now int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ev := m.mu.events[event]
	if ev == nil {
		ev = &latencyEvent{}
		m.mu.events[event] = ev
	}
	ev.max = max(ev.max, ms)
	prev := &ev.samples[(ev.idx+latencyTSLen-1)%latencyTSLen]
	if prev.at == now {
		prev.ms = max(prev.ms, ms)
		return
	}
	ev.samples[ev.idx] = latencySample{at: now, ms: ms}
	ev.idx = (ev.idx + 1) % latencyTSLen
}

// Entries returns the newest n entries of the slow log (fewer when it
// holds fewer), newest first. They share their Args with the log, which
// never changes a recorded entry.
func (m *Monitor) Entries(n int) []Entry {
	m.mu.Lock()
	defer m.mu.Unlock()
	n = min(n, len(m.mu.slow))
	out := make([]Entry, n)
	for i := range out {
		out[i] = m.mu.slow[len(m.mu.slow)-1-i]
	}
	return out
}

// Figures returns the length and the last id of the slow log, for the
// metrics.
func (m *Monitor) Figures() (length, lastID int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n := len(m.mu.slow); n > 0 {
		return int64(n), m.mu.slow[n-1].ID
	}
	return 0, 0
}

// eventNamesLocked returns the recorded latency events, sorted.
func (m *Monitor) eventNamesLocked() []string {
	names := make([]string, 0, len(m.mu.events))
	for k := range m.mu.events {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
