package slowlog

import (
	"math"
	"strconv"
	"strings"

	"github.com/anaxdb/anax/server/command"
)

// Host is what the SLOWLOG and LATENCY commands need from the server they
// run in, beyond command.Env: its Monitor. The server's command.Env
// implements it; the commands find it by a type assertion on Exec.Env.
type Host interface {
	SlowLog() *Monitor
}

// monitorOf returns the Monitor of the server x runs in.
func monitorOf(x *command.Exec) *Monitor { return x.Env.(Host).SlowLog() }

// Commands returns the SLOWLOG and LATENCY command specs.
func Commands() []*command.Spec {
	const f = command.FlagAdmin | command.FlagLoading | command.FlagStale
	sub := func(name string, arity, flags int, run func(*command.Exec), since, summary, complexity string) *command.Spec {
		return &command.Spec{Name: name, Arity: arity, Flags: flags, Run: run, Categories: []string{"dangerous"}, Group: "server", Since: since, Summary: summary, Complexity: complexity}
	}
	return []*command.Spec{
		{Name: "slowlog", Arity: -2, Flags: command.FlagLoop, Run: command.RunSubcommand, Group: "server", Summary: "A container for slow log commands.", Since: "2.2.12", Complexity: "Depends on subcommand.",
			Subcommands: []*command.Spec{
				sub("slowlog|get", -2, f, cmdSlowlogGet, "2.2.12", "Returns the slow log's entries.", "O(N) where N is the number of entries returned"),
				sub("slowlog|len", 2, f, cmdSlowlogLen, "2.2.12", "Returns the number of entries in the slow log.", "O(1)"),
				sub("slowlog|reset", 2, f, cmdSlowlogReset, "2.2.12", "Clears all entries from the slow log.", "O(N) where N is the number of entries in the slowlog"),
				sub("slowlog|help", 2, command.FlagLoading|command.FlagStale, cmdSlowlogHelp, "6.2.0", "Show helpful text about the different subcommands", "O(1)"),
			}},
		{Name: "latency", Arity: -2, Flags: command.FlagLoop, Run: command.RunSubcommand, Group: "server", Summary: "A container for latency diagnostics commands.", Since: "2.8.13", Complexity: "Depends on subcommand.",
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
	entries := monitorOf(x).Entries(int(min(count, math.MaxInt)))
	x.Array(len(entries))
	for _, e := range entries {
		x.Array(6)
		x.Int(e.ID)
		x.Int(e.Time)
		x.Int(e.Usec)
		x.Array(len(e.Args))
		for _, a := range e.Args {
			x.BulkString(a)
		}
		x.BulkString(e.Peer)
		x.BulkString(e.Name)
	}
}

func cmdSlowlogLen(x *command.Exec) {
	m := monitorOf(x)
	m.mu.Lock()
	n := len(m.mu.slow)
	m.mu.Unlock()
	x.Int(int64(n))
}

func cmdSlowlogReset(x *command.Exec) {
	m := monitorOf(x)
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

func cmdLatencyLatest(x *command.Exec) {
	m := monitorOf(x)
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
	m := monitorOf(x)
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
	m := monitorOf(x)
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
	m := monitorOf(x)
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

// HistogramHost is implemented by a Host that tracks per-command latency
// (latency-tracking): LATENCY HISTOGRAM reads it. Without it the reply is
// empty.
type HistogramHost interface {
	// CommandTable returns every command, sorted by name.
	CommandTable() []*command.Spec
	// CommandHistogram sums cmd's latency histogram over the loops into
	// dst; false when nothing was recorded.
	CommandHistogram(cmd *command.Spec, dst *[command.HistBuckets]uint64) bool
}

// cmdLatencyHistogram is Redis 7's LATENCY HISTOGRAM [command ...]: a map
// from each command (subcommands by their full name, config|set) with
// latency recorded to {calls, histogram_usec}, histogram_usec mapping
// power-of-two microsecond bounds to the number of calls at most that long.
// Named commands that do not exist are skipped; a container stands for its
// subcommands.
func cmdLatencyHistogram(x *command.Exec) {
	hh, ok := x.Env.(HistogramHost)
	if !ok {
		x.Map(0)
		return
	}
	var cmds []*command.Spec
	if len(x.Args) == 2 {
		for _, c := range hh.CommandTable() {
			cmds = append(cmds, c)
			cmds = append(cmds, c.Subcommands...)
		}
	} else {
		for _, a := range x.Args[2:] {
			c := findCommand(hh.CommandTable(), string(a))
			if c == nil {
				continue
			}
			cmds = append(cmds, c)
			cmds = append(cmds, c.Subcommands...)
		}
	}
	type entry struct {
		name string
		cdf  []command.HistCDFPoint
		n    uint64
	}
	var out []entry
	var h [command.HistBuckets]uint64
	for _, c := range cmds {
		if len(c.Subcommands) > 0 || !hh.CommandHistogram(c, &h) {
			continue
		}
		out = append(out, entry{c.Name, command.HistCDF(&h), command.HistTotal(&h)})
	}
	x.Map(len(out))
	for _, e := range out {
		x.BulkString(e.name)
		x.Map(2)
		x.BulkString("calls")
		x.Int(int64(e.n))
		x.BulkString("histogram_usec")
		x.Map(len(e.cdf))
		for _, p := range e.cdf {
			x.Int(p.Usec)
			x.Int(p.Count)
		}
	}
}

// findCommand finds a command or, for "container|sub", a subcommand,
// case-insensitively.
func findCommand(table []*command.Spec, name string) *command.Spec {
	name = strings.ToLower(name)
	top, _, isSub := strings.Cut(name, "|")
	for _, c := range table {
		if c.Name != top {
			continue
		}
		if !isSub {
			return c
		}
		for _, sub := range c.Subcommands {
			if sub.Name == name {
				return sub
			}
		}
	}
	return nil
}

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
