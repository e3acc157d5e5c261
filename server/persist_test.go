package server_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/anaxdb/anax/config"
	"github.com/anaxdb/anax/internal/servertest"
	"github.com/anaxdb/anax/server"
	"github.com/anaxdb/anax/snapshot/rdb"
)

// fillEveryType writes keys of every type, in each encoding, over several
// databases, with expiries and big values, to the server at addr.
func fillEveryType(t *testing.T, addr string) {
	t.Helper()
	c := servertest.Dial(t, addr)
	big := strings.Repeat("abcdefghij", 20000) // 200 KB, compressible
	var script [][]string
	for db := 0; db < 3; db++ {
		p := fmt.Sprintf("d%d:", db)
		script = append(script,
			[]string{"select", strconv.Itoa(db)},
			[]string{"set", p + "str", "hello"},
			[]string{"set", p + "int", "-12345"},
			[]string{"set", p + "bigstr", big},
			[]string{"set", p + "ttl", "v", "px", "3600000"},
			[]string{"rpush", p + "list", "a", "b", "1", "2"},
			[]string{"hset", p + "hash", "f", "v", "g", "w"},
			[]string{"sadd", p + "intset", "1", "2", "3"},
			[]string{"sadd", p + "set", "a", "b", "c"},
			[]string{"zadd", p + "zset", "1", "a", "2.5", "b", "-inf", "c"},
			[]string{"expire", p + "zset", "7200"},
			[]string{"xadd", p + "stream", "1-1", "f", "v", "n", "12"},
			[]string{"xadd", p + "stream", "2-0", "f", "w"},
			[]string{"xgroup", "create", p + "stream", "g", "0"},
			[]string{"xreadgroup", "group", "g", "c", "count", "1", "streams", p + "stream", ">"},
			[]string{"xgroup", "create", p + "emptystream", "g", "$", "mkstream"},
		)
		// Big encodings.
		list := []string{"rpush", p + "biglist"}
		hash := []string{"hset", p + "bighash"}
		set := []string{"sadd", p + "bigset"}
		zset := []string{"zadd", p + "bigzset"}
		for i := 0; i < 700; i++ {
			v := fmt.Sprintf("element-%d-%s", i, strings.Repeat("x", i%50))
			list = append(list, v)
			hash = append(hash, "f"+v, v)
			set = append(set, v)
			zset = append(zset, strconv.Itoa(i*7%1000), v)
		}
		script = append(script, list, hash, set, zset, []string{"rpush", p + "biglist", big})
		if db == 0 {
			// Past what a save takes in pieces (snapshot.bigLen, bigNodes).
			list := []string{"rpush", p + "hugelist"}
			hash := []string{"hset", p + "hugehash"}
			set := []string{"sadd", p + "hugeset"}
			zset := []string{"zadd", p + "hugezset"}
			for i := 0; i < 5000; i++ {
				v := fmt.Sprintf("huge-%d-%s", i, strings.Repeat("y", i%40))
				list = append(list, v, v, v, v, v)
				hash = append(hash, "f"+v, v)
				set = append(set, v)
				zset = append(zset, strconv.Itoa(i%777), v)
			}
			script = append(script, list, hash, set, zset)
		}
		for i := 0; i < 30; i++ {
			script = append(script, []string{"set", fmt.Sprintf("%sk%d", p, i), strconv.Itoa(i)})
		}
	}
	for _, cmd := range script {
		if r := c.Do(cmd...); strings.HasPrefix(r, "-") {
			t.Fatalf("%q: %s", cmd[:min(len(cmd), 3)], r)
		}
	}
}

// keyspace reads every key of databases 0 to dbs-1 as canonical text:
// type, content (unordered types sorted) and expiry time.
func keyspace(t *testing.T, addr string, dbs int) map[string]string {
	t.Helper()
	c := servertest.Dial(t, addr)
	out := map[string]string{}
	for db := 0; db < dbs; db++ {
		c.Do("select", strconv.Itoa(db))
		keys := parseBulks(c.Do("keys", "*"))
		for _, k := range keys {
			typ := strings.TrimSpace(strings.TrimPrefix(c.Do("type", k), "+"))
			var content string
			switch typ {
			case "string":
				content = c.Do("get", k)
			case "list":
				content = c.Do("lrange", k, "0", "-1")
			case "hash":
				content = servertest.SortedElements(t, c.Do("hgetall", k), false)
			case "set":
				content = servertest.SortedElements(t, c.Do("smembers", k), false)
			case "zset":
				content = c.Do("zrange", k, "0", "-1", "withscores")
			case "stream":
				content = c.Do("xinfo", "stream", k, "full")
			}
			out[fmt.Sprintf("%d/%s", db, k)] = typ + " " + content + " exp=" + c.Do("pexpiretime", k)
		}
	}
	return out
}

// parseBulks reads the bulk strings of an array reply.
func parseBulks(reply string) []string {
	var out []string
	lines := strings.Split(reply, "\r\n")
	for i := 1; i+1 < len(lines); i += 2 {
		out = append(out, lines[i+1])
	}
	return out
}

func sameKeyspace(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d keys, want %d", what, len(got), len(want))
	}
	n := 0
	for k, w := range want {
		if g := got[k]; g != w {
			if n++; n <= 5 {
				t.Errorf("%s: key %s\n got %.200q\nwant %.200q", what, k, g, w)
			}
		}
	}
}

// startAt starts Anax over dir and returns it with its address.
func startAt(t *testing.T, dir string, args ...string) (*server.Server, string) {
	t.Helper()
	return servertest.StartServer(t, zap.NewNop().Sugar(), append([]string{"--dir", dir, "--threads", "3"}, args...)...)
}

func stop(srv *server.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Stop(ctx)
}

// TestSaveAndLoad: Anax → file → Anax keeps every key of every type, its
// value and its expiry, in every database; SAVE, BGSAVE and SHUTDOWN all
// write the file, LASTSAVE and INFO persistence follow.
func TestSaveAndLoad(t *testing.T) {
	dir := t.TempDir()
	srv, addr := startAt(t, dir)
	fillEveryType(t, addr)
	want := keyspace(t, addr, 4)
	c := servertest.Dial(t, addr)
	before := c.Do("lastsave")
	time.Sleep(1100 * time.Millisecond)
	if r := c.DoSlow("save"); r != "+OK\r\n" {
		t.Fatalf("SAVE: %q", r)
	}
	if after := c.Do("lastsave"); after == before {
		t.Errorf("LASTSAVE did not move: %q", after)
	}
	info := c.Do("info", "persistence")
	for _, f := range []string{"rdb_saves:1\r\n", "rdb_changes_since_last_save:0\r\n", "rdb_last_bgsave_status:ok\r\n", "loading:0\r\n"} {
		if !strings.Contains(info, f) {
			t.Errorf("INFO persistence lacks %q:\n%s", f, info)
		}
	}
	stop(srv)

	srv2, addr2 := startAt(t, dir)
	sameKeyspace(t, "after SAVE and a restart", keyspace(t, addr2, 4), want)
	c2 := servertest.Dial(t, addr2)
	if info := c2.Do("info", "persistence"); !strings.Contains(info, fmt.Sprintf("rdb_last_load_keys_loaded:%d\r\n", len(want))) {
		t.Errorf("INFO persistence after loading:\n%s", info)
	}
	// Change something, BGSAVE, restart: the change is there.
	c2.Do("set", "d0:str", "changed")
	want["0/d0:str"] = strings.Replace(want["0/d0:str"], "hello", "changed", 1)
	want["0/d0:str"] = strings.Replace(want["0/d0:str"], "$5", "$7", 1)
	if r := c2.Do("bgsave"); r != "+Background saving started\r\n" {
		t.Fatalf("BGSAVE: %q", r)
	}
	waitBgsave(t, c2)
	stop(srv2)
	_, addr3 := startAt(t, dir)
	sameKeyspace(t, "after BGSAVE and a restart", keyspace(t, addr3, 4), want)

	// SHUTDOWN saves (save rules are set by default) and closes.
	c3 := servertest.Dial(t, addr3)
	c3.Do("del", "d0:str")
	delete(want, "0/d0:str")
	c3.SendArgs("shutdown")
	if r, err := c3.ReadErr(); err == nil {
		t.Fatalf("SHUTDOWN answered %q", r)
	}
	_, addr4 := startAt(t, dir)
	sameKeyspace(t, "after SHUTDOWN and a restart", keyspace(t, addr4, 4), want)
}

func waitBgsave(t *testing.T, c *servertest.Raw) {
	t.Helper()
	for i := 0; i < 3000; i++ { // 30 s: a loaded machine
		if strings.Contains(c.Do("info", "persistence"), "rdb_bgsave_in_progress:0\r\n") {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("BGSAVE did not end")
}

// TestRedisFilesBothWays: redis-server → file → Anax → file → redis-server
// keeps every key; redis-check-rdb accepts Anax's file. With the installed
// redis-server (7.0) and a 7.2 when there is one ($TEST_REDIS72).
func TestRedisFilesBothWays(t *testing.T) {
	check, err := exec.LookPath("redis-check-rdb")
	if err != nil {
		t.Skip("redis-check-rdb not installed")
	}
	for _, bin := range []string{"redis-server", servertest.Redis72Path()} {
		if bin == "" {
			continue
		}
		t.Run(filepath.Base(filepath.Dir(bin))+"/"+filepath.Base(bin), func(t *testing.T) {
			redisFilesBothWays(t, bin, check)
		})
	}
}

func redisFilesBothWays(t *testing.T, bin, check string) {
	raddr := servertest.RedisAt(t, bin)
	rc := servertest.Dial(t, raddr)
	fillEveryType(t, raddr)
	want := keyspace(t, raddr, 4)
	if r := rc.DoSlow("save"); r != "+OK\r\n" {
		t.Fatalf("redis SAVE: %q", r)
	}
	rpath := filepath.Join(configDir(t, rc), "dump.rdb")
	adir := t.TempDir()
	copyFile(t, rpath, filepath.Join(adir, "dump.rdb"))

	srv, addr := startAt(t, adir)
	sameKeyspace(t, "Redis's file in Anax", keyspace(t, addr, 4), want)
	c := servertest.Dial(t, addr)
	if r := c.DoSlow("save"); r != "+OK\r\n" {
		t.Fatalf("SAVE: %q", r)
	}
	stop(srv)
	apath := filepath.Join(adir, "dump.rdb")
	if out, err := exec.Command(check, apath).CombinedOutput(); err != nil || !strings.Contains(string(out), "RDB looks OK") {
		t.Fatalf("redis-check-rdb on Anax's file: %v\n%s", err, out)
	}
	bdir := t.TempDir()
	copyFile(t, apath, filepath.Join(bdir, "dump.rdb"))
	baddr := servertest.RedisAt(t, bin, "--dir", bdir)
	sameKeyspace(t, "Anax's file in redis-server", keyspace(t, baddr, 4), want)
}

func configDir(t *testing.T, c *servertest.Raw) string {
	t.Helper()
	b := parseBulks(c.Do("config", "get", "dir"))
	if len(b) != 2 {
		t.Fatalf("CONFIG GET dir: %v", b)
	}
	return b[1]
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBadFileStopsStart: a file that cannot be read stops the start with
// the reason, and stays as it was.
func TestBadFileStopsStart(t *testing.T) {
	dir := t.TempDir()
	srv, addr := startAt(t, dir)
	fillEveryType(t, addr)
	servertest.Dial(t, addr).DoSlow("save")
	stop(srv)
	path := filepath.Join(dir, "dump.rdb")
	good, _ := os.ReadFile(path)
	for name, bad := range map[string][]byte{
		"truncated": good[:len(good)/2],
		"corrupt":   append(append([]byte{}, good[:100]...), append([]byte{0x42}, good[101:]...)...),
		"garbage":   []byte("not a snapshot at all"),
	} {
		if err := os.WriteFile(path, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg := config.New()
		port := servertest.FreePort(t)
		if err := cfg.Load([]string{"--dir", dir, "--port", strconv.Itoa(port), "--bind", "127.0.0.1"}, nil); err != nil {
			t.Fatal(err)
		}
		s := server.New(cfg, zap.NewNop().Sugar())
		err := s.Start()
		if err == nil {
			stop(s)
			t.Fatalf("%s: the server started over a bad file", name)
		}
		if !strings.Contains(err.Error(), "cannot load the snapshot") {
			t.Errorf("%s: %v", name, err)
		}
		if now, _ := os.ReadFile(path); !bytes.Equal(now, bad) {
			t.Errorf("%s: the file changed", name)
		}
	}
}

// TestSaveFailures: a BGSAVE that fails turns writes (and PING) away with
// -MISCONF until a save succeeds; SHUTDOWN whose save fails answers an
// error and the server stays up; SHUTDOWN NOSAVE does not save.
func TestSaveFailures(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "gone")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	_, addr := startAt(t, sub)
	c := servertest.Dial(t, addr)
	c.Do("set", "k", "v")
	if err := os.Remove(sub); err != nil {
		t.Fatal(err)
	}
	if r := c.Do("bgsave"); r != "+Background saving started\r\n" {
		t.Fatalf("BGSAVE: %q", r)
	}
	waitBgsave(t, c)
	if info := c.Do("info", "persistence"); !strings.Contains(info, "rdb_last_bgsave_status:err") {
		t.Fatalf("after a failed BGSAVE:\n%s", info)
	}
	misconf := "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.\r\n"
	for _, cmd := range [][]string{{"set", "k", "w"}, {"ping"}, {"del", "k"}} {
		if r := c.Do(cmd...); r != misconf {
			t.Errorf("%q: %q", cmd, r)
		}
	}
	if r := c.Do("get", "k"); r != "$1\r\nv\r\n" {
		t.Errorf("GET: %q", r)
	}
	if r := c.DoSlow("save"); r != "-ERR\r\n" {
		t.Errorf("SAVE into a missing directory: %q", r)
	}
	if r := c.Do("shutdown"); r != "-ERR Errors trying to SHUTDOWN. Check logs.\r\n" {
		t.Errorf("SHUTDOWN whose save fails: %q", r)
	}
	if r := c.Do("config", "set", "stop-writes-on-bgsave-error", "no"); r != "+OK\r\n" {
		t.Fatal(r)
	}
	if r := c.Do("set", "k", "w"); r != "+OK\r\n" {
		t.Errorf("SET with stop-writes-on-bgsave-error no: %q", r)
	}
	c.Do("config", "set", "stop-writes-on-bgsave-error", "yes")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	c.Do("bgsave")
	waitBgsave(t, c)
	if r := c.Do("set", "k", "x"); r != "+OK\r\n" {
		t.Errorf("SET after a good BGSAVE: %q", r)
	}
	if r := c.Do("bgsave", "now"); r != "-ERR syntax error\r\n" {
		t.Errorf("BGSAVE NOW: %q", r)
	}
	os.Remove(filepath.Join(sub, "dump.rdb"))
	c.SendArgs("shutdown", "nosave")
	if r, err := c.ReadErr(); err == nil {
		t.Fatalf("SHUTDOWN NOSAVE answered %q", r)
	}
	if _, err := os.Stat(filepath.Join(sub, "dump.rdb")); err == nil {
		t.Error("SHUTDOWN NOSAVE saved")
	}
}

// TestDebugReload: DEBUG RELOAD saves and loads back, keeping every key.
func TestDebugReload(t *testing.T) {
	_, addr := startAt(t, t.TempDir(), "--enable-debug-command", "yes")
	fillEveryType(t, addr)
	want := keyspace(t, addr, 4)
	c := servertest.Dial(t, addr)
	if r := c.DoSlow("debug", "reload"); r != "+OK\r\n" {
		t.Fatalf("DEBUG RELOAD: %q", r)
	}
	sameKeyspace(t, "after DEBUG RELOAD", keyspace(t, addr, 4), want)
	if r := c.Do("debug", "reload", "nosuch"); r != "-ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.\r\n" {
		t.Errorf("DEBUG RELOAD nosuch: %q", r)
	}
}

// TestSaveRules: a save rule starts a background save once its time and
// changes are reached.
func TestSaveRules(t *testing.T) {
	dir := t.TempDir()
	_, addr := startAt(t, dir, "--save", "1 2")
	c := servertest.Dial(t, addr)
	c.Do("set", "a", "1")
	c.Do("set", "b", "2")
	c.Do("set", "c", "3")
	for i := 0; i < 400; i++ {
		if strings.Contains(c.Do("info", "persistence"), "rdb_saves:1\r\n") {
			if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err != nil {
				t.Fatal(err)
			}
			if info := c.Do("info", "persistence"); !strings.Contains(info, "rdb_changes_since_last_save:0\r\n") {
				t.Errorf("after the save:\n%s", info)
			}
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the save rule did not save")
}

// TestMemcacheFlagsAndFieldTTLsSurvive: a Memcached item keeps its client
// flags across a restart, and a hash its fields' expiries; the file still
// passes redis-check-rdb.
func TestMemcacheFlagsAndFieldTTLsSurvive(t *testing.T) {
	dir := t.TempDir()
	mcPort := servertest.FreePort(t)
	srv, addr := startAt(t, dir, "--memcached_port", strconv.Itoa(mcPort))
	mc := dialLines(t, fmt.Sprintf("127.0.0.1:%d", mcPort))
	mc.send("set item 4242 0 5\r\nhello\r\n")
	if r := mc.line(); r != "STORED\r\n" {
		t.Fatalf("memcache set: %q", r)
	}
	c := servertest.Dial(t, addr)
	c.Do("hset", "h", "f", "v", "g", "w")
	if r := c.Do("hexpire", "h", "1000", "fields", "1", "f"); r != "*1\r\n:1\r\n" {
		t.Fatalf("HEXPIRE: %q", r)
	}
	at := c.Do("hpexpiretime", "h", "fields", "1", "f")
	if r := c.DoSlow("save"); r != "+OK\r\n" {
		t.Fatalf("SAVE: %q", r)
	}
	stop(srv)
	if check, err := exec.LookPath("redis-check-rdb"); err == nil {
		if out, err := exec.Command(check, filepath.Join(dir, "dump.rdb")).CombinedOutput(); err != nil && !strings.Contains(string(out), "RDB looks OK") {
			// A hash with field TTLs is RDB 12's type, which 7.0 does
			// not know; the check must fail only on that.
			if !strings.Contains(string(out), "Unknown RDB encoding type 24") && !strings.Contains(string(out), "Invalid object type: 24") {
				t.Errorf("redis-check-rdb: %v\n%s", err, out)
			}
		}
	}
	mcPort2 := servertest.FreePort(t)
	_, addr2 := startAt(t, dir, "--memcached_port", strconv.Itoa(mcPort2))
	mc2 := dialLines(t, fmt.Sprintf("127.0.0.1:%d", mcPort2))
	mc2.send("get item\r\n")
	var got strings.Builder
	for !strings.HasSuffix(got.String(), "END\r\n") {
		got.WriteString(mc2.line())
	}
	if got.String() != "VALUE item 4242 5\r\nhello\r\nEND\r\n" {
		t.Errorf("memcache get after a restart: %q", got.String())
	}
	c2 := servertest.Dial(t, addr2)
	if r := c2.Do("hpexpiretime", "h", "fields", "1", "f"); r != at {
		t.Errorf("field expiry after a restart: %q, want %q", r, at)
	}
	if r := c2.Do("hpexpiretime", "h", "fields", "1", "g"); r != "*1\r\n:-1\r\n" {
		t.Errorf("field g after a restart: %q", r)
	}
}

// TestBgsaveAcrossShards: multi-key writes across shards (MSET) run all
// the while background saves do; each file holds every MSET whole or not
// at all (the save starts at one point of the transaction order).
func TestBgsaveAcrossShards(t *testing.T) {
	dir := t.TempDir()
	_, addr := startAt(t, dir, "--threads", "4")
	w := servertest.Dial(t, addr)
	const keys = 12
	stopc := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 1; ; i++ {
			select {
			case <-stopc:
				return
			default:
			}
			args := []string{"mset"}
			for k := 0; k < keys; k++ {
				args = append(args, fmt.Sprintf("x%d", k), strconv.Itoa(i))
			}
			w.SendArgs(args...)
			w.Read()
		}
	}()
	c := servertest.Dial(t, addr)
	for round := 0; round < 5; round++ {
		time.Sleep(20 * time.Millisecond)
		if r := c.Do("bgsave"); r != "+Background saving started\r\n" {
			t.Fatalf("BGSAVE: %q", r)
		}
		waitBgsave(t, c)
		vals := readStrings(t, filepath.Join(dir, "dump.rdb"))
		first := vals["x0"]
		for k := 0; k < keys; k++ {
			if v := vals[fmt.Sprintf("x%d", k)]; v != first {
				t.Fatalf("round %d: x%d = %q but x0 = %q: an MSET was cut by the snapshot", round, k, v, first)
			}
		}
	}
	close(stopc)
	<-done
}

// lineConn is a line-oriented client (the Memcached text protocol).
type lineConn struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func dialLines(t *testing.T, addr string) *lineConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &lineConn{t: t, c: c, r: bufio.NewReader(c)}
}

func (l *lineConn) send(s string) {
	if _, err := l.c.Write([]byte(s)); err != nil {
		l.t.Fatal(err)
	}
}

func (l *lineConn) line() string {
	_ = l.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	s, err := l.r.ReadString('\n')
	if err != nil {
		l.t.Fatalf("read: %v (%q)", err, s)
	}
	return s
}

// readStrings reads the string keys of database 0 of an RDB file.
func readStrings(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fr, err := rdb.NewFileReader(f)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var it rdb.Item
	for {
		err := fr.Next(&it)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if it.Kind == rdb.ItemKey && it.DB == 0 && it.Type == rdb.TypeString {
			v, _, err := rdb.ReadString(it.Value, rdb.MaxStringLen)
			if err != nil {
				t.Fatal(err)
			}
			out[string(it.Key)] = string(v)
		}
	}
}

// TestSnapshotCron: snapshot-cron saves on its schedule, changes with
// CONFIG SET, and refuses what is no schedule.
func TestSnapshotCron(t *testing.T) {
	dir := t.TempDir()
	_, addr := startAt(t, dir, "--save", "")
	c := servertest.Dial(t, addr)
	if r := c.Do("config", "set", "snapshot-cron", "not a schedule"); !strings.HasPrefix(r, "-ERR") {
		t.Errorf("CONFIG SET of a bad schedule: %q", r)
	}
	c.Do("set", "k", "v")
	if r := c.Do("config", "set", "snapshot-cron", "@every 1s"); r != "+OK\r\n" {
		t.Fatalf("CONFIG SET snapshot-cron: %q", r)
	}
	for i := 0; i < 300; i++ {
		if strings.Contains(c.Do("info", "anax"), "snapshot_cron_saves:1\r\n") {
			waitBgsave(t, c)
			if vals := readStrings(t, filepath.Join(dir, "dump.rdb")); vals["k"] != "v" {
				t.Errorf("the cron's file holds %v", vals)
			}
			c.Do("config", "set", "snapshot-cron", "")
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("snapshot-cron did not save")
}

// TestPersistCommandsInMulti: BGSAVE in EXEC schedules a save, as Redis;
// SAVE and SHUTDOWN are refused inside MULTI.
func TestPersistCommandsInMulti(t *testing.T) {
	dir := t.TempDir()
	_, addr := startAt(t, dir)
	o := servertest.StartOracle(t)
	script := [][]string{
		{"multi"}, {"bgsave", "now"}, {"exec"},
		{"multi"}, {"save"}, {"exec"},
		{"multi"}, {"shutdown"}, {"exec"},
	}
	servertest.Compare(t, addr, o.Addr, script)
	c := servertest.Dial(t, addr)
	c.Do("multi")
	c.Do("bgsave")
	c.Do("set", "a", "b")
	if r := c.Do("exec"); r != "*2\r\n+Background saving scheduled\r\n+OK\r\n" {
		t.Fatalf("EXEC: %q", r)
	}
	for i := 0; i < 3000; i++ {
		if strings.Contains(c.Do("info", "persistence"), "rdb_saves:1\r\n") {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the scheduled save did not run")
}

// TestFlushAllSaves: with save rules, FLUSHALL leads to a save of the
// emptied dataset, so a restart does not bring the keys back.
func TestFlushAllSaves(t *testing.T) {
	dir := t.TempDir()
	srv, addr := startAt(t, dir)
	c := servertest.Dial(t, addr)
	c.Do("set", "k", "v")
	c.DoSlow("save")
	c.Do("flushall")
	for i := 0; i < 3000 && !strings.Contains(c.Do("info", "persistence"), "rdb_saves:2\r\n"); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	stop(srv)
	_, addr2 := startAt(t, dir)
	if r := servertest.Dial(t, addr2).Do("dbsize"); r != ":0\r\n" {
		t.Fatalf("DBSIZE after FLUSHALL and a restart: %q", r)
	}
}

// TestMemberTTLsSurvive: set and sorted-set members keep their expiries
// (EXPIREMEMBER) across a restart: after it, the member with a near expiry
// goes and the others stay.
func TestMemberTTLsSurvive(t *testing.T) {
	dir := t.TempDir()
	srv, addr := startAt(t, dir)
	c := servertest.Dial(t, addr)
	c.Do("sadd", "s", "a", "b", "c")
	c.Do("zadd", "z", "1", "a", "2", "b")
	near := strconv.FormatInt(time.Now().Add(2*time.Second).UnixMilli(), 10)
	far := strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10)
	for _, args := range [][]string{{"s", "a", near}, {"s", "b", far}, {"z", "a", near}, {"z", "b", far}} {
		if r := c.Do("pexpirememberat", args[0], args[1], args[2]); r != ":1\r\n" {
			t.Fatalf("PEXPIREMEMBERAT %v: %q", args, r)
		}
	}
	if r := c.DoSlow("save"); r != "+OK\r\n" {
		t.Fatalf("SAVE: %q", r)
	}
	stop(srv)
	_, addr2 := startAt(t, dir)
	c2 := servertest.Dial(t, addr2)
	deadline := time.Now().Add(15 * time.Second)
	for c2.Do("sismember", "s", "a") != ":0\r\n" || c2.Do("zscore", "z", "a") != "$-1\r\n" {
		if time.Now().After(deadline) {
			t.Fatal("the members with a near expiry outlived it after a restart")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if r := c2.Do("smembers", "s"); r != "*2\r\n$1\r\nb\r\n$1\r\nc\r\n" && r != "*2\r\n$1\r\nc\r\n$1\r\nb\r\n" {
		t.Errorf("SMEMBERS after the expiry: %q", r)
	}
	if r := c2.Do("zrange", "z", "0", "-1"); r != "*1\r\n$1\r\nb\r\n" {
		t.Errorf("ZRANGE after the expiry: %q", r)
	}
}
