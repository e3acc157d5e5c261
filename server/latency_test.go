package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/anaxdb/anax/internal/servertest"
)

// infoField reads one field of an INFO reply.
func infoField(t *testing.T, info, key string) int64 {
	t.Helper()
	for _, l := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(l, key+":"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("%s: %q", key, v)
			}
			return n
		}
	}
	t.Fatalf("INFO has no %s", key)
	return 0
}

// TestNetBytes: total_net_input_bytes and total_net_output_bytes count the
// bytes clients send and receive, in INFO and on /metrics.
func TestNetBytes(t *testing.T) {
	addr := servertest.Start(t, "--hz", "100", "--threads", "2")
	watcher := servertest.Dial(t, addr)
	time.Sleep(50 * time.Millisecond)
	before := watcher.Do("INFO", "stats")
	c := servertest.Dial(t, addr)
	req := servertest.Encode("SET", "k", strings.Repeat("x", 10000))
	for range 10 {
		c.Send(req)
		if got := c.Read(); got != "+OK\r\n" {
			t.Fatalf("SET = %q", got)
		}
	}
	// The loops publish their counters hz times a second: poll until the
	// reading holds everything sent before it. An INFO's reading holds
	// the ten SETs and the earlier INFO requests and replies, not its own.
	infoReq := len(servertest.Encode("INFO", "stats"))
	sent, answered := 0, len(before)
	var in, out, wantIn, wantOut int64
	for deadline := time.Now().Add(3 * time.Second); ; {
		time.Sleep(20 * time.Millisecond)
		after := watcher.Do("INFO", "stats")
		sent++
		in = infoField(t, after, "total_net_input_bytes") - infoField(t, before, "total_net_input_bytes")
		out = infoField(t, after, "total_net_output_bytes") - infoField(t, before, "total_net_output_bytes")
		wantIn = int64(10*len(req) + sent*infoReq)
		wantOut = int64(10*len("+OK\r\n") + answered) // Do returns the raw reply
		answered += len(after)
		if in == wantIn && out == wantOut || time.Now().After(deadline) {
			break
		}
	}
	if in != wantIn || out != wantOut {
		t.Errorf("bytes grew by %d in, %d out; want %d, %d", in, out, wantIn, wantOut)
	}

	// The exporter's names on /metrics.
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	re := regexp.MustCompile(`(?m)^redis_net_input_bytes_total (\S+)`)
	mm := re.FindStringSubmatch(string(page))
	if mm == nil || !strings.Contains(string(page), "redis_net_output_bytes_total ") {
		t.Fatalf("/metrics lacks the net byte counters:\n%.2000s", page)
	}
	if n, _ := strconv.ParseFloat(mm[1], 64); n < float64(10*len(req)) {
		t.Errorf("redis_net_input_bytes_total = %v", n)
	}
}

// histogramShape runs the same commands on a server and returns LATENCY
// HISTOGRAM's reply as command → calls, checking each histogram_usec:
// bounds from Redis's series, counts growing to calls.
func histogramShape(t *testing.T, addr string, settle time.Duration) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: 3})
	defer rdb.Close()
	for i := range 50 {
		rdb.Set(ctx, "k", i, 0)
	}
	rdb.Get(ctx, "k")
	rdb.ConfigSet(ctx, "slowlog-max-len", "100")
	var v any
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(settle) {
		var err error
		v, err = rdb.Do(ctx, "LATENCY", "HISTOGRAM", "set", "get", "config|set", "client", "nosuchcommand").Result()
		if err != nil {
			t.Fatal(err)
		}
		// Anax's loops publish hz times a second, and commands that run
		// off their loop count at once: wait until every call shows.
		if settle == 0 || time.Now().After(deadline) || histogramComplete(v.(map[any]any)) {
			break
		}
	}
	bounds := map[int64]bool{}
	for b := int64(1024); b < 1<<40; b *= 2 {
		bounds[(b+b/128-1)/1000] = true
	}
	out := map[string]int64{}
	for name, e := range v.(map[any]any) {
		m := e.(map[any]any)
		calls := m["calls"].(int64)
		out[name.(string)] = calls
		var keys []int64
		h := m["histogram_usec"].(map[any]any)
		for k := range h {
			keys = append(keys, k.(int64))
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
		prev := int64(0)
		for _, k := range keys {
			n := h[k].(int64)
			if !bounds[k] || n <= prev {
				t.Errorf("%s: histogram_usec %v: bad point %d:%d", name, h, k, n)
			}
			prev = n
		}
		if prev != calls {
			t.Errorf("%s: histogram_usec ends at %d, calls %d", name, prev, calls)
		}
	}
	return out
}

// histogramComplete reports whether LATENCY HISTOGRAM's reply m shows all
// the calls histogramShape made.
func histogramComplete(m map[any]any) bool {
	calls := func(name string) int64 {
		e, ok := m[name].(map[any]any)
		if !ok {
			return 0
		}
		n, _ := e["calls"].(int64)
		return n
	}
	return calls("set") == 50 && calls("get") == 1 && calls("config|set") == 1
}

// TestLatencyHistogramAgainstRedis compares LATENCY HISTOGRAM's shape
// with redis-server's: the same commands, calls and buckets.
func TestLatencyHistogramAgainstRedis(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	addr := servertest.Start(t, "--hz", "100")
	theirs := histogramShape(t, redisAddr, 0)
	ours := histogramShape(t, addr, 20*time.Millisecond)
	delete(ours, "client|setinfo") // go-redis's handshake; a Redis 7.2 command
	if fmt.Sprint(ours) != fmt.Sprint(theirs) {
		t.Errorf("LATENCY HISTOGRAM: Anax %v, redis-server %v", ours, theirs)
	}
}

// TestLatencyStats: INFO latencystats lists each command with the
// configured percentiles, as Redis 7 does; latency-tracking no hides it
// and CONFIG RESETSTAT forgets it.
func TestLatencyStats(t *testing.T) {
	addr := servertest.Start(t, "--hz", "100")
	c := servertest.Dial(t, addr)
	for range 20 {
		c.Do("SET", "k", "v")
	}
	c.Do("CONFIG", "GET", "hz")
	var info string
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		info = c.Do("INFO", "latencystats")
		if strings.Contains(info, "usec_config|get:") && strings.Contains(info, "usec_set:") || time.Now().After(deadline) {
			break
		}
	}
	num := `\d+\.\d{3}`
	for _, re := range []string{
		`\r\nlatency_percentiles_usec_set:p50=` + num + `,p99=` + num + `,p99\.9=` + num + `\r\n`,
		`\r\nlatency_percentiles_usec_config\|get:p50=` + num + `,p99=` + num + `,p99\.9=` + num + `\r\n`,
	} {
		if !regexp.MustCompile(re).MatchString(info) {
			t.Errorf("INFO latencystats lacks %s:\n%s", re, info)
		}
	}
	if strings.Contains(info, "usec_config:") {
		t.Errorf("a container is listed:\n%s", info)
	}
	c.Do("CONFIG", "SET", "latency-tracking-info-percentiles", "0 100")
	if info := c.Do("INFO", "latencystats"); !regexp.MustCompile(`usec_set:p0=` + num + `,p100=` + num + `\r\n`).MatchString(info) {
		t.Errorf("percentiles 0 100:\n%s", info)
	}
	c.Do("CONFIG", "SET", "latency-tracking", "no")
	if info := c.Do("INFO", "latencystats"); strings.Contains(info, "latency_percentiles") {
		t.Errorf("latency-tracking no:\n%s", info)
	}
	c.Do("CONFIG", "SET", "latency-tracking", "yes")
	c.Do("CONFIG", "RESETSTAT")
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		info = c.Do("INFO", "latencystats")
		if !strings.Contains(info, "usec_set:") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after CONFIG RESETSTAT:\n%s", info)
		}
	}
}
