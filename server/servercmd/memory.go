package servercmd

import (
	"runtime/debug"
	"strconv"

	"github.com/anaxdb/anax/server/command"
)

// MEMORY: the memory figures of the server (Host.MemoryStats) and of one
// key (MEMORY USAGE, read on the key's shard).

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

// hashtableEntryBytes is what MEMORY STATS counts per key for a
// database's main table (overhead.hashtable.main), as Redis counts a
// dictEntry pointer pair.
const hashtableEntryBytes = 16

// cmdMemoryStats is MEMORY STATS: Redis 7's map, its figures read from the
// Go runtime. The fields Anax has no counterpart for (replication backlog,
// Lua caches...) are 0; so is every database's expires table, because Anax
// keeps the TTL in the entry.
func cmdMemoryStats(x *command.Exec) {
	m := hostOf(x).MemoryStats()
	overhead := max(m.Used-m.Dataset, 0)
	var keys int64
	type dbOverhead struct{ id, main int64 }
	var dbs []dbOverhead
	for id, d := range m.DBs {
		keys += d.Keys
		if d.Keys > 0 || d.Expires > 0 {
			dbs = append(dbs, dbOverhead{id: int64(id), main: d.Keys * hashtableEntryBytes})
		}
	}
	resident := m.Total - m.HeapReleased   // what the runtime holds from the OS
	active := m.HeapObjects + m.HeapUnused // heap in use, fragmentation included
	x.Map(31 + len(dbs))
	kv := func(k string, v int64) { x.BulkString(k); x.Int(v) }
	kd := func(k string, v float64) { x.BulkString(k); x.Double(v) }
	kv("peak.allocated", m.Peak)
	kv("total.allocated", m.Used)
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
		x.Map(2)
		kv("overhead.hashtable.main", d.main)
		kv("overhead.hashtable.expires", 0)
	}
	// Redis 7.4's lookup tables: here the dashtables, which never rehash.
	kv("overhead.db.hashtable.lut", m.Tables)
	kv("overhead.db.hashtable.rehashing", 0)
	kv("overhead.total", overhead)
	kv("db.dict.rehashing.count", 0)
	kv("keys.count", keys)
	perKey := int64(0)
	if keys > 0 {
		perKey = m.Used / keys
	}
	kv("keys.bytes-per-key", perKey)
	kv("dataset.bytes", m.Dataset)
	kd("dataset.percentage", command.Percent(m.Dataset, m.Used))
	kd("peak.percentage", command.Percent(m.Used, m.Peak))
	kv("allocator.allocated", m.HeapObjects)
	kv("allocator.active", active)
	kv("allocator.resident", resident)
	kv("allocator.muzzy", 0)
	kd("allocator-fragmentation.ratio", command.Ratio(active, m.HeapObjects))
	kv("allocator-fragmentation.bytes", m.HeapUnused)
	kd("allocator-rss.ratio", command.Ratio(resident, active))
	kv("allocator-rss.bytes", resident-active)
	kd("rss-overhead.ratio", command.Ratio(m.RSS, resident))
	kv("rss-overhead.bytes", m.RSS-resident)
	kd("fragmentation", command.Ratio(m.RSS, m.Used))
	kv("fragmentation.bytes", m.RSS-m.Used)
}

// doctorMinUsed is the used memory below which MEMORY DOCTOR, as Redis's,
// declines to judge.
const doctorMinUsed = 5 << 20

func cmdMemoryDoctor(x *command.Exec) {
	var report string
	if hostOf(x).UsedMemory() < doctorMinUsed {
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
