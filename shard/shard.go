package shard

import (
	"sync"
	"sync/atomic"

	"github.com/anaxdb/anax/dashtable"
	"github.com/anaxdb/anax/shard/arena"
)

// Waker arranges for run to be called on the shard's owner goroutine. It is
// implemented by the event-loop layer (gnet's EventLoop.Execute) and must be
// safe to call from any goroutine.
type Waker interface {
	Wake(run func())
}

// PreparedWaker is a Waker that can bind run once and return what wakes
// it: a Post then allocates only what the executor's own queue needs
// (Wake takes a new closure per call).
type PreparedWaker interface {
	Waker
	Prepare(run func()) (wake func())
}

// Stats are the shard's counters; written by the owner, read by anyone.
type Stats struct {
	Hits         atomic.Int64
	Misses       atomic.Int64
	ExpiredKeys  atomic.Int64
	ExpiredStale atomic.Int64
	Commands     atomic.Int64
	// LazyPending counts the deleted big values still being freed in
	// bounded steps, LazyFreed those freed that way (value.go).
	LazyPending atomic.Int64
	LazyFreed   atomic.Int64
	// ExpiredFields counts hash fields, set members and sorted-set members
	// deleted because their expiry passed (Redis 7.4's expired_subkeys).
	ExpiredFields atomic.Int64
	// EvictedKeys counts keys deleted to stay within maxmemory (evict.go).
	EvictedKeys atomic.Int64
}

// Shard is one slice of the keyspace; see the package comment for the
// ownership rules.
type Shard struct {
	ID    int
	Stats Stats

	arena *arena.Arena
	dbs   []*DB
	// Scratch is a buffer the owner may use for temporary values between
	// two calls into the shard; its content is never kept.
	Scratch []byte
	// ztext is where sorted sets (zset.go) write an integer member's text
	// for a reader's callback ([0]) and a score's text for a listpack edit
	// ([1]): stack buffers would escape to the heap through either.
	ztext [2][32]byte

	inbox struct {
		mu        sync.Mutex
		tasks     []func()
		scheduled bool
	}
	spare     []func() // owner only: the drained batch, reused
	wakeDrain func()   // makes drain run on the owner goroutine (SetWaker)

	// watched[db][key] lists the WATCH sessions on key (see watch.go);
	// watching counts them all, so that writes check one integer.
	watched  []map[string][]*watchEntry
	watching int
	// watchedKeys counts the keys in watched, published for INFO.
	watchedKeys atomic.Int64

	// Client tracking (tracking.go): trackListen counts the tracked keys;
	// bcast, shared by every shard, is set while broadcast tracking is on.
	track       trackTable
	trackListen int
	bcast       *atomic.Bool
	tracker     Tracker
	trackWriter int64

	// blocked[db][key] lists the clients waiting on key (block.go);
	// blockedKeys counts the keys, and ready[readyHead:] are the keys
	// written since their waiters were last served.
	blocked        []map[string]*waitList
	blockedKeys    int
	blockedKeysPub atomic.Int64
	ready          []readyKey
	readyHead      int
	onReady        func()

	// objs holds the big values (value.go).
	objs objects
	// fieldCells is the field-expiry sweep's buffer of dead cells.
	fieldCells []uint64

	// Published sizes, for INFO and metrics without a hop.
	tablesMemory atomic.Int64 // also the eviction's view of the tables (live)
	// tables are the databases' key tables, fixed from New on (SwapDB
	// swaps databases, not tables), so that UsedMemory can read their
	// sizes from any goroutine.
	tables []*dashtable.Table

	snap *snapState // the running snapshot (snapshot.go), nil if none
	// Eviction (evict.go): the settings and budget the server sets, the
	// live bytes published, the candidate pool and its key scratch, the random policies' next
	// database and the shard's random state.
	evcfg       atomic.Pointer[EvictConfig]
	budget      atomic.Int64
	liveMemory  atomic.Int64
	evpool      evictPool
	evictKey    []byte
	evictNextDB int
	rng         uint64
	// parked counts the entries cache-mode inserts moved out of full
	// segments since the last eviction pass, which deletes them.
	parked int

	// events is the key events' callback (events.go).
	events keyEvents

	// frozen is set while clients are paused (CLIENT PAUSE): the dataset
	// stays as it is, so expired keys read as missing but are not deleted,
	// and neither the expiry sweeps nor eviction run. Set by the server
	// from any goroutine; read on the rare paths that would delete.
	frozen atomic.Bool
}

// Freeze stops (true) or resumes (false) every deletion the shard makes on
// its own: lazy and active expiry and eviction (CLIENT PAUSE). Any
// goroutine.
func (s *Shard) Freeze(on bool) { s.frozen.Store(on) }

// New makes a shard with dbnum databases. The waker may be set later with
// SetWaker, before the first Post.
func New(id, dbnum int) *Shard {
	s := &Shard{ID: id, arena: arena.New(), bcast: new(atomic.Bool)}
	s.dbs = make([]*DB, dbnum)
	for i := range s.dbs {
		s.dbs[i] = newDB(s, i)
		s.tables = append(s.tables, s.dbs[i].table)
	}
	return s
}

// OnReady sets what runs on the owner goroutine after a task that made
// keys with blocked clients ready (the server serves them). Set before the
// first Post.
func (s *Shard) OnReady(fn func()) { s.onReady = fn }

// SetWaker binds the shard to its owner goroutine's executor.
func (s *Shard) SetWaker(w Waker) {
	if p, ok := w.(PreparedWaker); ok {
		s.wakeDrain = p.Prepare(s.drain)
		return
	}
	drain := s.drain
	s.wakeDrain = func() { w.Wake(drain) }
}

// DB returns database i. Owner only.
func (s *Shard) DB(i int) *DB { return s.dbs[i] }

// NumDB returns the number of databases.
func (s *Shard) NumDB() int { return len(s.dbs) }

// Post queues task to run on the owner goroutine. Tasks run in the order
// they were posted. Safe from any goroutine.
func (s *Shard) Post(task func()) {
	in := &s.inbox
	in.mu.Lock()
	in.tasks = append(in.tasks, task)
	wake := !in.scheduled
	in.scheduled = true
	in.mu.Unlock()
	if wake {
		s.wakeDrain()
	}
}

// drain runs every queued task; it runs on the owner goroutine.
func (s *Shard) drain() {
	for {
		in := &s.inbox
		in.mu.Lock()
		batch := in.tasks
		if len(batch) == 0 {
			in.scheduled = false
			in.mu.Unlock()
			return
		}
		in.tasks = s.spare[:0]
		in.mu.Unlock()
		for i, t := range batch {
			t()
			batch[i] = nil
			if s.readyHead < len(s.ready) && s.onReady != nil {
				s.onReady()
			}
		}
		s.spare = batch
	}
}

// InboxLen returns the number of queued tasks (a gauge for INFO).
func (s *Shard) InboxLen() int {
	s.inbox.mu.Lock()
	n := len(s.inbox.tasks)
	s.inbox.mu.Unlock()
	return n
}

// Keys returns the number of keys in database db (published value).
func (s *Shard) Keys(db int) int64 { return s.dbs[db].keysPub.Load() }

// Expires returns the number of keys with a TTL in database db.
func (s *Shard) Expires(db int) int64 { return s.dbs[db].expiresPub.Load() }

// AvgTTL returns database db's average TTL in milliseconds as the expiry
// sweep last estimated it (INFO keyspace's avg_ttl).
func (s *Shard) AvgTTL(db int) int64 { return s.dbs[db].avgTTLPub.Load() }

// TablesMemory returns the bytes held by the shard's key tables (the
// dashtables' directories and segments), as last published by the owner.
func (s *Shard) TablesMemory() int64 { return s.tablesMemory.Load() }

// UsedMemory returns the bytes held by the shard's arena and tables as of
// their last growth or release, not of the last tick: the server subtracts
// it from the Go heap's size, which counts a chunk as soon as it is made,
// to learn the rest of the process's memory (checkMemory), and a figure a
// tick old made a fast writer's last 100 ms look like overhead (pipelined
// 4 KB SETs: 29 MB of a 32 MB maxmemory, and most keys evicted). Any
// goroutine.
func (s *Shard) UsedMemory() int64 {
	used := s.arena.SharedReserved()
	for _, t := range s.tables {
		used += int64(t.SharedMemoryUsage())
	}
	return used
}

// publishMemory refreshes TablesMemory and LiveMemory. Owner only.
func (s *Shard) publishMemory() {
	var tables int64
	for _, db := range s.dbs {
		tables += int64(db.table.MemoryUsage())
	}
	s.tablesMemory.Store(tables)
	s.liveMemory.Store(s.arena.Used() + tables)
}

// ArenaUsed returns bytes in live entries. Owner only.
func (s *Shard) ArenaUsed() int64 { return s.arena.Used() }

// FlushAll empties every database. Owner only. now (Unix ms) decides
// which watched keys were already stale.
func (s *Shard) FlushAll(now int64) {
	if s.snap != nil {
		s.snapshotFinishAll()
	}
	for i, db := range s.dbs {
		s.touchEmptied(i, db, nil, now)
	}
	s.forgetTracked()
	for _, db := range s.dbs {
		db.table.Clear()
		db.setCounts(0, 0)
		db.fieldTTLs, db.fieldTTLsSeen, db.fcursor = false, false, 0
	}
	s.arena.Reset()
	s.objs.reset()
	s.Stats.LazyPending.Store(0)
	for i := range s.dbs {
		s.signalFlushed(i)
	}
	s.publishMemory()
}

// SwapDB exchanges databases a and b. Owner only.
func (s *Shard) SwapDB(a, b int, now int64) {
	if a == b {
		return
	}
	if s.snap != nil {
		s.snapshotFinish(s.dbs[a])
		s.snapshotFinish(s.dbs[b])
	}
	s.touchEmptied(a, s.dbs[a], s.dbs[b], now)
	s.touchEmptied(b, s.dbs[b], s.dbs[a], now)
	s.dbs[a], s.dbs[b] = s.dbs[b], s.dbs[a]
	s.dbs[a].index, s.dbs[b].index = a, b
	s.signalSwapped(a)
	s.signalSwapped(b)
}

// listening reports whether writes must call the write hook (DB.touch):
// some key is watched, has blocked clients or is tracked (tracking.go).
func (s *Shard) listening() bool {
	return s.watching+s.blockedKeys+s.trackListen != 0 || s.snap != nil || s.bcast.Load()
}

// Tick runs periodic work: the active expiry sweeps of keys and of hash
// fields (hash_ttl.go), eviction down to the memory budget (evict.go,
// skipped with effort 0, while a transaction holds locks) and memory
// publishing. now is in Unix milliseconds;
// effort scales the sweeps (1..10; 0 skips them and eviction); expire false
// skips the expiry sweeps alone (DEBUG SET-ACTIVE-EXPIRE 0).
func (s *Shard) Tick(now int64, effort int, expire bool) {
	expire = expire && !s.frozen.Load()
	for _, db := range s.dbs {
		if !expire {
			break
		}
		if db.expires > 0 && effort > 0 {
			db.activeExpire(now, effort)
		} else if db.expires == 0 && db.avgTTL != 0 {
			db.avgTTL = 0
			db.avgTTLPub.Store(0)
		}
		if db.fieldTTLs && effort > 0 {
			db.sweepFields(now, effort)
		}
	}
	s.reclaimLazy()
	s.publishMemory()
	if effort > 0 && !s.frozen.Load() && s.OverBudget() {
		s.Evict(now)
	}
}
