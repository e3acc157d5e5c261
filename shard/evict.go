package shard

import (
	"math"
	"time"

	"github.com/anaxdb/anax/dashtable"
)

// Eviction: each shard keeps its keys within its share of maxmemory, the
// budget the server sets (SetBudget) from what the process uses beyond
// the shards' data. The measure is the bytes of live arena cells plus the
// shards' tables (LiveMemory): a freed cell counts as free although its
// chunk stays, as a freed allocation does for Redis's used_memory.

// Eviction policies (maxmemory-policy).
const (
	NoEviction = iota
	AllKeysLRU
	AllKeysLFU
	AllKeysRandom
	VolatileLRU
	VolatileLFU
	VolatileRandom
	VolatileTTL
)

// PolicyByName maps a maxmemory-policy value to its constant.
var PolicyByName = map[string]int{
	"noeviction":      NoEviction,
	"allkeys-lru":     AllKeysLRU,
	"allkeys-lfu":     AllKeysLFU,
	"allkeys-random":  AllKeysRandom,
	"volatile-lru":    VolatileLRU,
	"volatile-lfu":    VolatileLFU,
	"volatile-random": VolatileRandom,
	"volatile-ttl":    VolatileTTL,
}

// EvictConfig is the eviction settings; a value is never changed once a
// shard has it (the server swaps in a new one), so readers need no lock.
type EvictConfig struct {
	Policy    int
	Samples   int // maxmemory-samples
	Tenacity  int // maxmemory-eviction-tenacity, 0..100
	LogFactor int // lfu-log-factor
	DecayTime int // lfu-decay-time, minutes per decrement (0 = never)
	// CacheMode (cache_mode yes) replaces Policy with Dragonfly's cache:
	// any key may go, ranked by its place in the table (dashtable's cache
	// mode) instead of by per-key access time or counter.
	CacheMode bool
}

// LFU reports whether the policy tracks access frequency.
func (c *EvictConfig) LFU() bool { return c.Policy == AllKeysLFU || c.Policy == VolatileLFU }

func (c *EvictConfig) volatile() bool { return c.Policy >= VolatileLRU }

// timeLimit is how long one eviction pass may run before it leaves the
// rest to the next command or tick (Redis's evictionTimeLimitUs).
func (c *EvictConfig) timeLimit() time.Duration {
	t := c.Tenacity
	if t <= 10 {
		return time.Duration(50*t) * time.Microsecond
	}
	if t < 100 {
		return time.Duration(500*math.Pow(1.15, float64(t-10))) * time.Microsecond
	}
	return time.Duration(math.MaxInt64)
}

var defaultEvictConfig = &EvictConfig{Policy: NoEviction, Samples: 5, Tenacity: 10, LogFactor: 10, DecayTime: 1}

// SetEvictConfig installs c (not to be changed afterwards). Any goroutine.
func (s *Shard) SetEvictConfig(c *EvictConfig) { s.evcfg.Store(c) }

func (s *Shard) evictConfig() *EvictConfig {
	if c := s.evcfg.Load(); c != nil {
		return c
	}
	return defaultEvictConfig
}

// SetBudget sets the bytes the shard may hold (LiveMemory); 0 = no limit.
// Any goroutine.
func (s *Shard) SetBudget(n int64) { s.budget.Store(n) }

// Budget returns the budget SetBudget last set.
func (s *Shard) Budget() int64 { return s.budget.Load() }

// LiveMemory returns the published bytes of live cells and tables.
func (s *Shard) LiveMemory() int64 { return s.liveMemory.Load() }

// live returns the bytes the budget is measured against. Owner only.
func (s *Shard) live() int64 { return s.arena.Used() + s.tablesMemory.Load() }

// OverBudget reports whether the shard must evict before a deny-oom
// command: it holds more than its budget, or cache mode moved entries out
// of full segments that are still to be deleted (parked). Owner only; a
// few loads and compares.
func (s *Shard) OverBudget() bool {
	b := s.budget.Load()
	return s.parked != 0 || (b > 0 && s.live() > b)
}

// Evict deletes keys by the configured policy until the shard is within its
// budget. It reports false when the shard stays over it for want of keys
// to evict (or under noeviction): a deny-oom command is then refused. A
// pass that runs out of time (maxmemory-eviction-tenacity) reports true and
// leaves the rest to the next command or tick. Owner only; not while a
// transaction holds locks on the shard (its keys must stay as it left them).
func (s *Shard) Evict(now int64) bool {
	if s.parked != 0 {
		s.evictParked()
	}
	b := s.budget.Load()
	if b <= 0 {
		return true
	}
	if s.live() <= b {
		return true
	}
	c := s.evictConfig()
	if c.Policy == NoEviction && !c.CacheMode {
		return false
	}
	start := time.Now()
	limit := c.timeLimit()
	// lazy counts the bytes of evicted big values still queued for freeing
	// in steps (value.go): gone as far as this pass is concerned.
	var lazy int64
	for n := 0; s.live()-lazy > b; n++ {
		db, key, ok := s.evictionCandidate(c, now)
		if !ok {
			s.publishMemory()
			return false
		}
		lazy += s.evictEntry(db, key)
		if n&15 == 15 && time.Since(start) > limit {
			break
		}
	}
	s.publishMemory()
	return true
}

// evictEntry deletes key from db as an eviction, whatever the policy that
// chose it: DEL's path (WATCH and blocked clients see it) and the count
// in evicted_keys. It returns the bytes of a big value left to free in
// steps (value.go), 0 when the key is gone already.
func (s *Shard) evictEntry(db *DB, key []byte) (lazy int64) {
	h, found := db.find(key)
	if !found {
		return 0
	}
	pending, vm := len(s.objs.lazy), db.ValueMemory(h)
	db.deleteHandle(key, h)
	if len(s.objs.lazy) > pending {
		lazy = int64(vm)
	}
	s.Stats.EvictedKeys.Add(1)
	s.keyEvent(db.index, EventEvicted, key)
	return lazy
}

// Cache mode (cache_mode yes). A lookup that counts as an access moves
// the entry forward in its segment (DB.bump); an insert into a segment
// that is full while the shard is near its budget does not split it but
// evicts the oldest entry of one of its stash buckets, and an eviction
// pass takes in turn the coldest entry of each segment (dashtable's cache
// mode). The insert cannot delete the victim at once, since the command
// that inserts may hold its handle (RENAME's source, say): the table
// moves it to its overflow list, where lookups still find it, and the
// next eviction pass, before the next deny-oom command or at the tick,
// deletes it through evictEntry.

// cacheGrowMargin is the share of the free slots that the rest of the
// budget must be able to fill (at the average entry size) for a full
// segment to split rather than evict (Dragonfly's table_growth_margin).
const cacheGrowMargin = 0.15

// maxParked bounds the entries parked between two eviction passes: the
// overflow list that holds them is searched linearly by lookups in their
// segments. A command that inserts more (an MSET of many keys, loading a
// snapshot) grows the table for the rest, as under the other policies
// memory may overshoot by what one command writes.
const maxParked = 256

// insertEntry adds the new entry nh of a key with this hash to db's table,
// without growing the table in cache mode when the shard nears its budget.
func (db *DB) insertEntry(hash uint64, nh Handle) {
	if c := db.sh.evcfg.Load(); c != nil && c.CacheMode && db.sh.parked < maxParked && !db.sh.cacheMayGrow(db) {
		if db.table.InsertNoGrow(hash, uint64(nh)) {
			db.sh.parked++
		}
		return
	}
	db.table.Insert(hash, uint64(nh))
}

// cacheMayGrow reports whether db's table may split to take a new entry,
// as Dragonfly's CanGrow decides: while more than 30% of the budget is
// free, or while what is free would hold a new segment and enough average
// entries to fill cacheGrowMargin of the table's free slots (those of the
// new segment included).
func (s *Shard) cacheMayGrow(db *DB) bool {
	b := s.budget.Load()
	if b <= 0 {
		return true
	}
	free := b - s.live()
	if free > b/10*3 {
		return true
	}
	keys := 0
	for _, d := range s.dbs {
		keys += d.table.Len()
	}
	if keys == 0 {
		return free > dashtable.SegmentBytes
	}
	avg := float64(s.arena.Used()) / float64(keys)
	slots := db.table.Capacity() - db.table.Len() + dashtable.BucketsPerSegment*dashtable.SlotsPerBucket
	return float64(free) > dashtable.SegmentBytes+avg*float64(slots)*cacheGrowMargin
}

// bump finds key as find does and, in cache mode, moves its entry forward.
func (db *DB) bump(key []byte) (Handle, bool) {
	db.match.key = key
	h, ok := db.table.Bump(Hash(key), &db.match)
	db.match.key = nil
	return Handle(h), ok
}

// evictParked deletes the entries that cache-mode inserts moved out of
// full segments. The overflow list also holds entries with degenerate
// hashes (practically never with the seeded hash); at most as many
// entries as were parked go.
func (s *Shard) evictParked() {
	n := s.parked
	s.parked = 0
	for _, db := range s.dbs {
		for n > 0 {
			h, ok := db.table.Overflow()
			if !ok {
				break
			}
			s.evictKey = append(s.evictKey[:0], db.Key(Handle(h))...)
			s.evictEntry(db, s.evictKey)
			n--
		}
	}
	s.publishMemory()
}

// cacheCandidate picks cache mode's next victim: the coldest entry of the
// next segment in turn (dashtable.Table.Coldest), rotating over the
// databases. The key is a copy in s.evictKey.
func (s *Shard) cacheCandidate() (*DB, []byte, bool) {
	for range s.dbs {
		db := s.dbs[s.evictNextDB%len(s.dbs)]
		s.evictNextDB++
		if db.table.Len() == 0 {
			continue
		}
		nseg := db.table.SegmentCount()
		for j := 0; j < nseg; j++ {
			seg := db.evictSeg % nseg
			db.evictSeg++
			if h, ok := db.table.Coldest(seg); ok {
				s.evictKey = append(s.evictKey[:0], db.Key(Handle(h))...)
				return db, s.evictKey, true
			}
		}
	}
	return nil, nil, false
}

// evictPoolSize is the number of best candidates kept between passes
// (Redis's EVPOOL_SIZE).
const evictPoolSize = 16

// poolEntry is one candidate: a copy of its key (the handle would go stale
// with the next write) and its score, higher = evict sooner.
type poolEntry struct {
	score uint64
	db    int
	key   []byte
}

// evictPool holds up to evictPoolSize candidates, by ascending score.
type evictPool struct {
	n       int
	entries [evictPoolSize]poolEntry
}

func (p *evictPool) insert(score uint64, db int, key []byte) {
	if p.n == evictPoolSize && score <= p.entries[0].score {
		return
	}
	// Position after every entry with a lower or equal score.
	i := 0
	for i < p.n && p.entries[i].score <= score {
		i++
	}
	if p.n < evictPoolSize {
		spare := p.entries[p.n].key
		copy(p.entries[i+1:p.n+1], p.entries[i:p.n])
		p.entries[i] = poolEntry{score: score, db: db, key: append(spare[:0], key...)}
		p.n++
		return
	}
	// Full: the worst (lowest) goes; its buffer is reused.
	i--
	spare := p.entries[0].key
	copy(p.entries[0:i], p.entries[1:i+1])
	p.entries[i] = poolEntry{score: score, db: db, key: append(spare[:0], key...)}
}

// popBest removes the best candidate into s.evictKey.
func (p *evictPool) popBest(dst []byte) (int, []byte) {
	p.n--
	e := &p.entries[p.n]
	return e.db, append(dst[:0], e.key...)
}

// evictionCandidate picks the next key to evict; the key is a copy in
// s.evictKey.
func (s *Shard) evictionCandidate(c *EvictConfig, now int64) (*DB, []byte, bool) {
	if c.CacheMode {
		return s.cacheCandidate()
	}
	if c.Policy == AllKeysRandom || c.Policy == VolatileRandom {
		for range s.dbs {
			db := s.dbs[s.evictNextDB%len(s.dbs)]
			s.evictNextDB++
			if h, ok := db.sample(c, s.rand()); ok {
				s.evictKey = append(s.evictKey[:0], db.Key(h)...)
				return db, s.evictKey, true
			}
		}
		return nil, nil, false
	}
	for tries := 0; tries < 4; tries++ {
		sampled := false
		for _, db := range s.dbs {
			if db.table.Len() == 0 || (c.volatile() && db.expires == 0) {
				continue
			}
			for i := 0; i < c.Samples; i++ {
				h, ok := db.sample(c, s.rand())
				if !ok {
					break
				}
				sampled = true
				s.evpool.insert(s.evictScore(c, h, now), db.index, db.Key(h))
			}
		}
		if !sampled && s.evpool.n == 0 {
			return nil, nil, false
		}
		for s.evpool.n > 0 {
			i, key := s.evpool.popBest(s.evictKey)
			s.evictKey = key
			db := s.dbs[i]
			if h, ok := db.find(key); ok && (!c.volatile() || db.ExpireAt(h) != 0) {
				return db, key, true
			}
		}
	}
	return nil, nil, false
}

// sample returns an entry drawn at random: any key, or for the volatile
// policies one with a TTL (a bounded walk from a random place).
func (db *DB) sample(c *EvictConfig, r uint64) (Handle, bool) {
	if !c.volatile() {
		return db.Random(r)
	}
	if db.expires == 0 {
		return 0, false
	}
	if 4*db.expires >= db.table.Len() {
		for i := 0; i < 8; i++ {
			if h, ok := db.Random(r + uint64(i)*0x9e3779b97f4a7c15); ok && db.ExpireAt(h) != 0 {
				return h, true
			}
		}
	}
	// Few keys have a TTL: walk buckets from where the last walk stopped.
	var found Handle
	ok := false
	for i := 0; i < 256 && !ok; i++ {
		db.evictCursor = db.table.Scan(db.evictCursor, func(h uint64) {
			if !ok && db.ExpireAt(Handle(h)) != 0 {
				found, ok = Handle(h), true
			}
		})
	}
	return found, ok
}

// evictScore rates entry h: the higher, the sooner it goes.
func (s *Shard) evictScore(c *EvictConfig, h Handle, now int64) uint64 {
	b := s.arena.Bytes(h)
	switch c.Policy {
	case AllKeysLFU, VolatileLFU:
		return 255 - uint64(lfuDecayed(c, b, now))
	case VolatileTTL:
		return math.MaxUint64 - uint64(entryExpire(b))
	default:
		idle := now/1000 - entryAccess(b)
		if idle < 0 {
			idle = 0
		}
		return uint64(idle)
	}
}

// rand returns the next number of the shard's xorshift generator.
func (s *Shard) rand() uint64 {
	x := s.rng
	if x == 0 {
		x = uint64(time.Now().UnixNano()) | 1
	}
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	s.rng = x
	return x
}

// lfuDecayed returns entry b's LFU counter less one for each lfu-decay-time
// minutes since its last access (Redis's LFUDecrAndReturn).
func lfuDecayed(c *EvictConfig, b []byte, now int64) byte {
	counter := b[offLFU]
	if c.DecayTime <= 0 {
		return counter
	}
	last := entryAccess(b) / 60
	elapsed := now/60000 - last
	if elapsed <= 0 {
		return counter
	}
	periods := elapsed / int64(c.DecayTime)
	if periods >= int64(counter) {
		return 0
	}
	return counter - byte(periods)
}

// lfuTouch records an access to entry b under an LFU policy: the counter
// decays for the time since the last access, then grows by one with
// probability 1/((counter-lfuInitVal)*lfu-log-factor+1) (Redis's
// LFULogIncr). The caller updates the access time after.
func (s *Shard) lfuTouch(c *EvictConfig, b []byte, now int64) {
	counter := lfuDecayed(c, b, now)
	if counter < 255 {
		base := float64(counter) - lfuInitVal
		if base < 0 {
			base = 0
		}
		p := 1 / (base*float64(c.LogFactor) + 1)
		if float64(s.rand()>>11)/(1<<53) < p {
			counter++
		}
	}
	b[offLFU] = counter
}

// FreqNow returns the LFU counter of h decayed to now (OBJECT FREQ).
func (db *DB) FreqNow(h Handle, now int64) byte {
	return lfuDecayed(db.sh.evictConfig(), db.sh.arena.Bytes(h), now)
}
