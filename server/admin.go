package server

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/server/infocmd"
)

// The server family (Redis's server.c and networking.c admin commands)
// lives in packages of its own, which reach the server through interfaces
// it implements: CLIENT (server/clientcmd; env_clientcmd.go), INFO
// (server/infocmd; env_info.go), COMMAND (server/metacmd; env_metacmd.go),
// DEBUG (server/debugcmd; env_debugcmd.go) and CONFIG, MEMORY, TIME,
// LASTSAVE, WAIT and SHUTDOWN (server/servercmd; env_servercmd.go). What
// stays here is the state they share (adminState): the replication ID, the
// memory peak, the rate samples, the unknown-subcommand counts.
//
// Container commands (CLIENT, CONFIG, COMMAND, MEMORY) list their
// subcommands in Command.Subcommands, named "container|sub" as Redis names
// them, and use command.RunSubcommand as their Run, which is runSubcommand
// below: it finds the subcommand, checks its arity with Redis's errors and
// keeps the subcommand's statistics, which INFO commandstats and COMMAND
// INFO report as Redis 7 does.

// runSubcommand is the Run of container commands: it finds the subcommand
// named by Args[1], checks its arity and runs it, counting its statistics
// (Redis keeps them per subcommand: cmdstat_client|list).
func runSubcommand(x *command.Exec) {
	idx := 0
	if x.Home != nil {
		idx = x.Home.ID
	}
	sub, msg := srv(x).checkSubcommand(x.Cmd, x.Args)
	if msg != "" {
		if sub != nil {
			sub.Stats[idx].Rejected.Add(1)
		}
		x.Err(msg)
		return
	}
	if clientOf(x) != nil {
		// CLIENT LIST shows the subcommand (cmd=client|list).
		clientOf(x).lastCmd.Store(sub)
	}
	start := time.Now()
	failed := x.Failed
	sub.Run(x)
	st := &sub.Stats[idx]
	d := int64(time.Since(start))
	st.Calls.Add(1)
	st.Nsec.Add(d)
	srv(x).noteLatencyShared(sub, idx, d)
	if x.Failed && !failed {
		st.Failed.Add(1)
	}
}

// checkSubcommand finds the subcommand that args names (args[1]) and
// checks its arity, as Redis does before running a command or queueing it
// in MULTI. On failure it returns Redis's error message, with the
// subcommand when only its arity was wrong (the caller counts that
// refusal against it).
func (s *Server) checkSubcommand(cmd *command.Spec, args [][]byte) (*command.Spec, string) {
	sub := cmd.Subcommand(args[1])
	if sub == nil {
		s.admin().countUnknownSubcommand(cmd)
		return nil, command.SanitizeError("ERR unknown subcommand '" + command.TruncArg(args[1], 128) + "'. Try " + strings.ToUpper(string(args[0])) + " HELP.")
	}
	if !sub.ArityOK(len(args)) {
		return sub, "ERR wrong number of arguments for '" + sub.Name + "' command"
	}
	return sub, ""
}

// adminState is the server family's own state (Server.adm), made in New.
// Its sampler runs from Start until the server shuts down.
type adminState struct {
	replID     string       // master_replid
	peakMemory atomic.Int64 // used_memory_peak

	unknownSub sync.Map // *command.Spec → *atomic.Int64: unknown subcommands asked of a container

	mu      sync.Mutex
	samples [statSamples]statSample // ring of 100 ms samples
	next    int
	filled  int
}

func newAdminState() *adminState { return &adminState{replID: randomHex(40)} }

type statSample struct {
	at            time.Time
	commands      int64
	netIn, netOut int64
}

const statSamples = 16 // as Redis's STATS_METRIC_SAMPLES

// admin returns the server's adminState.
func (s *Server) admin() *adminState { return s.adm }

// sampleStats records the figures that INFO reports as rates or peaks
// (instantaneous_ops_per_sec, used_memory_peak) ten times a second, as
// Redis's serverCron does, from Start until the server shuts down, so the
// rate is right on the first INFO after a second of load.
func (s *Server) sampleStats(a *adminState) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-s.shutdown:
			return
		case now := <-t.C:
			a.notePeak(infocmd.ReadMemFigures().Used)
			a.mu.Lock()
			in, out := s.netBytes()
			a.samples[a.next] = statSample{at: now, commands: s.totalCommands(), netIn: in, netOut: out}
			a.next = (a.next + 1) % statSamples
			if a.filled < statSamples {
				a.filled++
			}
			a.mu.Unlock()
		}
	}
}

func (a *adminState) countUnknownSubcommand(c *command.Spec) {
	v, ok := a.unknownSub.Load(c)
	if !ok {
		v, _ = a.unknownSub.LoadOrStore(c, new(atomic.Int64))
	}
	v.(*atomic.Int64).Add(1)
}

func (a *adminState) unknownSubcommands(c *command.Spec) int64 {
	if v, ok := a.unknownSub.Load(c); ok {
		return v.(*atomic.Int64).Load()
	}
	return 0
}

func (a *adminState) notePeak(used int64) {
	for {
		p := a.peakMemory.Load()
		if used <= p || a.peakMemory.CompareAndSwap(p, used) {
			return
		}
	}
}

// opsPerSec returns the commands per second over the recorded samples.
func (a *adminState) opsPerSec() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.filled < 2 {
		return 0
	}
	newest := a.samples[(a.next+statSamples-1)%statSamples]
	oldest := a.samples[(a.next+statSamples-a.filled)%statSamples]
	d := newest.at.Sub(oldest.at).Seconds()
	if d <= 0 {
		return 0
	}
	return int64(float64(newest.commands-oldest.commands)/d + 0.5)
}

// netKbps returns instantaneous_input_kbps and instantaneous_output_kbps
// over the recorded samples.
func (a *adminState) netKbps() (in, out float64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.filled < 2 {
		return 0, 0
	}
	newest := a.samples[(a.next+statSamples-1)%statSamples]
	oldest := a.samples[(a.next+statSamples-a.filled)%statSamples]
	d := newest.at.Sub(oldest.at).Seconds()
	if d <= 0 {
		return 0, 0
	}
	return float64(newest.netIn-oldest.netIn) / d / 1024, float64(newest.netOut-oldest.netOut) / d / 1024
}

// totalCommands returns the commands run since start (or CONFIG RESETSTAT).
func (s *Server) totalCommands() int64 {
	var n int64
	for _, c := range s.cmdList {
		for i := range c.Stats {
			n += c.Stats[i].Calls.Load()
		}
	}
	return n
}

// resetStats clears what INFO counts (CONFIG RESETSTAT): command and error
// statistics, the shards' keyspace counters, the router's and the
// listener's totals, the memory peak and the rate samples.
func (s *Server) resetStats() {
	for _, c := range s.cmdList {
		resetCmdStats(c)
		for _, sub := range c.Subcommands {
			resetCmdStats(sub)
		}
	}
	for i := range s.errStats {
		es := &s.errStats[i]
		es.mu.Lock()
		clear(es.counts)
		es.total = 0
		es.mu.Unlock()
	}
	for _, sh := range s.router.Shards() {
		sh.Stats.Hits.Store(0)
		sh.Stats.Misses.Store(0)
		sh.Stats.ExpiredKeys.Store(0)
		sh.Stats.EvictedKeys.Store(0)
		sh.Stats.ExpiredFields.Store(0)
		sh.Stats.ExpiredStale.Store(0)
		sh.Stats.Commands.Store(0)
		sh.Stats.LazyFreed.Store(0)
	}
	s.router.Stats.Hops.Store(0)
	s.router.Stats.Transactions.Store(0)
	s.router.Stats.Retries.Store(0)
	s.router.Stats.Queued.Store(0)
	s.router.Stats.Squashed.Store(0)
	s.net.TotalConnections.Store(0)
	s.net.Rejected.Store(0)
	s.net.QueryLimitDisconnections.Store(0)
	s.net.OutputLimitDisconnections.Store(0)
	s.scripts.ResetStats()
	in, out := s.net.NetBytes()
	s.netBase[0].Store(in)
	s.netBase[1].Store(out)
	s.resetLatency()
	a := s.admin()
	a.unknownSub.Clear()
	a.peakMemory.Store(0)
	a.mu.Lock()
	a.filled, a.next = 0, 0
	a.mu.Unlock()
}

func resetCmdStats(c *command.Spec) {
	for i := range c.Stats {
		st := &c.Stats[i]
		st.Calls.Store(0)
		st.Nsec.Store(0)
		st.Rejected.Store(0)
		st.Failed.Store(0)
	}
}
