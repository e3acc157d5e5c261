package server

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anaxdb/anax/config"
	"github.com/anaxdb/anax/protocol"
	"github.com/anaxdb/anax/server/command"
)

// SLOWLOG and LATENCY (Redis's slowlog.c and latency.c).
//
// Recording. A command's duration is compared once with monitor.minNs, the
// smaller of the two thresholds (slowlog-log-slower-than in µs,
// latency-monitor-threshold in ms; math.MaxInt64 when both are off), kept
// in an atomic that CONFIG SET refreshes. That single comparison is all a
// command pays when it is not slow; a slow one takes the monitor's mutex.
//
//   - Commands that hopped or ran in a transaction are timed one by one
//     (runCommand) and recorded with their own duration.
//   - Commands run inline on the connection's loop are not timed one by one
//     (see runInline): the batch they were parsed from is. When a batch is
//     slow, its time is given to its commands that are not command.FlagFast (to all
//     of them when every one is fast), shared equally, and those whose share
//     reaches a threshold are recorded. A lone slow command (the usual case:
//     DEBUG SLEEP, KEYS *) is thus recorded with its own time; a slow
//     command pipelined with other slow ones shares the batch's time.
//     Their arguments are the batch's slices into the read buffer, still
//     valid in EndBatch, and copied only when recorded.
//
// Entries keep at most 32 arguments of at most 128 bytes each, as Redis
// does, and secrets are replaced by "(redacted)" (AUTH, HELLO ... AUTH,
// CONFIG SET of a sensitive parameter, MIGRATE ... AUTH/AUTH2).

const (
	slowMaxArgc   = 32  // Redis's SLOWLOG_ENTRY_MAX_ARGC
	slowMaxString = 128 // Redis's SLOWLOG_ENTRY_MAX_STRING
	latencyTSLen  = 160 // Redis's LATENCY_TS_LEN: samples kept per event
)

// monitor is the slow log and the latency monitor of one server.
type monitor struct {
	// minNs is the shortest duration worth recording; see above.
	minNs atomic.Int64
	// slowNs and latNs are each threshold in nanoseconds (MaxInt64: off).
	slowNs atomic.Int64
	latNs  atomic.Int64

	mu struct {
		sync.Mutex
		slow   []slowEntry // oldest first
		nextID int64
		maxLen int
		events map[string]*latencyEvent
	}
}

// slowEntry is one SLOWLOG GET entry.
type slowEntry struct {
	id    int64
	at    int64 // Unix seconds
	usec  int64
	args  []string
	peer  string
	cname string
}

// latencyEvent is the history of one LATENCY event class.
type latencyEvent struct {
	samples [latencyTSLen]latencySample
	idx     int   // next slot
	max     int64 // largest latency seen, ms
}

type latencySample struct {
	at int64 // Unix seconds; 0: unused
	ms int64
}

// init reads the thresholds and follows their changes.
func (m *monitor) init(cfg *config.Config) {
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
func (m *monitor) setThresholds(slowUsec, latMs int64) {
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

// note records a command that took d (the caller checked d >= minNs).
// args are copied; they may be only the first of the command's argc
// arguments, as long as they are the first 32 at least (slowMaxArgc); cl
// may be nil.
func (m *monitor) note(cmd *command.Spec, args [][]byte, argc int, d time.Duration, cl *Client) {
	ns := int64(d)
	if ns >= m.slowNs.Load() && cmd.Name != "exec" {
		e := slowEntry{at: time.Now().Unix(), usec: ns / 1000, args: slowArgs(args, argc)}
		if cl != nil {
			if a := cl.conn.RemoteAddr(); a != nil { // nil for a connection that never had one
				e.peer = a.String()
			}
			e.cname = cl.name()
		}
		m.mu.Lock()
		e.id = m.mu.nextID
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

func (m *monitor) trimLocked() {
	if extra := len(m.mu.slow) - m.mu.maxLen; extra > 0 {
		clear(m.mu.slow[:extra])
		m.mu.slow = m.mu.slow[extra:]
	}
}

// addLatency is Redis's latencyAddSample: one sample per second and event,
// the largest when several fall in the same second.
func (m *monitor) addLatency(event string, ms, now int64) {
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

// slowArgs copies args as Redis's slowlogCreateEntry does: at most 32
// arguments (the last one saying how many more there were), each cut at 128
// bytes, secrets redacted. argc is the command's number of arguments, of
// which args holds the first (all, or 32 at least).
func slowArgs(args [][]byte, argc int) []string {
	n := min(argc, slowMaxArgc)
	out := make([]string, n)
	redact := redactedArgs(args)
	for i := 0; i < n; i++ {
		if i == slowMaxArgc-1 && argc > slowMaxArgc {
			out[i] = "... (" + strconv.Itoa(argc-slowMaxArgc+1) + " more arguments)"
			break
		}
		a := args[i]
		switch {
		case redact(i):
			out[i] = "(redacted)"
		case len(a) > slowMaxString:
			out[i] = string(a[:slowMaxString]) + "... (" + strconv.Itoa(len(a)-slowMaxString) + " more bytes)"
		default:
			out[i] = string(a)
		}
	}
	return out
}

// redactedArgs returns which arguments of a command hold secrets.
func redactedArgs(args [][]byte) func(i int) bool {
	none := func(int) bool { return false }
	if len(args) == 0 {
		return none
	}
	switch {
	case command.EqFold(args[0], "auth"):
		return func(i int) bool { return i > 0 }
	case command.EqFold(args[0], "hello"):
		for j := 2; j+2 < len(args); j++ {
			if command.EqFold(args[j], "auth") {
				return func(i int) bool { return i == j+1 || i == j+2 }
			}
		}
	case command.EqFold(args[0], "config") && len(args) > 1 && command.EqFold(args[1], "set"):
		return func(i int) bool {
			return i >= 3 && i%2 == 1 && config.Sensitive(strings.ToLower(string(args[i-1])))
		}
	case command.EqFold(args[0], "migrate"):
		secret := map[int]bool{}
		for j := 6; j < len(args); j++ {
			switch {
			case command.EqFold(args[j], "auth") && j+1 < len(args):
				secret[j+1] = true
			case command.EqFold(args[j], "auth2") && j+2 < len(args):
				secret[j+1], secret[j+2] = true, true
			}
		}
		return func(i int) bool { return secret[i] }
	}
	return none
}

// noteBatch records the slow commands of an inline batch that took total
// (the caller checked total >= minNs). b.args holds every inline command's
// first arguments (slowMaxArgc at most), b.argc how many each had.
func (s *Server) noteBatch(c *protocol.Conn, b *batchState, total time.Duration) {
	cl, _ := c.Client.(*Client)
	slow := 0
	for _, cmd := range b.cmds {
		if cmd.Flags&command.FlagFast == 0 {
			slow++
		}
	}
	share := total
	if slow == 0 {
		share /= time.Duration(len(b.cmds))
	} else {
		share /= time.Duration(slow)
	}
	minNs := s.mon.minNs.Load()
	start := 0
	for i, cmd := range b.cmds {
		argc := int(b.argc[i])
		end := start + min(argc, slowMaxArgc)
		d := time.Duration(0) // a fast command beside slow ones
		if slow == 0 || cmd.Flags&command.FlagFast == 0 {
			d = share
		}
		if int64(d) >= minNs {
			s.mon.note(cmd, b.args[start:end], argc, d, cl)
		}
		start = end
	}
}

// The commands.

func (s *Server) monitorCommands() []*command.Spec {
	const f = command.FlagAdmin | command.FlagLoading | command.FlagStale
	sub := func(name string, arity, flags int, run func(*command.Exec), since, summary, complexity string) *command.Spec {
		return &command.Spec{Name: name, Arity: arity, Flags: flags, Run: run, Categories: []string{"dangerous"}, Group: "server", Since: since, Summary: summary, Complexity: complexity}
	}
	return []*command.Spec{
		{Name: "slowlog", Arity: -2, Flags: command.FlagLoop, Run: runSubcommand, Group: "server", Summary: "A container for slow log commands.", Since: "2.2.12", Complexity: "Depends on subcommand.",
			Subcommands: []*command.Spec{
				sub("slowlog|get", -2, f, cmdSlowlogGet, "2.2.12", "Returns the slow log's entries.", "O(N) where N is the number of entries returned"),
				sub("slowlog|len", 2, f, cmdSlowlogLen, "2.2.12", "Returns the number of entries in the slow log.", "O(1)"),
				sub("slowlog|reset", 2, f, cmdSlowlogReset, "2.2.12", "Clears all entries from the slow log.", "O(N) where N is the number of entries in the slowlog"),
				sub("slowlog|help", 2, command.FlagLoading|command.FlagStale, cmdSlowlogHelp, "6.2.0", "Show helpful text about the different subcommands", "O(1)"),
			}},
		{Name: "latency", Arity: -2, Flags: command.FlagLoop, Run: runSubcommand, Group: "server", Summary: "A container for latency diagnostics commands.", Since: "2.8.13", Complexity: "Depends on subcommand.",
			Subcommands: []*command.Spec{
				sub("latency|latest", 2, f|command.FlagNoScript, cmdLatencyLatest, "2.8.13", "Returns the latest latency samples for all events.", "O(1)"),
				sub("latency|history", 3, f|command.FlagNoScript, cmdLatencyHistory, "2.8.13", "Returns timestamp-latency samples for an event.", "O(1)"),
				sub("latency|reset", -2, f|command.FlagNoScript, cmdLatencyReset, "2.8.13", "Resets the latency data for one or more events.", "O(1)"),
				sub("latency|doctor", 2, f|command.FlagNoScript, cmdLatencyDoctor, "2.8.13", "Returns a human-readable latency analysis report.", "O(1)"),
				sub("latency|histogram", -2, f|command.FlagNoScript, cmdLatencyHistogram, "7.0.0", "Returns the cumulative distribution of latencies of a subset or all commands.", "O(N) where N is the number of commands with latency information being retrieved."),
				sub("latency|help", 2, command.FlagLoading|command.FlagStale, cmdLatencyHelp, "2.8.13", "Returns helpful text about the different subcommands.", "O(1)"),
			}},
	}
}

func cmdSlowlogGet(x *command.Exec) {
	count := int64(10)
	if len(x.Args) > 3 {
		x.ErrSubcommandSyntax()
		return
	}
	if len(x.Args) == 3 {
		n, err := strconv.ParseInt(string(x.Args[2]), 10, 64)
		if err != nil || n < -1 {
			x.Err("ERR count should be greater than or equal to -1")
			return
		}
		count = n
		if n == -1 {
			count = math.MaxInt64
		}
	}
	m := &srv(x).mon
	m.mu.Lock()
	entries := m.mu.slow
	n := int(min(count, int64(len(entries))))
	out := make([]slowEntry, n)
	for i := range out {
		out[i] = entries[len(entries)-1-i] // newest first
	}
	m.mu.Unlock()
	x.Array(len(out))
	for _, e := range out {
		x.Array(6)
		x.Int(e.id)
		x.Int(e.at)
		x.Int(e.usec)
		x.Array(len(e.args))
		for _, a := range e.args {
			x.BulkString(a)
		}
		x.BulkString(e.peer)
		x.BulkString(e.cname)
	}
}

func cmdSlowlogLen(x *command.Exec) {
	m := &srv(x).mon
	m.mu.Lock()
	n := len(m.mu.slow)
	m.mu.Unlock()
	x.Int(int64(n))
}

func cmdSlowlogReset(x *command.Exec) {
	m := &srv(x).mon
	m.mu.Lock()
	clear(m.mu.slow)
	m.mu.slow = m.mu.slow[:0]
	m.mu.Unlock()
	x.OK()
}

func cmdSlowlogHelp(x *command.Exec) {
	x.ReplyHelp([]string{
		"GET [<count>]",
		"    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
		"    Entries are made of:",
		"    id, timestamp, time in microseconds, arguments array, client IP and port,",
		"    client name",
		"LEN",
		"    Return the length of the slowlog.",
		"RESET",
		"    Reset the slowlog.",
	})
}

// slowLogFigures returns the length and the last id of the slow log, for
// the metrics.
func (m *monitor) slowLogFigures() (length, lastID int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n := len(m.mu.slow); n > 0 {
		return int64(n), m.mu.slow[n-1].id
	}
	return 0, 0
}

// eventNames returns the recorded latency events, sorted.
func (m *monitor) eventNamesLocked() []string {
	names := make([]string, 0, len(m.mu.events))
	for k := range m.mu.events {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func cmdLatencyLatest(x *command.Exec) {
	m := &srv(x).mon
	type latest struct {
		name         string
		at, ms, peak int64
	}
	var out []latest
	m.mu.Lock()
	for _, name := range m.eventNamesLocked() {
		ev := m.mu.events[name]
		last := ev.samples[(ev.idx+latencyTSLen-1)%latencyTSLen]
		out = append(out, latest{name, last.at, last.ms, ev.max})
	}
	m.mu.Unlock()
	x.Array(len(out))
	for _, l := range out {
		x.Array(4)
		x.BulkString(l.name)
		x.Int(l.at)
		x.Int(l.ms)
		x.Int(l.peak)
	}
}

func cmdLatencyHistory(x *command.Exec) {
	m := &srv(x).mon
	var out []latencySample
	m.mu.Lock()
	if ev := m.mu.events[string(x.Args[2])]; ev != nil {
		for j := 0; j < latencyTSLen; j++ {
			if sm := ev.samples[(ev.idx+j)%latencyTSLen]; sm.at != 0 {
				out = append(out, sm)
			}
		}
	}
	m.mu.Unlock()
	x.Array(len(out))
	for _, sm := range out {
		x.Array(2)
		x.Int(sm.at)
		x.Int(sm.ms)
	}
}

func cmdLatencyReset(x *command.Exec) {
	m := &srv(x).mon
	m.mu.Lock()
	n := 0
	if len(x.Args) == 2 {
		n = len(m.mu.events)
		clear(m.mu.events)
	} else {
		for _, a := range x.Args[2:] {
			if _, ok := m.mu.events[string(a)]; ok {
				delete(m.mu.events, string(a))
				n++
			}
		}
	}
	m.mu.Unlock()
	x.Int(int64(n))
}

// cmdLatencyDoctor gives a short report: which events were recorded and
// their peaks (Redis's analysis and advice are not reproduced).
func cmdLatencyDoctor(x *command.Exec) {
	m := &srv(x).mon
	if m.latNs.Load() == math.MaxInt64 {
		x.Verbatim("I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n")
		return
	}
	var b strings.Builder
	m.mu.Lock()
	names := m.eventNamesLocked()
	if len(names) == 0 {
		b.WriteString("Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sleep tonight.\n")
	} else {
		b.WriteString("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n")
		for i, name := range names {
			ev := m.mu.events[name]
			samples := 0
			var sum int64
			for _, sm := range ev.samples {
				if sm.at != 0 {
					samples++
					sum += sm.ms
				}
			}
			b.WriteString(strconv.Itoa(i+1) + ". " + name + ": " + strconv.Itoa(samples) +
				" latency spikes (average " + strconv.FormatInt(sum/int64(max(samples, 1)), 10) +
				"ms). Worst all time event " + strconv.FormatInt(ev.max, 10) + "ms.\n")
		}
	}
	m.mu.Unlock()
	x.Verbatim(b.String())
}

// cmdLatencyHistogram answers with no command: per-command latency
// histograms are not tracked yet (INFO latencystats is empty too).
func cmdLatencyHistogram(x *command.Exec) { x.Map(0) }

func cmdLatencyHelp(x *command.Exec) {
	x.ReplyHelp([]string{
		"DOCTOR",
		"    Return a human readable latency analysis report.",
		"GRAPH <event>",
		"    Return an ASCII latency graph for the <event> class.",
		"HISTORY <event>",
		"    Return time-latency samples for the <event> class.",
		"LATEST",
		"    Return the latest latency samples for all events.",
		"RESET [<event> ...]",
		"    Reset latency data of one or more <event> classes.",
		"    (default: reset all data for all event classes)",
		"HISTOGRAM [COMMAND ...]",
		"    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
		"    If no commands are specified then all histograms are replied.",
	})
}
