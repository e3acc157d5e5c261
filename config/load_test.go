package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "anax.conf")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// get returns name's value as CONFIG GET shows it.
func get(c *Config, name string) string {
	g := c.Get(name)
	if len(g) != 1 {
		panic("no parameter " + name)
	}
	return g[0][1]
}

func TestLoadFile(t *testing.T) {
	// f loads content and checks the values in want ("name=value" lines).
	f := func(content string, want ...string) {
		t.Helper()
		c := New()
		if err := c.Load([]string{writeFile(t, content)}, nil); err != nil {
			t.Fatalf("Load(%q): %v", content, err)
		}
		for _, w := range want {
			name, val, _ := strings.Cut(w, "=")
			if got := get(c, name); got != val {
				t.Errorf("Load(%q): %s = %q, want %q", content, name, got, val)
			}
		}
	}
	f("port 7000\n", "port=7000")
	f("# comment\n\n   # indented comment\nport 7000\r\n", "port=7000")
	f("PORT 7000\nMaxMemory 1GB\n", "port=7000", "maxmemory=1073741824")
	f("proto_max_bulk_len 1mb\n", "proto-max-bulk-len=1048576")
	f("dbnum 4\n", "databases=4")
	f("databases 4\ndbnum 8\n", "databases=8") // the last line wins
	f("hash-max-ziplist-entries 100\n", "hash-max-listpack-entries=100")
	f("requirepass \"with space\"\n", "requirepass=with space")
	f(`requirepass "tab\there\x41\"q\"\\"`+"\n", "requirepass=tab\there\x41\"q\"\\")
	f("requirepass 'single \\' quote'\n", "requirepass=single ' quote")
	f("requirepass 'no \\n escapes'\n", `requirepass=no \n escapes`)
	f("requirepass pass#word\n", "requirepass=pass#word") // '#' only starts a comment line
	f("requirepass a\"b c\"\n", "requirepass=ab c")       // a quote inside a word starts a quoted part
	f("logfile \"\"\n", "logfile=")
	f("bind 0.0.0.0 ::\n", "bind=0.0.0.0 ::")
	f("bind \"0.0.0.0 ::\"\n", "bind=0.0.0.0 ::")
	f("bind \"\"\n", "bind=")
	f("save 900 1\nsave 300 10\n", "save=900 1 300 10") // save lines add up within a file
	f("save \"900 1 300 10\"\n", "save=900 1 300 10")
	f("save \"\"\n", "save=")
	f("save \"\"\nsave 60 1\n", "save=60 1")
	f("save 60 1\nsave \"\"\n", "save=")
	f("client-output-buffer-limit pubsub 64mb 16mb 90\n",
		"client-output-buffer-limit=normal 0 0 0 slave 268435456 67108864 60 pubsub 67108864 16777216 90")
	f("client-output-buffer-limit replica 1mb 1mb 0\nclient-output-buffer-limit normal 1gb 0 0\n",
		"client-output-buffer-limit=normal 1073741824 0 0 slave 1048576 1048576 0 pubsub 33554432 8388608 60")
	f("notify-keyspace-events Ex\n", "notify-keyspace-events=xE")
	f("notify-keyspace-events \"\"\n", "notify-keyspace-events=")
	f("shutdown-on-sigterm save now\n", "shutdown-on-sigterm=save now")
	f("latency-tracking-info-percentiles 50 90 99\n", "latency-tracking-info-percentiles=50 90 99")
	f("protected-mode no\nappendonly YES\n", "protected-mode=no", "appendonly=yes")
	f("threads 4\npin-threads yes\n", "threads=4", "pin-threads=yes")
	f("enable-debug-command local\n", "enable-debug-command=local")
	f("hz 1000\n", "hz=500")
	f("port 7000", "port=7000") // no final newline
	f("", "port=6379")
}

func TestLoadDir(t *testing.T) {
	dir := t.TempDir()
	c := New()
	if err := c.Load([]string{"--dir", dir}, nil); err != nil {
		t.Fatal(err)
	}
	if got := c.String("dir"); got != dir {
		t.Fatalf("dir = %q, want %q", got, dir)
	}
	wd, _ := os.Getwd()
	if got := New().String("dir"); got != wd {
		t.Fatalf("default dir = %q, want the working directory %q", got, wd)
	}
	rel, err := filepath.Rel(wd, dir)
	if err != nil {
		t.Skip(err)
	}
	c = New()
	if err := c.Load([]string{"--dir", rel}, nil); err != nil {
		t.Fatal(err)
	}
	if got := c.String("dir"); got != dir {
		t.Fatalf("relative dir: got %q, want %q", got, dir)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	f := func(content string, args, environ []string, want string) {
		t.Helper()
		c := New()
		before := c.Get("*")
		if content != "" {
			path := filepath.Join(dir, "anax.conf")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			args = append([]string{path}, args...)
		}
		err := c.Load(args, environ)
		got := ""
		if err != nil {
			got = strings.ReplaceAll(err.Error(), dir, "DIR")
		}
		if got != want {
			t.Errorf("Load(%q, %q, %q):\n got %q\nwant %q", content, args, environ, got, want)
		}
		if after := c.Get("*"); err != nil && !equalPairs(before, after) {
			t.Errorf("a failed Load changed values")
		}
		if err != nil && c.ConfigFile() != "" {
			t.Errorf("a failed Load recorded the config file")
		}
	}
	// Config file.
	f("port 7000\n\nfoo bar\n", nil, nil, `config file DIR/anax.conf line 3: unknown directive "foo"`)
	f("prot 7000\n", nil, nil, `config file DIR/anax.conf line 1: unknown directive "prot" (did you mean "port"?)`)
	f("port abc\n", nil, nil, `config file DIR/anax.conf line 1: port: value "abc" is not an integer`)
	f("port 70000\n", nil, nil, `config file DIR/anax.conf line 1: port: value 70000 is out of range [0, 65535]`)
	f("port 1 2\n", nil, nil, `config file DIR/anax.conf line 1: port: wrong number of arguments (got 2, want 1)`)
	f("port\n", nil, nil, `config file DIR/anax.conf line 1: port: wrong number of arguments (got 0, want 1)`)
	f("dbnum x\n", nil, nil, `config file DIR/anax.conf line 1: dbnum: value "x" is not an integer`)
	f("Maxmemory 1tb\n", nil, nil, `config file DIR/anax.conf line 1: maxmemory: value "1tb" is not a memory size (bytes, or a number with k, kb, m, mb, g or gb)`)
	f("appendonly maybe\n", nil, nil, `config file DIR/anax.conf line 1: appendonly: value "maybe" is not yes or no`)
	f("maxmemory-policy lru\n", nil, nil, `config file DIR/anax.conf line 1: maxmemory-policy: value "lru" is not one of: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction`)
	f("requirepass \"abc\n", nil, nil, `config file DIR/anax.conf line 1: unbalanced quotes`)
	f("requirepass \"abc\"def\n", nil, nil, `config file DIR/anax.conf line 1: unbalanced quotes`)
	f("requirepass 'abc\n", nil, nil, `config file DIR/anax.conf line 1: unbalanced quotes`)
	f("include /nonexistent/other.conf\n", nil, nil, `config file DIR/anax.conf line 1: cannot read included file: open /nonexistent/other.conf: no such file or directory`)
	f("rename-command FLUSHALL \"\"\n", nil, nil, `config file DIR/anax.conf line 1: rename-command is not supported; use ACLs once available`)
	f("save 100\n", nil, nil, `config file DIR/anax.conf line 1: save: invalid save parameters "100": want pairs of <seconds> (>= 1) <changes> (>= 0)`)
	f("save \"100 1\" 5\n", nil, nil, `config file DIR/anax.conf line 1: save: invalid save parameters "100 1 5": want pairs of <seconds> (>= 1) <changes> (>= 0)`)
	f("bind \"a\n", nil, nil, `config file DIR/anax.conf line 1: unbalanced quotes`)
	f("dbfilename a/b.rdb\n", nil, nil, `config file DIR/anax.conf line 1: dbfilename: dbfilename can't be a path, just a filename`)
	f("dir /nonexistent/anax\n", nil, nil, `config file DIR/anax.conf line 1: dir: cannot use "/nonexistent/anax": no such file or directory`)
	f("notify-keyspace-events KEQ\n", nil, nil, `config file DIR/anax.conf line 1: notify-keyspace-events: invalid event class "Q" in "KEQ": use the characters of 'Ag$lshzxeKEtmdn'`)
	f("client-output-buffer-limit foo 1 2 3\n", nil, nil, `config file DIR/anax.conf line 1: client-output-buffer-limit: invalid client class "foo": want normal, replica or pubsub`)
	f("bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n", nil, nil, `config file DIR/anax.conf line 1: bind: Too many bind addresses specified.`)
	// Environment.
	f("", nil, []string{"HOME=/root", "ANAX_PORT=abc"}, `environment variable ANAX_PORT: value "abc" is not an integer`)
	f("", nil, []string{"ANAX_PROT=1"}, `unknown environment variable ANAX_PROT (did you mean "ANAX_PORT"?)`)
	f("", nil, []string{"ANAX_NOSUCHTHING=1"}, `unknown environment variable ANAX_NOSUCHTHING`)
	f("", nil, []string{"ANAX_SAVE=\"1 1"}, `environment variable ANAX_SAVE: unbalanced quotes`)
	// Flags.
	f("", []string{"--port", "abc"}, nil, `flag --port: value "abc" is not an integer`)
	f("", []string{"--port=abc"}, nil, `flag --port: value "abc" is not an integer`)
	f("", []string{"--port"}, nil, `flag --port: missing value`)
	f("", []string{"--port", "--hz", "5"}, nil, `flag --port: missing value`)
	f("", []string{"--port", "1", "2"}, nil, `flag --port: wrong number of arguments (got 2, want 1)`)
	f("", []string{"--foo", "1"}, nil, `unknown flag --foo`)
	f("", []string{"--maxmemory_polcy", "x"}, nil, `unknown flag --maxmemory_polcy (did you mean "--maxmemory-policy"?)`)
	f("", []string{"--port", "1", "stray"}, nil, `flag --port: wrong number of arguments (got 2, want 1)`)
	f("", []string{"--", "x"}, nil, `unexpected argument "--": flags are --name value or --name=value`)
	f("", []string{"--protected-mode", "maybe"}, nil, `flag --protected-mode: value "maybe" is not yes or no`)
	f("", []string{"--dbnum", "0"}, nil, `flag --dbnum: value 0 is out of range [1, 2147483647]`)
	f("", []string{"--save", "1"}, nil, `flag --save: invalid save parameters "1": want pairs of <seconds> (>= 1) <changes> (>= 0)`)
	// A bad flag after a good file changes nothing.
	f("port 7000\n", []string{"--hz", "x"}, nil, `flag --hz: value "x" is not an integer`)
	// Missing file.
	f("", []string{filepath.Join(dir, "missing.conf")}, nil,
		`cannot read config file: open DIR/missing.conf: no such file or directory`)
}

func equalPairs(a, b [][2]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLoadEnvAndFlags(t *testing.T) {
	f := func(args, environ []string, want ...string) {
		t.Helper()
		c := New()
		if err := c.Load(args, environ); err != nil {
			t.Fatalf("Load(%q, %q): %v", args, environ, err)
		}
		for _, w := range want {
			name, val, _ := strings.Cut(w, "=")
			if got := get(c, name); got != val {
				t.Errorf("Load(%q, %q): %s = %q, want %q", args, environ, name, got, val)
			}
		}
	}
	f(nil, []string{"ANAX_PORT=7000", "PATH=/bin", "ANAXPORT=1"}, "port=7000")
	f(nil, []string{"ANAX_PROTO_MAX_BULK_LEN=1mb"}, "proto-max-bulk-len=1048576")
	f(nil, []string{"ANAX_proto_max_bulk_len=2mb"}, "proto-max-bulk-len=2097152")
	f(nil, []string{"ANAX_REQUIREPASS=s3cret=x"}, "requirepass=s3cret=x")
	f(nil, []string{"ANAX_REQUIREPASS="}, "requirepass=")
	f(nil, []string{"ANAX_SAVE=900 1 300 10"}, "save=900 1 300 10")
	f(nil, []string{"ANAX_SAVE="}, "save=")
	f(nil, []string{"ANAX_BIND=0.0.0.0 ::"}, "bind=0.0.0.0 ::")
	f(nil, []string{"ANAX_DBNUM=2"}, "databases=2")
	f(nil, []string{"ANAX_PORT=1", "ANAX_PORT=2"}, "port=2")

	f([]string{"--port", "7000"}, nil, "port=7000")
	f([]string{"--port=7000"}, nil, "port=7000")
	f([]string{"--port 7000"}, nil, "port=7000") // one argument, as Redis accepts
	f([]string{"--PORT", "7000"}, nil, "port=7000")
	f([]string{"--proto_max_bulk_len", "1mb", "--proto-max-bulk-len=2mb"}, nil, "proto-max-bulk-len=2097152")
	f([]string{"--protected-mode"}, nil, "protected-mode=yes")
	f([]string{"--protected-mode", "no"}, nil, "protected-mode=no")
	f([]string{"--protected-mode=no"}, nil, "protected-mode=no")
	f([]string{"--appendonly", "--port", "1"}, nil, "appendonly=yes", "port=1")
	f([]string{"--save", "900", "1", "300", "10"}, nil, "save=900 1 300 10")
	f([]string{"--save", "900 1 300 10"}, nil, "save=900 1 300 10")
	f([]string{"--save=900 1"}, nil, "save=900 1")
	f([]string{"--save", ""}, nil, "save=")
	f([]string{"--save"}, nil, "save=")
	f([]string{"--save", "--port", "1"}, nil, "save=", "port=1")
	f([]string{"--save", "60", "1", "--save", "120", "2"}, nil, "save=60 1 120 2")
	f([]string{"--requirepass", "--dashed"}, nil, "requirepass=--dashed")
	f([]string{"--requirepass=--dashed"}, nil, "requirepass=--dashed")
	f([]string{"--requirepass", "a=b"}, nil, "requirepass=a=b")
	f([]string{"--bind", "0.0.0.0", "::1"}, nil, "bind=0.0.0.0 ::1")
	f([]string{"--client-output-buffer-limit", "pubsub", "1mb", "1mb", "0"}, nil,
		"client-output-buffer-limit=normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 1048576 0")
	f([]string{"--slowlog-log-slower-than", "-1"}, nil, "slowlog-log-slower-than=-1") // "-1" is a value, not a flag
	f([]string{"--threads", "8", "--dbnum", "32"}, nil, "threads=8", "databases=32")
}

func TestLoadPrecedence(t *testing.T) {
	path := writeFile(t, "port 1000\nhz 11\nmaxmemory 1mb\nsave 100 1\nsave 200 2\n")
	c := New()
	err := c.Load([]string{path, "--hz", "13", "--save", "300", "3"},
		[]string{"ANAX_HZ=12", "ANAX_MAXMEMORY=2mb", "ANAX_SAVE=400 4"})
	if err != nil {
		t.Fatal(err)
	}
	f := func(name, want string) {
		t.Helper()
		if got := get(c, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	f("port", "1000")         // file only
	f("maxmemory", "2097152") // environment over file
	f("hz", "13")             // flags over environment over file
	f("save", "300 3")        // a later source replaces the save points
	if c.ConfigFile() != path {
		t.Fatalf("ConfigFile() = %q, want %q", c.ConfigFile(), path)
	}
	if New().ConfigFile() != "" {
		t.Fatal("ConfigFile() without a file should be empty")
	}
}

func TestLoadHooks(t *testing.T) {
	c := New()
	var calls []string
	c.OnChange("port", func(v string) { calls = append(calls, "port="+v) })
	c.OnChange("hz", func(v string) { calls = append(calls, "hz="+v) })
	if err := c.Load([]string{"--hz", "10", "--port", "7000", "--port", "7001"}, nil); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(calls, " "); got != "port=7001" {
		t.Fatalf("hooks ran %q, want only port=7001 (hz did not change)", got)
	}
}

func TestGetters(t *testing.T) {
	c := New()
	err := c.Load([]string{"--maxmemory", "1gb", "--maxmemory-policy", "allkeys-lfu", "--bind", "0.0.0.0 ::",
		"--notify-keyspace-events", "Ex", "--shutdown-on-sigterm", "save", "now", "--save", "60 1 300 10",
		"--client-output-buffer-limit", "replica 1mb 512kb 30"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Int("maxmemory") != 1<<30 || c.Int("databases") != 16 || c.Int("dbnum") != 16 || c.Int("DBNUM") != 16 {
		t.Error("Int")
	}
	if c.Int("maxmemory-policy") != 5 || c.String("maxmemory-policy") != "allkeys-lfu" {
		t.Error("enum")
	}
	if c.Int("notify-keyspace-events") != NotifyExpired|NotifyKeyevent {
		t.Error("notify-keyspace-events mask")
	}
	if c.Int("shutdown-on-sigterm") != ShutdownSave|ShutdownNow || c.Int("shutdown-on-sigint") != 0 {
		t.Error("shutdown flags")
	}
	if !c.Bool("protected-mode") || c.Bool("appendonly") || !c.Bool("latency_tracking") {
		t.Error("Bool")
	}
	if c.String("dbfilename") != "dump.rdb" || c.String("maxmemory") != "1073741824" || c.String("appendonly") != "no" {
		t.Error("String")
	}
	if s := c.Strings("bind"); len(s) != 2 || s[0] != "0.0.0.0" || s[1] != "::" {
		t.Errorf("Strings(bind) = %q", s)
	}
	if s := c.Strings("latency-tracking-info-percentiles"); strings.Join(s, ",") != "50,99,99.9" {
		t.Errorf("percentiles %q", s)
	}
	if sp := c.SavePoints(); len(sp) != 2 || sp[0] != (SavePoint{60, 1}) || sp[1] != (SavePoint{300, 10}) {
		t.Errorf("SavePoints() = %v", sp)
	}
	if l := c.ClientOutputBufferLimit("replica"); l != (OutputBufferLimit{1 << 20, 512 << 10, 30}) {
		t.Errorf("replica limit %+v", l)
	}
	if l := c.ClientOutputBufferLimit("slave"); l != (OutputBufferLimit{1 << 20, 512 << 10, 30}) {
		t.Errorf("slave limit %+v", l)
	}
	if l := c.ClientOutputBufferLimit("pubsub"); l != (OutputBufferLimit{32 << 20, 8 << 20, 60}) {
		t.Errorf("pubsub limit %+v", l)
	}
	if l := c.ClientOutputBufferLimit("normal"); l != (OutputBufferLimit{}) {
		t.Errorf("normal limit %+v", l)
	}
	if !Sensitive("requirepass") || Sensitive("port") || Sensitive("nosuch") {
		t.Error("Sensitive")
	}

	mustPanic := func(name string, fn func()) {
		t.Helper()
		defer func() {
			r := recover()
			if s, _ := r.(string); !strings.HasPrefix(s, "BUG: ") {
				t.Errorf("%s: want a BUG panic, got %v", name, r)
			}
		}()
		fn()
	}
	mustPanic("Int(nosuch)", func() { c.Int("nosuch") })
	mustPanic("Int(bind)", func() { c.Int("bind") })
	mustPanic("Bool(port)", func() { c.Bool("port") })
	mustPanic("String(nosuch)", func() { c.String("nosuch") })
	mustPanic("Strings(port)", func() { c.Strings("port") })
	mustPanic("OnChange(nosuch)", func() { c.OnChange("nosuch", func(string) {}) })
	mustPanic("ClientOutputBufferLimit(master)", func() { c.ClientOutputBufferLimit("master") })
}

func TestParams(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range Params() {
		if p.Help == "" || p.Type == "" {
			t.Errorf("%s: missing help or type", p.Name)
		}
		if seen[p.Name] {
			t.Errorf("%s listed twice", p.Name)
		}
		seen[p.Name] = true
	}
	// The parameters the brief and common tools rely on.
	for _, name := range []string{"port", "bind", "requirepass", "databases", "hz", "loglevel", "maxclients",
		"timeout", "tcp-keepalive", "proto-max-bulk-len", "client-query-buffer-limit", "maxmemory",
		"maxmemory-policy", "dir", "dbfilename", "save", "appendonly", "protected-mode",
		"lazyfree-lazy-user-del", "latency-tracking", "slowlog-log-slower-than", "slowlog-max-len",
		"notify-keyspace-events", "lfu-log-factor", "lfu-decay-time", "active-expire-effort",
		"threads", "pin-threads", "client-output-buffer-limit", "stream-node-max-entries"} {
		if !seen[name] {
			t.Errorf("no parameter %s", name)
		}
	}
	if lookup("dbnum") != lookup("databases") {
		t.Error("dbnum is not databases")
	}
	// Dragonfly's spelling of the Memcached listener flag.
	if p := lookup("memcached_port"); p == nil || p != lookup("memcached-port") {
		t.Error("memcached_port is not memcached-port")
	}
	if c := New(); c.Int("memcached-port") != 0 || c.Int("memcached-max-item-size") != 1<<20 {
		t.Errorf("memcached defaults: port %d, max item size %d",
			c.Int("memcached-port"), c.Int("memcached-max-item-size"))
	}
}
