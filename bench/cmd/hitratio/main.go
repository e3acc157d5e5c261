// Command hitratio measures a server's cache hit ratio under a cache-aside
// load: each request GETs a key drawn from a Zipf distribution and, on a
// miss, SETs it (as an application filling its cache would). Run it
// against a server with maxmemory well below the keyspace's size; see
// bench/README.md ("Hit ratio").
//
//	hitratio -addr 127.0.0.1:7412 -keys 2000000 -d 1024 -theta 0.99 -ops 20000000
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anaxdb/anax/shard"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "server address")
	keys := flag.Uint64("keys", 2_000_000, "keyspace: key:0 .. key:N-1")
	size := flag.Int("d", 1024, "value bytes")
	theta := flag.Float64("theta", 0.99, "Zipf exponent, in (0, 1)")
	ops := flag.Int64("ops", 4_000_000, "GETs measured (after the warm-up)")
	warmup := flag.Int64("warmup", 0, "GETs before the measure (default: ops/2)")
	conns := flag.Int("conns", 4, "connections")
	pipe := flag.Int("P", 16, "GETs per pipeline (then the SETs of the misses in one write)")
	seed := flag.Uint64("seed", 1, "random seed")
	sim := flag.String("sim", "", "no server: run the load against one in-process shard (shard.DB) with this policy "+
		"(allkeys-lru, allkeys-lfu, cache_mode, ...) and a budget of -budget bytes; fast and deterministic, for tuning")
	budget := flag.Int64("budget", 56<<20, "the in-process shard's budget (-sim)")
	tsv := flag.Bool("tsv", false, "print one tab-separated line: hit ratio, hits, gets, sets, seconds, evicted_keys, used_memory, dbsize, refused SETs, first refusal")
	flag.Parse()
	if *warmup == 0 {
		*warmup = *ops / 2
	}
	shape := newZipf(*keys, *theta)
	val := strings.Repeat("v", *size)
	if *sim != "" {
		simulate(*sim, *budget, shape, []byte(val), *warmup, *ops, *seed)
		return
	}

	var issued atomic.Int64 // GETs handed out, warm-up included
	var hits, gets, sets atomic.Int64
	total := *warmup + *ops
	var wg sync.WaitGroup
	errs := make(chan error, *conns)
	start := time.Now()
	var measureStart atomic.Int64
	for c := 0; c < *conns; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(*seed, uint64(c)+1))
			if err := run(*addr, shape, rng, val, *pipe, total, *warmup, &issued, &hits, &gets, &sets, &measureStart); err != nil {
				errs <- err
			}
		}(c)
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		fmt.Fprintln(os.Stderr, "hitratio:", err)
		os.Exit(1)
	}
	ms := measureStart.Load()
	if ms == 0 {
		ms = start.UnixNano()
	}
	secs := time.Since(time.Unix(0, ms)).Seconds()
	evicted, used, dbsize := serverFigures(*addr)
	ratio := float64(hits.Load()) / math.Max(1, float64(gets.Load()))
	firstErr := ""
	if p := setErr.Load(); p != nil {
		firstErr = strings.TrimSpace(*p)
	}
	if *tsv {
		fmt.Printf("%.4f\t%d\t%d\t%d\t%.1f\t%s\t%s\t%s\t%d\t%s\n", ratio, hits.Load(), gets.Load(), sets.Load(), secs, evicted, used, dbsize, setErrs.Load(), firstErr)
		return
	}
	if firstErr != "" {
		fmt.Printf("%d SETs refused, the first with %s\n", setErrs.Load(), firstErr)
	}
	fmt.Printf("hit ratio %.4f (%d of %d GETs), %d SETs, %.1f s measured (%.0f GETs/s)\n",
		ratio, hits.Load(), gets.Load(), sets.Load(), secs, float64(gets.Load())/secs)
	fmt.Printf("server: evicted_keys %s, used_memory %s, dbsize %s\n", evicted, used, dbsize)
}

// setErrs counts SETs answered with an error (OOM), setErr is the first.
var (
	setErrs atomic.Int64
	setErr  atomic.Pointer[string]
)

// run drives one connection until total GETs have been issued over all
// connections; those past warmup are counted.
func run(addr string, z *zipf, rng *rand.Rand, val string, pipe int, total, warmup int64,
	issued, hits, gets, sets *atomic.Int64, measureStart *atomic.Int64) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	rd := bufio.NewReaderSize(conn, 1<<16)
	var buf []byte
	batch := make([]uint64, 0, pipe)
	miss := make([]uint64, 0, pipe)
	for {
		first := issued.Add(int64(pipe)) - int64(pipe)
		if first >= total {
			return nil
		}
		if first >= warmup {
			measureStart.CompareAndSwap(0, time.Now().UnixNano())
		}
		n := int(min(int64(pipe), total-first))
		batch, buf = batch[:0], buf[:0]
		for i := 0; i < n; i++ {
			k := z.next(rng)
			batch = append(batch, k)
			buf = appendCmd(buf, "GET", key(k), "")
		}
		if _, err := conn.Write(buf); err != nil {
			return err
		}
		miss = miss[:0]
		for i, k := range batch {
			hit, err := readGet(rd)
			if err != nil {
				return err
			}
			if first+int64(i) >= warmup {
				gets.Add(1)
				if hit {
					hits.Add(1)
				}
			}
			if !hit {
				miss = append(miss, k)
			}
		}
		if len(miss) == 0 {
			continue
		}
		buf = buf[:0]
		for _, k := range miss {
			buf = appendCmd(buf, "SET", key(k), val)
		}
		if _, err := conn.Write(buf); err != nil {
			return err
		}
		for range miss {
			line, err := rd.ReadString('\n')
			if err != nil {
				return err
			}
			if !strings.HasPrefix(line, "+OK") {
				if !strings.HasPrefix(line, "-") {
					return fmt.Errorf("SET: %s", strings.TrimSpace(line))
				}
				setErrs.Add(1) // -OOM: the server refused to cache it
				setErr.CompareAndSwap(nil, &line)
			}
		}
		if first >= warmup {
			sets.Add(int64(len(miss)))
		}
	}
}

func key(k uint64) string { return "key:" + strconv.FormatUint(k, 10) }

// appendCmd appends a RESP command of one or two arguments (v "" : one).
func appendCmd(b []byte, cmd, k, v string) []byte {
	if v == "" {
		return appendArgs(b, cmd, k)
	}
	return appendArgs(b, cmd, k, v)
}

func appendArgs(b []byte, args ...string) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, "\r\n"...)
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, "\r\n"...)
		b = append(b, a...)
		b = append(b, "\r\n"...)
	}
	return b
}

// readGet reads one GET reply and reports whether it was a value.
func readGet(rd *bufio.Reader) (bool, error) {
	line, err := rd.ReadString('\n')
	if err != nil {
		return false, err
	}
	switch {
	case strings.HasPrefix(line, "$-1"):
		return false, nil
	case strings.HasPrefix(line, "$"):
		n, err := strconv.Atoi(strings.TrimSpace(line[1:]))
		if err != nil {
			return false, fmt.Errorf("GET: %q", line)
		}
		if _, err := rd.Discard(n + 2); err != nil {
			return false, err
		}
		return true, nil
	}
	return false, fmt.Errorf("GET: %s", strings.TrimSpace(line))
}

// serverFigures reads evicted_keys, used_memory and DBSIZE.
func serverFigures(addr string) (evicted, used, dbsize string) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return "?", "?", "?"
	}
	defer conn.Close()
	rd := bufio.NewReader(conn)
	conn.Write(appendArgs(appendArgs(nil, "INFO"), "DBSIZE"))
	evicted, used, dbsize = "?", "?", "?"
	line, err := rd.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "$") {
		return
	}
	n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
	body := make([]byte, n+2)
	if _, err := ioReadFull(rd, body); err != nil {
		return
	}
	for _, l := range strings.Split(string(body), "\r\n") {
		if v, ok := strings.CutPrefix(l, "evicted_keys:"); ok {
			evicted = v
		}
		if v, ok := strings.CutPrefix(l, "used_memory:"); ok {
			used = v
		}
	}
	if line, err := rd.ReadString('\n'); err == nil {
		dbsize = strings.TrimSpace(strings.TrimPrefix(line, ":"))
	}
	return
}

func ioReadFull(rd *bufio.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := rd.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// zipf is YCSB's generator (Gray et al., SIGMOD 1994), as in anaxload,
// with ranks scrambled so that the hot keys are spread over the keyspace.
type zipf struct {
	n                 uint64
	alpha, eta, zetan float64
	half2theta        float64
}

func newZipf(n uint64, theta float64) *zipf {
	zetan := 0.0
	for i := uint64(1); i <= n; i++ {
		zetan += 1 / math.Pow(float64(i), theta)
	}
	zeta2 := 1 + 1/math.Pow(2, theta)
	return &zipf{
		n:          n,
		alpha:      1 / (1 - theta),
		zetan:      zetan,
		half2theta: 1 + math.Pow(0.5, theta),
		eta:        (1 - math.Pow(2/float64(n), 1-theta)) / (1 - zeta2/zetan),
	}
}

func (z *zipf) next(rng *rand.Rand) uint64 {
	u := rng.Float64()
	uz := u * z.zetan
	var r uint64
	switch {
	case uz < 1:
		r = 0
	case uz < z.half2theta:
		r = 1
	default:
		r = min(uint64(float64(z.n)*math.Pow(z.eta*u-z.eta+1, z.alpha)), z.n-1)
	}
	// Scramble: a bijective mix of the rank, reduced to the keyspace.
	x := r + 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return (x ^ x>>31) % z.n
}

// simulate runs the load against one in-process shard: GET is a Lookup,
// a miss evicts when the shard is over its budget (as the server does
// before a deny-oom command) and stores the value; the tick runs every
// 1300 requests, as at 130,000 requests a second with hz 100. The clock is
// that same pace, not the wall's.
func simulate(policy string, budget int64, z *zipf, val []byte, warmup, ops int64, seed uint64) {
	s := shard.New(0, 1)
	db := s.DB(0)
	c := &shard.EvictConfig{Samples: 5, Tenacity: 10, LogFactor: 10, DecayTime: 1}
	if policy == "cache_mode" {
		c.CacheMode = true
	} else if p, ok := shard.PolicyByName[policy]; ok {
		c.Policy = p
	} else {
		fmt.Fprintln(os.Stderr, "hitratio: unknown policy", policy)
		os.Exit(2)
	}
	s.SetEvictConfig(c)
	s.SetBudget(budget)
	rng := rand.New(rand.NewPCG(seed, 1))
	var hits, gets int64
	var kb []byte
	start := time.Now()
	for i := int64(0); i < warmup+ops; i++ {
		now := int64(1_000_000_000_000) + i/130
		kb = strconv.AppendUint(append(kb[:0], "key:"...), z.next(rng), 10)
		_, ok := db.Lookup(kb, now, 0)
		if i >= warmup {
			gets++
			if ok {
				hits++
			}
		}
		if !ok {
			if s.OverBudget() {
				s.Evict(now)
			}
			db.SetString(kb, val, 0, false, shard.EncAuto, now)
		}
		if i%1300 == 0 {
			s.Tick(now, 1, true)
		}
	}
	fmt.Printf("%s: hit ratio %.4f (%d of %d GETs), %d keys held, %d evicted, budget %d MiB (%.1f s)\n",
		policy, float64(hits)/float64(gets), hits, gets, db.Len(), s.Stats.EvictedKeys.Load(), budget>>20,
		time.Since(start).Seconds())
}
