// Command anaxload drives a Redis-protocol (or memcached text protocol)
// server with a closed-loop load and reports throughput and latency
// percentiles. It is the load generator of `make bench` (see
// bench/README.md).
//
// Each connection is one goroutine that writes a pipeline of -P requests
// with one write, then reads the -P replies. A reply's latency runs from
// the write of its pipeline to the read that completed it, as in
// redis-benchmark. Only pipelines sent after the warm-up and answered
// before the end are counted. The load is closed-loop (a slow reply delays
// the next request), so latency under overload is understated the same way
// redis-benchmark understates it.
//
// Keys are "<prefix><index>", the index zero-padded to -pad digits; the
// defaults ("key:", 12) are redis-benchmark's __rand_int__ keys, so one
// prefill serves both tools.
//
// Usage:
//
//	anaxload -addr 127.0.0.1:6379 -cmd get -c 50 -P 16 -d 100 -keys 1000000 -duration 10s
//	anaxload -cmd mix -ratio 1:10 -dist zipf -theta 0.99
//	anaxload -cmd mset -mset 2
//	anaxload -cmd multi -multi 10 -multi-cmd incr -key-prefix counter:
//	anaxload -cmd prefill -keys 1000000 -d 100
//	anaxload -cmd fill-hash -key-prefix hash: -keys 100000 -elems 10 -chunk 10
//	anaxload -cmd hget -key-prefix hash: -keys 100000 -fields 10
//	anaxload -cmd fill-list -key-prefix list: -keys 1000 -elems 2000 -del
//	anaxload -cmd lpop -key-prefix list: -keys 1000
//	anaxload -cmd fill-zset -key-prefix bigzset: -pad 0 -keys 1 -elems 1000000 -chunk 1000 -c 1
//	anaxload -cmd zrank -key-prefix bigzset: -pad 0 -keys 1 -members 1000000
//	anaxload -cmd fill-set -int-members -key-prefix s: -keys 1000000 -elems 10
//	anaxload -cmd publish -key-prefix chan: -pad 0 -keys 1 -subscribers 10 -pub-latency -rate 10000
//	anaxload -cmd fill-stream -key-prefix xrg: -keys 50 -elems 5000 -group g -del
//	anaxload -cmd xreadgroup -key-prefix xrg: -keys 50 -elems 5000 -xcount 10
//	anaxload -cmd evalsha-incr -key-prefix rl: -pad 0 -keys 100000
//	anaxload -cmd evalsha-bullmq -key-prefix q: -pad 0 -keys 1000 -d 100
//	anaxload -cmd ping -duration 5s  # wait until the server answers
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

type options struct {
	addr     string
	proto    string
	cmd      string
	conns    int
	pipeline int
	size     int
	keys     uint64
	prefix   string
	pad      int
	dist     string
	theta    float64
	writes   int // mix: writes per writes+reads
	reads    int
	mget     int
	mset     int
	multi    int    // multi: commands per transaction
	multiCmd string // multi: the command queued, set, get or incr
	fields   int    // hset, hget: fields per hash
	lrange   int    // lrange: elements read (LRANGE key 0 lrange-1)
	zrange   int    // zrange: members read (ZRANGE key 0 zrange-1)
	// Set and zset loads: members are drawn from [0, members); intMembers
	// names them by their index in decimal (sets of them are intsets).
	members    uint64
	intMembers bool
	// Bitmap and HyperLogLog loads (bits.go): the bits setbit and getbit
	// draw from, the elements per PFADD, the keys per PFCOUNT.
	bits    uint64
	pfElems int
	pfKeys  int
	// Pub/Sub (pubsub.go): subscribed connections opened beside the
	// load, and whether the latencies reported are theirs.
	subscribers int
	pubLatency  bool
	// Stream loads (streams.go): entries per XRANGE and XREADGROUP, and
	// the group fill-stream creates.
	xcount int
	group  string
	// fill-list, fill-hash, fill-set, fill-zset: elements per key, per
	// command, field names, and whether each key is deleted first.
	elems       int
	chunk       int
	fieldPrefix string
	fieldPad    int
	del         bool
	duration    time.Duration
	warmup      time.Duration
	timeout     time.Duration
	tsv         bool
	seed        uint64
	engine      string
	// rate, when above 0, paces the load to this many requests per second
	// over all connections (open loop), so that servers can be compared at
	// the same load rather than each at its own maximum.
	rate float64
}

func main() {
	var o options
	var ratio string
	flag.StringVar(&o.addr, "addr", "127.0.0.1:6379", "server address")
	flag.StringVar(&o.proto, "proto", protoRESP, "wire protocol: resp or memcache")
	flag.StringVar(&o.cmd, "cmd", "get", "load: set, get, mix, mget, incr, mset, multi, lpush, rpush, lpop, rpop, hset, hget, hgetall, lrange,\n"+
		"sadd, sismember, spop, zadd, zincrby, zscore, zrank, zrange, zpopmin, setbit, getbit, bitcount, bitop, pfadd, pfcount,\n"+
		"publish, xadd, xrange, xreadgroup, evalsha-incr, evalsha-bullmq (scripts.go); or prefill (SET every key once), fill-list, fill-hash, fill-set, fill-zset, fill-stream\n"+
		"(give every key -elems elements), ping (wait for the server)")
	flag.IntVar(&o.conns, "c", 50, "connections")
	flag.IntVar(&o.pipeline, "P", 1, "requests per pipeline")
	flag.IntVar(&o.size, "d", 100, "value size in bytes")
	flag.Uint64Var(&o.keys, "keys", 100000, "keyspace: key indexes are drawn from [0, keys)")
	flag.StringVar(&o.prefix, "key-prefix", "key:", "key prefix")
	flag.IntVar(&o.pad, "pad", 12, "zero-pad key indexes to this many digits (12: redis-benchmark's keys)")
	flag.StringVar(&o.dist, "dist", "uniform", "key distribution: uniform or zipf")
	flag.Float64Var(&o.theta, "theta", 0.99, "zipf exponent, in (0, 1)")
	flag.StringVar(&ratio, "ratio", "1:10", "mix: writes:reads")
	flag.IntVar(&o.mget, "mget", 10, "mget: keys per command")
	flag.IntVar(&o.mset, "mset", 2, "mset: keys per command")
	flag.IntVar(&o.multi, "multi", 10, "multi: commands per MULTI/EXEC transaction (one operation)")
	flag.StringVar(&o.multiCmd, "multi-cmd", "incr", "multi: the command in the transaction: set, get or incr")
	flag.IntVar(&o.fields, "fields", 10, "hset, hget: fields per hash (the field is drawn among them)")
	flag.IntVar(&o.lrange, "lrange", 100, "lrange: elements read, LRANGE key 0 <lrange-1>")
	flag.IntVar(&o.zrange, "zrange", 10, "zrange: members read, ZRANGE key 0 <zrange-1>")
	flag.Uint64Var(&o.members, "members", 1000000, "set and zset loads: members are drawn from [0, members)")
	flag.BoolVar(&o.intMembers, "int-members", false, "set and zset members are their index in decimal (\"42\"), not 'm' and 15 digits")
	flag.Uint64Var(&o.bits, "bits", 8<<20, "setbit, getbit: bit offsets are drawn from [0, bits)")
	flag.IntVar(&o.pfElems, "pf-elems", 10, "pfadd: elements per PFADD")
	flag.IntVar(&o.pfKeys, "pf-keys", 1, "pfcount: keys per PFCOUNT (above 1: <key-prefix>0 ...)")
	flag.IntVar(&o.subscribers, "subscribers", 0, "publish: connections subscribed to every channel (key) during the load")
	flag.BoolVar(&o.pubLatency, "pub-latency", false, "publish: report the subscribers' publish-to-receive latency, not PUBLISH's reply latency")
	flag.IntVar(&o.xcount, "xcount", 10, "xrange, xreadgroup: entries per XRANGE (COUNT) and per XREADGROUP (COUNT, then XACK of them)")
	flag.StringVar(&o.group, "group", "", "fill-stream: create this consumer group (at 0) on every stream")
	flag.IntVar(&o.elems, "elems", 10, "fill-list, fill-hash, fill-set, fill-zset: elements (fields, members) per key")
	flag.IntVar(&o.chunk, "chunk", 100, "fills: elements (fields, members) per command")
	flag.StringVar(&o.fieldPrefix, "field-prefix", "field", "hash field names: prefix")
	flag.IntVar(&o.fieldPad, "field-pad", 1, "hash field names: zero-pad the field index to this many digits")
	flag.BoolVar(&o.del, "del", false, "fills: DEL each key before filling it")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "measured time (ping: how long to wait)")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "load before measuring")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Second, "extra time allowed past the end before a connection is abandoned")
	flag.BoolVar(&o.tsv, "tsv", false, "print one tab-separated line: ops/s p50 p99 p99.9 max (ms) errors (multi: failed transactions) miss% client-cpu% first-error")
	flag.Uint64Var(&o.seed, "seed", 1, "random seed")
	flag.Float64Var(&o.rate, "rate", 0, "requests per second over all connections (0: as fast as the server answers); implies -engine go")
	flag.StringVar(&o.engine, "engine", defaultEngine, "epoll (Linux: one event loop per GOMAXPROCS, as redis-benchmark) or go (a goroutine per connection)")
	flag.Parse()

	if err := o.check(ratio); err != nil {
		fmt.Fprintln(os.Stderr, "anaxload:", err)
		os.Exit(2)
	}
	var err error
	switch o.cmd {
	case "ping":
		err = waitReady(&o)
	case "prefill":
		err = prefill(&o)
	case "fill-list", "fill-hash", "fill-set", "fill-zset", "fill-stream":
		err = fill(&o)
	default:
		err = runLoad(&o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "anaxload:", err)
		os.Exit(1)
	}
}

func (o *options) check(ratio string) error {
	if o.rate > 0 {
		o.engine = "go" // the epoll engine has no timers
	}
	switch o.proto {
	case protoRESP, protoMemcache:
	default:
		return fmt.Errorf("unknown -proto %q", o.proto)
	}
	switch o.cmd {
	case "set", "get", "mix", "mget", "incr", "prefill", "ping":
	case "mset", "multi", "fill-list", "fill-hash", "fill-set", "fill-zset",
		"lpush", "rpush", "lpop", "rpop", "hset", "hget", "hgetall", "lrange",
		"sadd", "sismember", "spop", "zadd", "zincrby", "zscore", "zrank", "zrange", "zpopmin",
		"setbit", "getbit", "bitcount", "bitop", "pfadd", "pfcount", "publish",
		"xadd", "xrange", "xreadgroup", "fill-stream", "evalsha-incr", "evalsha-bullmq":
		if o.proto != protoRESP {
			return fmt.Errorf("-cmd %s needs -proto resp", o.cmd)
		}
	default:
		return fmt.Errorf("unknown -cmd %q", o.cmd)
	}
	switch o.multiCmd {
	case "set", "get", "incr":
	default:
		return fmt.Errorf("unknown -multi-cmd %q", o.multiCmd)
	}
	switch o.engine {
	case "go":
	case "epoll":
		if defaultEngine != "epoll" {
			return fmt.Errorf("-engine epoll needs Linux")
		}
	default:
		return fmt.Errorf("unknown -engine %q", o.engine)
	}
	switch o.dist {
	case "uniform", "zipf":
	default:
		return fmt.Errorf("unknown -dist %q", o.dist)
	}
	if o.dist == "zipf" && (o.theta <= 0 || o.theta >= 1) {
		return fmt.Errorf("-theta %v: must be in (0, 1)", o.theta)
	}
	w, r, ok := strings.Cut(ratio, ":")
	var err1, err2 error
	o.writes, err1 = strconv.Atoi(w)
	o.reads, err2 = strconv.Atoi(r)
	if !ok || err1 != nil || err2 != nil || o.writes < 0 || o.reads < 0 || o.writes+o.reads == 0 {
		return fmt.Errorf("-ratio %q: want writes:reads", ratio)
	}
	if o.conns < 1 || o.pipeline < 1 || o.size < 0 || o.keys < 1 || o.mget < 1 || o.mset < 1 || o.duration <= 0 {
		return fmt.Errorf("-c, -P, -keys, -mget, -mset and -duration must be positive")
	}
	if o.fields < 1 || o.lrange < 1 || o.zrange < 1 || o.members < 1 || o.elems < 1 || o.chunk < 1 {
		return fmt.Errorf("-fields, -lrange, -zrange, -members, -elems and -chunk must be positive")
	}
	if o.cmd == "publish" && o.size < stampLen {
		return fmt.Errorf("-cmd publish: -d must be at least %d (the payload starts with its send time)", stampLen)
	}
	if o.subscribers < 0 || (o.subscribers > 0 || o.pubLatency) && o.cmd != "publish" {
		return fmt.Errorf("-subscribers and -pub-latency go with -cmd publish")
	}
	if o.pubLatency && o.subscribers == 0 {
		return fmt.Errorf("-pub-latency needs -subscribers")
	}
	if o.multi < 0 {
		return fmt.Errorf("-multi must not be negative")
	}
	if o.xcount < 1 {
		return fmt.Errorf("-xcount must be positive")
	}
	if o.cmd == "xreadgroup" && (o.keys < uint64(o.conns) || o.elems < o.xcount) {
		return fmt.Errorf("xreadgroup: each connection reads a stream of its own of -elems entries: -keys must be at least -c, -elems at least -xcount")
	}
	return nil
}

func (o *options) request() request {
	if o.proto == protoMemcache {
		return memcacheRequest{}
	}
	return respRequest{}
}

// reply consumes the replies to one request of the load: one reply, or
// a whole transaction's for -cmd multi.
func (o *options) reply(rd *reader) error {
	switch {
	case o.proto == protoMemcache:
		return rd.memcacheReply()
	case o.cmd == "multi":
		return rd.txReply(o.multi)
	case o.cmd == "xreadgroup":
		return o.readAckReply(rd)
	case o.cmd == "hgetall" || o.cmd == "lrange" || o.cmd == "zrange" || o.cmd == "zpopmin" || o.cmd == "xrange":
		return rd.collectionReply()
	case o.cmd == "sismember":
		return rd.intReply()
	case o.cmd == "publish":
		return rd.publishReply(o.subscribers)
	}
	return rd.respReply()
}

// appendKey formats key index i.
func (o *options) appendKey(dst []byte, i uint64) []byte {
	dst = append(dst, o.prefix...)
	var d [20]byte
	s := strconv.AppendUint(d[:0], i, 10)
	for n := len(s); n < o.pad; n++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

func dial(o *options) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", o.addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// value is the payload of every write: printable, not compressible to a
// run of one byte.
func value(n int) []byte {
	v := make([]byte, n)
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range v {
		v[i] = 'a' + byte(rng.IntN(26))
	}
	return v
}

// waitReady pings until the server answers or -duration passes.
func waitReady(o *options) error {
	deadline := time.Now().Add(o.duration)
	var last error
	for time.Now().Before(deadline) {
		c, err := dial(o)
		if err == nil {
			_ = c.SetDeadline(time.Now().Add(time.Second))
			_, err = c.Write(o.request().ping(nil))
			if err == nil {
				rd := newReader(c, time.Now())
				err = o.reply(rd)
				if err == nil && rd.errs > 0 {
					err = fmt.Errorf("%s", rd.firstErr) // e.g. -LOADING
				}
			}
			c.Close()
			if err == nil {
				return nil
			}
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after %v: %v", o.addr, o.duration, last)
}

// prefill SETs every key in [0, keys) once, each connection a contiguous
// range, in pipelines of max(-P, 64).
func prefill(o *options) error {
	start := time.Now()
	p := max(o.pipeline, 64)
	val := value(o.size)
	conns := min(uint64(o.conns), o.keys)
	errs := make([]error, conns)
	var wg sync.WaitGroup
	for ci := range conns {
		lo, hi := o.keys*ci/conns, o.keys*(ci+1)/conns
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := dial(o)
			if err != nil {
				errs[ci] = err
				return
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(o.duration + o.timeout))
			req, rd := o.request(), newReader(c, start)
			var buf, key []byte
			for i := lo; i < hi; {
				buf = buf[:0]
				n := 0
				for ; n < p && i < hi; n, i = n+1, i+1 {
					key = o.appendKey(key[:0], i)
					buf = req.set(buf, key, val)
				}
				if _, err := c.Write(buf); err != nil {
					errs[ci] = err
					return
				}
				for range n {
					if err := o.reply(rd); err != nil {
						errs[ci] = err
						return
					}
				}
			}
			if rd.errs > 0 {
				errs[ci] = fmt.Errorf("%d error replies, first: %s", rd.errs, rd.firstErr)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("prefill: %w", err)
		}
	}
	el := time.Since(start)
	fmt.Printf("prefilled %d keys of %d bytes in %.2fs (%.0f keys/s)\n", o.keys, o.size, el.Seconds(),
		float64(o.keys)/el.Seconds())
	return nil
}

// worker is one connection's measurements, filled by an engine.
type worker struct {
	hist           Histogram
	values, misses uint64
	errs           uint64
	late           uint64 // -rate: pipelines sent more than one interval behind schedule
	firstErr       string
	err            error
	// publish with -subscribers: the subscribers' publish-to-receive
	// latencies, and the messages they read, in the measured window.
	delivery  Histogram
	delivered uint64
}

// collect copies a reader's counters into w.
func (w *worker) collect(rd *reader) {
	w.values, w.misses, w.errs, w.firstErr = rd.values, rd.nils, rd.errs, rd.firstErr
}

// gen builds one connection's pipelines.
type gen struct {
	o     *options
	req   request
	resp  respRequest // the RESP-only requests (mset, multi)
	kg    keyGen
	rng   *rand.Rand
	val   []byte
	keys  [][]byte // one per key of a request; reused
	field []byte   // hset, hget: the field; set and zset loads: the member; reused
	sha   []byte   // script loads: the script's SHA
	score []byte   // zadd: the score; reused
	stop  []byte   // lrange, zrange: the last index read; xrange, xreadgroup: the COUNT
	next  uint64   // xreadgroup: the id the group reads next (streams.go)
	typed bool     // a list, hash, set or zset load (typeRequest)
	// stamps are the offsets of the pipeline's payload stamps (publish),
	// which stamp fills in once the send time is known.
	stamps []int
	// index is the connection's number, which spreads paced sends (-rate).
	index int
}

func newGen(o *options, kg keyGen, rng *rand.Rand, val []byte) *gen {
	n := 1
	switch o.cmd {
	case "mget":
		n = o.mget
	case "mset":
		n = o.mset
	case "evalsha-bullmq":
		n = len(bullmqKeys)
	}
	stop := o.lrange - 1
	switch {
	case o.cmd == "zrange":
		stop = o.zrange - 1
	case streamCmds[o.cmd]:
		stop = o.xcount // the COUNT of XRANGE and XREADGROUP
	}
	g := &gen{o: o, req: o.request(), kg: kg, rng: rng, val: val, keys: make([][]byte, n),
		stop: strconv.AppendInt(nil, int64(stop), 10), typed: typeCmds[o.cmd] || setCmds[o.cmd] || bitCmds[o.cmd] || streamCmds[o.cmd]}
	if scriptCmds[o.cmd] {
		g.sha = []byte(scriptSHA(o.script()))
	}
	return g
}

// batch appends one pipeline of -P requests to dst.
func (g *gen) batch(dst []byte) []byte {
	o, keys := g.o, g.keys
	g.stamps = g.stamps[:0]
	for range o.pipeline {
		if g.typed {
			dst = g.typeRequest(dst)
			continue
		}
		switch o.cmd {
		case "set":
			keys[0] = o.appendKey(keys[0][:0], g.kg.next())
			dst = g.req.set(dst, keys[0], g.val)
		case "get":
			keys[0] = o.appendKey(keys[0][:0], g.kg.next())
			dst = g.req.get(dst, keys[0])
		case "mix":
			keys[0] = o.appendKey(keys[0][:0], g.kg.next())
			if g.rng.IntN(o.writes+o.reads) < o.writes {
				dst = g.req.set(dst, keys[0], g.val)
			} else {
				dst = g.req.get(dst, keys[0])
			}
		case "mget":
			for j := range keys {
				keys[j] = o.appendKey(keys[j][:0], g.kg.next())
			}
			dst = g.req.mget(dst, keys)
		case "incr":
			keys[0] = o.appendKey(keys[0][:0], g.kg.next())
			dst = g.req.incr(dst, keys[0])
		case "mset":
			for j := range keys {
				keys[j] = o.appendKey(keys[j][:0], g.kg.next())
			}
			dst = g.resp.mset(dst, keys, g.val)
		case "multi":
			dst = g.tx(dst)
		case "publish":
			dst = g.publish(dst)
		case "evalsha-incr", "evalsha-bullmq":
			dst = g.scriptRequest(dst)
		}
	}
	return dst
}

// tx appends one transaction: MULTI, -multi commands, EXEC. The server
// gets them in one write (with the rest of the pipeline), and the
// transaction counts as one request, answered when EXEC's reply is in.
func (g *gen) tx(dst []byte) []byte {
	o, key := g.o, g.keys[0]
	dst = g.resp.multi(dst)
	for range o.multi {
		key = o.appendKey(key[:0], g.kg.next())
		switch o.multiCmd {
		case "set":
			dst = g.req.set(dst, key, g.val)
		case "get":
			dst = g.req.get(dst, key)
		default:
			dst = g.req.incr(dst, key)
		}
	}
	g.keys[0] = key
	return g.resp.exec(dst)
}

// load runs the load and returns every connection's figures merged.
func load(o *options) (*worker, error) {
	var shape *zipfShape
	if o.dist == "zipf" {
		shape = newZipfShape(o.keys, o.theta, true)
	}
	val := value(o.size)
	if o.proto == protoMemcache && o.cmd == "incr" {
		if err := presetCounters(o); err != nil {
			return nil, err
		}
	}
	if scriptCmds[o.cmd] {
		if err := loadScript(o); err != nil {
			return nil, err
		}
	}
	workers := make([]*worker, o.conns)
	gens := make([]*gen, o.conns)
	for i := range workers {
		workers[i] = &worker{}
		rng := rand.New(rand.NewPCG(o.seed, uint64(i)))
		var kg keyGen = &uniformGen{rng: rng, n: o.keys}
		if shape != nil {
			kg = &zipfGen{zipfShape: shape, rng: rng}
		}
		gens[i] = newGen(o, kg, rng, val)
		gens[i].index = i
	}
	var subs *subscribers
	if o.subscribers > 0 {
		var err error
		if subs, err = subscribe(o); err != nil {
			return nil, err
		}
	}
	t0 := time.Now()
	if subs != nil {
		subs.start(o, t0)
	}
	var err error
	if o.engine == "epoll" {
		err = runEpoll(o, t0, workers, gens)
	} else {
		runGoroutines(o, t0, workers, gens)
	}
	total := &worker{}
	if subs != nil {
		total.delivered = subs.stop(&total.delivery)
	}
	if err != nil {
		return nil, err
	}
	for _, w := range workers {
		if w.err != nil {
			return nil, w.err
		}
		total.hist.Merge(&w.hist)
		total.values += w.values
		total.misses += w.misses
		if total.errs == 0 {
			total.firstErr = w.firstErr
		}
		total.errs += w.errs
		total.late += w.late
	}
	return total, nil
}

func runLoad(o *options) error {
	var ru0, ru1 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	t0 := time.Now()
	total, err := load(o)
	if err != nil {
		return err
	}
	wall := time.Since(t0)
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	ops := float64(total.hist.Count()) / o.duration.Seconds()
	cpu := time.Duration(ru1.Utime.Nano()+ru1.Stime.Nano()-ru0.Utime.Nano()-ru0.Stime.Nano()) * 100
	cpuPct := float64(cpu) / float64(wall) / float64(gomaxprocs())
	miss := 0.0
	if total.values+total.misses > 0 {
		miss = 100 * float64(total.misses) / float64(total.values+total.misses)
	}
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 3, 64) }
	h := &total.hist
	if o.pubLatency {
		h = &total.delivery
	}
	if o.tsv {
		fmt.Printf("%.0f\t%s\t%s\t%s\t%s\t%d\t%.1f\t%.0f\t%s\n", ops, ms(h.Quantile(0.5)), ms(h.Quantile(0.99)),
			ms(h.Quantile(0.999)), ms(h.Max()), total.errs, miss, cpuPct, strings.ReplaceAll(total.firstErr, "\t", " "))
	} else {
		fmt.Printf("anaxload %s on %s (%s, %s engine): %d conns, pipeline %d, %d B values, %d keys %s, %v after %v warm-up\n",
			o.describe(), o.addr, o.proto, o.engine, o.conns, o.pipeline, o.size, o.keys, o.dist, o.duration, o.warmup)
		fmt.Printf("  ops/s %.0f  requests %d  %s %d  misses %.1f%%\n", ops, total.hist.Count(), o.errorsAre(), total.errs, miss)
		if o.subscribers > 0 {
			fmt.Printf("  %d subscribers: %.0f messages read/s\n", o.subscribers, float64(total.delivered)/o.duration.Seconds())
		}
		if o.pubLatency {
			fmt.Printf("  publish-to-receive latency, over %d messages:\n", total.delivery.Count())
		}
		fmt.Printf("  latency ms: p50 %s  p99 %s  p99.9 %s  max %s\n", ms(h.Quantile(0.5)), ms(h.Quantile(0.99)),
			ms(h.Quantile(0.999)), ms(h.Max()))
		fmt.Printf("  client CPU %.0f%% of %d core(s)\n", cpuPct, gomaxprocs())
		if o.rate > 0 {
			fmt.Printf("  paced at %.0f requests/s: %d pipelines sent late (the server fell behind)\n", o.rate, total.late)
		}
	}
	if total.errs > 0 {
		fmt.Fprintf(os.Stderr, "anaxload: %d %s, first: %s\n", total.errs, o.errorsAre(), total.firstErr)
	}
	return nil
}

// describe names the load for the report: the command and its size.
func (o *options) describe() string {
	switch o.cmd {
	case "mget":
		return fmt.Sprintf("mget (%d keys)", o.mget)
	case "mset":
		return fmt.Sprintf("mset (%d keys)", o.mset)
	case "multi":
		return fmt.Sprintf("multi (MULTI, %d %s, EXEC: one operation)", o.multi, o.multiCmd)
	case "hset", "hget":
		return fmt.Sprintf("%s (one of %d fields)", o.cmd, o.fields)
	case "lrange":
		return fmt.Sprintf("lrange (LRANGE key 0 %d)", o.lrange-1)
	case "zrange":
		return fmt.Sprintf("zrange (ZRANGE key 0 %d)", o.zrange-1)
	case "publish":
		return fmt.Sprintf("publish (%d subscribers per channel, %d-byte messages)", o.subscribers, o.size)
	case "sadd", "sismember", "zadd", "zincrby", "zscore", "zrank":
		return fmt.Sprintf("%s (one of %d members)", o.cmd, o.members)
	case "xadd":
		return "xadd (XADD key * f0 v f1 v)"
	case "xrange":
		return fmt.Sprintf("xrange (XRANGE key - + COUNT %d)", o.xcount)
	case "xreadgroup":
		return fmt.Sprintf("xreadgroup (XREADGROUP COUNT %d > and XACK of them: one operation)", o.xcount)
	case "evalsha-incr":
		return "evalsha-incr (INCR and EXPIRE of one key in a script)"
	case "evalsha-bullmq":
		return fmt.Sprintf("evalsha-bullmq (a BullMQ-style job add and move to active: %d keys of one queue, %d-byte data)", len(bullmqKeys), o.size)
	}
	return o.cmd
}

// errorsAre says what the error count counts: error replies, one per
// request, except that a transaction that went wrong is one error however
// many of its replies did.
func (o *options) errorsAre() string {
	if o.cmd == "multi" {
		return "failed transactions"
	}
	return "error replies"
}

// presetCounters stores "0" in every counter key: memcached's incr does
// not create a key.
func presetCounters(o *options) error {
	if o.keys > 100000 {
		return fmt.Errorf("incr over memcache presets every key: use -keys <= 100000")
	}
	c, err := dial(o)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(o.timeout))
	rd, req := newReader(c, time.Now()), o.request()
	var key []byte
	for i := range o.keys {
		key = o.appendKey(key[:0], i)
		if _, err := c.Write(req.set(nil, key, []byte("0"))); err != nil {
			return err
		}
		if err := o.reply(rd); err != nil {
			return err
		}
	}
	return nil
}

// runGoroutines is the portable engine: one goroutine per connection
// with blocking reads through Go's netpoller. At pipeline 1 each reply
// costs it a read that finds nothing (EAGAIN) before the goroutine parks,
// so it spends about a third more system calls than the epoll engine.
func runGoroutines(o *options, t0 time.Time, workers []*worker, gens []*gen) {
	var wg sync.WaitGroup
	for i, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.run(o, t0, gens[i])
		}()
	}
	wg.Wait()
}

func (w *worker) run(o *options, t0 time.Time, g *gen) {
	c, err := dial(o)
	if err != nil {
		w.err = err
		return
	}
	defer c.Close()
	measureFrom, measureTo := o.warmup, o.warmup+o.duration
	_ = c.SetDeadline(t0.Add(measureTo + o.timeout))
	rd := newReader(c, t0)
	var buf []byte
	// With -rate, pipeline k of this connection is due at
	// offset + k*interval; the offsets spread the connections evenly.
	var interval, due time.Duration
	if o.rate > 0 {
		interval = time.Duration(float64(time.Second) * float64(o.conns*o.pipeline) / o.rate)
		due = interval * time.Duration(g.index) / time.Duration(o.conns)
	}
	for time.Since(t0) < measureTo {
		if interval > 0 {
			if wait := due - time.Since(t0); wait > 0 {
				time.Sleep(wait)
			} else if -wait > interval {
				w.late++ // the previous replies came back too late to keep the pace
			}
			due += interval
		}
		buf = g.batch(buf[:0])
		sent := time.Since(t0)
		g.stamp(buf, sent)
		if _, err := c.Write(buf); err != nil {
			w.err = fmt.Errorf("write: %w", err)
			return
		}
		for range o.pipeline {
			if err := o.reply(rd); err != nil {
				w.err = fmt.Errorf("read: %w", err)
				return
			}
			if sent >= measureFrom && rd.at <= measureTo {
				w.hist.Record(int64(rd.at - sent))
			}
		}
	}
	w.collect(rd)
}

func gomaxprocs() int { return runtime.GOMAXPROCS(0) }
