package server_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
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

// TestPubSubGoRedisAcrossLoops runs go-redis v9 subscribers, each on its
// own connection (so spread over the server's loops), against two
// publishers on other connections: every subscriber receives each
// publisher's messages in publish order, whichever channels they went to;
// then Unsubscribe, PUnsubscribe and SUnsubscribe, checked with PUBSUB
// NUMSUB, CHANNELS, NUMPAT and SHARDCHANNELS and PUBLISH's counts. The
// same runs on redis-server where it is installed.
func TestPubSubGoRedisAcrossLoops(t *testing.T) {
	t.Run("anax", func(t *testing.T) { goRedisAcrossLoops(t, servertest.Start(t, "--threads", "4")) })
	t.Run("redis-server", func(t *testing.T) { goRedisAcrossLoops(t, servertest.StartRedis(t)) })
}

func goRedisAcrossLoops(t *testing.T, addr string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	client := func(proto int) *redis.Client {
		c := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, DisableIdentity: true})
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	admin := client(3)
	const nchan = 8
	channels := make([]string, nchan)
	shardChannels := make([]string, nchan)
	for i := range channels {
		channels[i] = "feed:" + strconv.Itoa(i)
		shardChannels[i] = "sfeed:" + strconv.Itoa(i)
	}
	// Subscribers: two on every channel (RESP2 and RESP3), one on a
	// pattern over them, one on the shard channels.
	subs := []*redis.PubSub{
		client(2).Subscribe(ctx, channels...),
		client(3).Subscribe(ctx, channels...),
		client(2).PSubscribe(ctx, "feed:*"),
		client(3).SSubscribe(ctx, shardChannels...),
	}
	for _, ps := range subs {
		t.Cleanup(func() { _ = ps.Close() })
	}
	waitFor := func(what string, ok func() (bool, error)) {
		t.Helper()
		for {
			done, err := ok()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if done {
				return
			}
			if ctx.Err() != nil {
				t.Fatalf("%s: timed out", what)
			}
			time.Sleep(time.Millisecond)
		}
	}
	waitFor("subscriptions", func() (bool, error) {
		n, err := admin.PubSubNumSub(ctx, channels...).Result()
		if err != nil {
			return false, err
		}
		for _, ch := range channels {
			if n[ch] != 2 {
				return false, nil
			}
		}
		p, err := admin.PubSubNumPat(ctx).Result()
		if err != nil {
			return false, err
		}
		s, err := admin.PubSubShardNumSub(ctx, shardChannels...).Result()
		return p == 1 && s[shardChannels[nchan-1]] == 1, err
	})
	if got, err := admin.PubSubChannels(ctx, "feed:*").Result(); err != nil || len(got) != nchan {
		t.Fatalf("PUBSUB CHANNELS feed:* = %v, %v", got, err)
	}
	if got, err := admin.PubSubShardChannels(ctx, "sfeed:*").Result(); err != nil || len(got) != nchan {
		t.Fatalf("PUBSUB SHARDCHANNELS sfeed:* = %v, %v", got, err)
	}

	// Two publishers, each on its own connection, spread their messages
	// over the channels; PUBLISH counts channel and pattern subscribers.
	const perPublisher = 200
	var wg sync.WaitGroup
	for p := 0; p < 2; p++ {
		pub := client(2 + p)
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			for i := 0; i < perPublisher; i++ {
				payload := strconv.Itoa(p) + ":" + strconv.Itoa(i)
				if n, err := pub.Publish(ctx, channels[(i*3+p)%nchan], payload).Result(); err != nil || n != 3 {
					t.Errorf("PUBLISH = %v, %v", n, err)
					return
				}
				if n, err := pub.SPublish(ctx, shardChannels[(i*5+p)%nchan], payload).Result(); err != nil || n != 1 {
					t.Errorf("SPUBLISH = %v, %v", n, err)
					return
				}
			}
		}(p)
	}
	for s, ps := range subs {
		next := [2]int{}
		ch := ps.Channel()
		for got := 0; got < 2*perPublisher; got++ {
			var m *redis.Message
			select {
			case m = <-ch:
			case <-ctx.Done():
				t.Fatalf("subscriber %d: %d of %d messages", s, got, 2*perPublisher)
			}
			ps, is, _ := strings.Cut(m.Payload, ":")
			p, _ := strconv.Atoi(ps)
			i, _ := strconv.Atoi(is)
			if p < 0 || p > 1 || i != next[p] {
				t.Fatalf("subscriber %d: message %q on %s after %v: out of order", s, m.Payload, m.Channel, next)
			}
			next[p]++
			want := channels[(i*3+p)%nchan]
			if s == 3 {
				want = shardChannels[(i*5+p)%nchan]
			}
			if m.Channel != want || (s == 2) != (m.Pattern == "feed:*") {
				t.Fatalf("subscriber %d: message %q on channel %q pattern %q, want channel %q", s, m.Payload, m.Channel, m.Pattern, want)
			}
		}
	}
	wg.Wait()

	// Unsubscribing half the channels, the pattern and the shard
	// channels.
	if err := subs[0].Unsubscribe(ctx, channels[:nchan/2]...); err != nil {
		t.Fatal(err)
	}
	if err := subs[2].PUnsubscribe(ctx, "feed:*"); err != nil {
		t.Fatal(err)
	}
	if err := subs[3].SUnsubscribe(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor("unsubscriptions", func() (bool, error) {
		n, err := admin.PubSubNumSub(ctx, channels[0], channels[nchan-1]).Result()
		if err != nil {
			return false, err
		}
		p, err := admin.PubSubNumPat(ctx).Result()
		if err != nil {
			return false, err
		}
		s, err := admin.PubSubShardChannels(ctx, "*").Result()
		return n[channels[0]] == 1 && n[channels[nchan-1]] == 2 && p == 0 && len(s) == 0, err
	})
	if n, err := admin.Publish(ctx, channels[0], "after").Result(); err != nil || n != 1 {
		t.Errorf("PUBLISH to a half-left channel = %v, %v", n, err)
	}
	if n, err := admin.Publish(ctx, channels[nchan-1], "after").Result(); err != nil || n != 2 {
		t.Errorf("PUBLISH to a kept channel = %v, %v", n, err)
	}
	if err := subs[1].Unsubscribe(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor("unsubscribe all", func() (bool, error) {
		got, err := admin.PubSubChannels(ctx, "*").Result()
		return len(got) == nchan/2, err
	})
	// The subscriber that kept its channels still gets their messages;
	// one that left them gets nothing more.
	select {
	case m := <-subs[0].Channel():
		if m.Channel != channels[nchan-1] || m.Payload != "after" {
			t.Errorf("after unsubscribing: message %+v", *m)
		}
	case <-ctx.Done():
		t.Fatal("no message after a partial unsubscribe")
	}
	if n, err := admin.Publish(ctx, channels[nchan-1], "last").Result(); err != nil || n != 1 {
		t.Errorf("PUBLISH after unsubscribe all = %v, %v", n, err)
	}
	select {
	case m := <-subs[0].Channel():
		if m.Payload != "last" {
			t.Errorf("message %+v, want last", *m)
		}
	case <-ctx.Done():
		t.Fatal("no last message")
	}
}
