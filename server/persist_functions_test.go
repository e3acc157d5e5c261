package server_test

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/anaxdb/anax/internal/servertest"
)

const persistLib = "#!lua name=keep\nredis.register_function('keepme', function(keys, args) return 'kept ' .. args[1] end)"

// TestFunctionsSurvive: function libraries are in the file, as Redis 7.0
// writes them: they survive SAVE and a restart and DEBUG RELOAD (which
// replaces the libraries with the file's); a file redis-server saved with
// libraries loads into Anax, and Anax's loads into redis-server and passes
// redis-check-rdb.
func TestFunctionsSurvive(t *testing.T) {
	dir := t.TempDir()
	srv, addr := startAt(t, dir, "--enable-debug-command", "yes")
	c := servertest.Dial(t, addr)
	if r := c.Do("function", "load", persistLib); r != "$4\r\nkeep\r\n" {
		t.Fatalf("FUNCTION LOAD: %q", r)
	}
	if info := c.Do("info", "persistence"); !strings.Contains(info, "rdb_changes_since_last_save:1\r\n") {
		t.Errorf("FUNCTION LOAD is no change to save:\n%s", info)
	}
	c.Do("set", "k", "v")
	if r := c.DoSlow("debug", "reload"); r != "+OK\r\n" {
		t.Fatalf("DEBUG RELOAD: %q", r)
	}
	want := "$7\r\nkept it\r\n"
	if r := c.Do("fcall", "keepme", "0", "it"); r != want {
		t.Fatalf("FCALL after DEBUG RELOAD: %q", r)
	}
	// NOSAVE: the file's libraries come back, others go.
	c.Do("function", "load", "#!lua name=later\nredis.register_function('later', function() return 1 end)")
	c.Do("function", "delete", "keep")
	if r := c.DoSlow("debug", "reload", "nosave"); r != "+OK\r\n" {
		t.Fatalf("DEBUG RELOAD NOSAVE: %q", r)
	}
	if r := c.Do("fcall", "keepme", "0", "it"); r != want {
		t.Errorf("FCALL after DEBUG RELOAD NOSAVE: %q", r)
	}
	if r := c.Do("fcall", "later", "0"); r != "-ERR Function not found\r\n" {
		t.Errorf("a library loaded after the save, after DEBUG RELOAD NOSAVE: %q", r)
	}
	stop(srv)
	_, addr2 := startAt(t, dir)
	if r := servertest.Dial(t, addr2).Do("fcall", "keepme", "0", "it"); r != want {
		t.Fatalf("FCALL after a restart: %q", r)
	}

	check, err := exec.LookPath("redis-check-rdb")
	if err != nil {
		t.Skip("redis-check-rdb not installed")
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not installed")
	}
	// Anax's file into redis-server.
	path := filepath.Join(dir, "dump.rdb")
	if out, err := exec.Command(check, path).CombinedOutput(); err != nil || !strings.Contains(string(out), "RDB looks OK") {
		t.Fatalf("redis-check-rdb on Anax's file: %v\n%s", err, out)
	}
	rdir := t.TempDir()
	copyFile(t, path, filepath.Join(rdir, "dump.rdb"))
	rc := servertest.Dial(t, servertest.RedisAt(t, "redis-server", "--dir", rdir))
	if r := rc.Do("fcall", "keepme", "0", "it"); r != want {
		t.Fatalf("FCALL in redis-server loading Anax's file: %q", r)
	}
	// redis-server's file into Anax.
	rc.Do("function", "load", "#!lua name=fromredis\nredis.register_function('fromredis', function() return 7 end)")
	if r := rc.DoSlow("save"); r != "+OK\r\n" {
		t.Fatalf("redis SAVE: %q", r)
	}
	adir := t.TempDir()
	copyFile(t, filepath.Join(rdir, "dump.rdb"), filepath.Join(adir, "dump.rdb"))
	_, addr3 := startAt(t, adir)
	c3 := servertest.Dial(t, addr3)
	if r := c3.Do("fcall", "fromredis", "0"); r != ":7\r\n" {
		t.Errorf("FCALL of redis-server's library in Anax: %q", r)
	}
	if r := c3.Do("fcall", "keepme", "0", "it"); r != want {
		t.Errorf("FCALL of Anax's library, through redis-server, in Anax: %q", r)
	}
}

// TestAccessSurvives: under an LRU policy a key's idle time is in the file
// and OBJECT IDLETIME gives it after a restart; under an LFU policy its
// counter, OBJECT FREQ; redis-check-rdb accepts both files.
func TestAccessSurvives(t *testing.T) {
	for _, policy := range []string{"allkeys-lru", "volatile-lfu"} {
		t.Run(policy, func(t *testing.T) {
			dir := t.TempDir()
			srv, addr := startAt(t, dir, "--maxmemory-policy", policy, "--enable-debug-command", "yes")
			c := servertest.Dial(t, addr)
			if r := c.Do("restore", "old", "0", dumpOf(t, c, "v"), "idletime", "1000"); r != "+OK\r\n" {
				t.Fatalf("RESTORE IDLETIME: %q", r)
			}
			if r := c.Do("restore", "hot", "0", dumpOf(t, c, "v"), "freq", "200"); r != "+OK\r\n" {
				t.Fatalf("RESTORE FREQ: %q", r)
			}
			if r := c.DoSlow("save"); r != "+OK\r\n" {
				t.Fatalf("SAVE: %q", r)
			}
			stop(srv)
			if check, err := exec.LookPath("redis-check-rdb"); err == nil {
				if out, err := exec.Command(check, filepath.Join(dir, "dump.rdb")).CombinedOutput(); err != nil || !strings.Contains(string(out), "RDB looks OK") {
					t.Fatalf("redis-check-rdb: %v\n%s", err, out)
				}
			}
			_, addr2 := startAt(t, dir, "--maxmemory-policy", policy)
			c2 := servertest.Dial(t, addr2)
			if policy == "allkeys-lru" {
				r := c2.Do("object", "idletime", "old")
				n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(r, ":")))
				if n < 1000 || n > 1010 {
					t.Errorf("OBJECT IDLETIME after a restart: %q", r)
				}
				return
			}
			if r := c2.Do("object", "freq", "hot"); r != ":200\r\n" {
				t.Errorf("OBJECT FREQ after a restart: %q", r)
			}
		})
	}
}

// dumpOf returns the DUMP payload of a string value.
func dumpOf(t *testing.T, c *servertest.Raw, v string) string {
	t.Helper()
	c.Do("set", "dumpof-tmp", v)
	r := c.Do("dump", "dumpof-tmp")
	c.Do("del", "dumpof-tmp")
	head, rest, ok := strings.Cut(r, "\r\n")
	n, err := strconv.Atoi(strings.TrimPrefix(head, "$"))
	if !ok || err != nil || n < 0 || len(rest) != n+2 {
		t.Fatalf("DUMP: %q", r)
	}
	return rest[:n]
}
