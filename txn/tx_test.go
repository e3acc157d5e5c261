package txn

import (
	"fmt"
	"math/rand"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// account i lives on shard i; balance[i] may be touched only on shard i's
// owner goroutine.
func accountFP(i int) uint64 { return Fingerprint([]byte(fmt.Sprintf("acct:%d", i))) }

// TestTransfersAreAtomic moves units between accounts on different shards
// in two-hop transactions (read both, then write both) while other
// transactions read every account: no reader may see a move half done and
// no writer may lose an update.
func TestTransfersAreAtomic(t *testing.T) {
	const n = 4
	r := New(newLoops(n))
	balance := make([]int, n)
	ops := make([]int, n) // writes applied to each account
	const workers, rounds = 8, 300
	for i := range balance {
		balance[i] = 100
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(w)))
			for i := 0; i < rounds; i++ {
				from := rng.Intn(n)
				to := (from + 1 + rng.Intn(n-1)) % n
				tx := r.NewTx()
				tx.Lock(from, accountFP(from), Exclusive)
				tx.Lock(to, accountFP(to), Exclusive)
				tx.Schedule()
				var got, gotOps [n]int
				tx.Hop([]int{from, to}, func(sh int) { got[sh], gotOps[sh] = balance[sh], ops[sh] }, false)
				// Two separate write hops leave a visible intermediate
				// state, should anything run between them.
				tx.Hop([]int{from}, func(sh int) { balance[sh], ops[sh] = got[sh]-1, gotOps[sh]+1 }, false)
				tx.Hop([]int{to}, func(sh int) { balance[sh], ops[sh] = got[sh]+1, gotOps[sh]+1 }, true)
				tx.Release() // reused by a later NewTx once its last conclusion ran

				rd := r.NewTx()
				for s := 0; s < n; s++ {
					rd.Lock(s, accountFP(s), Shared)
				}
				rd.Schedule()
				var seen [n]int
				rd.Hop(rd.Shards(), func(sh int) { seen[sh] = balance[sh] }, true)
				rd.Release()
				sum := 0
				for _, v := range seen {
					sum += v
				}
				if sum != 100*n {
					t.Errorf("reader saw total %d, want %d", sum, 100*n)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	final := make(chan [2]int, n)
	for s := 0; s < n; s++ {
		s := s
		r.Shard(s).Post(func() { final <- [2]int{balance[s], ops[s]} })
	}
	sum, writes := 0, 0
	for s := 0; s < n; s++ {
		v := <-final
		sum += v[0]
		writes += v[1]
	}
	if sum != 100*n || writes != 2*workers*rounds {
		t.Fatalf("final total %d after %d writes, want %d after %d (lost updates)", sum, writes, 100*n, 2*workers*rounds)
	}
}

// TestQueuedCommandWaitsForLockHolder: a single-shard command that finds
// its key locked by a transaction between hops runs only after the
// transaction concludes, and one on another key runs at once.
func TestQueuedCommandWaitsForLockHolder(t *testing.T) {
	r := New(newLoops(2))
	fp := Fingerprint([]byte("k"))
	tx := r.NewTx()
	tx.Lock(0, fp, Exclusive)
	tx.Lock(1, Fingerprint([]byte("other")), Exclusive)
	tx.Schedule()
	var order []string
	var mu sync.Mutex
	note := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
	tx.Hop([]int{0, 1}, func(sh int) {
		if sh == 0 {
			note("tx hop 1")
		}
	}, false)

	ran := make(chan struct{}, 2)
	r.Shard(0).Post(func() {
		if r.Free(0, []Lock{{FP: fp, Mode: Shared}}) {
			t.Error("key locked by a transaction reported free")
		}
		r.RunQueued(0, []Lock{{FP: fp, Mode: Shared}}, func() { note("queued read"); ran <- struct{}{} })
		if !r.Free(0, []Lock{{FP: Fingerprint([]byte("unrelated")), Mode: Exclusive}}) {
			t.Error("unlocked key reported busy")
		}
	})
	select {
	case <-ran:
		t.Fatal("queued command ran while the transaction held its key")
	case <-time.After(50 * time.Millisecond):
	}
	tx.Hop([]int{0, 1}, func(sh int) {
		if sh == 0 {
			note("tx hop 2")
		}
	}, true)
	<-ran
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(order) != "[tx hop 1 tx hop 2 queued read]" {
		t.Fatalf("order %v", order)
	}
}

// TestNoDeadlockOrStarvation: many coordinators lock random overlapping
// key sets on random shards, in random order, with several hops each, and
// every one of them finishes.
func TestNoDeadlockOrStarvation(t *testing.T) {
	const n, keys, workers, rounds = 4, 12, 16, 150
	r := New(newLoops(n))
	var done atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(w) * 7))
			for i := 0; i < rounds; i++ {
				tx := r.NewTx()
				if rng.Intn(50) == 0 {
					tx.LockAll(Mode(rng.Intn(2)))
				} else {
					for k := 0; k < 1+rng.Intn(5); k++ {
						key := rng.Intn(keys)
						tx.Lock(key%n, Fingerprint([]byte{byte(key)}), Mode(rng.Intn(2)))
					}
				}
				tx.Schedule()
				hops := 1 + rng.Intn(3)
				for h := 0; h < hops; h++ {
					tx.Hop(tx.Shards(), func(int) {}, h == hops-1)
				}
				if rng.Intn(4) > 0 { // most go back to the pool, some to the collector
					tx.Release()
				}
				done.Add(1)
			}
		}(w)
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(60 * time.Second):
		t.Fatalf("stuck: %d of %d transactions finished", done.Load(), workers*rounds)
	}
	t.Logf("%d transactions, %d schedule retries", r.Stats.Transactions.Load(), r.Stats.Retries.Load())
}
