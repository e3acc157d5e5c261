// Command bigcmd times one very large command (MSET, MGET or DEL of N
// keys, sent as one RESP array) against a Redis-protocol server and reports
// the server's memory around it: its peak and current RSS (VmHWM, VmRSS of
// the process given by -pid) and INFO's used_memory and used_memory_peak.
//
// The time runs from the first byte of the request written to the last
// byte of the reply read. For MGET and DEL the keys are first created with
// pipelined MSETs of 1000 keys. Before the big command the server is asked
// to MEMORY PURGE (Redis returns jemalloc's dirty pages, Anax runs a GC and
// returns free memory to the OS), so both start from their steady state,
// and the process's peak RSS is reset (/proc/<pid>/clear_refs), so the
// peak shown is the command's own.
//
// -cmd sunionstore times SUNIONSTORE of two sets of n 16-byte members each
// (members "m" and 15 digits, as anaxload's; the second set's are the
// first's shifted by n/2, so the union has 1.5 n members), the two sources
// on different shards of a server with -shards shards, created first with
// pipelined SADDs of 1000 members. It also prints the destination's SCARD.
//
// Usage:
//
//	bigcmd -addr 127.0.0.1:7411 -pid $(pidof redis-server) -cmd mset -n 1000000
//	bigcmd -addr 127.0.0.1:7411 -pid $(pidof anax) -cmd sunionstore -n 1000000 -shards 2
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/anaxdb/anax/txn"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "server address")
	pid := flag.Int("pid", 0, "server process id, for its RSS (0: no RSS figures)")
	cmd := flag.String("cmd", "mset", "mset, mget, del, rename (of one string of n*64 bytes to a key on another shard),\n"+
		"or sunionstore (of two sets of n members on different shards)")
	n := flag.Int("n", 1000000, "keys (for rename: 64-byte units of the value; for sunionstore: members per set)")
	flag.IntVar(&shards, "shards", 2, "the server's shard count (--threads), for rename and sunionstore to pick keys on different shards")
	flag.Parse()
	if err := run(*addr, *pid, strings.ToLower(*cmd), *n); err != nil {
		fmt.Fprintln(os.Stderr, "bigcmd:", err)
		os.Exit(1)
	}
}

func run(addr string, pid int, cmd string, n int) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	r := bufio.NewReaderSize(c, 1<<16)
	// INFO once first: Anax samples used_memory_peak from the first INFO on.
	if _, err := info(c, r); err != nil {
		return err
	}
	switch cmd {
	case "mset":
	case "rename":
		if err := populateLong(c, r, n); err != nil {
			return err
		}
	case "sunionstore":
		if err := populateSets(c, r, n); err != nil {
			return err
		}
	default:
		if err := populate(c, r, n); err != nil {
			return err
		}
	}
	if _, err := c.Write([]byte("*2\r\n$6\r\nMEMORY\r\n$5\r\nPURGE\r\n")); err != nil {
		return err
	}
	if _, err := readReply(r); err != nil {
		return err
	}
	before, err := info(c, r)
	if err != nil {
		return err
	}
	if pid > 0 {
		// "5" resets the peak RSS (VmHWM) to the current RSS.
		if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0); err != nil {
			return fmt.Errorf("cannot reset the peak RSS: %w", err)
		}
	}
	rssBefore, _ := procStatus(pid, "VmRSS")

	req := request(cmd, n)
	start := time.Now()
	if _, err := c.Write(req); err != nil {
		return err
	}
	items, err := readReply(r)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	hwm, _ := procStatus(pid, "VmHWM")
	rss, _ := procStatus(pid, "VmRSS")
	time.Sleep(300 * time.Millisecond) // let a sampled peak catch up
	after, err := info(c, r)
	if err != nil {
		return err
	}
	if cmd == "sunionstore" {
		card, err := scard(c, r, unionKeys()[2])
		if err != nil {
			return err
		}
		fmt.Printf("card=%d ", card)
	}
	fmt.Printf("%s n=%d request=%.1fMB time=%.3fs reply_items=%d rss_before=%.1fMB peak_rss=%.1fMB rss_after=%.1fMB used_memory=%.1fMB->%.1fMB used_memory_peak=%.1fMB->%.1fMB\n",
		cmd, n, mb(int64(len(req))), elapsed.Seconds(), items, mb(rssBefore), mb(hwm), mb(rss),
		mb(before["used_memory"]), mb(after["used_memory"]),
		mb(before["used_memory_peak"]), mb(after["used_memory_peak"]))
	return nil
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

func key(b []byte, i int) []byte { return strconv.AppendInt(append(b, "key:"...), int64(i), 10) }

func value(b []byte, i int) []byte { return strconv.AppendInt(append(b, "v"...), int64(i), 10) }

func bulk(b, s []byte) []byte {
	b = append(b, '$')
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, "\r\n"...)
	b = append(b, s...)
	return append(b, "\r\n"...)
}

// appendCommand appends keys [from, to) of cmd as one RESP array.
func appendCommand(b []byte, cmd string, from, to int) []byte {
	per := 1
	if cmd == "mset" {
		per = 2
	}
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(1+per*(to-from)), 10)
	b = append(b, "\r\n"...)
	b = bulk(b, []byte(strings.ToUpper(cmd)))
	var k, v []byte
	for i := from; i < to; i++ {
		k = key(k[:0], i)
		b = bulk(b, k)
		if per == 2 {
			v = value(v[:0], i)
			b = bulk(b, v)
		}
	}
	return b
}

func request(cmd string, n int) []byte {
	switch cmd {
	case "rename":
		return renameRequest()
	case "sunionstore":
		k := unionKeys()
		b := []byte("*4\r\n$11\r\nSUNIONSTORE\r\n")
		return bulk(bulk(bulk(b, k[2]), k[0]), k[1])
	}
	return appendCommand(make([]byte, 0, 40*n+64), cmd, 0, n)
}

// populate creates the n keys with pipelined MSETs of 1000 keys.
func populate(c net.Conn, r *bufio.Reader, n int) error {
	const per, depth = 1000, 16
	var b []byte
	sent := 0
	for from := 0; from < n; {
		b = b[:0]
		for d := 0; d < depth && from < n; d++ {
			to := min(from+per, n)
			b = appendCommand(b, "mset", from, to)
			from = to
			sent++
		}
		if _, err := c.Write(b); err != nil {
			return err
		}
		for ; sent > 0; sent-- {
			if _, err := readReply(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// readReply reads one reply and returns how many items it held (1 for a
// non-array).
func readReply(r *bufio.Reader) (int, error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return 0, err
	}
	if len(line) < 3 {
		return 0, errors.New("short reply line")
	}
	switch line[0] {
	case '+', ':', '_', ',', '#':
		return 1, nil
	case '-':
		return 0, fmt.Errorf("error reply: %s", strings.TrimSpace(string(line)))
	case '$':
		l, err := strconv.Atoi(string(line[1 : len(line)-2]))
		if err != nil {
			return 0, err
		}
		if l >= 0 {
			if _, err := r.Discard(l + 2); err != nil {
				return 0, err
			}
		}
		return 1, nil
	case '*':
		cnt, err := strconv.Atoi(string(line[1 : len(line)-2]))
		if err != nil {
			return 0, err
		}
		for i := 0; i < cnt; i++ {
			if _, err := readReply(r); err != nil {
				return 0, err
			}
		}
		return max(cnt, 0), nil
	}
	return 0, fmt.Errorf("unexpected reply %q", line)
}

// info returns the integer fields of INFO memory.
func info(c net.Conn, r *bufio.Reader) (map[string]int64, error) {
	if _, err := c.Write([]byte("*2\r\n$4\r\nINFO\r\n$6\r\nmemory\r\n")); err != nil {
		return nil, err
	}
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(line, "$") {
		return nil, fmt.Errorf("INFO: %q", line)
	}
	l, err := strconv.Atoi(strings.TrimSpace(line[1:]))
	if err != nil {
		return nil, err
	}
	body := make([]byte, l+2)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, ln := range strings.Split(string(body), "\r\n") {
		k, v, ok := strings.Cut(ln, ":")
		if !ok {
			continue
		}
		if x, err := strconv.ParseInt(v, 10, 64); err == nil {
			out[k] = x
		}
	}
	return out, nil
}

// procStatus reads one "kB" field of /proc/<pid>/status, in bytes.
func procStatus(pid int, field string) (int64, error) {
	if pid <= 0 {
		return 0, nil
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, ln := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(ln, field+":"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				break
			}
			kb, err := strconv.ParseInt(f[0], 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// shards is the server's shard count (-shards).
var shards int

// renameSource is the key that rename's value is stored under.
const renameSource = "big:src"

// populateLong stores one string of n*64 bytes under renameSource.
func populateLong(c net.Conn, r *bufio.Reader, n int) error {
	val := []byte(strings.Repeat("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_", n))
	req := []byte("*3\r\n$3\r\nSET\r\n")
	req = bulk(req, []byte(renameSource))
	req = bulk(req, val)
	if _, err := c.Write(req); err != nil {
		return err
	}
	_, err := readReply(r)
	return err
}

// renameRequest renames renameSource to the first key "big:dst:<i>" on
// another shard than it.
func renameRequest() []byte {
	from := txn.ShardOf([]byte(renameSource), uint64(shards))
	for i := 0; ; i++ {
		dst := []byte("big:dst:" + strconv.Itoa(i))
		if shards == 1 || txn.ShardOf(dst, uint64(shards)) != from {
			b := []byte("*3\r\n$6\r\nRENAME\r\n")
			b = bulk(b, []byte(renameSource))
			return bulk(b, dst)
		}
	}
}

// unionKeys are sunionstore's first source, second source and destination:
// "big:set:a", then the first "big:set:b:<i>" on another shard than it, then
// the first "big:set:dst:<i>" on a third shard, or, with two shards, on
// the first source's.
func unionKeys() [3][]byte {
	a := []byte("big:set:a")
	sa := txn.ShardOf(a, uint64(shards))
	b := firstKey("big:set:b:", func(s int) bool { return shards == 1 || s != sa })
	sb := txn.ShardOf(b, uint64(shards))
	dst := firstKey("big:set:dst:", func(s int) bool {
		return shards < 3 && (shards == 1 || s == sa) || s != sa && s != sb
	})
	return [3][]byte{a, b, dst}
}

// firstKey returns prefix<i> for the first i whose shard ok accepts.
func firstKey(prefix string, ok func(shard int) bool) []byte {
	for i := 0; ; i++ {
		k := []byte(prefix + strconv.Itoa(i))
		if ok(txn.ShardOf(k, uint64(shards))) {
			return k
		}
	}
}

// member is set member i: "m" and 15 digits, as anaxload's.
func member(b []byte, i int) []byte {
	s := strconv.Itoa(i)
	b = append(b, 'm')
	for range 15 - len(s) {
		b = append(b, '0')
	}
	return append(b, s...)
}

// populateSets creates sunionstore's two sources with pipelined SADDs of
// 1000 members: members [0, n) and [n/2, n/2 + n).
func populateSets(c net.Conn, r *bufio.Reader, n int) error {
	const per, depth = 1000, 16
	k := unionKeys()
	var b, m []byte
	for s, base := range []int{0, n / 2} {
		sent := 0
		for from := 0; from < n; {
			b = b[:0]
			for d := 0; d < depth && from < n; d++ {
				to := min(from+per, n)
				b = append(b, '*')
				b = strconv.AppendInt(b, int64(2+to-from), 10)
				b = bulk(append(b, "\r\n$4\r\nSADD\r\n"...), k[s])
				for i := from; i < to; i++ {
					m = member(m[:0], base+i)
					b = bulk(b, m)
				}
				from = to
				sent++
			}
			if _, err := c.Write(b); err != nil {
				return err
			}
			for ; sent > 0; sent-- {
				if _, err := readReply(r); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// scard returns SCARD key.
func scard(c net.Conn, r *bufio.Reader, key []byte) (int64, error) {
	if _, err := c.Write(bulk([]byte("*2\r\n$5\r\nSCARD\r\n"), key)); err != nil {
		return 0, err
	}
	line, err := r.ReadString('\n')
	if err != nil {
		return 0, err
	}
	if !strings.HasPrefix(line, ":") {
		return 0, fmt.Errorf("SCARD: %q", strings.TrimSpace(line))
	}
	return strconv.ParseInt(strings.TrimSpace(line[1:]), 10, 64)
}
