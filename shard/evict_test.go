package shard

import (
	"fmt"
	"testing"
)

func TestEvictPoolOrder(t *testing.T) {
	var p evictPool
	for i, s := range []uint64{5, 1, 9, 3, 7, 20, 0, 2, 8, 6, 4, 11, 12, 13, 14, 15, 16, 17, 18, 19} {
		p.insert(s, 0, []byte(fmt.Sprint("k", i)))
	}
	if p.n != evictPoolSize {
		t.Fatalf("pool holds %d", p.n)
	}
	for i := 1; i < p.n; i++ {
		if p.entries[i-1].score > p.entries[i].score {
			t.Fatalf("pool out of order at %d: %v", i, p.entries[:p.n])
		}
	}
	if p.entries[0].score != 4 || p.entries[p.n-1].score != 20 {
		t.Fatalf("pool keeps %d..%d, want the 16 best 4..20", p.entries[0].score, p.entries[p.n-1].score)
	}
	_, key := p.popBest(nil)
	if string(key) != "k5" {
		t.Fatalf("best = %q, want k5 (score 20)", key)
	}
}

func evictShard(t *testing.T, policy int) (*Shard, *DB) {
	t.Helper()
	s := New(0, 2)
	s.SetEvictConfig(&EvictConfig{Policy: policy, Samples: 5, Tenacity: 100, LogFactor: 10, DecayTime: 1})
	return s, s.DB(0)
}

func TestEvictVolatileTTL(t *testing.T) {
	s, db := evictShard(t, VolatileTTL)
	val := make([]byte, 1000)
	const now = 1_000_000_000
	for i := 0; i < 200; i++ {
		db.SetString([]byte(fmt.Sprint("keep", i)), val, 0, false, EncAuto, now)
		db.SetString([]byte(fmt.Sprint("vol", i)), val, now+int64(1000+i)*1000, false, EncAuto, now)
	}
	s.publishMemory()
	s.SetBudget(s.live() - 50_000)
	if !s.Evict(now) {
		t.Fatal("Evict found nothing to evict")
	}
	if s.OverBudget() {
		t.Fatal("still over budget")
	}
	n := s.Stats.EvictedKeys.Load()
	if n < 40 || n > 80 {
		t.Fatalf("evicted %d keys for 50 KB of 1 KB values", n)
	}
	for i := 0; i < 200; i++ {
		if _, ok := db.Peek([]byte(fmt.Sprint("keep", i))); !ok {
			t.Fatalf("keep%d (no TTL) evicted", i)
		}
	}
	// Mostly the nearest expiries went.
	near := 0
	for i := 0; i < 100; i++ {
		if _, ok := db.Peek([]byte(fmt.Sprint("vol", i))); !ok {
			near++
		}
	}
	if near < int(n)*3/4 {
		t.Fatalf("%d of %d evicted keys among the 100 nearest expiries", near, n)
	}
	// Nothing volatile left to evict: Evict fails.
	s.SetBudget(1)
	if s.Evict(now) {
		t.Fatal("Evict succeeded with only keys without TTL over budget")
	}
	if db.ExpiresCount() != 0 {
		t.Fatalf("%d keys with TTL left", db.ExpiresCount())
	}
}

func TestEvictAllKeys(t *testing.T) {
	for _, policy := range []int{AllKeysLRU, AllKeysLFU, AllKeysRandom} {
		s, db := evictShard(t, policy)
		val := make([]byte, 500)
		const now = 1_000_000_000
		for i := 0; i < 1000; i++ {
			db.SetString([]byte(fmt.Sprint("k", i)), val, 0, false, EncAuto, now)
			s.DB(1).SetString([]byte(fmt.Sprint("k", i)), val, 0, false, EncAuto, now)
		}
		s.publishMemory()
		s.SetBudget(s.live() / 2)
		if !s.Evict(now) || s.OverBudget() {
			t.Fatalf("policy %d: still over budget", policy)
		}
		if s.Stats.EvictedKeys.Load() == 0 || db.Len()+s.DB(1).Len() != 2000-int(s.Stats.EvictedKeys.Load()) {
			t.Fatalf("policy %d: evicted %d, %d+%d keys left", policy, s.Stats.EvictedKeys.Load(), db.Len(), s.DB(1).Len())
		}
		s.SetBudget(1)
		if s.Evict(now) || db.Len()+s.DB(1).Len() != 0 {
			t.Fatalf("policy %d: %d+%d keys left under a budget of 1 byte", policy, db.Len(), s.DB(1).Len())
		}
	}
}

func TestLFUDecay(t *testing.T) {
	c := &EvictConfig{Policy: AllKeysLFU, LogFactor: 10, DecayTime: 1}
	b := make([]byte, 32)
	b[offLFU] = 10
	// Last access at minute 100 (access time in seconds).
	setAccess(b, 6000)
	for _, tc := range []struct {
		nowMin int64
		want   byte
	}{{100, 10}, {103, 7}, {110, 0}, {200, 0}} {
		if got := lfuDecayed(c, b, tc.nowMin*60000); got != tc.want {
			t.Errorf("counter 10 after %d min = %d, want %d", tc.nowMin-100, got, tc.want)
		}
	}
	c.DecayTime = 0
	if got := lfuDecayed(c, b, 200*60000); got != 10 {
		t.Errorf("lfu-decay-time 0 decayed to %d", got)
	}
}

// TestEvictCacheMode runs cache mode over a stream of new keys while a few
// hot keys are read all along, evicting before each write as the server
// does: the shard stays within its budget, the table stops growing, inserts
// delete nothing themselves, and the hot keys stay.
func TestEvictCacheMode(t *testing.T) {
	s, db := evictShard(t, NoEviction) // cache mode replaces the policy
	s.SetEvictConfig(&EvictConfig{Policy: NoEviction, Samples: 5, Tenacity: 100, CacheMode: true})
	val := make([]byte, 200)
	const now = 1_000_000_000
	const hot = 50
	for i := 0; i < hot; i++ {
		db.SetString([]byte(fmt.Sprint("hot", i)), val, 0, false, EncAuto, now)
	}
	s.publishMemory()
	s.SetBudget(2 << 20)
	segs, parkedSeen := 0, false
	for i := 0; i < 60000; i++ {
		if s.OverBudget() && !s.Evict(now) {
			t.Fatalf("write %d: Evict failed in cache mode", i)
		}
		for j := 0; j < 3; j++ {
			key := []byte(fmt.Sprint("hot", (i*3+j)%hot))
			if _, ok := db.Lookup(key, now, 0); !ok && i > 1000 {
				t.Fatalf("write %d: hot key %s evicted", i, key)
			} else if !ok {
				db.SetString(key, val, 0, false, EncAuto, now)
			}
		}
		n := db.Len()
		db.SetString([]byte(fmt.Sprint("cold", i)), val, 0, false, EncAuto, now)
		if db.Len() != n+1 {
			t.Fatalf("write %d: an insert deleted a key itself", i)
		}
		if s.parked > 0 {
			parkedSeen = true
		}
		if i%256 == 0 {
			s.publishMemory()
		}
		if i == 30000 {
			segs = db.table.SegmentCount()
		}
	}
	t.Logf("parked entries seen: %v; %d segments, %d keys", parkedSeen, segs, db.Len())
	if db.table.SegmentCount() != segs {
		t.Fatalf("the table grew from %d to %d segments at its budget", segs, db.table.SegmentCount())
	}
	s.publishMemory()
	if !s.Evict(now) || s.OverBudget() {
		t.Fatal("still over budget")
	}
	if _, ok := db.table.Overflow(); ok {
		t.Fatal("parked entries left after an eviction pass")
	}
	if got := s.Stats.EvictedKeys.Load(); got+int64(db.Len()) != 60000+hot {
		t.Fatalf("evicted %d and %d left of %d keys", got, db.Len(), 60000+hot)
	}
	// A budget of one byte empties the shard (and Evict then fails: the
	// tables alone are over it).
	s.SetBudget(1)
	if s.Evict(now) || db.Len() != 0 {
		t.Fatalf("%d keys left under a budget of 1 byte", db.Len())
	}
}

// TestCacheModeFullSegment: near its budget a cache-mode shard does not
// split a full segment; the insert parks the segment's oldest stash entry
// and the next eviction pass deletes it.
func TestCacheModeFullSegment(t *testing.T) {
	s, db := evictShard(t, AllKeysLRU)
	s.SetEvictConfig(&EvictConfig{Policy: AllKeysLRU, Samples: 5, Tenacity: 100, CacheMode: true})
	val := make([]byte, 100)
	const now = 1_000_000_000
	i := 0
	for ; i < 700; i++ {
		db.SetString([]byte(fmt.Sprint("k", i)), val, 0, false, EncAuto, now)
	}
	if db.table.SegmentCount() != 1 {
		t.Fatalf("%d segments before the budget", db.table.SegmentCount())
	}
	s.publishMemory()
	s.SetBudget(s.live() + 4000) // too little for another segment
	for ; s.parked == 0; i++ {
		if i == 2000 {
			t.Fatal("no insert parked an entry")
		}
		db.SetString([]byte(fmt.Sprint("k", i)), val, 0, false, EncAuto, now)
	}
	if db.table.SegmentCount() != 1 {
		t.Fatalf("the segment split: %d segments", db.table.SegmentCount())
	}
	h, ok := db.table.Overflow()
	if !ok {
		t.Fatal("nothing in the overflow list")
	}
	victim := string(db.Key(Handle(h)))
	if _, ok := db.Peek([]byte(victim)); !ok {
		t.Fatalf("parked %s not found before the eviction pass", victim)
	}
	if n := db.Len(); n != i {
		t.Fatalf("%d keys after %d inserts", n, i)
	}
	if !s.OverBudget() {
		t.Fatal("parked entries do not call for an eviction pass")
	}
	s.Evict(now)
	if _, ok := db.Peek([]byte(victim)); ok {
		t.Fatalf("parked %s survived the eviction pass", victim)
	}
	if s.parked != 0 || s.OverBudget() {
		t.Fatal("still over budget or holding parked entries")
	}
}

// TestCacheModeDoesNotAllocate: in cache mode at the budget, reads (which
// bump), overwrites and inserts that evict allocate nothing.
func TestCacheModeDoesNotAllocate(t *testing.T) {
	s, db := evictShard(t, AllKeysLRU)
	s.SetEvictConfig(&EvictConfig{Policy: AllKeysLRU, Samples: 5, Tenacity: 100, CacheMode: true})
	val := make([]byte, 100)
	keys := make([][]byte, 20000)
	for i := range keys {
		keys[i] = []byte(fmt.Sprint("key:", i))
	}
	for i := 0; i < 700; i++ {
		db.SetString(keys[i], val, 0, false, EncAuto, 1)
	}
	s.publishMemory()
	s.SetBudget(s.live() + 4000)
	next := 700
	allocs := testing.AllocsPerRun(5000, func() {
		if s.OverBudget() {
			s.Evict(2)
		}
		db.SetString(keys[next], val, 0, false, EncAuto, 2)
		h, _ := db.Lookup(keys[next], 2, 0)
		_ = db.Value(h)
		db.SetString(keys[next], val, 0, false, EncAuto, 2)
		next++
	})
	if allocs != 0 {
		t.Fatalf("allocs = %v", allocs)
	}
	if s.Stats.EvictedKeys.Load() == 0 {
		t.Fatal("nothing evicted")
	}
}

// TestCacheModeParkedBound: one command's inserts park at most maxParked
// entries; past that the table grows, so lookups never scan a long
// overflow list.
func TestCacheModeParkedBound(t *testing.T) {
	s, db := evictShard(t, AllKeysLRU)
	s.SetEvictConfig(&EvictConfig{Policy: AllKeysLRU, Samples: 5, Tenacity: 100, CacheMode: true})
	val := make([]byte, 100)
	for i := 0; i < 700; i++ {
		db.SetString([]byte(fmt.Sprint("k", i)), val, 0, false, EncAuto, 1)
	}
	s.publishMemory()
	s.SetBudget(s.live() + 4000)
	for i := 700; i < 20000; i++ { // no eviction pass in between: one big command
		db.SetString([]byte(fmt.Sprint("k", i)), val, 0, false, EncAuto, 1)
	}
	if s.parked != maxParked || db.Len() != 20000 {
		t.Fatalf("%d parked, %d keys", s.parked, db.Len())
	}
	s.Evict(1)
	if _, ok := db.table.Overflow(); ok || s.parked != 0 || db.Len() > 20000-maxParked {
		t.Fatalf("after the pass: %d parked, %d keys", s.parked, db.Len())
	}
}
