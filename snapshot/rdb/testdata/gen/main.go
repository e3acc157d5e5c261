// Command gen regenerates the test vectors in snapshot/rdb/testdata from a
// live redis-server (7.x) and, with -oracle, cross-checks the rdb package
// against it: DUMP bytes of random strings must equal DumpString's (footer
// aside), and Redis must RESTORE what DumpString writes.
//
//	redis-server --port 7778 --save '' --daemonize yes --enable-debug-command yes
//	go run ./snapshot/rdb/testdata/gen -addr 127.0.0.1:7778 -out snapshot/rdb/testdata -oracle 3000
//	redis-cli -p 7778 shutdown nosave
//
// It lives under testdata so that `go build ./...` and `go vet ./...` skip it.
package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/anaxdb/anax/snapshot/rdb"
)

// ---- a minimal RESP2 client ----

type client struct {
	r *bufio.Reader
	w *bufio.Writer
}

type respError string

func (e respError) Error() string { return string(e) }

func dial(addr string) *client {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	return &client{r: bufio.NewReaderSize(c, 1<<16), w: bufio.NewWriterSize(c, 1<<16)}
}

func (c *client) do(args ...any) (any, error) {
	fmt.Fprintf(c.w, "*%d\r\n", len(args))
	for _, a := range args {
		var b []byte
		switch a := a.(type) {
		case string:
			b = []byte(a)
		case []byte:
			b = a
		case int:
			b = strconv.AppendInt(nil, int64(a), 10)
		default:
			log.Fatalf("bad arg %T", a)
		}
		fmt.Fprintf(c.w, "$%d\r\n", len(b))
		c.w.Write(b)
		c.w.WriteString("\r\n")
	}
	if err := c.w.Flush(); err != nil {
		return nil, err
	}
	return c.read()
}

func (c *client) must(args ...any) any {
	v, err := c.do(args...)
	if err != nil {
		log.Fatalf("%v: %v", args[0], err)
	}
	return v
}

func (c *client) read() (any, error) {
	line, err := c.r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	line = strings.TrimSuffix(line, "\r\n")
	switch line[0] {
	case '+':
		return line[1:], nil
	case '-':
		return nil, respError(line[1:])
	case ':':
		return strconv.ParseInt(line[1:], 10, 64)
	case '$':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return nil, nil
		}
		b := make([]byte, n+2)
		if _, err := ioReadFull(c.r, b); err != nil {
			return nil, err
		}
		return b[:n], nil
	case '*':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return nil, nil
		}
		out := make([]any, n)
		for i := range out {
			if out[i], err = c.read(); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, errors.New("bad reply " + line)
}

func ioReadFull(r *bufio.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := r.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func bulks(v any) [][]byte {
	var out [][]byte
	for _, e := range v.([]any) {
		out = append(out, e.([]byte))
	}
	return out
}

// ---- vector files ----

// valueVector is one entry of values.json. Byte strings are hex.
type valueVector struct {
	Name   string `json:"name"`
	Origin string `json:"origin"` // how the payload was made
	Type   int    `json:"type"`
	Dump   string `json:"dump"`
	// Expected contents; each byte string as in strings.txt: hex, "-" or
	// rep:<hex>*<n>.
	Str  string      `json:"str,omitempty"`
	List []string    `json:"list,omitempty"`
	Set  []string    `json:"set,omitempty"`
	Hash [][2]string `json:"hash,omitempty"`
	ZSet [][2]string `json:"zset,omitempty"` // member hex, score as Redis prints it
}

func hx(b []byte) string { return hex.EncodeToString(b) }

// expect fills v's expected contents by asking Redis about key.
func expect(c *client, key string, v *valueVector) {
	hx := compactValue
	switch c.must("TYPE", key).(string) {
	case "string":
		v.Str = hx(c.must("GET", key).([]byte))
	case "list":
		for _, e := range bulks(c.must("LRANGE", key, 0, -1)) {
			v.List = append(v.List, hx(e))
		}
	case "set":
		for _, e := range bulks(c.must("SMEMBERS", key)) {
			v.Set = append(v.Set, hx(e))
		}
		slices.Sort(v.Set)
	case "hash":
		kv := bulks(c.must("HGETALL", key))
		for i := 0; i < len(kv); i += 2 {
			v.Hash = append(v.Hash, [2]string{hx(kv[i]), hx(kv[i+1])})
		}
		slices.SortFunc(v.Hash, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	case "zset":
		kv := bulks(c.must("ZRANGE", key, 0, -1, "WITHSCORES"))
		for i := 0; i < len(kv); i += 2 {
			v.ZSet = append(v.ZSet, [2]string{hx(kv[i]), string(kv[i+1])})
		}
	default:
		log.Fatalf("unexpected type of %s", key)
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:7778", "redis-server address")
	out := flag.String("out", "snapshot/rdb/testdata", "testdata directory")
	oracle := flag.Int("oracle", 0, "random strings to cross-check against Redis")
	flag.Parse()
	c := dial(*addr)
	info := string(c.must("INFO", "server").([]byte))
	redisVersion := "unknown"
	for _, l := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(l, "redis_version:"); ok {
			redisVersion = v
		}
	}
	c.must("FLUSHALL")
	c.must("SET", "probe", "x")
	probe := c.must("DUMP", "probe").([]byte)
	serverRDB := binary.LittleEndian.Uint16(probe[len(probe)-10:])
	log.Printf("redis %s, DUMP RDB version %d", redisVersion, serverRDB)

	writeStrings(c, filepath.Join(*out, "strings.txt"), redisVersion)
	writeValues(c, filepath.Join(*out, "values.json"), redisVersion, serverRDB)
	if *oracle > 0 {
		runOracle(c, *oracle, serverRDB)
	}
}

// stringCases are the string values whose DUMP goes into strings.txt.
func stringCases() [][2]string {
	r := rand.New(rand.NewPCG(1, 2))
	random := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return string(b)
	}
	var text strings.Builder
	for i := 0; text.Len() < 20000; i++ {
		fmt.Fprintf(&text, "The quick brown fox %d jumps over the lazy dog %d. ", i, i*7919%1000)
	}
	cases := [][2]string{
		{"empty", ""},
		{"zero", "0"},
		{"minus_one", "-1"},
		{"int16_12345", "12345"},
		{"int8_max", "127"},
		{"int8_min", "-128"},
		{"int16_min_pos", "128"},
		{"int16_max_neg", "-129"},
		{"int16_max", "32767"},
		{"int16_min", "-32768"},
		{"int32_min_pos", "32768"},
		{"int32_max_neg", "-32769"},
		{"int32_max", "2147483647"},
		{"int32_min", "-2147483648"},
		{"raw_2147483648", "2147483648"},
		{"raw_minus_2147483649", "-2147483649"},
		{"raw_4294967296", "4294967296"},
		{"raw_int64_max", "9223372036854775807"},
		{"raw_leading_zero", "007"},
		{"raw_minus_zero", "-0"},
		{"raw_plus_one", "+1"},
		{"raw_space_one", " 1"},
		{"raw_float", "1.5"},
		{"abc", "abc"},
		{"len20_same", strings.Repeat("a", 20)},
		{"len21_same", strings.Repeat("a", 21)},
		{"repetitive100", strings.Repeat("abcdefghij", 10)},
		{"repetitive100_single", strings.Repeat("x", 100)},
		{"repetitive100_words", strings.Repeat("redis ", 17)[:100]},
		{"random100", random(100)},
		{"random63", random(63)},
		{"random64", random(64)},
		{"random16383", random(16383)},
		{"random20000", random(20000)},
		{"text20000", text.String()[:20000]},
		{"zeros20000", strings.Repeat("\x00", 20000)},
		{"repeat_period_7_300", strings.Repeat("1234567", 43)[:300]},
		{"repeat_period_8191_20000", func() string {
			p := random(8191)
			return (p + p + p)[:20000]
		}()},
		{"repeat_period_8193_20000", func() string {
			p := random(8193)
			return (p + p + p)[:20000]
		}()},
	}
	return cases
}

func writeStrings(c *client, path, redisVersion string) {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# DUMP payloads of string values from redis-server %s (written by testdata/gen).\n", redisVersion)
	fmt.Fprintf(&buf, "# name value dump-hex; value is hex, \"-\" (empty) or rep:<hex>*<n> (hex repeated, cut to n bytes)\n")
	for _, tc := range stringCases() {
		c.must("SET", "k", tc[1])
		d := c.must("DUMP", "k").([]byte)
		fmt.Fprintf(&buf, "%s %s %s\n", tc[0], compactValue([]byte(tc[1])), hx(d))
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %s", path)
}

// compactValue writes v as hex, or as rep:<hex>*<n> when v repeats a prefix
// of at most half its length.
func compactValue(v []byte) string {
	if len(v) == 0 {
		return "-"
	}
	for p := 1; p <= len(v)/2; p++ {
		if bytes.Equal(v[p:], v[:len(v)-p]) {
			return fmt.Sprintf("rep:%s*%d", hx(v[:p]), len(v))
		}
	}
	return hx(v)
}

// valueCase makes one key "k" in Redis.
type valueCase struct {
	name  string
	setup [][]any
}

func valueCases() []valueCase {
	r := rand.New(rand.NewPCG(3, 4))
	word := func(i int) string { return fmt.Sprintf("w%04d-%x", i, r.Uint32()) }
	var cases []valueCase
	add := func(name string, setup ...[]any) { cases = append(cases, valueCase{name, setup}) }

	ints := []any{"RPUSH", "k", "0", "1", "127", "128", "-1", "4095", "4096", "-4096", "-4097",
		"32767", "32768", "-32768", "-32769", "8388607", "8388608", "-8388608", "-8388609",
		"2147483647", "2147483648", "-2147483648", "-2147483649",
		"9223372036854775807", "-9223372036854775808", "007", "-0", "1.5"}
	add("list_listpack_ints", ints)
	add("list_listpack_strings", []any{"RPUSH", "k", "", "a", strings.Repeat("b", 63), strings.Repeat("c", 64),
		strings.Repeat("d", 4095), strings.Repeat("e", 4096), "a"})
	big := []any{"RPUSH", "k"}
	for i := range 250 {
		big = append(big, word(i)+strings.Repeat(".", 80))
	}
	add("list_quicklist_multi", big)
	add("list_quicklist_plain",
		[]any{"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1000"},
		[]any{"RPUSH", "k", "small", strings.Repeat("P", 2000), "tail", strings.Repeat("Q", 1500)},
		[]any{"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0"})

	add("set_intset16", []any{"SADD", "k", "3", "1", "2", "-5", "32767"})
	add("set_intset32", []any{"SADD", "k", "1", "70000", "-70000"})
	add("set_intset64", []any{"SADD", "k", "1", "5000000000", "-9223372036854775808"})
	add("set_strings_small", []any{"SADD", "k", "a", "b", "c", "1"})
	bigSet := []any{"SADD", "k"}
	for i := range 600 {
		bigSet = append(bigSet, strconv.Itoa(i*3))
	}
	add("set_ints_600", bigSet)

	add("hash_listpack", []any{"HSET", "k", "f1", "v1", "n", "12345", "neg", "-7", "empty", "", "", "emptyfield",
		"big", "9223372036854775807"})
	add("hash_listpack_long_values",
		[]any{"CONFIG", "SET", "hash-max-listpack-value", "10000"},
		[]any{"HSET", "k", "a", strings.Repeat("x", 5000), "b", strings.Repeat("y", 100)},
		[]any{"CONFIG", "SET", "hash-max-listpack-value", "64"})
	bigHash := []any{"HSET", "k"}
	for i := range 200 {
		bigHash = append(bigHash, word(i), strconv.Itoa(i))
	}
	add("hash_200", bigHash)
	add("hash_table_long_value", []any{"HSET", "k", "f", strings.Repeat("v", 100), "g", "1"})

	add("zset_listpack", []any{"ZADD", "k", "1", "one", "1.5", "onehalf", "-2", "minus2", "inf", "pinf",
		"-inf", "ninf", "0.1", "tenth", "1e300", "huge", "0", "zero", "3.0000000000000004", "odd",
		"9007199254740993", "big", "-0.0", "negzero"})
	bigZ := []any{"ZADD", "k"}
	for i := range 200 {
		bigZ = append(bigZ, strconv.FormatFloat(float64(i)*1.25-50, 'g', -1, 64), word(i))
	}
	bigZ = append(bigZ, "inf", "top", "-inf", "bottom")
	add("zset_skiplist_200", bigZ)

	// Lists and hashes of issue #12 (ListNodes, HashListpack, the Dump
	// functions): node splitting at 8 KiB, integers, a node bigger than the
	// limit, and a hash past hash-max-listpack-entries (512).
	ten := []any{"RPUSH", "k"}
	for i := range 10 {
		ten = append(ten, word(i))
	}
	add("list_10", ten)
	thousand := []any{"RPUSH", "k"}
	for i := range 1000 {
		thousand = append(thousand, fmt.Sprintf("e%09d", i*7))
	}
	add("list_1000x10", thousand)
	intList := []any{"RPUSH", "k"}
	for i := range 3000 {
		intList = append(intList, strconv.FormatInt(int64(i*i*i)-int64(r.IntN(1<<20)), 10))
	}
	add("list_ints_3000", intList)
	add("list_100k_element", []any{"RPUSH", "k", "before", strings.Repeat("0123456789abcdef", 6400), "after"})
	hash600 := []any{"HSET", "k"}
	for i := range 600 {
		hash600 = append(hash600, word(i), strconv.Itoa(i*31))
	}
	add("hash_600", hash600)
	return cases
}

func writeValues(c *client, path, redisVersion string, serverRDB uint16) {
	var vs []valueVector
	for _, tc := range valueCases() {
		c.must("DEL", "k")
		for _, cmd := range tc.setup {
			c.must(cmd...)
		}
		d := c.must("DUMP", "k").([]byte)
		v := valueVector{Name: tc.name, Origin: "redis-server " + redisVersion + " DUMP", Type: int(d[0]), Dump: hx(d)}
		expect(c, "k", &v)
		vs = append(vs, v)
	}
	for _, tc := range stringCases()[:8] {
		c.must("SET", "k", tc[1])
		d := c.must("DUMP", "k").([]byte)
		v := valueVector{Name: "string_" + tc[0], Origin: "redis-server " + redisVersion + " DUMP", Type: int(d[0]), Dump: hx(d)}
		expect(c, "k", &v)
		vs = append(vs, v)
	}
	vs = append(vs, handMade(c, redisVersion, serverRDB)...)
	b, err := json.MarshalIndent(vs, "", " ")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %s (%d vectors)", path, len(vs))
}

// ---- hand-made payloads in encodings Redis 7 no longer writes ----

// zlEntry is a ziplist element: an integer when isInt, else a string.
type zlEntry struct {
	s     string
	v     int64
	isInt bool
}

// ziplist builds a ziplist using every encoding the format has, choosing
// integer widths as Redis did.
func ziplist(es []zlEntry) []byte {
	zl := make([]byte, 10)
	prev, last := 0, 10
	for _, e := range es {
		last = len(zl)
		start := len(zl)
		if prev < 254 {
			zl = append(zl, byte(prev))
		} else {
			zl = append(zl, 0xFE)
			zl = binary.LittleEndian.AppendUint32(zl, uint32(prev))
		}
		if e.isInt {
			v := e.v
			switch {
			case v >= 0 && v <= 12:
				zl = append(zl, 0xF1+byte(v))
			case v >= -128 && v <= 127:
				zl = append(zl, 0xFE, byte(v))
			case v >= -32768 && v <= 32767:
				zl = append(zl, 0xC0)
				zl = binary.LittleEndian.AppendUint16(zl, uint16(v))
			case v >= -(1<<23) && v < 1<<23:
				zl = append(zl, 0xF0, byte(v), byte(v>>8), byte(v>>16))
			case v >= -(1<<31) && v < 1<<31:
				zl = append(zl, 0xD0)
				zl = binary.LittleEndian.AppendUint32(zl, uint32(v))
			default:
				zl = append(zl, 0xE0)
				zl = binary.LittleEndian.AppendUint64(zl, uint64(v))
			}
		} else {
			n := len(e.s)
			switch {
			case n < 64:
				zl = append(zl, byte(n))
			case n < 16384:
				zl = append(zl, 0x40|byte(n>>8), byte(n))
			default:
				zl = append(zl, 0x80)
				zl = binary.BigEndian.AppendUint32(zl, uint32(n))
			}
			zl = append(zl, e.s...)
		}
		prev = len(zl) - start
	}
	zl = append(zl, 0xFF)
	binary.LittleEndian.PutUint32(zl, uint32(len(zl)))
	binary.LittleEndian.PutUint32(zl[4:], uint32(last))
	binary.LittleEndian.PutUint16(zl[8:], uint16(min(len(es), 65535)))
	return zl
}

func zs(s string) zlEntry { return zlEntry{s: s} }
func zi(v int64) zlEntry  { return zlEntry{v: v, isInt: true} }

func payload(typ byte, version uint16, body ...[]byte) []byte {
	p := []byte{typ}
	for _, b := range body {
		p = append(p, b...)
	}
	p = binary.LittleEndian.AppendUint16(p, version)
	return binary.LittleEndian.AppendUint64(p, rdb.CRC64(0, p))
}

func str(b []byte) []byte { return rdb.AppendString(nil, b, true) }

// handMade builds payloads in the ziplist encodings of Redis < 7.0 (RDB 9, as
// Redis 6.2 writes them), RESTOREs each into Redis (which deep-validates
// ziplists while converting them) and records what Redis then holds; and a
// TypeSetListpack payload wrapping a listpack taken from a real DUMP (Redis
// 7.0 cannot load that type, so it is not checked by Redis).
func handMade(c *client, redisVersion string, serverRDB uint16) []valueVector {
	long := strings.Repeat("L", 300)
	listZL := ziplist([]zlEntry{zs("a"), zi(0), zi(12), zi(13), zi(-1), zi(300), zi(-40000),
		zi(8388607), zi(-8388608), zi(1 << 30), zi(5000000000), zi(-9223372036854775808), zs(long), zs("after-long"),
		zs(strings.Repeat("M", 20000)), zs("")})
	hashZL := ziplist([]zlEntry{zs("f"), zs("v"), zs("n"), zi(42), zi(7), zs("seven")})
	zsetZL := ziplist([]zlEntry{zs("m1"), zi(-3), zs("m2"), zs("1.5"), zs("m3"), zi(100000), zs("m4"), zs("inf")})
	qlNodes := [][]byte{
		ziplist([]zlEntry{zs("n1a"), zi(1)}),
		ziplist(nil), // empty nodes are skipped
		ziplist([]zlEntry{zs(strings.Repeat("compress-me ", 10)), zi(-2)}),
	}
	ql := rdb.AppendLength(nil, uint64(len(qlNodes)))
	for _, n := range qlNodes {
		ql = append(ql, str(n)...)
	}
	cases := []struct {
		name string
		p    []byte
	}{
		{"handmade_list_ziplist", payload(rdb.TypeListZiplist, 9, str(listZL))},
		{"handmade_hash_ziplist", payload(rdb.TypeHashZiplist, 9, str(hashZL))},
		{"handmade_zset_ziplist", payload(rdb.TypeZSetZiplist, 9, str(zsetZL))},
		{"handmade_list_quicklist", payload(rdb.TypeListQuicklist, 9, ql)},
	}
	var vs []valueVector
	for _, tc := range cases {
		c.must("DEL", "k")
		if _, err := c.do("RESTORE", "k", 0, tc.p); err != nil {
			log.Fatalf("%s: Redis refused the hand-made payload: %v", tc.name, err)
		}
		v := valueVector{Name: tc.name, Origin: "hand-made, RESTOREd into redis-server " + redisVersion,
			Type: int(tc.p[0]), Dump: hx(tc.p)}
		expect(c, "k", &v)
		vs = append(vs, v)
	}

	// TypeSetListpack: the listpack of a real one-node quicklist.
	members := []any{"RPUSH", "k", "apple", "7", "-300", "banana", strings.Repeat("z", 100), "70000"}
	c.must("DEL", "k")
	c.must(members...)
	d := c.must("DUMP", "k").([]byte)
	if d[0] != rdb.TypeListQuicklist2 || d[1] != 1 || d[2] != rdb.QuicklistNodePacked {
		log.Fatalf("unexpected list dump %x", d[:3])
	}
	lp, _, err := rdb.ReadString(d[3:], 1<<20)
	if err != nil {
		log.Fatal(err)
	}
	p := payload(rdb.TypeSetListpack, rdb.DumpRDBVersion, str(lp))
	v := valueVector{Name: "handmade_set_listpack", Origin: "listpack from a redis-server " + redisVersion +
		" list DUMP, wrapped as type 20 (not checked by Redis)", Type: rdb.TypeSetListpack, Dump: hx(p)}
	for _, m := range members[2:] {
		v.Set = append(v.Set, compactValue([]byte(m.(string))))
	}
	slices.Sort(v.Set)
	vs = append(vs, v)
	return vs
}

// ---- oracle ----

// runOracle compares DumpString with Redis's DUMP for n pseudo-random strings
// of varied compressibility, and RESTOREs DumpString's payloads (footer
// rewritten to the server's RDB version) into Redis.
func runOracle(c *client, n int, serverRDB uint16) {
	r := rand.New(rand.NewPCG(5, 6))
	mismatch, restoreFail := 0, 0
	for i := range n {
		s := oracleString(r, i)
		c.must("SET", "k", s)
		want := c.must("DUMP", "k").([]byte)
		got := rdb.DumpString(nil, s)
		if !bytes.Equal(got[:len(got)-10], want[:len(want)-10]) {
			mismatch++
			if mismatch <= 5 {
				log.Printf("DUMP mismatch for %d-byte string #%d:\n redis %x\n   ours %x", len(s), i, want, got)
			}
		}
		ours := payload(got[0], serverRDB, got[1:len(got)-10])
		c.must("DEL", "k2")
		if _, err := c.do("RESTORE", "k2", 0, ours); err != nil {
			restoreFail++
			log.Printf("RESTORE of our payload failed: %v", err)
			continue
		}
		if back := c.must("GET", "k2").([]byte); !bytes.Equal(back, s) {
			restoreFail++
			log.Printf("RESTORE of our payload gave a different value")
		}
	}
	log.Printf("oracle: %d strings, %d DUMP mismatches, %d RESTORE failures", n, mismatch, restoreFail)
	if mismatch+restoreFail > 0 {
		os.Exit(1)
	}
}

// oracleString makes strings around the interesting boundaries: short and
// long, random, repetitive with short and long periods, and mixtures whose
// compressed size lands near Redis's len-4 limit.
func oracleString(r *rand.Rand, i int) []byte {
	lengths := []int{0, 1, 11, 12, 20, 21, 22, 23, 24, 25, 30, 33, 40, 64, 100, 300, 1000, 5000, 9000, 20000, 70000}
	n := lengths[i%len(lengths)]
	if i%3 == 0 {
		n = r.IntN(3000)
	}
	b := make([]byte, n)
	alpha := 1 + r.IntN(256)
	period := 1 + r.IntN(max(1, min(n, 9000)))
	noise := r.Float64()
	for j := range b {
		switch {
		case j >= period && r.Float64() > noise:
			b[j] = b[j-period]
		default:
			b[j] = byte(r.IntN(alpha))
		}
	}
	return b
}
