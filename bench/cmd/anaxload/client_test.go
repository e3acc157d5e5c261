package main

import (
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"time"
)

// replies serves s on a pipe, split into small writes so the reader's
// refill and compaction paths run, and returns the client end.
func replies(t *testing.T, s string, chunk int) *reader {
	t.Helper()
	c, srv := net.Pipe()
	go func() {
		defer srv.Close()
		for len(s) > 0 {
			n := min(chunk, len(s))
			if _, err := srv.Write([]byte(s[:n])); err != nil {
				return
			}
			s = s[n:]
		}
	}()
	t.Cleanup(func() { c.Close() })
	return newReader(c, time.Now())
}

func TestRESPReplies(t *testing.T) {
	big := strings.Repeat("x", 200000)
	in := "+OK\r\n$5\r\nhello\r\n$-1\r\n:42\r\n-ERR wrong type\r\n*3\r\n$1\r\na\r\n$-1\r\n*1\r\n:1\r\n$" +
		"200000\r\n" + big + "\r\n+PONG\r\n"
	for _, chunk := range []int{1, 7, 4096, len(in)} {
		rd := replies(t, in, chunk)
		for i := range 8 {
			if err := rd.respReply(); err != nil {
				t.Fatalf("chunk %d: reply %d: %v", chunk, i, err)
			}
		}
		if rd.values != 3 || rd.nils != 2 || rd.errs != 1 || rd.firstErr != "ERR wrong type" {
			t.Fatalf("chunk %d: values %d nils %d errs %d first %q", chunk, rd.values, rd.nils, rd.errs, rd.firstErr)
		}
		if rd.r != rd.w {
			t.Fatalf("chunk %d: %d bytes left unread", chunk, rd.w-rd.r)
		}
	}
}

func TestMemcacheReplies(t *testing.T) {
	in := "STORED\r\nVALUE k 0 5\r\nhello\r\nEND\r\nEND\r\nVALUE a 0 1\r\nx\r\nVALUE b 0 2\r\nyy\r\nEND\r\n" +
		"NOT_FOUND\r\n11\r\nSERVER_ERROR out of memory\r\nVERSION 1.6.18\r\n"
	for _, chunk := range []int{1, 5, len(in)} {
		rd := replies(t, in, chunk)
		for i := range 8 {
			if err := rd.memcacheReply(); err != nil {
				t.Fatalf("chunk %d: reply %d: %v", chunk, i, err)
			}
		}
		if rd.values != 3 || rd.nils != 2 || rd.errs != 1 {
			t.Fatalf("chunk %d: values %d nils %d errs %d", chunk, rd.values, rd.nils, rd.errs)
		}
	}
}

func TestRequests(t *testing.T) {
	k, v := []byte("key:1"), []byte("abc")
	f := func(got []byte, want string) {
		t.Helper()
		if string(got) != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	r, m := respRequest{}, memcacheRequest{}
	f(r.set(nil, k, v), "*3\r\n$3\r\nSET\r\n$5\r\nkey:1\r\n$3\r\nabc\r\n")
	f(r.get(nil, k), "*2\r\n$3\r\nGET\r\n$5\r\nkey:1\r\n")
	f(r.mget(nil, [][]byte{k, k}), "*3\r\n$4\r\nMGET\r\n$5\r\nkey:1\r\n$5\r\nkey:1\r\n")
	f(r.incr(nil, k), "*2\r\n$4\r\nINCR\r\n$5\r\nkey:1\r\n")
	f(r.mset(nil, [][]byte{k, []byte("key:22")}, v),
		"*5\r\n$4\r\nMSET\r\n$5\r\nkey:1\r\n$3\r\nabc\r\n$6\r\nkey:22\r\n$3\r\nabc\r\n")
	f(r.multi(nil), "*1\r\n$5\r\nMULTI\r\n")
	f(r.exec(nil), "*1\r\n$4\r\nEXEC\r\n")
	f(m.set(nil, k, v), "set key:1 0 0 3\r\nabc\r\n")
	f(m.get(nil, k), "get key:1\r\n")
	f(m.mget(nil, [][]byte{k, k}), "get key:1 key:1\r\n")
	f(m.incr(nil, k), "incr key:1 1\r\n")
}

// TestGenBatch checks whole pipelines as gen builds them, transactions
// included, with keys from a fixed sequence.
func TestGenBatch(t *testing.T) {
	f := func(o *options, want string) {
		t.Helper()
		o.prefix, o.pad, o.proto = "k", 0, protoRESP
		g := newGen(o, &seqGen{}, nil, []byte("v"))
		if got := g.batch(nil); string(got) != want {
			t.Errorf("%s: got\n%q, want\n%q", o.cmd, got, want)
		}
	}
	multi, exec := "*1\r\n$5\r\nMULTI\r\n", "*1\r\n$4\r\nEXEC\r\n"
	f(&options{cmd: "mset", mset: 2, pipeline: 1}, "*5\r\n$4\r\nMSET\r\n$2\r\nk0\r\n$1\r\nv\r\n$2\r\nk1\r\n$1\r\nv\r\n")
	f(&options{cmd: "multi", multi: 2, multiCmd: "incr", pipeline: 2},
		multi+"*2\r\n$4\r\nINCR\r\n$2\r\nk0\r\n*2\r\n$4\r\nINCR\r\n$2\r\nk1\r\n"+exec+
			multi+"*2\r\n$4\r\nINCR\r\n$2\r\nk2\r\n*2\r\n$4\r\nINCR\r\n$2\r\nk3\r\n"+exec)
	f(&options{cmd: "multi", multi: 1, multiCmd: "set", pipeline: 1},
		multi+"*3\r\n$3\r\nSET\r\n$2\r\nk0\r\n$1\r\nv\r\n"+exec)
	f(&options{cmd: "multi", multi: 0, multiCmd: "get", pipeline: 1}, multi+exec)
}

// seqGen draws key indexes 0, 1, 2, ...
type seqGen struct{ i uint64 }

func (g *seqGen) next() uint64 { g.i++; return g.i - 1 }

// TestTxReplies: a transaction's replies are one operation, and whatever
// goes wrong in one counts as one error.
func TestTxReplies(t *testing.T) {
	q := "+QUEUED\r\n"
	f := func(in string, wantErrs uint64, wantFirst string) {
		t.Helper()
		for _, chunk := range []int{1, 7, len(in)} {
			rd := replies(t, in+"+PONG\r\n", chunk)
			if err := rd.txReply(3); err != nil {
				t.Fatalf("chunk %d: %v", chunk, err)
			}
			if rd.errs != wantErrs || rd.firstErr != wantFirst {
				t.Fatalf("chunk %d: errs %d first %q, want %d %q", chunk, rd.errs, rd.firstErr, wantErrs, wantFirst)
			}
			if err := rd.respReply(); err != nil || rd.errs != wantErrs { // still in step
				t.Fatalf("chunk %d: next reply: %v, errs %d", chunk, err, rd.errs)
			}
		}
	}
	f("+OK\r\n"+q+q+q+"*3\r\n:1\r\n:2\r\n:3\r\n", 0, "")
	f("+OK\r\n"+q+q+q+"*3\r\n+OK\r\n$1\r\nx\r\n$-1\r\n", 0, "")
	// No MULTI: the commands run on their own, EXEC is refused.
	f("-ERR unknown command 'MULTI'\r\n:1\r\n:1\r\n:1\r\n-ERR EXEC without MULTI\r\n", 1,
		"ERR unknown command 'MULTI'")
	f("+OK\r\n"+q+"-ERR wrong number of arguments\r\n"+q+"-EXECABORT Transaction discarded\r\n", 1,
		"ERR wrong number of arguments")
	f("+OK\r\n"+q+q+q+"*3\r\n:1\r\n-WRONGTYPE Operation\r\n:3\r\n", 1, "WRONGTYPE Operation")
	f("+OK\r\n"+q+q+q+"*2\r\n:1\r\n:2\r\n", 1, `EXEC: want an array of 3 replies, got "*2"`)
	f("+OK\r\n"+q+q+q+"*-1\r\n", 1, `EXEC: want an array of 3 replies, got "*-1"`)
	f("+OK\r\n"+q+"$6\r\nQUEUED\r\n"+q+"*3\r\n:1\r\n:2\r\n:3\r\n", 1,
		`queued command: want +QUEUED, got "$6"`)
	f(":0\r\n"+q+q+q+"*3\r\n*1\r\n:1\r\n:2\r\n:3\r\n", 1, `MULTI: want +OK, got ":0"`)
}

// TestTxReplyResumes feeds a transaction's replies a byte at a time to a
// reader without a connection, as the epoll engine does: each incomplete
// parse is rewound and the counters come out as for one whole parse.
func TestTxReplyResumes(t *testing.T) {
	in := "-ERR no MULTI\r\n:1\r\n:1\r\n-ERR no EXEC\r\n" + "+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n$1\r\nx\r\n$-1\r\n"
	rd := &reader{buf: make([]byte, 64<<10)}
	done := 0
	for i := range len(in) {
		rd.buf[rd.w] = in[i]
		rd.w++
		for done < 2 {
			m := rd.mark()
			err := rd.txReply(2)
			if err == errNeedMore {
				rd.rewind(m)
				break
			}
			if err != nil {
				t.Fatalf("byte %d: %v", i, err)
			}
			done++
		}
	}
	if done != 2 || rd.r != rd.w || rd.errs != 1 || rd.values != 1 || rd.nils != 1 || rd.firstErr != "ERR no MULTI" {
		t.Fatalf("done %d, %d bytes left, errs %d values %d nils %d first %q", done, rd.w-rd.r, rd.errs,
			rd.values, rd.nils, rd.firstErr)
	}
}

func TestRequestBuildingDoesNotAllocate(t *testing.T) {
	o := &options{prefix: "key:", pad: 12}
	buf, key, val := make([]byte, 0, 4096), make([]byte, 0, 64), make([]byte, 100)
	n := testing.AllocsPerRun(100, func() {
		key = o.appendKey(key[:0], 123456)
		buf = respRequest{}.set(buf[:0], key, val)
	})
	if n != 0 {
		t.Fatalf("%v allocations per request", n)
	}
}

// TestBatchAndRepliesDoNotAllocate: building a pipeline of each load, and
// parsing a transaction's replies, allocate nothing once the buffers have
// grown.
func TestBatchAndRepliesDoNotAllocate(t *testing.T) {
	for _, cmd := range []string{"set", "get", "mix", "mget", "incr", "mset", "multi",
		"lpush", "rpush", "lpop", "rpop", "hset", "hget", "hgetall", "lrange",
		"sadd", "sismember", "spop", "zadd", "zincrby", "zscore", "zrank", "zrange", "zpopmin",
		"setbit", "getbit", "bitcount", "bitop", "pfadd", "pfcount", "publish"} {
		o := &options{proto: protoRESP, cmd: cmd, pipeline: 16, keys: 1000, prefix: "key:", pad: 12,
			writes: 1, reads: 10, mget: 10, mset: 2, multi: 10, multiCmd: "incr", fields: 10, lrange: 100,
			zrange: 10, members: 1000000, bits: 8 << 20, pfElems: 10, pfKeys: 3,
			fieldPrefix: "field", fieldPad: 1}
		rng := rand.New(rand.NewPCG(1, 1))
		g := newGen(o, &uniformGen{rng: rng, n: o.keys}, rng, make([]byte, 100))
		buf := g.batch(nil)
		if n := testing.AllocsPerRun(100, func() { buf = g.batch(buf[:0]) }); n != 0 {
			t.Errorf("%s: %v allocations per pipeline", cmd, n)
		}
	}
	in := "+OK\r\n" + strings.Repeat("+QUEUED\r\n", 10) + "*10\r\n" + strings.Repeat(":7\r\n", 10)
	rd := &reader{buf: []byte(in), w: len(in)}
	n := testing.AllocsPerRun(100, func() {
		rd.r = 0
		if err := rd.txReply(10); err != nil || rd.errs != 0 {
			t.Fatal(err, rd.errs)
		}
	})
	if n != 0 {
		t.Fatalf("%v allocations per transaction reply", n)
	}
	in = "*200\r\n" + strings.Repeat("$10\r\nv000000001\r\n", 200)
	rd = &reader{buf: []byte(in), w: len(in)}
	n = testing.AllocsPerRun(100, func() {
		rd.r = 0
		if err := rd.collectionReply(); err != nil {
			t.Fatal(err)
		}
	})
	if n != 0 {
		t.Fatalf("%v allocations per LRANGE reply", n)
	}
}

// TestTypeRequests checks the list and hash loads' pipelines, keys and
// fields from fixed sequences.
func TestTypeRequests(t *testing.T) {
	f := func(cmd, want string) {
		t.Helper()
		o := &options{cmd: cmd, pipeline: 1, prefix: "k", proto: protoRESP, fields: 1, lrange: 100,
			fieldPrefix: "f", fieldPad: 2}
		g := newGen(o, &seqGen{i: 7}, rand.New(rand.NewPCG(1, 1)), []byte("vv"))
		if got := g.batch(nil); string(got) != want {
			t.Errorf("%s: got\n%q, want\n%q", cmd, got, want)
		}
	}
	f("lpush", "*3\r\n$5\r\nLPUSH\r\n$2\r\nk7\r\n$2\r\nvv\r\n")
	f("rpush", "*3\r\n$5\r\nRPUSH\r\n$2\r\nk7\r\n$2\r\nvv\r\n")
	f("lpop", "*2\r\n$4\r\nLPOP\r\n$2\r\nk7\r\n")
	f("rpop", "*2\r\n$4\r\nRPOP\r\n$2\r\nk7\r\n")
	f("hset", "*4\r\n$4\r\nHSET\r\n$2\r\nk7\r\n$3\r\nf00\r\n$2\r\nvv\r\n")
	f("hget", "*3\r\n$4\r\nHGET\r\n$2\r\nk7\r\n$3\r\nf00\r\n")
	f("hgetall", "*2\r\n$7\r\nHGETALL\r\n$2\r\nk7\r\n")
	f("lrange", "*4\r\n$6\r\nLRANGE\r\n$2\r\nk7\r\n$1\r\n0\r\n$2\r\n99\r\n")
}

// TestFillCommands: elements are "v" and 9 digits, numbered across keys;
// fields are the names hset and hget draw.
func TestFillCommands(t *testing.T) {
	o := &options{cmd: "fill-list", elems: 5, fieldPrefix: "field", fieldPad: 1}
	want := "*4\r\n$5\r\nRPUSH\r\n$1\r\nk\r\n$10\r\nv000000013\r\n$10\r\nv000000014\r\n"
	if got := o.fillCommand(nil, []byte("k"), 2, 3, 2); string(got) != want {
		t.Errorf("fill-list: got %q, want %q", got, want)
	}
	o.cmd = "fill-hash"
	want = "*4\r\n$4\r\nHSET\r\n$1\r\nk\r\n$6\r\nfield3\r\n$10\r\nv000000013\r\n"
	if got := o.fillCommand(nil, []byte("k"), 2, 3, 1); string(got) != want {
		t.Errorf("fill-hash: got %q, want %q", got, want)
	}
	rd := &reader{buf: []byte("*0\r\n*1\r\n$-1\r\n"), w: 13}
	for range 2 {
		if err := rd.collectionReply(); err != nil {
			t.Fatal(err)
		}
	}
	if rd.nils != 2 || rd.values != 0 {
		t.Errorf("empty array and nil element: nils %d values %d", rd.nils, rd.values)
	}
}
