package server

import (
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anaxdb/anax/server/command"
)

// The server family (Redis's server.c, config.c, networking.c, debug.c and
// object.c admin commands): INFO CONFIG CLIENT COMMAND DEBUG MEMORY TIME
// LASTSAVE WAIT SHUTDOWN. The table is below; INFO is in info.go, CLIENT in
// client_cmd.go; DEBUG is server/debugcmd and COMMAND a package of its own,
// server/metacmd, which reads the command table through metacmd.Table
// (env_metacmd.go).
//
// Container commands (CLIENT, CONFIG, COMMAND, MEMORY) list their
// subcommands in Command.Subcommands, named "container|sub" as Redis names
// them, and use runSubcommand as their Run: it finds the subcommand, checks
// its arity with Redis's errors and keeps the subcommand's statistics, which
// INFO commandstats and COMMAND INFO report as Redis 7 does.

func (s *Server) serverCommands() []*command.Spec {
	const (
		adm = command.FlagAdmin | command.FlagNoScript | command.FlagLoading | command.FlagStale
		ls  = command.FlagLoading | command.FlagStale
	)
	conn := []string{"connection"}
	cmds := []*command.Spec{
		{Name: "info", Arity: -1, Flags: command.FlagLoop | ls, Run: cmdInfo, Categories: []string{"dangerous"}, Group: "server", Summary: "Returns information and statistics about the server.", Since: "1.0.0", Complexity: "O(1)"},
		{Name: "time", Arity: 1, Flags: command.FlagLoop | ls | command.FlagFast, Run: cmdTime, Group: "server", Summary: "Returns the server time.", Since: "2.6.0", Complexity: "O(1)"},
		{Name: "lastsave", Arity: 1, Flags: command.FlagLoop | ls | command.FlagFast, Run: cmdLastSave, Categories: []string{"admin", "dangerous"}, Group: "server", Summary: "Returns the Unix timestamp of the last successful save to disk.", Since: "1.0.0", Complexity: "O(1)"},
		{Name: "wait", Arity: 3, Flags: command.FlagLoop | command.FlagNoScript, Run: cmdWait, Categories: conn, Group: "generic", Summary: "Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.", Since: "3.0.0", Complexity: "O(1)"},
		{Name: "shutdown", Arity: -1, Flags: command.FlagLoop | command.FlagNoMulti | adm, Run: cmdShutdown, Group: "server", Summary: "Synchronously saves the database(s) to disk and shuts down the Redis server.", Since: "1.0.0", Complexity: "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)"},
		{Name: "config", Arity: -2, Flags: command.FlagLoop, Run: runSubcommand, Group: "server", Summary: "A container for server configuration commands.", Since: "2.0.0", Complexity: "Depends on subcommand.",
			Subcommands: []*command.Spec{
				{Name: "config|get", Arity: -3, Flags: adm, Run: cmdConfigGet, Group: "server", Summary: "Returns the effective values of configuration parameters.", Since: "2.0.0", Complexity: "O(N) when N is the number of configuration parameters provided"},
				{Name: "config|set", Arity: -4, Flags: adm, Run: cmdConfigSet, Group: "server", Summary: "Sets configuration parameters in-flight.", Since: "2.0.0", Complexity: "O(N) when N is the number of configuration parameters provided"},
				{Name: "config|resetstat", Arity: 2, Flags: adm, Run: cmdConfigResetStat, Group: "server", Summary: "Resets the server's statistics.", Since: "2.0.0", Complexity: "O(1)"},
				{Name: "config|rewrite", Arity: 2, Flags: adm, Run: cmdConfigRewrite, Group: "server", Summary: "Persists the effective configuration to file.", Since: "2.8.0", Complexity: "O(1)"},
				{Name: "config|help", Arity: 2, Flags: ls, Run: cmdConfigHelp, Group: "server", Summary: "Returns helpful text about the different subcommands.", Since: "5.0.0", Complexity: "O(1)"},
			}},
		// MEMORY is routed by its key: MEMORY USAGE runs on the key's shard;
		// the keyless subcommands run on the connection's own shard and read
		// only the figures every shard publishes.
		{Name: "memory", Arity: -2, Run: runSubcommand, Keys: memoryKeys, Group: "server", Summary: "A container for memory diagnostics commands.", Since: "4.0.0", Complexity: "Depends on subcommand.",
			Subcommands: []*command.Spec{
				{Name: "memory|usage", Arity: -3, Flags: command.FlagReadOnly, FirstKey: 2, LastKey: 2, Step: 1, Run: cmdMemoryUsage, Categories: []string{"read"}, Group: "server", Summary: "Estimates the memory usage of a key.", Since: "4.0.0", Complexity: "O(N) where N is the number of samples."},
				{Name: "memory|stats", Arity: 2, Run: cmdMemoryStats, Group: "server", Summary: "Returns details about memory usage.", Since: "4.0.0", Complexity: "O(1)"},
				{Name: "memory|doctor", Arity: 2, Run: cmdMemoryDoctor, Group: "server", Summary: "Outputs a memory problems report.", Since: "4.0.0", Complexity: "O(1)"},
				{Name: "memory|malloc-stats", Arity: 2, Run: cmdMemoryMallocStats, Group: "server", Summary: "Returns the allocator statistics.", Since: "4.0.0", Complexity: "Depends on how much memory is allocated, could be slow"},
				{Name: "memory|purge", Arity: 2, Run: cmdMemoryPurge, Group: "server", Summary: "Asks the allocator to release memory.", Since: "4.0.0", Complexity: "Depends on how much memory is allocated, could be slow"},
				{Name: "memory|help", Arity: 2, Flags: ls, Run: cmdMemoryHelp, Group: "server", Summary: "Returns helpful text about the different subcommands.", Since: "4.0.0", Complexity: "O(1)"},
			}},
	}
	cmds = append(cmds, s.clientCommand())
	return cmds
}

// memoryKeys returns the key position of MEMORY USAGE <key>.
func memoryKeys(args [][]byte, dst []int) []int {
	if len(args) >= 3 && command.EqFold(args[1], "usage") {
		dst = append(dst, 2)
	}
	return dst
}

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
	st.Calls.Add(1)
	st.Nsec.Add(int64(time.Since(start)))
	if x.Failed && !failed {
		st.Failed.Add(1)
	}
}

// subcommand returns c's subcommand called name (case-insensitive), or nil.
// checkSubcommand finds the subcommand that args names (args[1]) and
// checks its arity, as Redis does before running a command or queueing it
// in MULTI. On failure it returns Redis's error message, with the
// subcommand when only its arity was wrong (the caller counts that
// refusal against it).
func (s *Server) checkSubcommand(cmd *command.Spec, args [][]byte) (*command.Spec, string) {
	sub := subcommand(cmd, args[1])
	if sub == nil {
		s.admin().countUnknownSubcommand(cmd)
		return nil, command.SanitizeError("ERR unknown subcommand '" + command.TruncArg(args[1], 128) + "'. Try " + strings.ToUpper(string(args[0])) + " HELP.")
	}
	if !sub.ArityOK(len(args)) {
		return sub, "ERR wrong number of arguments for '" + sub.Name + "' command"
	}
	return sub, ""
}

func subcommand(c *command.Spec, name []byte) *command.Spec {
	for _, sub := range c.Subcommands {
		short := sub.Name[strings.IndexByte(sub.Name, '|')+1:]
		if command.EqFold(name, short) {
			return sub
		}
	}
	return nil
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
	at       time.Time
	commands int64
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
			a.notePeak(readMemFigures().used)
			a.mu.Lock()
			a.samples[a.next] = statSample{at: now, commands: s.totalCommands()}
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

func cmdTime(x *command.Exec) {
	now := time.Now()
	x.Array(2)
	x.BulkInt(now.Unix())
	x.BulkInt(int64(now.Nanosecond() / 1000))
}

func cmdLastSave(x *command.Exec) { x.Int(srv(x).lastSave.Load()) }

// cmdWait answers at once: there are no replicas to wait for, so the count
// of replicas that acknowledged is 0 (Redis replies the same when
// numreplicas is 0 or the timeout expires).
func cmdWait(x *command.Exec) {
	if _, ok := command.ParseInt(x.Args[1]); !ok {
		x.Fail(command.ErrNotInt)
		return
	}
	if !parseTimeoutMs(x, x.Args[2]) {
		return
	}
	x.Int(0)
}

// parseTimeoutMs checks a millisecond timeout as Redis's
// getTimeoutFromObjectOrReply does, writing its errors.
func parseTimeoutMs(x *command.Exec, b []byte) bool {
	v, ok := command.ParseInt(b)
	if !ok {
		x.Err("ERR timeout is not an integer or out of range")
		return false
	}
	if v < 0 {
		x.Err("ERR timeout is negative")
		return false
	}
	return true
}

// cmdShutdown stops the server. There is no persistence yet, so SAVE does
// what NOSAVE does and there is nothing to wait for (NOW and FORCE change
// nothing). As Redis does, a successful SHUTDOWN sends no reply: the
// connection is closed (clients such as go-redis expect exactly that).
func cmdShutdown(x *command.Exec) {
	var save, nosave, abort, other bool
	for _, a := range x.Args[1:] {
		switch {
		case command.EqFold(a, "nosave"):
			nosave = true
		case command.EqFold(a, "save"):
			save = true
		case command.EqFold(a, "now"), command.EqFold(a, "force"):
			other = true
		case command.EqFold(a, "abort"):
			abort = true
		default:
			x.Fail(command.ErrSyntax)
			return
		}
	}
	if (abort && (save || nosave || other)) || (save && nosave) {
		x.Fail(command.ErrSyntax)
		return
	}
	if abort {
		x.Err("ERR No shutdown in progress.")
		return
	}
	srv(x).logf("User requested shutdown...")
	clientOf(x).conn.CloseAfterReply()
	srv(x).Shutdown()
}

// CONFIG

func cmdConfigGet(x *command.Exec) {
	pats := make([]string, len(x.Args)-2)
	for i, a := range x.Args[2:] {
		pats[i] = string(a)
	}
	kvs := srv(x).cfg.Get(pats...)
	x.Map(len(kvs))
	for _, kv := range kvs {
		x.BulkString(kv[0])
		x.BulkString(kv[1])
	}
}

func cmdConfigSet(x *command.Exec) {
	if len(x.Args)%2 != 0 {
		x.Fail(command.ErrSyntax)
		return
	}
	pairs := make([][2]string, 0, (len(x.Args)-2)/2)
	for i := 2; i+1 < len(x.Args); i += 2 {
		pairs = append(pairs, [2]string{string(x.Args[i]), string(x.Args[i+1])})
	}
	set := srv(x).cfg.Set
	if addrIsLoopback(clientOf(x).conn.RemoteAddr()) {
		// Protected parameters may change from a local client when
		// enable-protected-configs is "local".
		set = srv(x).cfg.SetLocal
	}
	if err := set(pairs); err != nil {
		x.Err(configErrorReply(err.Error()))
		return
	}
	x.OK()
}

// configErrorReply gives msg Redis's "ERR " prefix unless it already starts with
// an error code (an upper-case word).
func configErrorReply(msg string) string {
	code := msg
	if i := strings.IndexByte(msg, ' '); i >= 0 {
		code = msg[:i]
	}
	if code != "" && strings.ToUpper(code) == code && strings.IndexFunc(code, func(r rune) bool { return r < 'A' || r > 'Z' }) < 0 {
		return command.SanitizeError(msg)
	}
	return command.SanitizeError("ERR " + msg)
}

func cmdConfigRewrite(x *command.Exec) {
	if srv(x).cfg.ConfigFile() == "" {
		x.Err("ERR The server is running without a config file")
		return
	}
	if err := srv(x).cfg.Rewrite(); err != nil {
		srv(x).log.Warnf("CONFIG REWRITE failed: %v", err)
		x.Err(command.SanitizeError("ERR Rewriting config file: " + err.Error()))
		return
	}
	srv(x).logf("CONFIG REWRITE executed with success.")
	x.OK()
}

// cmdConfigResetStat clears what INFO counts: command and error statistics,
// the shards' keyspace counters, the router's and the listener's totals.
func cmdConfigResetStat(x *command.Exec) {
	srv(x).resetStats()
	x.OK()
}

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
		sh.Stats.ExpiredStale.Store(0)
		sh.Stats.Commands.Store(0)
	}
	s.router.Stats.Hops.Store(0)
	s.router.Stats.Transactions.Store(0)
	s.router.Stats.Retries.Store(0)
	s.router.Stats.Queued.Store(0)
	s.router.Stats.Squashed.Store(0)
	s.net.TotalConnections.Store(0)
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

func cmdConfigHelp(x *command.Exec) {
	x.ReplyHelp([]string{
		"GET <pattern>",
		"    Return parameters matching the glob-like <pattern> and their values.",
		"SET <directive> <value>",
		"    Set the configuration <directive> to <value>.",
		"RESETSTAT",
		"    Reset statistics reported by the INFO command.",
		"REWRITE",
		"    Rewrite the configuration file.",
	})
}

// MEMORY

// cmdMemoryUsage reports the bytes a key takes: its arena cell (header, key
// and value) and its table slot. SAMPLES is accepted and checked; values
// are measured exactly, so it changes nothing.
func cmdMemoryUsage(x *command.Exec) {
	for i := 3; i < len(x.Args); i++ {
		if command.EqFold(x.Args[i], "samples") && i+1 < len(x.Args) {
			n, ok := command.ParseInt(x.Args[i+1])
			if !ok {
				x.Fail(command.ErrNotInt)
				return
			}
			if n < 0 {
				x.Fail(command.ErrSyntax)
				return
			}
			i++
			continue
		}
		x.Fail(command.ErrSyntax)
		return
	}
	key := x.Args[2]
	db := x.DB(key)
	h, ok := db.Peek(key)
	if !ok || db.IsExpired(h, x.Now) {
		x.Null()
		return
	}
	x.Int(int64(db.SizeOf(h)))
}

func cmdMemoryStats(x *command.Exec) {
	s := srv(x)
	m := readMemFigures()
	srv(x).admin().notePeak(m.used)
	peak := s.admin().peakMemory.Load()
	dataset := s.datasetMemory()
	overhead := m.used - dataset
	if overhead < 0 {
		overhead = 0
	}
	var keys int64
	ndb := s.router.Shard(0).NumDB()
	type dbOver struct{ id, main, expires int64 }
	var dbs []dbOver
	for db := 0; db < ndb; db++ {
		var k, e int64
		for _, sh := range s.router.Shards() {
			k += sh.Keys(db)
			e += sh.Expires(db)
		}
		keys += k
		if k > 0 || e > 0 {
			// Anax keeps the TTL in the entry: no separate expires table.
			dbs = append(dbs, dbOver{id: int64(db), main: k * 16})
		}
	}
	rss := processRSS()
	x.Map(27 + len(dbs))
	kv := func(k string, v int64) { x.BulkString(k); x.Int(v) }
	kd := func(k string, v float64) { x.BulkString(k); x.Double(v) }
	kv("peak.allocated", peak)
	kv("total.allocated", m.used)
	kv("startup.allocated", 0)
	kv("replication.backlog", 0)
	kv("clients.slaves", 0)
	kv("clients.normal", 0)
	kv("cluster.links", 0)
	kv("aof.buffer", 0)
	kv("lua.caches", 0)
	kv("functions.caches", 0)
	for _, d := range dbs {
		x.BulkString("db." + strconv.FormatInt(d.id, 10))
		x.Map(3)
		kv("overhead.hashtable.main", d.main)
		kv("overhead.hashtable.expires", d.expires)
		kv("overhead.hashtable.slot-to-keys", 0)
	}
	kv("overhead.total", overhead)
	kv("keys.count", keys)
	perKey := int64(0)
	if keys > 0 {
		perKey = m.used / keys
	}
	kv("keys.bytes-per-key", perKey)
	kv("dataset.bytes", dataset)
	kd("dataset.percentage", memPct(dataset, m.used))
	kd("peak.percentage", memPct(m.used, peak))
	kv("allocator.allocated", m.heapObjects)
	kv("allocator.active", m.heapObjects+m.heapUnused)
	kv("allocator.resident", m.total-m.heapReleased)
	kd("allocator-fragmentation.ratio", memRatio(m.heapObjects+m.heapUnused, m.heapObjects))
	kv("allocator-fragmentation.bytes", m.heapUnused)
	kd("allocator-rss.ratio", memRatio(m.total-m.heapReleased, m.heapObjects+m.heapUnused))
	kv("allocator-rss.bytes", m.total-m.heapReleased-m.heapObjects-m.heapUnused)
	kd("rss-overhead.ratio", memRatio(rss, m.total-m.heapReleased))
	kv("rss-overhead.bytes", rss-(m.total-m.heapReleased))
	kd("fragmentation", memRatio(rss, m.used))
	kv("fragmentation.bytes", rss-m.used)
}

func memRatio(a, b int64) float64 {
	if b <= 0 {
		return 0
	}
	return float64(int64(float64(a)/float64(b)*100+0.5)) / 100
}

func memPct(a, b int64) float64 {
	if b <= 0 {
		return 0
	}
	return float64(int64(float64(a)*100/float64(b)*100+0.5)) / 100
}

func cmdMemoryDoctor(x *command.Exec) {
	m := readMemFigures()
	var report string
	if m.used < 5<<20 {
		report = "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting."
	} else {
		report = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base."
	}
	x.Verbatim(report)
}

func cmdMemoryMallocStats(x *command.Exec) {
	x.BulkString("Stats not supported for the current allocator")
}

// cmdMemoryPurge returns freed memory to the operating system (Go's
// counterpart of jemalloc's purge).
func cmdMemoryPurge(x *command.Exec) {
	debug.FreeOSMemory()
	x.OK()
}

func cmdMemoryHelp(x *command.Exec) {
	x.ReplyHelp([]string{
		"DOCTOR",
		"    Return memory problems reports.",
		"MALLOC-STATS",
		"    Return internal statistics report from the memory allocator.",
		"PURGE",
		"    Attempt to purge dirty pages for reclamation by the allocator.",
		"STATS",
		"    Return information about the memory usage of the server.",
		"USAGE <key> [SAMPLES <count>]",
		"    Return memory in bytes used by <key> and its value. Nested values are",
		"    sampled up to <count> times (default: 5, 0 means sample all).",
	})
}
