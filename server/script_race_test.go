package server_test

import (
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/anaxdb/anax/internal/servertest"
)

// Scripts that touch keys they do not declare, on every shard of a
// 4-shard Anax, raced against writers and auditors (the harness of
// txn_race_test.go): a script is one transaction, whichever way it runs.

// transferScript moves ARGV[3] from account ARGV[1] to ARGV[2], never
// below zero; it declares no key, so it runs over every shard.
var transferScript = redis.NewScript(`
local from, to, n = ARGV[1], ARGV[2], tonumber(ARGV[3])
local have = tonumber(redis.call('get', from))
if have < n then return 0 end
redis.call('decrby', from, n)
redis.call('incrby', to, n)
return 1`)

// auditScript sums every account it is given, undeclared.
var auditScript = redis.NewScript(`
local total = 0
for _, k in ipairs(ARGV) do total = total + tonumber(redis.call('get', k)) end
return total`)

// declaredTransfer is transferScript with its keys declared: with both on
// one shard (a hash tag) it takes the fast path.
var declaredTransfer = redis.NewScript(`
local have = tonumber(redis.call('get', KEYS[1]))
if have < tonumber(ARGV[1]) then return 0 end
redis.call('decrby', KEYS[1], ARGV[1])
redis.call('incrby', KEYS[2], ARGV[1])
return 1`)

func TestScriptTransfersAreAtomic(t *testing.T) {
	addr := startRaceServer(t)
	keys := bankKeys()
	setup := raceClient(t, addr)
	openBank(t, setup, keys)
	tagged := []string{"{t}a", "{t}b"}
	if err := setup.MSet(t.Context(), tagged[0], bankOpening, tagged[1], bankOpening).Err(); err != nil {
		t.Fatal(err)
	}
	g := newRaceGroup(raceBudget, raceLimit)
	var moved, audits atomic.Int64
	for i, c := range raceClients(t, addr, 3) {
		g.spawn(fmt.Sprintf("transfer %d", i), func() error {
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			for g.running() {
				a, b := rng.IntN(len(keys)), rng.IntN(len(keys))
				if a == b {
					continue
				}
				n, err := transferScript.Run(g.ctx, c, nil, keys[a], keys[b], rng.IntN(50)+1).Int64()
				if err != nil {
					return err
				}
				moved.Add(n)
				x := rng.IntN(2)
				if _, err := declaredTransfer.Run(g.ctx, c, []string{tagged[x], tagged[1-x]}, rng.IntN(50)+1).Int64(); err != nil {
					return err
				}
			}
			return nil
		})
	}
	// A script first seen keeping to its declared key, then reaching (by
	// its arguments) for another account before it writes: stopped on its
	// shard and run again over every shard. A new body each time, so each
	// takes that path once.
	for i, c := range raceClients(t, addr, 2) {
		g.spawn(fmt.Sprintf("learning transfer %d", i), func() error {
			rng := rand.New(rand.NewPCG(uint64(i), 11))
			for n := 0; g.running(); n++ {
				body := fmt.Sprintf("-- %d %d\n", i, n) + `
local n = tonumber(ARGV[1])
local have = tonumber(redis.call('get', KEYS[1]))
if ARGV[2] == '' then return 0 end
local theirs = tonumber(redis.call('get', ARGV[2]))
if have < n then return 0 end
redis.call('decrby', KEYS[1], n)
redis.call('incrby', ARGV[2], n)
return 1`
				a, b := rng.IntN(len(keys)), rng.IntN(len(keys))
				if a == b {
					continue
				}
				if err := c.Eval(g.ctx, body, []string{keys[a]}, 1, "").Err(); err != nil {
					return err
				}
				got, err := c.Eval(g.ctx, body, []string{keys[a]}, rng.IntN(50)+1, keys[b]).Int64()
				if err != nil {
					return err
				}
				moved.Add(got)
			}
			return nil
		})
	}
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	for i, c := range raceClients(t, addr, 2) {
		g.spawn(fmt.Sprintf("script auditor %d", i), func() error {
			for g.running() {
				total, err := auditScript.Run(g.ctx, c, nil, args...).Int64()
				if err != nil {
					return err
				}
				if total != bankTotal {
					return fmt.Errorf("a script summed %d, want %d", total, bankTotal)
				}
				vals, err := c.MGet(g.ctx, tagged...).Result()
				if err != nil {
					return err
				}
				got, err := intValues(vals, 2)
				if err != nil {
					return err
				}
				if sum(got) != 2*bankOpening || got[0] < 0 || got[1] < 0 {
					return fmt.Errorf("tagged accounts %v", got)
				}
				audits.Add(1)
			}
			return nil
		})
	}
	auditBank(g, raceClients(t, addr, 2), keys, true, &audits)
	if err := g.wait(t); err != nil {
		t.Fatal(err)
	}
	if moved.Load() == 0 || audits.Load() == 0 {
		t.Fatalf("moved %d, audits %d: the race did not run", moved.Load(), audits.Load())
	}
}

// TestGoRedisScript runs go-redis's Script helper (EVALSHA, then EVAL on
// NOSCRIPT) and its loading and existence checks.
func TestGoRedisScript(t *testing.T) {
	addr := servertest.Start(t, "--threads", "4")
	c := raceClient(t, addr)
	ctx := t.Context()
	s := redis.NewScript(`return redis.call('incrby', KEYS[1], ARGV[1])`)
	if ok, err := s.Exists(ctx, c).Result(); err != nil || ok[0] {
		t.Fatalf("Exists before: %v %v", ok, err)
	}
	for want := int64(2); want <= 6; want += 2 {
		if got, err := s.Run(ctx, c, []string{"counter"}, 2).Int64(); err != nil || got != want {
			t.Fatalf("Run: %d %v, want %d", got, err, want)
		}
	}
	if ok, err := s.Exists(ctx, c).Result(); err != nil || !ok[0] {
		t.Fatalf("Exists after: %v %v", ok, err)
	}
	if err := c.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.EvalSha(ctx, c, []string{"counter"}, 1).Err(); err == nil || !redis.HasErrorPrefix(err, "NOSCRIPT") {
		t.Fatalf("EvalSha after flush: %v", err)
	}
	if sha, err := s.Load(ctx, c).Result(); err != nil || sha != s.Hash() {
		t.Fatalf("Load: %q %v", sha, err)
	}
	if got, err := s.RunRO(ctx, c, []string{"counter"}, 1).Result(); err == nil {
		t.Fatalf("RunRO of a writing script: %v", got)
	}
	ro := redis.NewScript(`return redis.call('get', KEYS[1])`)
	if got, err := ro.RunRO(ctx, c, []string{"counter"}).Text(); err != nil || got != "6" {
		t.Fatalf("RunRO: %q %v", got, err)
	}
}
