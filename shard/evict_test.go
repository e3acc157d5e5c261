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
	b[offAccess], b[offAccess+1] = byte(6000&0xff), byte(6000>>8)
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
