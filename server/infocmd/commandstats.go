package infocmd

import (
	"strconv"

	"github.com/anaxdb/anax/server/command"
)

// CommandTotals are one command's counters, summed over the event loops.
type CommandTotals struct {
	Calls, Usec, Rejected, Failed int64
}

// Totals sums c's counters over the event loops.
func Totals(c *command.Spec) CommandTotals {
	var t CommandTotals
	for i := range c.Stats {
		st := &c.Stats[i]
		t.Calls += st.Calls.Load()
		t.Usec += st.Nsec.Load() / 1000
		t.Rejected += st.Rejected.Load()
		t.Failed += st.Failed.Load()
	}
	return t
}

// EachCommandStat calls f for every command and subcommand with something
// to report (a call, a rejection or a failure), in INFO commandstats'
// order. A container command is reported through its subcommands
// (client|list), as Redis 7 does, and under its own name only for what was
// not passed to a subcommand: a bare COMMAND, or a CLIENT with no
// subcommand rejected for its arity.
func EachCommandStat(src CommandCounters, f func(name string, t CommandTotals)) {
	report := func(name string, t CommandTotals) {
		if t.Calls != 0 || t.Rejected != 0 || t.Failed != 0 {
			f(name, t)
		}
	}
	for _, c := range src.CommandTable() {
		if len(c.Subcommands) == 0 {
			report(c.Name, Totals(c))
			continue
		}
		report(c.Name, containerOwnTotals(src, c))
		for _, sub := range c.Subcommands {
			report(sub.Name, Totals(sub))
		}
	}
}

// containerOwnTotals returns what a container's counters hold beyond its
// subcommands' calls (dispatch counts every call on the container itself).
func containerOwnTotals(src CommandCounters, c *command.Spec) CommandTotals {
	own := Totals(c)
	for _, sub := range c.Subcommands {
		t := Totals(sub)
		own.Calls -= t.Calls + t.Rejected
		own.Usec -= t.Usec
	}
	own.Calls -= src.UnknownSubcommands(c)
	own.Failed = 0 // every failure belongs to a subcommand
	if own.Calls <= 0 {
		own.Calls, own.Usec = 0, 0
	}
	own.Usec = max(own.Usec, 0) // inline commands share their batch's time
	return own
}

// CommandsProcessed is total_commands_processed: the calls that ran, not
// counting those a container refused (unknown subcommand, wrong arity).
func CommandsProcessed(src CommandCounters) int64 {
	n := src.CommandsRun()
	for _, c := range src.CommandTable() {
		for _, sub := range c.Subcommands {
			n -= Totals(sub).Rejected
		}
		if len(c.Subcommands) > 0 {
			n -= src.UnknownSubcommands(c)
		}
	}
	return n
}

// writeCommandStat writes one cmdstat_<name> line.
func writeCommandStat(b *infoBuf, name string, t CommandTotals) {
	perCall := 0.0
	if t.Calls > 0 {
		perCall = float64(t.Usec) / float64(t.Calls)
	}
	b.str("cmdstat_"+infoSafe(name), "calls="+strconv.FormatInt(t.Calls, 10)+
		",usec="+strconv.FormatInt(t.Usec, 10)+
		",usec_per_call="+strconv.FormatFloat(perCall, 'f', 2, 64)+
		",rejected_calls="+strconv.FormatInt(t.Rejected, 10)+
		",failed_calls="+strconv.FormatInt(t.Failed, 10))
}
