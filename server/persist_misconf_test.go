package server_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anaxdb/anax/internal/servertest"
)

const misconfMsg = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error."

// failSave makes the next background save of the server behind c fail (its
// dir is removed) and waits for that save to end.
func failSave(t *testing.T, c *servertest.Raw) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "gone")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if r := c.Do("config", "set", "dir", dir); r != "+OK\r\n" {
		t.Fatalf("CONFIG SET dir: %q", r)
	}
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	if r := c.Do("bgsave"); r != "+Background saving started\r\n" {
		t.Fatalf("BGSAVE: %q", r)
	}
	waitBgsave(t, c)
	if info := c.Do("info", "persistence"); !strings.Contains(info, "rdb_last_bgsave_status:err") {
		t.Fatalf("the save did not fail:\n%s", info)
	}
}

// TestMisconfMatchesRedis: after a failed background save, writes queued
// in MULTI (before or after the failure), scripts and functions that may
// write, and the writes a script calls get Redis 7.0's -MISCONF answers;
// compared with redis-server when one is installed.
func TestMisconfMatchesRedis(t *testing.T) {
	lib := "#!lua name=mis\n" +
		"redis.register_function('fw', function(keys, args) return redis.call('set', 'k', 'x') end)\n" +
		"redis.register_function{function_name='fr', callback=function(keys, args) return redis.call('get', 'k') end, flags={'no-writes'}}"
	// Steps run by connection: "e" opened MULTI before the failure, "f"
	// too, "c" is a plain connection.
	steps := []struct {
		conn string
		cmd  []string
	}{
		{"e", []string{"exec"}},
		{"f", []string{"exec"}},
		{"g", []string{"exec"}},
		{"c", []string{"set", "k", "y"}},
		{"c", []string{"get", "k"}},
		{"c", []string{"ping"}},
		{"c", []string{"multi"}},
		{"c", []string{"get", "k"}},
		{"c", []string{"set", "k", "z"}},
		{"c", []string{"exec"}},
		{"c", []string{"multi"}},
		{"c", []string{"get", "k"}},
		{"c", []string{"eval", "return redis.call('set', 'k', 'w')", "0"}},
		{"c", []string{"exec"}},
		{"c", []string{"eval", "return redis.call('set', 'k', 'w')", "0"}},
		{"c", []string{"eval", "return redis.pcall('del', 'k')", "0"}},
		{"c", []string{"eval", "local r = redis.pcall('incr', 'n'); return r['err']", "0"}},
		{"c", []string{"eval", "return redis.call('ping')", "0"}},
		{"c", []string{"eval", "return redis.call('get', 'k')", "0"}},
		{"c", []string{"eval", "#!lua\nreturn 1", "0"}},
		{"c", []string{"eval", "#!lua\nreturn 1 +", "0"}},
		{"c", []string{"eval", "#!lua flags=no-writes\nreturn redis.call('get', 'k')", "0"}},
		{"c", []string{"eval", "#!lua flags=no-writes\nreturn redis.call('set', 'k', 'w')", "0"}},
		{"c", []string{"eval_ro", "#!lua\nreturn 1", "0"}},
		{"c", []string{"eval_ro", "return redis.call('get', 'k')", "0"}},
		{"c", []string{"evalsha", "0123456789012345678901234567890123456789", "0"}},
		{"c", []string{"fcall", "fw", "0"}},
		{"c", []string{"fcall", "fr", "0"}},
		{"c", []string{"fcall_ro", "fw", "0"}},
		{"c", []string{"fcall_ro", "fr", "0"}},
		{"c", []string{"fcall", "nosuch", "0"}},
		{"c", []string{"function", "delete", "mis"}},
		{"c", []string{"function", "flush"}},
		{"c", []string{"multi"}},
		{"c", []string{"eval", "#!lua\nreturn 1", "0"}},
		{"c", []string{"exec"}},
	}
	run := func(addr string) []string {
		ctl, e, f, g, c := servertest.Dial(t, addr), servertest.Dial(t, addr), servertest.Dial(t, addr), servertest.Dial(t, addr), servertest.Dial(t, addr)
		ctl.Do("flushall")
		ctl.Do("set", "k", "v")
		ctl.Do("function", "load", "replace", lib)
		e.Do("multi")
		e.Do("set", "k", "e")
		f.Do("multi")
		f.Do("fcall", "fw", "0")
		g.Do("multi")
		g.Do("get", "k")
		g.Do("ping")
		failSave(t, ctl)
		conns := map[string]*servertest.Raw{"e": e, "f": f, "g": g, "c": c}
		var out []string
		for _, s := range steps {
			out = append(out, conns[s.conn].Do(s.cmd...))
		}
		return out
	}
	anax := run(servertest.Start(t, "--enable-protected-configs", "yes"))
	for i, want := range map[int]string{
		0:  "-EXECABORT Transaction discarded because of: " + misconfMsg + "\r\n",
		3:  "-" + misconfMsg + "\r\n",
		14: "-" + misconfMsg + " script: ",
		15: "-" + misconfMsg + "\r\n",
		19: "-" + misconfMsg + "\r\n",
		26: "-" + misconfMsg + "\r\n",
	} {
		if !strings.HasPrefix(anax[i], want) {
			t.Errorf("%q: %q, want %q...", steps[i].cmd, anax[i], want)
		}
	}
	o := servertest.OracleIfInstalled(t, "--enable-protected-configs", "yes", "--save", "3600 1")
	if o.Addr == "" {
		t.Log("no redis-server: Anax's replies checked alone")
		return
	}
	redis := run(o.Addr)
	for i := range steps {
		if anax[i] != redis[i] {
			t.Errorf("%q on %s:\n  anax:  %q\n  redis: %q", steps[i].cmd, steps[i].conn, anax[i], redis[i])
		}
	}
}

// TestMisconfMemcache: after a failed background save the Memcached face
// refuses writes with a SERVER_ERROR line (none for noreply; meta commands
// get it even quiet), reads go on, and a good save lifts it.
func TestMisconfMemcache(t *testing.T) {
	mcPort := servertest.FreePort(t)
	addr := servertest.Start(t, "--enable-protected-configs", "yes", "--memcached_port", strconv.Itoa(mcPort))
	mc := dialMC(t, "127.0.0.1:"+strconv.Itoa(mcPort))
	if r := mc.do("set a 0 0 1\r\nx\r\n"); r != "STORED\r\n" {
		t.Fatalf("set: %q", r)
	}
	c := servertest.Dial(t, addr)
	good := c.Do("config", "get", "dir")
	failSave(t, c)
	refused := "SERVER_ERROR unable to persist to disk: writes are refused until a save succeeds (stop-writes-on-bgsave-error)\r\n"
	for req, want := range map[string]string{
		"set a 0 0 1\r\ny\r\n":         refused,
		"set a 0 0 1 noreply\r\ny\r\n": "",
		"add b 0 0 1\r\ny\r\n":         refused,
		"append a 0 0 1\r\ny\r\n":      refused,
		"incr a 1\r\n":                 refused,
		"delete a\r\n":                 refused,
		"touch a 10\r\n":               refused,
		"gat 10 a\r\n":                 refused,
		"flush_all\r\n":                refused,
		"ms a 1 q\r\ny\r\n":            refused,
		"md a q\r\n":                   refused,
		"ma a\r\n":                     refused,
		"mg a T30 v\r\n":               refused,
		"get a\r\n":                    "VALUE a 0 1\r\nx\r\nEND\r\n",
		"mg a v\r\n":                   "VA 1\r\nx\r\n",
	} {
		if r := mc.do(req); r != want {
			t.Errorf("%q: %q, want %q", req, r, want)
		}
	}
	dir := parseBulks(good)[1]
	if r := c.Do("config", "set", "dir", dir); r != "+OK\r\n" {
		t.Fatalf("CONFIG SET dir: %q", r)
	}
	c.Do("bgsave")
	waitBgsave(t, c)
	deadline := time.Now().Add(5 * time.Second)
	for mc.do("set a 0 0 1\r\nz\r\n") != "STORED\r\n" {
		if time.Now().After(deadline) {
			t.Fatal("writes still refused after a good save")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
