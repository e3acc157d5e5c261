package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/anaxdb/anax/internal/servertest"
)

// TestPubSubGoRedis runs go-redis v9's PubSub over RESP2 and RESP3 and
// checks the INFO stats fields.
func TestPubSubGoRedis(t *testing.T) {
	for _, shards := range []string{"1", "4"} {
		for _, proto := range []int{2, 3} {
			t.Run("threads="+shards+"/resp"+string(rune('0'+proto)), func(t *testing.T) {
				addr := servertest.Start(t, "--threads", shards)
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				c := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, DisableIdentity: true})
				defer c.Close()
				ps := c.Subscribe(ctx, "news")
				defer ps.Close()
				if _, err := ps.Receive(ctx); err != nil {
					t.Fatal(err)
				}
				if err := ps.PSubscribe(ctx, "sp*"); err != nil {
					t.Fatal(err)
				}
				ss := c.SSubscribe(ctx, "shard1")
				defer ss.Close()
				if _, err := ss.Receive(ctx); err != nil {
					t.Fatal(err)
				}
				// Wait until both subscriptions are registered.
				for {
					n, err := c.PubSubNumPat(ctx).Result()
					if err != nil {
						t.Fatal(err)
					}
					if n == 1 {
						break
					}
					time.Sleep(time.Millisecond)
				}
				info, err := c.Info(ctx, "stats").Result()
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range []string{"pubsub_channels:1\r\n", "pubsub_patterns:1\r\n", "pubsubshard_channels:1\r\n"} {
					if !strings.Contains(info, f) {
						t.Errorf("INFO stats lacks %q", f)
					}
				}
				if n, err := c.PubSubNumSub(ctx, "news", "none").Result(); err != nil || n["news"] != 1 || n["none"] != 0 {
					t.Errorf("PUBSUB NUMSUB = %v, %v", n, err)
				}
				if n, err := c.PubSubShardNumSub(ctx, "shard1").Result(); err != nil || n["shard1"] != 1 {
					t.Errorf("PUBSUB SHARDNUMSUB = %v, %v", n, err)
				}
				if n, err := c.Publish(ctx, "news", "a").Result(); err != nil || n != 1 {
					t.Errorf("PUBLISH = %v, %v", n, err)
				}
				if n, err := c.Publish(ctx, "sport", "b").Result(); err != nil || n != 1 {
					t.Errorf("PUBLISH = %v, %v", n, err)
				}
				if n, err := c.SPublish(ctx, "shard1", "c").Result(); err != nil || n != 1 {
					t.Errorf("SPUBLISH = %v, %v", n, err)
				}
				ch := ps.Channel()
				for _, want := range []redis.Message{{Channel: "news", Payload: "a"}, {Channel: "sport", Pattern: "sp*", Payload: "b"}} {
					select {
					case m := <-ch:
						if m.Channel != want.Channel || m.Pattern != want.Pattern || m.Payload != want.Payload {
							t.Errorf("message %+v, want %+v", *m, want)
						}
					case <-ctx.Done():
						t.Fatal("no message")
					}
				}
				select {
				case m := <-ss.Channel():
					if m.Channel != "shard1" || m.Payload != "c" {
						t.Errorf("shard message %+v", *m)
					}
				case <-ctx.Done():
					t.Fatal("no shard message")
				}
				_ = ps.Close()
				_ = ss.Close()
				for {
					info, err := c.Info(ctx, "stats").Result()
					if err != nil {
						t.Fatal(err)
					}
					if strings.Contains(info, "pubsub_channels:0\r\npubsub_patterns:0\r\npubsubshard_channels:0\r\n") {
						break
					}
					if ctx.Err() != nil {
						t.Fatalf("subscriptions left after close:\n%s", info)
					}
					time.Sleep(time.Millisecond)
				}
			})
		}
	}
}

// TestPubSubOutputLimit checks that a subscriber that does not read is cut
// at client-output-buffer-limit pubsub, and that the publisher goes on.
func TestPubSubOutputLimit(t *testing.T) {
	addr := servertest.Start(t, "--threads", "2")
	admin := servertest.Dial(t, addr)
	if got := admin.Do("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 0 0"); got != "+OK\r\n" {
		t.Fatalf("CONFIG SET = %q", got)
	}
	sub := servertest.Dial(t, addr)
	sub.Do("SUBSCRIBE", "big")
	pub := servertest.Dial(t, addr)
	msg := strings.Repeat("x", 64<<10)
	for i := 0; i < 2000; i++ {
		got := pub.Do("PUBLISH", "big", msg)
		if got == ":0\r\n" {
			return // the subscriber was cut
		}
		if got != ":1\r\n" {
			t.Fatalf("PUBLISH = %q", got)
		}
	}
	t.Fatal("a subscriber that does not read was not cut after 128 MB")
}

// TestPubSubIdleTimeout checks that a subscribed client is not idle.
func TestPubSubIdleTimeout(t *testing.T) {
	addr := servertest.Start(t, "--timeout", "1")
	sub := servertest.Dial(t, addr)
	sub.Do("SUBSCRIBE", "ch")
	idle := servertest.Dial(t, addr)
	idle.Do("PING")
	time.Sleep(2200 * time.Millisecond)
	if _, err := idle.ReadErr(); err == nil {
		t.Fatal("idle client still connected after timeout")
	}
	pub := servertest.Dial(t, addr)
	if got := pub.Do("PUBLISH", "ch", "still"); got != ":1\r\n" {
		t.Fatalf("PUBLISH = %q", got)
	}
	if got := sub.Read(); got != "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nstill\r\n" {
		t.Fatalf("message = %q", got)
	}
}
