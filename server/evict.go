package server

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/server/infocmd"
	"github.com/anaxdb/anax/server/scriptcmd"
	"github.com/anaxdb/anax/shard"
)

// Memory limits (maxmemory), docs/architecture.md "Memory limits and
// eviction". The cron measures the process (used_memory as INFO reports
// it, and the RSS) and hands each shard its share of what maxmemory leaves
// beyond the process's own overhead; each shard evicts down to its share on
// its own goroutine. Deny-oom commands are refused on the dispatch path
// when memGuard.refuse is set (one atomic load), and on the shard that runs
// them when it is over its share and cannot evict (makeRoom).

// errOOM is Redis 7.0's reply to a deny-oom command over maxmemory.
const errOOM = "OOM command not allowed when used memory > 'maxmemory'."

// rssGuardNum/rssGuardDen: deny-oom commands are refused while the
// process's resident anonymous memory (anonRSS) is over 1.25 x maxmemory,
// whatever the accounting says, to keep clear of the kernel's OOM killer.
const rssGuardNum, rssGuardDen = 5, 4

// memGuard is the server's maxmemory state.
type memGuard struct {
	// refuse is set while deny-oom commands must be refused everywhere:
	// over maxmemory under noeviction, or RSS over the guard.
	refuse atomic.Bool
	// rssOver is set while the RSS guard is what refuses.
	rssOver atomic.Bool
	mu      sync.Mutex // serializes checkMemory; guards the fields below

	// overhead estimates what the process holds beyond the shards' chunks
	// and tables, without the garbage the collector has yet to reclaim
	// (overheadReading).
	overhead    int64
	lastCollect time.Time // the last collection overheadReading asked for
	// memLimit is the Go soft memory limit set for maxmemory (0: none set).
	memLimit int64
	lastFree time.Time // the last time the RSS guard returned memory to the OS
	gc       gcPacer   // the collector's headroom (gcpace.go)
	reclaim  reclaimer // collections while idle (gcpace.go)
}

// setupEviction pushes the eviction settings to the shards and follows
// their changes. Called by Start after the shards exist.
func (s *Server) setupEviction() {
	s.loadEvictConfig()
	for _, name := range []string{"maxmemory-policy", "maxmemory-samples", "maxmemory-eviction-tenacity", "lfu-log-factor", "lfu-decay-time", "cache_mode"} {
		s.cfg.OnChange(name, func(string) { s.loadEvictConfig() })
	}
	// A new limit applies at once rather than at the next cron tick.
	s.cfg.OnChange("maxmemory", func(string) { s.checkMemory(false) })
	s.cfg.OnChange("maxmemory-policy", func(string) { s.checkMemory(false) })
	s.cfg.OnChange("cache_mode", func(string) { s.checkMemory(false) })
	s.checkMemory(false)
}

// loadEvictConfig gives every shard the current eviction settings.
func (s *Server) loadEvictConfig() {
	c := &shard.EvictConfig{
		Policy:    shard.PolicyByName[s.cfg.String("maxmemory-policy")],
		Samples:   int(s.cfg.Int("maxmemory-samples")),
		Tenacity:  int(s.cfg.Int("maxmemory-eviction-tenacity")),
		LogFactor: int(s.cfg.Int("lfu-log-factor")),
		DecayTime: int(s.cfg.Int("lfu-decay-time")),
		CacheMode: s.cfg.Int("cache_mode") != 0,
	}
	for _, sh := range s.router.Shards() {
		sh.SetEvictConfig(c)
	}
}

// checkMemory measures the process and sets the shards' budgets and the
// refuse flag. The cron calls it hz times a second, with mayFree: it may
// then return freed pages to the OS (a collection) before the RSS guard
// refuses writes.
func (s *Server) checkMemory(mayFree bool) {
	g := &s.mem
	g.mu.Lock()
	defer g.mu.Unlock()
	shards := s.router.Shards()
	if mayFree {
		g.gc.pace()
		g.reclaim.note(time.Now())
	}
	limit := s.cfg.Int("maxmemory")
	g.setMemoryLimit(limit)
	if limit <= 0 {
		for _, sh := range shards {
			sh.SetBudget(0)
		}
		g.refuse.Store(false)
		g.rssOver.Store(false)
		return
	}
	o, live := overheadReading(shards)
	switch {
	case o <= g.overhead || g.overhead == 0:
		g.overhead = o
	case o > g.overhead+limit/overheadSlack && mayFree && time.Since(g.lastCollect) >= time.Second:
		// More than before: garbage, or buffers and scripts that grew.
		// A collection tells them apart.
		runtime.GC()
		g.lastCollect = time.Now()
		g.overhead, live = overheadReading(shards)
	}
	// The shards share what is left.
	budget := max((limit-g.overhead)/int64(len(shards)), 1)
	for _, sh := range shards {
		sh.SetBudget(budget)
	}
	// used_memory less garbage and the arena's free cells (reused before
	// anything grows) is what the limit is compared with.
	effective := g.overhead + live
	guard := limit / rssGuardDen * rssGuardNum
	rss := anonRSS()
	if rss > guard && mayFree && time.Since(g.lastFree) >= time.Second {
		// Freed pages the runtime still holds count in the RSS (after a
		// FLUSHALL, say): hand them back before refusing anything.
		g.lastFree = time.Now()
		debug.FreeOSMemory()
		rss = anonRSS()
	}
	refuse, rssOver := refuseWrites(limit, effective, rss, s.cfg.String("maxmemory-policy") == "noeviction" && s.cfg.Int("cache_mode") == 0)
	g.rssOver.Store(rssOver)
	g.refuse.Store(refuse)
}

// overheadSlack: the overhead estimate rises only past 1/overheadSlack of
// maxmemory above it, so that the garbage a busy server always has does not
// cost a collection a second; used memory may then pass maxmemory by that
// much.
const overheadSlack = 64

// overheadReading reads what the process holds beyond the shards' chunks
// and tables (the runtime, buffers, scripts), with the garbage the
// collector has yet to reclaim, and the shards' live bytes. Garbage only
// inflates a reading, and the shards' bytes are read first, so that a
// chunk made between the two readings counts as overhead rather than
// lowering it: a reading is never below the truth, and the lowest stands
// (checkMemory). Garbage is no small error: the replies of one pipeline of
// 500 GETs of 4 KB values read as 7.5 MB more, half of a 32 MB budget.
func overheadReading(shards []*shard.Shard) (overhead, live int64) {
	var held int64
	for _, sh := range shards {
		held += sh.UsedMemory()
		live += sh.LiveMemory()
	}
	m := infocmd.ReadMemFigures()
	return max(m.Used-held, 0), live
}

// refuseWrites decides whether deny-oom commands are refused everywhere:
// under noeviction when the accounting (effective) is over limit, and under
// any policy when the resident memory is over the RSS guard (rssOver).
func refuseWrites(limit, effective, rss int64, noEviction bool) (refuse, rssOver bool) {
	if limit <= 0 {
		return false, false
	}
	rssOver = rss > limit/rssGuardDen*rssGuardNum
	return rssOver || (noEviction && effective > limit), rssOver
}

// minMemLimit is the least Go soft memory limit set for maxmemory: below
// it the collector would run all the time for little gain.
const minMemLimit = 32 << 20

// setMemoryLimit keeps the Go runtime's soft memory limit at 9/8 of
// maxmemory, so that the collector reclaims garbage before the process's
// RSS nears the guard, unless the limit was set from outside (GOMEMLIMIT).
// maxmemory 0 lifts the limit set here.
func (g *memGuard) setMemoryLimit(maxmemory int64) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	want := int64(0)
	if maxmemory > 0 {
		want = max(maxmemory+maxmemory/8, minMemLimit)
	}
	if want == g.memLimit {
		return
	}
	g.memLimit = want
	if want == 0 {
		debug.SetMemoryLimit(math.MaxInt64)
		return
	}
	debug.SetMemoryLimit(want)
}

// anonRSS returns the process's resident anonymous memory from
// /proc/self/statm (resident less file-backed pages, which the kernel can
// drop: the program's text), 0 where it cannot be read.
func anonRSS() int64 {
	f, err := os.Open("/proc/self/statm")
	if err != nil {
		return 0
	}
	defer f.Close()
	var buf [128]byte
	n, _ := f.Read(buf[:])
	var v [3]int64
	i := 0
	for _, c := range buf[:n] {
		switch {
		case c >= '0' && c <= '9':
			v[i] = v[i]*10 + int64(c-'0')
		case c == ' ' && i < 2:
			i++
		case c == ' ':
			return (v[1] - v[2]) * int64(os.Getpagesize())
		}
	}
	return 0
}

// deniedOOM reports whether cmd, about to be dispatched for cl with args,
// is refused for memory, as Redis 7.0's processCommand decides: a deny-oom
// command (isDenyOOM); inside MULTI any command but EXEC, DISCARD, QUIT
// and RESET (queueing takes memory too); and an EXEC of a transaction that
// queued a deny-oom command (refused as a whole: EXECABORT).
func (s *Server) deniedOOM(cl *Client, cmd *command.Spec, args [][]byte) bool {
	if s.isDenyOOM(cmd, args) {
		return true
	}
	if cl.multi == nil {
		return false
	}
	switch cmd.Name {
	case "exec":
		return cl.multi.denyOOM
	case "discard", "quit", "reset":
		return false
	}
	return true
}

// isDenyOOM reports whether cmd with args is a deny-oom command, by the
// flags Redis 7.0's getCommandFlags gives it: its own, its subcommand's
// (FUNCTION LOAD, XGROUP CREATE), or, for a script or function, those its
// declared flags imply (scriptcmd.Engine.DenyOOM).
func (s *Server) isDenyOOM(cmd *command.Spec, args [][]byte) bool {
	if cmd.Flags&command.FlagDenyOOM != 0 {
		return true
	}
	if len(cmd.Subcommands) > 0 && len(args) > 1 {
		sub := cmd.Subcommand(args[1])
		return sub != nil && sub.Flags&command.FlagDenyOOM != 0
	}
	return scriptcmd.IsScript(cmd) && s.scripts.DenyOOM(cmd.Name, args)
}

// makeRoom runs on x's shard before a deny-oom command that finds the shard
// over its budget: it evicts, and when that cannot bring the shard within
// its budget it answers the OOM error and reports false. While a
// transaction holds locks on the shard nothing is evicted (the tick does it
// later) and the command runs.
func (s *Server) makeRoom(x *command.Exec) bool {
	sh := x.Home
	if !s.router.Idle(sh.ID) {
		return true
	}
	if sh.Evict(x.Now) {
		return true
	}
	x.Err(errOOM)
	return false
}
