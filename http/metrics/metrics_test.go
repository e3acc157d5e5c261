package metrics

import (
	"math"
	"net/http/httptest"
	"runtime/metrics"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

type fakeStats struct{}

func (fakeStats) MetricsSnapshot(s *Snapshot) {
	s.RedisVersion, s.AnaxVersion, s.Mode, s.Role = "7.2.5", "0.1.0", "standalone", "master"
	s.UptimeSeconds = 42
	s.ConnectedClients = 3
	s.MemoryUsed, s.MemoryMax = 1<<20, 1<<30
	s.Commands = []CommandStat{{Name: "get", Calls: 10, Usec: 2500000}, {Name: "client|list", Calls: 1, Usec: 10}}
	s.Errors = []ErrorStat{{Prefix: "WRONGTYPE", Count: 2}}
	s.DBs = []DBStat{{Index: 0, Keys: 5, Expires: 1}, {Index: 3, Keys: 2}}
	s.Shards = []ShardStat{{ID: 0, Keys: 4, QueueLength: 1}, {ID: 1, Keys: 3}}
	s.Hops = 7
}

// TestCollectorLint runs client_golang's linter (promtool's rules) over
// every metric the collector makes.
func TestCollectorLint(t *testing.T) {
	problems, err := testutil.CollectAndLint(NewCollector(fakeStats{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

func TestCollectorValues(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector(fakeStats{}))
	want := `
# HELP redis_commands_duration_seconds_total Total amount of time in seconds spent per command
# TYPE redis_commands_duration_seconds_total counter
redis_commands_duration_seconds_total{cmd="client|list"} 1e-05
redis_commands_duration_seconds_total{cmd="get"} 2.5
# HELP redis_db_keys Total number of keys by DB
# TYPE redis_db_keys gauge
redis_db_keys{db="db0"} 5
redis_db_keys{db="db3"} 2
# HELP redis_errors_total Total number of errors per error type
# TYPE redis_errors_total counter
redis_errors_total{err="WRONGTYPE"} 2
# HELP anax_shard_queue_length Tasks waiting in a shard's inbox.
# TYPE anax_shard_queue_length gauge
anax_shard_queue_length{shard="0"} 1
anax_shard_queue_length{shard="1"} 0
# HELP anax_hops_total Commands posted to another shard than the connection's own.
# TYPE anax_hops_total counter
anax_hops_total 7
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"redis_commands_duration_seconds_total", "redis_db_keys", "redis_errors_total",
		"anax_shard_queue_length", "anax_hops_total"); err != nil {
		t.Error(err)
	}
}

func TestHandler(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler(fakeStats{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, s := range []string{"redis_up 1", `redis_db_keys_expiring{db="db0"} 1`, "anax_go_gc_pause_seconds_bucket{le=\"+Inf\"}"} {
		if !strings.Contains(body, s) {
			t.Errorf("/metrics lacks %q", s)
		}
	}
}

func TestFoldHistogram(t *testing.T) {
	inf := math.Inf(1)
	h := &metrics.Float64Histogram{
		Counts:  []uint64{1, 2, 0, 4, 1},
		Buckets: []float64{math.Inf(-1), 0, 20e-6, 30e-6, 2e-3, inf},
	}
	count, sum, buckets := foldHistogram(h, []float64{25e-6, 1e-3, 1})
	if count != 8 {
		t.Errorf("count %d", count)
	}
	// -Inf..0 counts at 0; 0..20µs at 10µs; 30µs..2ms at 1.015ms; 2ms..+Inf at 2ms.
	if want := 0 + 2*10e-6 + 4*1.015e-3 + 2e-3; math.Abs(sum-want) > 1e-12 {
		t.Errorf("sum %v, want %v", sum, want)
	}
	for b, want := range map[float64]uint64{25e-6: 3, 1e-3: 3, 1: 7} {
		if buckets[b] != want {
			t.Errorf("bucket %v: %d, want %d", b, buckets[b], want)
		}
	}
}
