package server_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/anaxdb/anax/internal/servertest"
)

// Concurrency tests of transactions (multi.go, txexec.go and the txn
// scheduler), over TCP with go-redis against a real Anax with four shards.
// Each races writers against readers whose every reply must show an
// invariant that only an atomic, isolated implementation keeps: a constant
// total, keys that change together, a key that is always in exactly one
// place. A non-atomic implementation fails them by a wrong reply, never by
// a hang: every command has a deadline (raceClient) and so has every race
// (raceGroup), so a stuck server is reported as an error.
//
// Each test was also run against redis-server 7 (with startRaceServer
// returning servertest.StartRedis), which checks the invariants themselves.

// raceBudget is how long writers and readers run in each race.
const raceBudget = 1500 * time.Millisecond

// raceLimit is the hard deadline of one race: past it every command fails.
const raceLimit = 10 * time.Second

// startRaceServer starts the server under test: Anax with four shards, so
// that the keys below spread over shards and transactions cross them.
func startRaceServer(t *testing.T) string {
	t.Helper()
	return servertest.Start(t, "--threads", "4")
}

// raceClient returns a client with a pool of its own that never retries (a
// retried EXEC could apply a transfer twice) and gives up on any reply
// after 5 s, or sooner if the context's deadline is nearer.
func raceClient(t testing.TB, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{
		Addr:                  addr,
		PoolSize:              2,
		MaxRetries:            -1,
		DialTimeout:           5 * time.Second,
		ReadTimeout:           5 * time.Second,
		WriteTimeout:          5 * time.Second,
		ContextTimeoutEnabled: true,
		DisableIdentity:       true,
	})
	t.Cleanup(func() { c.Close() })
	return c
}

// raceClients returns n raceClients, made before any goroutine starts.
func raceClients(t testing.TB, addr string, n int) []*redis.Client {
	cs := make([]*redis.Client, n)
	for i := range cs {
		cs[i] = raceClient(t, addr)
	}
	return cs
}

// raceGroup runs workers until a time budget is spent, and stops them all
// at the first failure.
type raceGroup struct {
	ctx    context.Context // for commands: cancelled at the first failure or at the hard limit
	cancel context.CancelFunc
	until  time.Time // workers loop while running() holds
	limit  time.Duration
	wg     sync.WaitGroup
	once   sync.Once
	err    error // the first failure; read after wg.Wait
}

// newRaceGroup returns a group whose workers run for budget and whose
// commands fail after limit.
func newRaceGroup(budget, limit time.Duration) *raceGroup {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	return &raceGroup{ctx: ctx, cancel: cancel, until: time.Now().Add(budget), limit: limit}
}

// running reports whether workers should go on: the budget is not spent
// and nothing failed.
func (g *raceGroup) running() bool {
	return g.ctx.Err() == nil && time.Now().Before(g.until)
}

// fail records err if it is the first failure and stops the other workers.
func (g *raceGroup) fail(err error) {
	g.once.Do(func() {
		g.err = err
		g.cancel()
	})
}

// spawn starts a worker; an error it returns fails the group.
func (g *raceGroup) spawn(name string, fn func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := fn(); err != nil {
			g.fail(fmt.Errorf("%s: %w", name, err))
		}
	}()
}

// wait waits for every worker, at most the hard limit and a grace period
// (commands time out by then, so a worker still running is a bug in the
// test), and returns the first failure.
func (g *raceGroup) wait(t testing.TB) error {
	t.Helper()
	done := make(chan struct{})
	go func() {
		g.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(g.limit + 10*time.Second):
		g.cancel()
		t.Fatalf("workers still running %v after their deadline", 10*time.Second)
	}
	g.cancel()
	return g.err
}

// intValues parses an MGET reply of n integers.
func intValues(vals []any, n int) ([]int64, error) {
	if len(vals) != n {
		return nil, fmt.Errorf("MGET returned %d values, want %d: %v", len(vals), n, vals)
	}
	out := make([]int64, n)
	for i, v := range vals {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("MGET value %d is %T(%v), want an integer: %v", i, v, v, vals)
		}
		x, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("MGET value %d is %q, want an integer: %v", i, s, vals)
		}
		out[i] = x
	}
	return out, nil
}

func sum(xs []int64) int64 {
	var s int64
	for _, x := range xs {
		s += x
	}
	return s
}

// Accounts of the bank tests: distinct keys, so they spread over shards.
const (
	bankAccounts = 10
	bankOpening  = 1000
	bankTotal    = bankAccounts * bankOpening
)

func bankKeys() []string {
	keys := make([]string, bankAccounts)
	for i := range keys {
		keys[i] = fmt.Sprintf("acct:%d", i)
	}
	return keys
}

// openBank sets every account to its opening balance.
func openBank(t *testing.T, c *redis.Client, keys []string) {
	t.Helper()
	var kv []any
	for _, k := range keys {
		kv = append(kv, k, bankOpening)
	}
	if err := c.MSet(context.Background(), kv...).Err(); err != nil {
		t.Fatalf("MSET opening balances: %v", err)
	}
}

// auditBank starts readers that MGET every account and fail when one reply
// does not add up to bankTotal (or, with solvent set, holds a negative
// balance); audits counts their replies.
func auditBank(g *raceGroup, cs []*redis.Client, keys []string, solvent bool, audits *atomic.Int64) {
	for i, c := range cs {
		g.spawn(fmt.Sprintf("auditor %d", i), func() error {
			for g.running() {
				vals, err := c.MGet(g.ctx, keys...).Result()
				if err != nil {
					return fmt.Errorf("MGET: %w", err)
				}
				bal, err := intValues(vals, len(keys))
				if err != nil {
					return err
				}
				if s := sum(bal); s != bankTotal {
					return fmt.Errorf("MGET saw a total of %d, want %d: %v", s, bankTotal, bal)
				}
				if solvent {
					for j, b := range bal {
						if b < 0 {
							return fmt.Errorf("MGET saw %s = %d < 0: %v", keys[j], b, bal)
						}
					}
				}
				audits.Add(1)
			}
			return nil
		})
	}
}

// closeBank checks the final balances: they add up to bankTotal, and equal
// want where want is not nil.
func closeBank(t *testing.T, c *redis.Client, keys []string, want []int64) []int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	vals, err := c.MGet(ctx, keys...).Result()
	if err != nil {
		t.Fatalf("final MGET: %v", err)
	}
	bal, err := intValues(vals, len(keys))
	if err != nil {
		t.Fatalf("final MGET: %v", err)
	}
	if s := sum(bal); s != bankTotal {
		t.Fatalf("final total %d, want %d: %v", s, bankTotal, bal)
	}
	if want != nil {
		for i := range keys {
			if bal[i] != want[i] {
				t.Fatalf("final %s = %d, want %d (every committed transfer counted): got %v, want %v",
					keys[i], bal[i], want[i], bal, want)
			}
		}
	}
	return bal
}

// pickTwo returns two different account indexes.
func pickTwo() (int, int) {
	a := rand.IntN(bankAccounts)
	b := rand.IntN(bankAccounts - 1)
	if b >= a {
		b++
	}
	return a, b
}

// TestTxBankTransfers moves money between accounts on different shards with
// MULTI DECRBY INCRBY EXEC while auditors MGET every account: no MGET may
// see a transfer half done, and at the end every committed transfer has
// been applied exactly once.
func TestTxBankTransfers(t *testing.T) {
	addr := startRaceServer(t)
	keys := bankKeys()
	openBank(t, raceClient(t, addr), keys)

	const writers, auditors = 8, 4
	wcs := raceClients(t, addr, writers)
	deltas := make([][bankAccounts]int64, writers) // each writer's committed changes
	var transfers, audits atomic.Int64
	g := newRaceGroup(raceBudget, raceLimit)
	for w, c := range wcs {
		g.spawn(fmt.Sprintf("writer %d", w), func() error {
			for g.running() {
				a, b := pickTwo()
				amt := int64(1 + rand.IntN(100))
				var dec, inc *redis.IntCmd
				_, err := c.TxPipelined(g.ctx, func(p redis.Pipeliner) error {
					dec = p.DecrBy(g.ctx, keys[a], amt)
					inc = p.IncrBy(g.ctx, keys[b], amt)
					return nil
				})
				if err != nil {
					return fmt.Errorf("MULTI DECRBY %s INCRBY %s EXEC: %w", keys[a], keys[b], err)
				}
				if dec.Err() != nil || inc.Err() != nil {
					return fmt.Errorf("EXEC replies: %v, %v", dec.Err(), inc.Err())
				}
				deltas[w][a] -= amt
				deltas[w][b] += amt
				transfers.Add(1)
			}
			return nil
		})
	}
	auditBank(g, raceClients(t, addr, auditors), keys, false, &audits)
	if err := g.wait(t); err != nil {
		t.Fatal(err)
	}

	want := make([]int64, bankAccounts)
	for i := range want {
		want[i] = bankOpening
		for w := range deltas {
			want[i] += deltas[w][i]
		}
	}
	closeBank(t, raceClient(t, addr), keys, want)
	if transfers.Load() == 0 || audits.Load() == 0 {
		t.Fatalf("nothing raced: %d transfers, %d audits", transfers.Load(), audits.Load())
	}
	t.Logf("%d transfers, %d audits", transfers.Load(), audits.Load())
}

// TestTxBankWatch moves money with optimistic transactions: WATCH both
// accounts, GET both, and MULTI SET SET EXEC only when the payer can pay,
// retrying when EXEC fails because another client wrote a watched account.
// Were WATCH not invalidated by other clients' writes, two transfers that
// read the same balance would both commit and the total would drift; were
// EXEC not isolated, an auditor would see it half done.
func TestTxBankWatch(t *testing.T) {
	addr := startRaceServer(t)
	keys := bankKeys()
	openBank(t, raceClient(t, addr), keys)

	const writers, auditors = 8, 4
	wcs := raceClients(t, addr, writers)
	var commits, retries, declined, audits atomic.Int64
	g := newRaceGroup(raceBudget, raceLimit)
	for w, c := range wcs {
		g.spawn(fmt.Sprintf("writer %d", w), func() error {
			for g.running() {
				a, b := pickTwo()
				amt := int64(1 + rand.IntN(200))
				transfer := func(tx *redis.Tx) error {
					va, err := tx.Get(g.ctx, keys[a]).Int64()
					if err != nil {
						return fmt.Errorf("GET %s: %w", keys[a], err)
					}
					vb, err := tx.Get(g.ctx, keys[b]).Int64()
					if err != nil {
						return fmt.Errorf("GET %s: %w", keys[b], err)
					}
					if va < amt {
						declined.Add(1)
						return nil
					}
					_, err = tx.TxPipelined(g.ctx, func(p redis.Pipeliner) error {
						p.Set(g.ctx, keys[a], va-amt, 0)
						p.Set(g.ctx, keys[b], vb+amt, 0)
						return nil
					})
					if err == nil {
						commits.Add(1)
					}
					return err
				}
				for g.running() {
					err := c.Watch(g.ctx, transfer, keys[a], keys[b])
					if err == nil {
						break
					}
					if !errors.Is(err, redis.TxFailedErr) {
						return fmt.Errorf("WATCH %s %s transfer: %w", keys[a], keys[b], err)
					}
					retries.Add(1)
				}
			}
			return nil
		})
	}
	auditBank(g, raceClients(t, addr, auditors), keys, true, &audits)
	if err := g.wait(t); err != nil {
		t.Fatal(err)
	}

	bal := closeBank(t, raceClient(t, addr), keys, nil)
	for i, b := range bal {
		if b < 0 {
			t.Fatalf("final %s = %d < 0: %v", keys[i], b, bal)
		}
	}
	if commits.Load() == 0 || audits.Load() == 0 {
		t.Fatalf("nothing raced: %d commits, %d audits", commits.Load(), audits.Load())
	}
	t.Logf("%d transfers committed, %d EXECs failed on a watched key and were retried, %d declined for want of funds, %d audits",
		commits.Load(), retries.Load(), declined.Load(), audits.Load())
}

// TestTxMSetMGet races MSETs that give ten keys one value (unique to the
// writer and the write) against MGETs of the ten keys: every reply must
// hold a single value, and a reader never sees a writer's older value after
// a newer one.
func TestTxMSetMGet(t *testing.T) {
	addr := startRaceServer(t)
	keys := make([]string, 10)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%d", i)
	}
	mset := func(ctx context.Context, c *redis.Client, v string) error {
		kv := make([]any, 0, 2*len(keys))
		for _, k := range keys {
			kv = append(kv, k, v)
		}
		return c.MSet(ctx, kv...).Err()
	}
	if err := mset(context.Background(), raceClient(t, addr), "w0:0"); err != nil {
		t.Fatal(err)
	}

	const writers, readers = 4, 4
	var writes, reads atomic.Int64
	g := newRaceGroup(raceBudget, raceLimit)
	for w, c := range raceClients(t, addr, writers) {
		g.spawn(fmt.Sprintf("writer %d", w), func() error {
			for i := 1; g.running(); i++ {
				if err := mset(g.ctx, c, fmt.Sprintf("w%d:%d", w, i)); err != nil {
					return fmt.Errorf("MSET: %w", err)
				}
				writes.Add(1)
			}
			return nil
		})
	}
	for r, c := range raceClients(t, addr, readers) {
		g.spawn(fmt.Sprintf("reader %d", r), func() error {
			latest := make([]int, writers) // the newest write seen from each writer
			for g.running() {
				vals, err := c.MGet(g.ctx, keys...).Result()
				if err != nil {
					return fmt.Errorf("MGET: %w", err)
				}
				if len(vals) != len(keys) {
					return fmt.Errorf("MGET returned %d values: %v", len(vals), vals)
				}
				for _, v := range vals {
					if v == nil || v != vals[0] {
						return fmt.Errorf("MGET saw a half-done MSET: %v", vals)
					}
				}
				var w, i int
				if _, err := fmt.Sscanf(vals[0].(string), "w%d:%d", &w, &i); err != nil || w < 0 || w >= writers {
					return fmt.Errorf("MGET saw %q, which no writer wrote", vals[0])
				}
				if i < latest[w] {
					return fmt.Errorf("MGET saw w%d:%d after w%d:%d (a stale read)", w, i, w, latest[w])
				}
				latest[w] = i
				reads.Add(1)
			}
			return nil
		})
	}
	if err := g.wait(t); err != nil {
		t.Fatal(err)
	}
	if writes.Load() == 0 || reads.Load() == 0 {
		t.Fatalf("nothing raced: %d MSETs, %d MGETs", writes.Load(), reads.Load())
	}
	t.Logf("%d MSETs, %d MGETs", writes.Load(), reads.Load())
}

// TestTxDelExists races writers that MSET ten keys and then DEL all ten in
// one command against readers that count them with one EXISTS: a reader
// sees all ten or none, and every DEL removes all ten or none.
func TestTxDelExists(t *testing.T) {
	addr := startRaceServer(t)
	keys := make([]string, 10)
	kv := make([]any, 0, 2*len(keys))
	for i := range keys {
		keys[i] = fmt.Sprintf("de:%d", i)
		kv = append(kv, keys[i], i)
	}

	const writers, readers = 2, 4
	var cycles atomic.Int64
	var seen [2]atomic.Int64 // EXISTS replies of 0 and of 10
	g := newRaceGroup(raceBudget, raceLimit)
	for w, c := range raceClients(t, addr, writers) {
		g.spawn(fmt.Sprintf("writer %d", w), func() error {
			for g.running() {
				if err := c.MSet(g.ctx, kv...).Err(); err != nil {
					return fmt.Errorf("MSET: %w", err)
				}
				n, err := c.Del(g.ctx, keys...).Result()
				if err != nil {
					return fmt.Errorf("DEL: %w", err)
				}
				if n != 0 && n != int64(len(keys)) {
					return fmt.Errorf("DEL of %d keys that were set together removed %d", len(keys), n)
				}
				cycles.Add(1)
			}
			return nil
		})
	}
	for r, c := range raceClients(t, addr, readers) {
		g.spawn(fmt.Sprintf("reader %d", r), func() error {
			for g.running() {
				n, err := c.Exists(g.ctx, keys...).Result()
				if err != nil {
					return fmt.Errorf("EXISTS: %w", err)
				}
				switch n {
				case 0:
					seen[0].Add(1)
				case int64(len(keys)):
					seen[1].Add(1)
				default:
					return fmt.Errorf("EXISTS of %d keys set and deleted together counted %d", len(keys), n)
				}
			}
			return nil
		})
	}
	if err := g.wait(t); err != nil {
		t.Fatal(err)
	}
	if cycles.Load() == 0 || seen[0].Load()+seen[1].Load() == 0 {
		t.Fatalf("nothing raced: %d MSET/DEL cycles, %d EXISTS", cycles.Load(), seen[0].Load()+seen[1].Load())
	}
	t.Logf("%d MSET/DEL cycles; EXISTS saw 0 keys %d times and %d keys %d times",
		cycles.Load(), seen[0].Load(), len(keys), seen[1].Load())
}

// TestTxNoDeadlockOrStarvation runs many MULTI/EXEC transactions at once,
// each over a random subset of a few keys taken in random order, so that
// their key sets overlap in every way across the shards: every client must
// finish its transactions within the deadline, and afterwards the server
// must answer at once, with no lock left held.
func TestTxNoDeadlockOrStarvation(t *testing.T) {
	addr := startRaceServer(t)
	keys := make([]string, 12)
	for i := range keys {
		keys[i] = fmt.Sprintf("dl:%d", i)
	}

	const clients, txs = 32, 200
	const limit = 30 * time.Second
	cs := raceClients(t, addr, clients)
	var finished, slowest atomic.Int64 // slowest: the longest EXEC, in ns
	start := time.Now()
	g := newRaceGroup(limit, limit)
	for ci, c := range cs {
		g.spawn(fmt.Sprintf("client %d", ci), func() error {
			for i := 0; i < txs; i++ {
				if g.ctx.Err() != nil {
					return nil // another client failed, or the deadline passed
				}
				perm := rand.Perm(len(keys))
				sub := make([]string, 2+rand.IntN(5))
				for j := range sub {
					sub[j] = keys[perm[j]]
				}
				var cmds []string
				t0 := time.Now()
				res, err := c.TxPipelined(g.ctx, func(p redis.Pipeliner) error {
					for range 1 + rand.IntN(4) {
						switch rand.IntN(5) {
						case 0:
							k := sub[rand.IntN(len(sub))]
							p.Incr(g.ctx, k)
							cmds = append(cmds, "INCR "+k)
						case 1:
							kv := make([]any, 0, 2*len(sub))
							for _, k := range sub {
								kv = append(kv, k, rand.IntN(1000))
							}
							p.MSet(g.ctx, kv...)
							cmds = append(cmds, "MSET "+strings.Join(sub, " "))
						case 2:
							p.MGet(g.ctx, sub...)
							cmds = append(cmds, "MGET "+strings.Join(sub, " "))
						case 3:
							d := sub[:1+rand.IntN(len(sub))]
							p.Del(g.ctx, d...)
							cmds = append(cmds, "DEL "+strings.Join(d, " "))
						case 4:
							p.Rename(g.ctx, sub[0], sub[1])
							cmds = append(cmds, "RENAME "+sub[0]+" "+sub[1])
						}
					}
					return nil
				})
				for d := int64(time.Since(t0)); ; {
					old := slowest.Load()
					if d <= old || slowest.CompareAndSwap(old, d) {
						break
					}
				}
				if len(res) != len(cmds) {
					return fmt.Errorf("transaction %q: %d replies, err %v", cmds, len(res), err)
				}
				for j, r := range res {
					err := r.Err()
					if mg, ok := r.(*redis.SliceCmd); ok && err == nil && len(mg.Val()) != len(sub) {
						return fmt.Errorf("transaction %q: %s returned %d values", cmds, cmds[j], len(mg.Val()))
					}
					if err == nil {
						continue
					}
					// RENAME of a key that an earlier DEL or RENAME
					// removed fails inside EXEC; nothing else may.
					if strings.HasPrefix(cmds[j], "RENAME ") && strings.Contains(err.Error(), "no such key") {
						continue
					}
					return fmt.Errorf("transaction %q: %s: %w", cmds, cmds[j], err)
				}
			}
			finished.Add(1)
			return nil
		})
	}
	err := g.wait(t)
	elapsed := time.Since(start)
	if n := finished.Load(); n != clients || err != nil {
		t.Fatalf("%d of %d clients finished their %d transactions in %v: %v", n, clients, txs, elapsed.Round(time.Millisecond), err)
	}
	t.Logf("%d clients × %d transactions in %v; the slowest EXEC took %v",
		clients, txs, elapsed.Round(time.Millisecond), time.Duration(slowest.Load()).Round(time.Microsecond))

	// The server answers at once, and no intent lock is left behind: a
	// transaction over every key and a multi-key command both get through.
	c := raceClient(t, addr)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	t0 := time.Now()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("PING after the storm: %v", err)
	}
	t.Logf("PING after the storm: %v", time.Since(t0).Round(time.Microsecond))
	if _, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, keys...)
		p.MGet(ctx, keys...)
		return nil
	}); err != nil {
		t.Fatalf("MULTI DEL MGET EXEC over every key after the storm: %v", err)
	}
	kv := make([]any, 0, 2*len(keys))
	for _, k := range keys {
		kv = append(kv, k, 1)
	}
	if err := c.MSet(ctx, kv...).Err(); err != nil {
		t.Fatalf("MSET over every key after the storm: %v", err)
	}
}

// TestTxRenameRace moves a key back and forth between two names on
// different shards while readers MGET both names: each reply must hold the
// value under exactly one name, never both and never neither.
func TestTxRenameRace(t *testing.T) {
	addr := startRaceServer(t)
	names := onShards("ren:", 2, 4) // on shards 0 and 1
	a, b := names[0], names[1]
	if err := raceClient(t, addr).Set(context.Background(), a, "payload", 0).Err(); err != nil {
		t.Fatal(err)
	}

	const readers = 4
	var renames, reads atomic.Int64
	g := newRaceGroup(raceBudget, raceLimit)
	wc := raceClient(t, addr)
	g.spawn("renamer", func() error {
		from, to := a, b
		for g.running() {
			if err := wc.Rename(g.ctx, from, to).Err(); err != nil {
				return fmt.Errorf("RENAME %s %s: %w", from, to, err)
			}
			from, to = to, from
			renames.Add(1)
		}
		return nil
	})
	for r, c := range raceClients(t, addr, readers) {
		g.spawn(fmt.Sprintf("reader %d", r), func() error {
			for g.running() {
				vals, err := c.MGet(g.ctx, a, b).Result()
				if err != nil {
					return fmt.Errorf("MGET: %w", err)
				}
				if len(vals) != 2 {
					return fmt.Errorf("MGET %s %s returned %d values: %v", a, b, len(vals), vals)
				}
				switch {
				case vals[0] == nil && vals[1] == nil:
					return fmt.Errorf("MGET %s %s saw neither name: the key was lost mid-RENAME", a, b)
				case vals[0] != nil && vals[1] != nil:
					return fmt.Errorf("MGET %s %s saw both names: %v", a, b, vals)
				case vals[0] != nil && vals[0] != "payload", vals[1] != nil && vals[1] != "payload":
					return fmt.Errorf("MGET %s %s saw %v, want the value \"payload\"", a, b, vals)
				}
				reads.Add(1)
			}
			return nil
		})
	}
	if err := g.wait(t); err != nil {
		t.Fatal(err)
	}
	if renames.Load() == 0 || reads.Load() == 0 {
		t.Fatalf("nothing raced: %d RENAMEs, %d MGETs", renames.Load(), reads.Load())
	}
	t.Logf("%d RENAMEs between %s and %s, %d MGETs", renames.Load(), a, b, reads.Load())
}
