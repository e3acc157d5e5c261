package server_test

import (
	"strconv"
	"strings"
	"testing"

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

	ra, rr := servertest.Dial(t, anax), servertest.Dial(t, redisAddr)
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
			if gr := rr.Read(); ga != gr {
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
	transactions := func() int {
		for _, line := range strings.Split(r.Do("INFO", "anax"), "\r\n") {
			if v, ok := strings.CutPrefix(line, "transactions:"); ok {
				n, _ := strconv.Atoi(v)
				return n
			}
		}
		t.Fatal("no transactions line in INFO anax")
		return 0
	}
	r.Do("MSET", k[0], "a", k[1], "b")
	before := transactions()
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
	if n := transactions() - before; n < 1 || n > 2 {
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
