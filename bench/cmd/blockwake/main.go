// Command blockwake measures how long a client blocked in BLPOP waits
// after another connection pushes to its key: the wake-up latency of
// blocking list commands (issue #12), on Anax or Redis; with -cmd xread,
// how long a client blocked in XREAD waits after another connection's
// XADD to its stream.
//
// -clients connections each block in BLPOP on a key of their own. A
// separate connection then wakes them one at a time, round robin: it
// writes RPUSH to the next client's key and the clock runs from just
// before that write to the moment the blocked client's read returns the
// BLPOP reply (which the client answers by blocking again at once). One
// wake at a time: this is the latency of a wake on an otherwise idle
// server, not under load. The client it wakes next has been blocked
// since its previous wake, -clients-1 wakes ago.
//
// With -shards N (Anax's --threads), client i's key is chosen among
// "wake:{i}:<n>" so that txn.ShardOf puts it on shard i mod N: the
// blocked keys spread evenly over the shards. A connection's own shard is
// its event loop, which the server picks, so the pusher, the blocked
// client and the key are on the same shard only about 1 wake in N*N;
// without -shards the keys are "wake:<i>".
//
// -cmd xread: the keys are streams ("xwake:..."), deleted first; client i
// blocks in XREAD BLOCK 0 STREAMS key <n>-0 after its n-th wake (0-0 at
// first), and the pusher's n-th wake of it is XADD key <n>-0 f v: explicit
// ids, so an XADD that comes before the client blocks again is still read
// (with "$" it would be missed).
//
// Usage:
//
//	blockwake -addr 127.0.0.1:6379 -clients 50 -wakes 5000 -shards 2
//	blockwake -cmd xread -addr 127.0.0.1:6379 -clients 50 -wakes 5000 -shards 2
//	blockwake -tsv ...   # p50 p99 max (ms), wakes, errors, first error
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/anaxdb/anax/txn"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "server address")
	clients := flag.Int("clients", 50, "blocked connections")
	wakes := flag.Int("wakes", 5000, "pushes measured")
	shards := flag.Int("shards", 0, "spread the blocked keys over this many Anax shards (0: plain keys)")
	timeout := flag.Duration("timeout", 10*time.Second, "give up on a wake (or on the clients blocking) after this long")
	tsv := flag.Bool("tsv", false, "print one tab-separated line: p50 p99 max (ms), wakes, errors, first error")
	cmd := flag.String("cmd", "blpop", "blocking command: blpop (woken by RPUSH) or xread (woken by XADD)")
	flag.Parse()
	if *clients < 1 || *wakes < 1 {
		fmt.Fprintln(os.Stderr, "blockwake: -clients and -wakes must be positive")
		os.Exit(2)
	}
	if *cmd != "blpop" && *cmd != "xread" {
		fmt.Fprintf(os.Stderr, "blockwake: unknown -cmd %q\n", *cmd)
		os.Exit(2)
	}
	lat, errs, first, err := run(*addr, *cmd, *clients, *wakes, *shards, *timeout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "blockwake:", err)
		os.Exit(1)
	}
	slices.Sort(lat)
	q := func(p float64) string {
		if len(lat) == 0 {
			return "-"
		}
		return strconv.FormatFloat(float64(lat[min(len(lat)-1, int(p*float64(len(lat))))])/1e6, 'f', 3, 64)
	}
	if *tsv {
		fmt.Printf("%s\t%s\t%s\t%d\t%d\t%s\n", q(0.5), q(0.99), q(1), len(lat), errs, first)
		return
	}
	fmt.Printf("blockwake %s on %s: %d blocked clients, %d wakes: p50 %s ms, p99 %s ms, max %s ms\n",
		*cmd, *addr, *clients, len(lat), q(0.5), q(0.99), q(1))
	if errs > 0 {
		fmt.Printf("  %d error replies, first: %s\n", errs, first)
	}
}

// wakeKey returns client i's key: with shards > 1, the first
// "<prefix>{i}:n" that txn.ShardOf puts on shard i mod shards.
func wakeKey(prefix string, i, shards int) string {
	if shards <= 1 {
		return prefix + strconv.Itoa(i)
	}
	for n := 0; ; n++ {
		k := prefix + "{" + strconv.Itoa(i) + ":" + strconv.Itoa(n) + "}"
		if txn.ShardOf([]byte(k), uint64(shards)) == i%shards {
			return k
		}
	}
}

func command(args ...string) []byte {
	b := []byte("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		b = append(b, "$"+strconv.Itoa(len(a))+"\r\n"+a+"\r\n"...)
	}
	return b
}

// readReply reads one RESP2 reply and returns its error text, if it is an
// error reply.
func readReply(br *bufio.Reader) (string, error) {
	l, err := br.ReadString('\n')
	if err != nil {
		return "", err
	}
	l = strings.TrimSuffix(l, "\r\n")
	if l == "" {
		return "", fmt.Errorf("protocol error: empty line")
	}
	switch l[0] {
	case '-':
		return l[1:], nil
	case '$':
		n, _ := strconv.Atoi(l[1:])
		if n >= 0 {
			_, err = br.Discard(n + 2)
		}
		return "", err
	case '*':
		n, _ := strconv.Atoi(l[1:])
		for range n {
			if e, err := readReply(br); err != nil || e != "" {
				return e, err
			}
		}
	}
	return "", nil
}

// woken is one blocked client's reply: when it arrived, or its error.
type woken struct {
	at      time.Time
	errText string
	err     error
}

// blockCommand is the command client key blocks in after its n-th wake.
func blockCommand(cmd, key string, n int) []byte {
	if cmd == "xread" {
		return command("XREAD", "BLOCK", "0", "STREAMS", key, strconv.Itoa(n)+"-0")
	}
	return command("BLPOP", key, "0")
}

// pushCommand is the pusher's n-th wake (from 1) of key.
func pushCommand(cmd, key string, n int) []byte {
	if cmd == "xread" {
		return command("XADD", key, strconv.Itoa(n)+"-0", "f", "v")
	}
	return command("RPUSH", key, "v")
}

func run(addr, cmd string, clients, wakes, shards int, timeout time.Duration) (lat []time.Duration, errs int, first string, err error) {
	keys := make([]string, clients)
	got := make([]chan woken, clients)
	conns := make([]net.Conn, 0, clients+1)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	p, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, 0, "", err
	}
	conns = append(conns, p)
	pr := bufio.NewReader(p)
	prefix := "wake:"
	if cmd == "xread" {
		prefix = "xwake:"
	}
	for i := range clients {
		keys[i] = wakeKey(prefix, i, shards)
	}
	if cmd == "xread" {
		// The streams start empty: the ids are the wake counts.
		for _, k := range keys {
			if _, err := p.Write(command("DEL", k)); err != nil {
				return nil, 0, "", err
			}
			if e, err := readReply(pr); err != nil || e != "" {
				return nil, 0, "", fmt.Errorf("DEL %s: %v%s", k, err, e)
			}
		}
	}
	for i := range clients {
		c, err := net.DialTimeout("tcp", addr, timeout)
		if err != nil {
			return nil, 0, "", err
		}
		conns = append(conns, c)
		got[i] = make(chan woken, 1)
		// The client blocks, and after each reply blocks again before
		// reporting it, so it is waiting by the time its next push comes.
		go func() {
			br := bufio.NewReader(c)
			if _, err := c.Write(blockCommand(cmd, keys[i], 0)); err != nil {
				got[i] <- woken{err: err}
				return
			}
			for n := 1; ; n++ {
				e, err := readReply(br)
				at := time.Now()
				if err == nil && e == "" {
					_, err = c.Write(blockCommand(cmd, keys[i], n))
				}
				got[i] <- woken{at: at, errText: e, err: err}
				if err != nil || e != "" {
					return
				}
			}
		}()
	}
	// Wait until every client is blocked (INFO blocked_clients), or one
	// was refused.
	deadline := time.Now().Add(timeout)
	for {
		for i := range got {
			select {
			case w := <-got[i]:
				if w.err != nil {
					return nil, 0, "", w.err
				}
				return nil, 1, w.errText, nil // the command refused: nothing to measure
			default:
			}
		}
		if n, err := blockedClients(p, pr); err != nil {
			return nil, 0, "", err
		} else if n >= clients {
			break
		}
		if time.Now().After(deadline) {
			return nil, 0, "", fmt.Errorf("only some of %d clients blocked after %v", clients, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
	lat = make([]time.Duration, 0, wakes)
	for w := range wakes {
		i := w % clients
		push := pushCommand(cmd, keys[i], w/clients+1)
		t0 := time.Now()
		if _, err := p.Write(push); err != nil {
			return nil, 0, "", err
		}
		e, err := readReply(pr)
		if err != nil {
			return nil, 0, "", err
		}
		if e != "" {
			return lat, errs + 1, e, nil // the push refused
		}
		select {
		case r := <-got[i]:
			if r.err != nil {
				return nil, 0, "", r.err
			}
			if r.errText != "" {
				return lat, errs + 1, r.errText, nil
			}
			lat = append(lat, r.at.Sub(t0))
		case <-time.After(timeout):
			return nil, 0, "", fmt.Errorf("client %d not woken %v after its push", i, timeout)
		}
	}
	return lat, errs, first, nil
}

// blockedClients reads INFO clients' blocked_clients.
func blockedClients(c net.Conn, br *bufio.Reader) (int, error) {
	if _, err := c.Write(command("INFO", "clients")); err != nil {
		return 0, err
	}
	l, err := br.ReadString('\n')
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(l[1:]))
	if err != nil || l[0] != '$' {
		return 0, fmt.Errorf("INFO: unexpected reply %q", l)
	}
	body := make([]byte, n+2)
	if _, err := io.ReadFull(br, body); err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(body), "\r\n") {
		if v, ok := strings.CutPrefix(line, "blocked_clients:"); ok {
			return strconv.Atoi(v)
		}
	}
	return 0, fmt.Errorf("INFO clients has no blocked_clients")
}
