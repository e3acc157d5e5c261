package server_test

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anaxdb/anax/internal/servertest"
)

// TestPipelinedCrossShardCommandsMatchRedis sends pipelines whose commands
// span shards (squashed into one transaction per read batch, squash.go)
// mixed with single-shard commands, errors, connection commands and
// transactions, as one write each, to a 4-shard Anax and to redis-server,
// and compares every reply in order.
func TestPipelinedCrossShardCommandsMatchRedis(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	anax := servertest.Start(t, "--threads", "4")
	k := keysOnShards("k", 4)
	a, b, c, d := k[0], k[1], k[2], k[3]
	pipelines := [][][]string{
		{{"FLUSHALL"}},
		{
			{"MSET", a, "1", b, "2", c, "3"}, {"MGET", a, b, c, d}, {"INCR", a}, {"GET", a},
			{"MGET", a, b}, {"DEL", b, c}, {"EXISTS", a, b, c, d}, {"SET", d, "x"}, {"MGET", d, a},
			{"LPUSH", b, "l1", "l2"}, {"MGET", a, b}, {"INCR", b}, {"GET", b}, {"MSET", a},
			{"NOSUCHCOMMAND", a}, {"MGET", a, c}, {"GET"}, {"MGET", b, d},
		},
		{
			{"MGET", a, b, c, d}, {"PING"}, {"MGET", a, d}, {"SELECT", "2"}, {"MSET", a, "db2", c, "db2"},
			{"MGET", a, c}, {"SELECT", "0"}, {"MGET", a, c},
			{"MULTI"}, {"MGET", a, b}, {"INCR", a}, {"EXEC"}, {"MGET", a, b},
			{"EXISTS", a, b}, {"UNLINK", a, d}, {"MGET", a, d}, {"RPUSH", b, "r"}, {"LRANGE", b, "0", "-1"},
			{"ECHO", "end"},
		},
		{{"MSET", a, "1", b, "2"}, {"MSETNX", c, "3", d, "4"}, {"MSETNX", a, "9", c, "9"}, {"MGET", a, b, c, d}},
		// An EXEC body of commands split over shards, run in one hop per shard.
		{
			{"MULTI"}, {"MSET", a, "m1", b, "m2", c, "m3"}, {"MGET", a, b, c, d}, {"INCR", d + ":n"},
			{"DEL", a, d}, {"EXISTS", a, b, c}, {"MGET", c, b, "none"}, {"LPUSH", b, "x"}, {"MGET", b, c},
			{"EXEC"},
		},
		// The same with keyspace notifications on (pieces then run one
		// command at a time).
		{
			{"CONFIG", "SET", "notify-keyspace-events", "KEA"}, {"MSET", a, "n1", c, "n3"}, {"MGET", a, c},
			{"MULTI"}, {"MSET", a, "m1", d, "m4"}, {"MGET", a, b, c, d}, {"DEL", a, d}, {"EXEC"},
			{"MGET", a, d}, {"CONFIG", "SET", "notify-keyspace-events", ""},
		},
	}
	// A pipeline longer than one squash holds.
	var long [][]string
	for i := 0; i < 1500; i++ {
		long = append(long, []string{"MSET", a, strconv.Itoa(i), c, strconv.Itoa(i)}, []string{"MGET", c, a}, []string{"INCR", d + ":n"})
	}
	// Values large enough that a squash fills up on bytes.
	var large [][]string
	for i := 0; i < 8; i++ {
		v := strings.Repeat(strconv.Itoa(i), 300<<10)
		large = append(large, []string{"MSET", a, v, c, v}, []string{"STRLEN", a}, []string{"MGET", c, a})
	}
	pipelines = append(pipelines, long, [][]string{{"MGET", a, c, d + ":n"}}, large)
	comparePipelines(t, anax, redisAddr, pipelines)
}

// TestPipelinedTransactionsMatchRedis sends pipelines of MULTI ... EXEC
// blocks whose bodies span shards (squashed into one transaction per read
// batch, squash.go), mixed with commands that cannot join them (WATCH,
// bodies refused at queueing, connection commands), to a 4-shard Anax and
// to redis-server, and compares every reply in order.
func TestPipelinedTransactionsMatchRedis(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	anax := servertest.Start(t, "--threads", "4")
	k := keysOnShards("t", 4)
	a, b, c, d := k[0], k[1], k[2], k[3]
	block := func(body ...[]string) [][]string {
		return append(append([][]string{{"MULTI"}}, body...), []string{"EXEC"})
	}
	var counters [][]string
	for range 20 {
		counters = append(counters, block([]string{"INCR", a}, []string{"INCR", c}, []string{"MGET", a, b, c, d})...)
	}
	// Bodies on one shard each: three of the four are not the client's.
	for i := range 8 {
		for _, key := range k {
			counters = append(counters, block([]string{"INCR", key}, []string{"APPEND", key + "{" + key + "}", strconv.Itoa(i)})...)
		}
	}
	mixed := [][]string{{"MSET", a, "1", b, "2"}}
	mixed = append(mixed, block([]string{"INCR", a}, []string{"GET", b}, []string{"INCR", d})...)
	mixed = append(mixed, []string{"MGET", a, b, d}, []string{"MULTI"}, []string{"EXEC"})
	mixed = append(mixed, block([]string{"INCR", a}, []string{"NOSUCHCOMMAND"}, []string{"INCR", c})...)
	mixed = append(mixed, block([]string{"INCR", b}, []string{"GET"}, []string{"INCR", c})...)
	mixed = append(mixed, []string{"MULTI"}, []string{"SET", c, "x"}, []string{"DISCARD"})
	mixed = append(mixed, block([]string{"SET", c, "y"}, []string{"INCR", c}, []string{"LPUSH", d, "l"}, []string{"INCR", b})...)
	mixed = append(mixed, []string{"MGET", a, b, c, d}, []string{"EXEC"}, []string{"DISCARD"})
	mixed = append(mixed, []string{"MULTI"}, []string{"MULTI"}, []string{"INCR", a}, []string{"WATCH", b}, []string{"INCR", b}, []string{"EXEC"})
	mixed = append(mixed, block([]string{"BLPOP", d + ":none", "0"}, []string{"LPOP", d}, []string{"RPUSH", b + ":l", "1"})...)
	watched := block([]string{"INCR", a}, []string{"INCR", c})
	watched = append(watched, []string{"WATCH", a, b})
	watched = append(watched, block([]string{"INCR", a}, []string{"INCR", b})...)
	watched = append(watched, []string{"WATCH", c})
	watched = append(watched, block([]string{"INCR", a}, []string{"INCR", d})...)
	watched = append(watched, block([]string{"INCR", c}, []string{"INCR", d})...)
	selects := block([]string{"SET", a, "db0"}, []string{"SET", c, "db0"})
	selects = append(selects, block([]string{"SELECT", "1"}, []string{"SET", a, "db1"}, []string{"SET", c, "db1"})...)
	selects = append(selects, block([]string{"MGET", a, c}, []string{"INCR", b})...)
	selects = append(selects, []string{"MGET", a, c}, []string{"SELECT", "0"})
	selects = append(selects, block([]string{"MGET", a, c}, []string{"FLUSHDB"}, []string{"SET", b, "after"})...)
	selects = append(selects, block([]string{"MGET", a, b, c}, []string{"DBSIZE"})...)
	resp3 := [][]string{{"HELLO", "3"}, {"HSET", a, "f", "v"}}
	resp3 = append(resp3, block([]string{"HGETALL", a}, []string{"SADD", c, "m"}, []string{"SMEMBERS", c}, []string{"ZADD", d, "1.5", "z"}, []string{"ZSCORE", d, "z"})...)
	resp3 = append(resp3, block([]string{"MGET", a, b}, []string{"EXISTS", a, b, c, d})...)
	resp3 = append(resp3, []string{"HELLO", "2"})
	notes := [][]string{{"CONFIG", "SET", "notify-keyspace-events", "KEA"}}
	for range 5 {
		notes = append(notes, block([]string{"MSET", a, "n", c, "n"}, []string{"DEL", a, d}, []string{"INCR", b})...)
	}
	notes = append(notes, []string{"CONFIG", "SET", "notify-keyspace-events", ""})
	// Longer than one squash holds, by commands and by bytes.
	var long, large [][]string
	for i := 0; i < 400; i++ {
		long = append(long, block([]string{"INCR", a}, []string{"SET", c, strconv.Itoa(i)}, []string{"MGET", c, a})...)
	}
	for i := 0; i < 8; i++ {
		v := strings.Repeat(strconv.Itoa(i), 300<<10)
		large = append(large, block([]string{"SET", a, v}, []string{"SET", c, v}, []string{"STRLEN", a})...)
	}
	comparePipelines(t, anax, redisAddr, [][][]string{{{"FLUSHALL"}}, counters, mixed, watched, selects, resp3, notes, long, large,
		{{"MGET", a, b, c, d}}})
}

// TestPipelinedTransactionsShareATransaction checks that pipelined MULTI
// ... EXEC blocks over two shards, read in one batch, run as one scheduled
// transaction rather than one each.
func TestPipelinedTransactionsShareATransaction(t *testing.T) {
	addr := servertest.Start(t, "--threads", "2")
	k := keysOnShards("k", 2)
	r := servertest.Dial(t, addr)
	var req []byte
	for i := 0; i < 16; i++ {
		req = append(req, servertest.Encode("MULTI")...)
		req = append(req, servertest.Encode("INCR", k[0])...)
		req = append(req, servertest.Encode("INCR", k[1])...)
		req = append(req, servertest.Encode("EXEC")...)
	}
	// A new connection may have few replies pending (protocol's window,
	// which grows as they drain): the first pipelines grow it.
	for round := 0; round < 3; round++ {
		r.Do("SET", k[0], "0")
		r.Do("SET", k[1], "0")
		before := infoTransactions(t, r)
		sendTransactions(t, r, req)
		if round < 2 {
			continue
		}
		if n := infoTransactions(t, r) - before; n < 1 || n > 2 {
			t.Errorf("16 pipelined transactions across shards ran as %d transactions, want 1 (2 if the read split)", n)
		}
	}
}

// sendTransactions sends 16 blocks of MULTI, INCR, INCR, EXEC and checks
// their replies.
func sendTransactions(t *testing.T, r *servertest.Raw, req []byte) {
	t.Helper()
	r.Send(req)
	for i := 1; i <= 16; i++ {
		for _, want := range []string{"+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n", ":" + strconv.Itoa(i) + "\r\n"} {
			got := r.Read()
			if want[0] == ':' {
				want = "*2\r\n" + want + want
			}
			if got != want {
				t.Fatalf("block %d: %q, want %q", i, got, want)
			}
		}
	}
}

// infoTransactions returns INFO anax's count of scheduled transactions.
func infoTransactions(t *testing.T, r *servertest.Raw) int {
	t.Helper()
	for _, line := range strings.Split(r.Do("INFO", "anax"), "\r\n") {
		if v, ok := strings.CutPrefix(line, "transactions:"); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	t.Fatal("no transactions line in INFO anax")
	return 0
}

// comparePipelines sends each pipeline as one write to Anax and to
// redis-server and compares every reply in order (one per command).
func comparePipelines(t *testing.T, anax, redisAddr string, pipelines [][][]string) {
	t.Helper()
	comparePipelinesOn(t, servertest.Dial(t, anax), servertest.Dial(t, redisAddr), pipelines)
}

// comparePipelinesOn is comparePipelines on connections already open.
func comparePipelinesOn(t *testing.T, ra, rr *servertest.Raw, pipelines [][][]string) {
	t.Helper()
	for _, p := range pipelines {
		var req []byte
		for _, cmd := range p {
			req = append(req, servertest.Encode(cmd...)...)
		}
		ra.Send(req)
		rr.Send(req)
		for _, cmd := range p {
			ga, err := ra.ReadErr()
			if err != nil {
				t.Fatalf("%q: anax: %v", cmd, err)
			}
			if gr := rr.Read(); ga != gr && cmd[0] != "HELLO" { // HELLO names the server
				t.Errorf("%q:\n  anax:  %q\n  redis: %q", cmd, ga, gr)
			}
		}
	}
}

// TestPipelinedCrossShardCommandsShareATransaction checks that a pipeline
// of commands spanning shards, read in one batch, runs as one scheduled
// transaction rather than one each (INFO anax's transactions counter).
func TestPipelinedCrossShardCommandsShareATransaction(t *testing.T) {
	addr := servertest.Start(t, "--threads", "2")
	k := keysOnShards("k", 2)
	r := servertest.Dial(t, addr)
	r.Do("MSET", k[0], "a", k[1], "b")
	before := infoTransactions(t, r)
	var req []byte
	for i := 0; i < 16; i++ {
		req = append(req, servertest.Encode("MGET", k[0], k[1])...)
	}
	r.Send(req)
	for i := 0; i < 16; i++ {
		if got, want := r.Read(), "*2\r\n$1\r\na\r\n$1\r\nb\r\n"; got != want {
			t.Fatalf("MGET %d: %q, want %q", i, got, want)
		}
	}
	// The INFO itself is no transaction; the pipeline is one, or two when
	// the read splits it.
	if n := infoTransactions(t, r) - before; n < 1 || n > 2 {
		t.Errorf("16 pipelined MGETs across shards ran as %d transactions, want 1 (2 if the read split)", n)
	}
}

// TestSquashRepliesBeforeAProtocolError checks that a protocol error
// further in the batch than a squash is answered after the squash's
// replies, as redis-server answers the commands it read before the error.
func TestSquashRepliesBeforeAProtocolError(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	anax := servertest.Start(t, "--threads", "4")
	k := keysOnShards("k", 4)
	var req []byte
	req = append(req, servertest.Encode("MSET", k[0], "1", k[2], "3")...)
	req = append(req, servertest.Encode("MGET", k[0], k[1], k[2], k[3])...)
	req = append(req, servertest.Encode("GET", k[2])...)
	req = append(req, "*1\r\n$-5\r\n"...)
	ra, rr := servertest.Dial(t, anax), servertest.Dial(t, redisAddr)
	ra.Send(req)
	rr.Send(req)
	for i := 0; i < 4; i++ {
		ga, err := ra.ReadErr()
		if err != nil {
			t.Fatalf("reply %d: anax: %v", i, err)
		}
		if gr := rr.Read(); ga != gr {
			t.Errorf("reply %d:\n  anax:  %q\n  redis: %q", i, ga, gr)
		}
	}
}

// TestPipelinedTransactionsKeepTheirWatches checks that an EXEC with
// watched keys is not squashed: its watch is checked in its own
// transaction, where a watched key that expired since WATCH fails it, as
// in redis-server.
func TestPipelinedTransactionsKeepTheirWatches(t *testing.T) {
	redisPath, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed")
	}
	// Active expiry off on both: the key expires without being deleted,
	// which would mark the watch dirty before EXEC.
	redisAddr := servertest.RedisAt(t, redisPath, "--enable-debug-command", "yes")
	anax := servertest.Start(t, "--threads", "4", "--enable-debug-command", "yes")
	k := keysOnShards("w", 4)
	a, b, c := k[0], k[1], k[2]
	block := func(body ...[]string) [][]string {
		return append(append([][]string{{"MULTI"}}, body...), []string{"EXEC"})
	}
	ra, rr := servertest.Dial(t, anax), servertest.Dial(t, redisAddr)
	for _, r := range []*servertest.Raw{ra, rr} {
		r.Do("FLUSHALL")
		r.Do("DEBUG", "SET-ACTIVE-EXPIRE", "0")
		r.Do("SET", a, "1", "PX", "50")
		r.Do("WATCH", a, c)
	}
	time.Sleep(120 * time.Millisecond)
	pipeline := block([]string{"INCR", b}, []string{"INCR", c})
	pipeline = append(pipeline, block([]string{"INCR", b}, []string{"INCR", c})...)
	pipeline = append(pipeline, []string{"MGET", a, b, c})
	comparePipelinesOn(t, ra, rr, [][][]string{pipeline})
}
