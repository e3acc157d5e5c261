package server

import (
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/anaxdb/anax/protocol"
	"github.com/anaxdb/anax/protocol/memcache"
)

// memcached's "stats" command over the shards' counters.

// stats runs stats: the general statistics memcached_exporter reads,
// "settings", "reset"; the per-slab and per-item breakdowns are empty.
func (m *mcState) stats(c *protocol.Conn, home int, args [][]byte) {
	b := c.Begin()
	start := len(b)
	switch {
	case len(args) == 0:
		b = m.generalStats(b)
	case string(args[0]) == "reset":
		m.resetStats()
		b = memcache.AppendLine(b, "RESET")
	case string(args[0]) == "settings":
		b = m.settingsStats(b)
	case string(args[0]) == "detail":
		b = memcache.AppendLine(b, "CLIENT_ERROR usage: stats detail on|off|dump")
	case string(args[0]) == "items", string(args[0]) == "slabs", string(args[0]) == "sizes", string(args[0]) == "conns":
		b = memcache.AppendEnd(b)
	default:
		b = memcache.AppendLine(b, "ERROR")
	}
	c.End(b)
	m.exec.Stats(home).BytesWritten.Add(uint64(len(b) - start))
}

func (m *mcState) generalStats(b []byte) []byte {
	var sum struct {
		cmdGet, cmdSet, cmdFlush, cmdTouch, getHits, getMisses, getExpired,
		deleteMisses, deleteHits, incrMisses, incrHits, decrMisses, decrHits,
		casMisses, casHits, casBadval, touchHits, touchMiss, totalItems, bytesRead, bytesWritten uint64
	}
	for i := range m.s.router.N() {
		st := m.exec.Stats(i)
		sum.cmdGet += st.CmdGet.Load()
		sum.cmdSet += st.CmdSet.Load()
		sum.cmdFlush += st.CmdFlush.Load()
		sum.cmdTouch += st.CmdTouch.Load()
		sum.getHits += st.GetHits.Load()
		sum.getMisses += st.GetMisses.Load()
		sum.getExpired += st.GetExpired.Load()
		sum.deleteMisses += st.DeleteMisses.Load()
		sum.deleteHits += st.DeleteHits.Load()
		sum.incrMisses += st.IncrMisses.Load()
		sum.incrHits += st.IncrHits.Load()
		sum.decrMisses += st.DecrMisses.Load()
		sum.decrHits += st.DecrHits.Load()
		sum.casMisses += st.CasMisses.Load()
		sum.casHits += st.CasHits.Load()
		sum.casBadval += st.CasBadval.Load()
		sum.touchHits += st.TouchHits.Load()
		sum.touchMiss += st.TouchMisses.Load()
		sum.totalItems += st.TotalItems.Load()
		sum.bytesRead += st.BytesRead.Load()
		sum.bytesWritten += st.BytesWritten.Load()
	}
	var items int64
	for _, sh := range m.s.router.Shards() {
		items += sh.Keys(0)
	}
	now := time.Now()
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	u := func(name string, v uint64) { b = memcache.AppendStatUint(b, name, v) }
	u("pid", uint64(os.Getpid()))
	u("uptime", uint64(now.Sub(m.s.started)/time.Second))
	u("time", uint64(now.Unix()))
	b = memcache.AppendStat(b, "version", MemcachedVersion)
	b = memcache.AppendStat(b, "libevent", "gnet")
	u("pointer_size", 64)
	b = memcache.AppendStat(b, "rusage_user", fmt.Sprintf("%d.%06d", ru.Utime.Sec, ru.Utime.Usec))
	b = memcache.AppendStat(b, "rusage_system", fmt.Sprintf("%d.%06d", ru.Stime.Sec, ru.Stime.Usec))
	u("max_connections", uint64(m.s.cfg.Int("maxclients")))
	u("curr_connections", uint64(max(m.conns.Load(), 0)))
	u("total_connections", uint64(m.totalConns.Load()))
	u("rejected_connections", uint64(m.s.net.Rejected.Load()))
	u("connection_structures", uint64(max(m.conns.Load(), 0)))
	u("cmd_get", sum.cmdGet)
	u("cmd_set", sum.cmdSet)
	u("cmd_flush", sum.cmdFlush)
	u("cmd_touch", sum.cmdTouch)
	u("get_hits", sum.getHits)
	u("get_misses", sum.getMisses)
	u("get_expired", sum.getExpired)
	u("get_flushed", 0)
	u("delete_misses", sum.deleteMisses)
	u("delete_hits", sum.deleteHits)
	u("incr_misses", sum.incrMisses)
	u("incr_hits", sum.incrHits)
	u("decr_misses", sum.decrMisses)
	u("decr_hits", sum.decrHits)
	u("cas_misses", sum.casMisses)
	u("cas_hits", sum.casHits)
	u("cas_badval", sum.casBadval)
	u("touch_hits", sum.touchHits)
	u("touch_misses", sum.touchMiss)
	u("bytes_read", sum.bytesRead)
	u("bytes_written", sum.bytesWritten)
	u("limit_maxbytes", uint64(m.s.cfg.Int("maxmemory")))
	u("accepting_conns", 1)
	u("listen_disabled_num", 0)
	u("threads", uint64(m.s.router.N()))
	u("conn_yields", 0)
	u("curr_items", uint64(max(items, 0)))
	u("total_items", sum.totalItems)
	u("bytes", uint64(max(m.s.datasetMemory(), 0)))
	u("evictions", 0)
	u("reclaimed", 0)
	return memcache.AppendEnd(b)
}

func (m *mcState) settingsStats(b []byte) []byte {
	u := func(name string, v int64) { b = memcache.AppendStatUint(b, name, uint64(max(v, 0))) }
	u("maxbytes", m.s.cfg.Int("maxmemory"))
	u("maxconns", m.s.cfg.Int("maxclients"))
	u("tcpport", m.s.cfg.Int("memcached-port"))
	u("udpport", 0)
	u("item_size_max", m.maxItem())
	u("num_threads", int64(m.s.router.N()))
	b = memcache.AppendStat(b, "cas_enabled", "yes")
	b = memcache.AppendStat(b, "evictions", "off")
	b = memcache.AppendStat(b, "binding_protocol", "ascii")
	return memcache.AppendEnd(b)
}

// resetStats zeroes the counters, as "stats reset" does.
func (m *mcState) resetStats() {
	for i := range m.s.router.N() {
		m.exec.Stats(i).Reset()
	}
	m.totalConns.Store(m.conns.Load())
}
