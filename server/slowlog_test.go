package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/anaxdb/anax/internal/servertest"
)

func TestSlowlogLatencyAgainstRedis(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	addr := servertest.Start(t)
	servertest.Compare(t, addr, redisAddr, [][]string{
		{"SLOWLOG", "HELP"},
		{"LATENCY", "HELP"},
		{"SLOWLOG", "GET", "-2"},
		{"SLOWLOG", "GET", "x"},
		{"SLOWLOG", "GET", "1", "2"},
		{"SLOWLOG", "NOSUCH"},
		{"SLOWLOG", "LEN", "x"},
		{"LATENCY", "HISTORY"},
		{"LATENCY", "HISTORY", "command"},
		{"LATENCY", "LATEST"},
		{"LATENCY", "RESET"},
		{"LATENCY", "RESET", "command", "nosuch"},
		{"LATENCY", "DOCTOR"},
		{"SLOWLOG", "RESET"},
		{"SLOWLOG", "LEN"},
		{"SLOWLOG", "GET"},
	})
}

func newRESP2Client(t *testing.T, addr string) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

func TestSlowlog(t *testing.T) {
	for _, threads := range []string{"1", "3"} {
		t.Run("threads="+threads, func(t *testing.T) {
			ctx := context.Background()
			addr := servertest.Start(t, "--threads", threads, "--enable-debug-command", "yes")
			rdb := newRESP2Client(t, addr)
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			// The default threshold (10 ms) keeps fast commands out and
			// DEBUG SLEEP in (inline with one shard, as a transaction over
			// every shard with several).
			must(rdb.Set(ctx, "fast", "v", 0).Err())
			must(rdb.Do(ctx, "DEBUG", "SLEEP", "0.03").Err())
			log, err := rdb.SlowLogGet(ctx, -1).Result()
			must(err)
			// The SET may be logged too, but only if it really took 10 ms
			// (a busy machine under the race detector stalls now and then).
			for len(log) > 1 && log[len(log)-1].Duration >= 10*time.Millisecond && log[len(log)-1].Args[0] == "set" {
				log = log[:len(log)-1]
			}
			if len(log) != 1 || strings.Join(log[0].Args, " ") != "DEBUG SLEEP 0.03" || log[0].Duration < 30*time.Millisecond {
				t.Fatalf("slow log %+v", log)
			}
			if time.Since(log[0].Time) > time.Minute || log[0].ClientAddr == "" {
				t.Errorf("entry time %v, client %q", log[0].Time, log[0].ClientAddr)
			}

			// Threshold 0 logs everything, with the client's address and
			// name, also for commands that hopped to another shard.
			must(rdb.Do(ctx, "SLOWLOG", "RESET").Err())
			must(rdb.ConfigSet(ctx, "slowlog-log-slower-than", "0").Err())
			conn := rdb.Conn()
			defer conn.Close()
			must(conn.ClientSetName(ctx, "tester").Err())
			for i := 0; i < 8; i++ {
				must(conn.Set(ctx, fmt.Sprintf("key:%d", i), "v", 0).Err())
			}
			log, err = conn.SlowLogGet(ctx, 8).Result()
			must(err)
			if len(log) != 8 {
				t.Fatalf("%d entries: %+v", len(log), log)
			}
			for i, e := range log {
				want := fmt.Sprintf("set key:%d v", 7-i)
				if strings.ToLower(strings.Join(e.Args, " ")) != want || e.ClientName != "tester" || e.ClientAddr == "" {
					t.Errorf("entry %d: %+v, want %q by tester", i, e, want)
				}
				if i > 0 && e.ID != log[i-1].ID-1 {
					t.Errorf("entry %d: id %d after %d", i, e.ID, log[i-1].ID)
				}
			}

			// Long arguments and long commands are cut as Redis cuts them;
			// secrets are redacted.
			must(rdb.Do(ctx, "SLOWLOG", "RESET").Err())
			long := strings.Repeat("x", 200)
			must(rdb.Set(ctx, "long", long, 0).Err())
			margs := []any{"MSET"}
			for i := 0; i < 20; i++ {
				margs = append(margs, fmt.Sprintf("k%d", i), "v")
			}
			must(rdb.Do(ctx, margs...).Err())
			_ = rdb.Do(ctx, "AUTH", "secret").Err()
			_ = rdb.Do(ctx, "HELLO", "2", "AUTH", "default", "secret").Err()
			must(rdb.ConfigSet(ctx, "maxmemory-policy", "noeviction").Err())
			log, err = rdb.SlowLogGet(ctx, 5).Result()
			must(err)
			if len(log) != 5 {
				t.Fatalf("%d entries: %+v", len(log), log)
			}
			wants := []string{
				"config set maxmemory-policy noeviction",
				"hello 2 auth (redacted) (redacted)",
				"auth (redacted)",
				"", // MSET, below
				"set long " + strings.Repeat("x", 128) + "... (72 more bytes)",
			}
			for i, w := range wants {
				if got := strings.ToLower(strings.Join(log[i].Args, " ")); w != "" && got != w {
					t.Errorf("entry %d: %q, want %q", i, got, w)
				}
			}
			mset := log[3].Args
			if len(mset) != 32 || mset[31] != "... (10 more arguments)" || mset[29] != "k14" {
				t.Errorf("MSET entry: %d args %q", len(mset), mset)
			}
			must(rdb.ConfigSet(ctx, "requirepass", "hunter2").Err())
			must(rdb.Do(ctx, "AUTH", "hunter2").Err())
			log, err = rdb.SlowLogGet(ctx, 1).Result()
			must(err)
			if got := strings.ToLower(strings.Join(log[0].Args, " ")); got != "auth (redacted)" {
				t.Errorf("AUTH entry %q", got)
			}
			must(rdb.ConfigSet(ctx, "requirepass", "").Err())

			// slowlog-max-len bounds the log, now and later.
			must(rdb.ConfigSet(ctx, "slowlog-max-len", "3").Err())
			for i := 0; i < 5; i++ {
				must(rdb.Get(ctx, "fast").Err())
			}
			if n, err := rdb.SlowLogLen(ctx).Result(); err != nil || n != 3 {
				t.Errorf("SLOWLOG LEN %d %v, want 3", n, err)
			}
			must(rdb.Do(ctx, "SLOWLOG", "RESET").Err())
			if n, err := rdb.Do(ctx, "SLOWLOG", "LEN").Int(); err != nil || n != 1 { // the RESET itself
				t.Errorf("SLOWLOG LEN after RESET: %d %v", n, err)
			}
			// -1 turns the log off.
			must(rdb.ConfigSet(ctx, "slowlog-log-slower-than", "-1").Err())
			must(rdb.Do(ctx, "SLOWLOG", "RESET").Err())
			must(rdb.Do(ctx, "DEBUG", "SLEEP", "0.02").Err())
			if n, err := rdb.SlowLogLen(ctx).Result(); err != nil || n != 0 {
				t.Errorf("SLOWLOG LEN with the log off: %d %v", n, err)
			}
		})
	}
}

// TestSlowlogPipelinedBatch: inline commands are timed per batch; a slow
// command pipelined with fast ones gets the batch's time.
func TestSlowlogPipelinedBatch(t *testing.T) {
	addr := servertest.Start(t, "--threads", "1", "--enable-debug-command", "yes",
		"--slowlog-log-slower-than", "20000")
	r := servertest.Dial(t, addr)
	var batch []byte
	batch = append(batch, servertest.Encode("GET", "a")...)
	batch = append(batch, servertest.Encode("DEBUG", "SLEEP", "0.03")...)
	batch = append(batch, servertest.Encode("INCR", "n")...)
	r.Send(batch)
	for i := 0; i < 3; i++ {
		r.Read()
	}
	rdb := newRESP2Client(t, addr)
	log, err := rdb.SlowLogGet(context.Background(), -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || strings.Join(log[0].Args, " ") != "DEBUG SLEEP 0.03" || log[0].Duration < 30*time.Millisecond {
		t.Fatalf("slow log %+v", log)
	}
}

func TestLatencyMonitor(t *testing.T) {
	ctx := context.Background()
	addr := servertest.Start(t, "--threads", "2", "--enable-debug-command", "yes")
	rdb := newRESP2Client(t, addr)
	if err := rdb.ConfigSet(ctx, "latency-monitor-threshold", "10").Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Do(ctx, "DEBUG", "SLEEP", "0.03").Err(); err != nil {
		t.Fatal(err)
	}
	latest, err := rdb.Do(ctx, "LATENCY", "LATEST").Slice()
	if err != nil || len(latest) != 1 {
		t.Fatalf("LATENCY LATEST %v %v", latest, err)
	}
	ev := latest[0].([]any)
	if ev[0] != "command" || ev[2].(int64) < 30 || ev[3].(int64) < 30 || time.Now().Unix()-ev[1].(int64) > 60 {
		t.Errorf("LATENCY LATEST entry %v", ev)
	}
	hist, err := rdb.Do(ctx, "LATENCY", "HISTORY", "command").Slice()
	if err != nil || len(hist) != 1 || hist[0].([]any)[1].(int64) < 30 {
		t.Errorf("LATENCY HISTORY %v %v", hist, err)
	}
	doctor, err := rdb.Do(ctx, "LATENCY", "DOCTOR").Text()
	if err != nil || !strings.Contains(doctor, "1. command: 1 latency spikes") {
		t.Errorf("LATENCY DOCTOR %q %v", doctor, err)
	}
	if n, err := rdb.Do(ctx, "LATENCY", "RESET").Int(); err != nil || n != 1 {
		t.Errorf("LATENCY RESET %d %v", n, err)
	}
	if latest, err := rdb.Do(ctx, "LATENCY", "LATEST").Slice(); err != nil || len(latest) != 0 {
		t.Errorf("LATENCY LATEST after RESET %v %v", latest, err)
	}
}
