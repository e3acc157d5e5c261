package config

import (
	"os"
	"strings"
	"testing"
)

// TestStockRedisConf loads the redis.conf that Redis 7.0 ships (Debian's
// /etc/redis/redis.conf, when installed) and the directives of Redis 7.2's:
// every directive is accepted, and those without effect are named in the
// startup warning, each once, with its reason.
func TestStockRedisConf(t *testing.T) {
	files := []string{"testdata/redis-7.2-stock.conf"}
	if _, err := os.Stat("/etc/redis/redis.conf"); err == nil {
		files = append(files, "/etc/redis/redis.conf")
	} else {
		t.Log("no /etc/redis/redis.conf here: testing the 7.2 directives only")
	}
	for _, f := range files {
		c := New()
		if err := c.Load([]string{f}, nil); err != nil {
			if strings.Contains(err.Error(), "dir:") {
				t.Skipf("%s: %v (the packaged dir is missing here)", f, err)
			}
			t.Fatalf("%s: %v", f, err)
		}
		w := c.StartupWarning()
		if !strings.HasPrefix(w, "WARNING ") || strings.Contains(w, "\n") {
			t.Fatalf("%s: warning is not one line: %q", f, w)
		}
		for _, name := range []string{"activerehashing", "jemalloc-bg-thread", "replica-serve-stale-data",
			"appendfilename", "tcp-backlog", "oom-score-adj-values", "lazyfree-lazy-eviction"} {
			if strings.Count(w, " "+name+",")+strings.Count(w, " "+name+" (") != 1 {
				t.Errorf("%s: %s not named once in %q", f, name, w)
			}
		}
		for _, name := range []string{"port", "timeout", "loglevel", "logfile", "daemonize", "pidfile", "maxclients"} {
			if strings.Contains(w, " "+name+",") || strings.Contains(w, " "+name+" (") {
				t.Errorf("%s: %s works but is named in %q", f, name, w)
			}
		}
		if !strings.Contains(w, "(Anax has no replication)") || !strings.Contains(w, "(Anax keeps no append-only file)") {
			t.Errorf("%s: reasons missing in %q", f, w)
		}
		if got := c.Get("daemonize")[0][1]; f == "/etc/redis/redis.conf" && got != "yes" {
			t.Errorf("daemonize = %q", got)
		}
	}
}

// TestEveryRedisDirectiveAccepted gives each Redis parameter its default
// from a file: none is refused.
func TestEveryRedisDirectiveAccepted(t *testing.T) {
	var b strings.Builder
	for _, p := range params {
		if p.flags&anaxOnly != 0 || p.name == "dir" {
			continue
		}
		line := p.name + " " + Quote(New().String(p.name))
		if p.kind == kindList || p.kind == kindSpecial || p.flags&multiArg != 0 {
			line = p.name + " " + New().String(p.name)
			if New().String(p.name) == "" {
				line = p.name + ` ""`
			}
		}
		b.WriteString(line + "\n")
	}
	b.WriteString("list-max-ziplist-entries 512\nlist-max-ziplist-value 64\nlua-replicate-commands yes\n")
	path := t.TempDir() + "/all.conf"
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	c := New()
	if err := c.Load([]string{path}, nil); err != nil {
		t.Fatal(err)
	}
	ignored := c.Ignored()
	for _, want := range []string{"list-max-ziplist-entries", "lua-replicate-commands", "cluster-enabled", "tls-port"} {
		if !strings.Contains(strings.Join(ignored, " ")+" ", want+" ") {
			t.Errorf("%s not among the ignored: %v", want, ignored)
		}
	}
	if NoEffect("port") != "" || NoEffect("tls-port") == "" || NoEffect("SLAVEOF") == "" {
		t.Errorf("NoEffect: port %q tls-port %q slaveof %q", NoEffect("port"), NoEffect("tls-port"), NoEffect("SLAVEOF"))
	}
}

// TestInclude reads an included file in place.
func TestInclude(t *testing.T) {
	dir := t.TempDir()
	inc := dir + "/inc.conf"
	main := dir + "/main.conf"
	os.WriteFile(inc, []byte("port 7001\nsave 10 1\n"), 0o600)
	os.WriteFile(main, []byte("save 20 2\ninclude "+inc+"\nhz 20\n"), 0o600)
	c := New()
	if err := c.Load([]string{main}, nil); err != nil {
		t.Fatal(err)
	}
	if c.Int("port") != 7001 || c.Int("hz") != 20 || c.String("save") != "20 2 10 1" {
		t.Errorf("port %d hz %d save %q", c.Int("port"), c.Int("hz"), c.String("save"))
	}
	os.WriteFile(inc, []byte("include "+inc+"\n"), 0o600)
	if err := New().Load([]string{inc}, nil); err == nil || !strings.Contains(err.Error(), "nested") {
		t.Errorf("self-include: %v", err)
	}
}
