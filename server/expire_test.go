package server_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/anaxdb/anax/internal/servertest"
)

// TestActiveExpiry checks that keys nobody reads are reclaimed by the
// background sweep, on every shard.
func TestActiveExpiry(t *testing.T) {
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			addr := servertest.Start(t, "--threads", threads, "--hz", "100")
			c := redis.NewClient(&redis.Options{Addr: addr})
			defer c.Close()
			ctx := context.Background()
			pipe := c.Pipeline()
			for i := 0; i < 2000; i++ {
				pipe.Set(ctx, fmt.Sprintf("vol:%d", i), "x", 100*time.Millisecond)
			}
			for i := 0; i < 100; i++ {
				pipe.Set(ctx, fmt.Sprintf("keep:%d", i), "x", 0)
			}
			if _, err := pipe.Exec(ctx); err != nil {
				t.Fatal(err)
			}
			// (Under load the sweep may already have started: no exact
			// count here, only that it ends at the keys without a TTL.)
			deadline := time.Now().Add(5 * time.Second)
			for {
				n := c.DBSize(ctx).Val()
				if n == 100 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("DBSIZE = %d after 5s, want 100: the active sweep did not reclaim expired keys", n)
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}

// TestDebugSetActiveExpire checks DEBUG SET-ACTIVE-EXPIRE on every shard:
// with 0, expired keys nobody reads stay (DBSIZE counts them, as Redis's
// does) while a read still expires its key; with 1 the sweep takes them.
func TestDebugSetActiveExpire(t *testing.T) {
	addr := servertest.Start(t, "--threads", "4", "--hz", "100", "--enable-debug-command", "yes")
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	ctx := context.Background()
	if err := c.Do(ctx, "DEBUG", "SET-ACTIVE-EXPIRE", "0").Err(); err != nil {
		t.Fatal(err)
	}
	pipe := c.Pipeline()
	for i := 0; i < 200; i++ {
		pipe.Set(ctx, fmt.Sprintf("vol:%d", i), "x", 20*time.Millisecond)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // 30 ticks
	if n := c.DBSize(ctx).Val(); n != 200 {
		t.Fatalf("DBSIZE = %d with active expiry off, want 200", n)
	}
	if got := c.Exists(ctx, "vol:0").Val(); got != 0 {
		t.Errorf("EXISTS of an expired key = %d with active expiry off", got)
	}
	if n := c.DBSize(ctx).Val(); n != 199 {
		t.Errorf("DBSIZE = %d after a read expired one key, want 199", n)
	}
	if err := c.Do(ctx, "DEBUG", "SET-ACTIVE-EXPIRE", "1").Err(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for c.DBSize(ctx).Val() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("DBSIZE = %d 5 s after DEBUG SET-ACTIVE-EXPIRE 1", c.DBSize(ctx).Val())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestLazyExpiryPrecision checks millisecond precision on access.
func TestLazyExpiryPrecision(t *testing.T) {
	addr := servertest.Start(t, "--threads", "2", "--hz", "1")
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	ctx := context.Background()
	c.Set(ctx, "k", "v", 0)
	c.PExpire(ctx, "k", 150*time.Millisecond)
	if v := c.Get(ctx, "k").Val(); v != "v" {
		t.Fatalf("GET before expiry = %q", v)
	}
	if pttl := c.PTTL(ctx, "k").Val(); pttl <= 0 || pttl > 150*time.Millisecond {
		t.Fatalf("PTTL = %v", pttl)
	}
	time.Sleep(200 * time.Millisecond)
	if err := c.Get(ctx, "k").Err(); err != redis.Nil {
		t.Fatalf("GET after expiry: %v, want nil", err)
	}
	if n := c.Exists(ctx, "k").Val(); n != 0 {
		t.Fatalf("EXISTS after expiry = %d", n)
	}
}

// TestIdleTimeout checks that the timeout setting closes idle clients.
func TestIdleTimeout(t *testing.T) {
	addr := servertest.Start(t, "--timeout", "1")
	r := servertest.Dial(t, addr)
	if got := r.Do("PING"); got != "+PONG\r\n" {
		t.Fatalf("PING = %q", got)
	}
	time.Sleep(2500 * time.Millisecond)
	if _, err := r.ReadErr(); err == nil {
		t.Fatal("idle client still connected after timeout")
	}
}
