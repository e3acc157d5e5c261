package debugcmd

import (
	"regexp"
	"strings"
	"testing"

	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// testNow is the clock of these tests, Unix ms.
const testNow = 1_700_000_000_000

// testEnv is a server for DEBUG: settings, shards routed by the key's
// last byte, a log, and the error count; the rest of command.Env panics
// (nil embedded) if DEBUG reaches it.
type testEnv struct {
	command.Env
	config map[string]string
	shards int
	local  bool
	logged []string
	errors []string
	// activeExpire records DEBUG SET-ACTIVE-EXPIRE's calls.
	activeExpire []bool
}

func newTestEnv(shards int, config ...string) *testEnv {
	e := &testEnv{shards: shards, local: true, config: map[string]string{
		"enable-debug-command": "yes",
		"rdbcompression":       "yes",
		"maxmemory":            "0",
		"maxmemory-policy":     "noeviction",
		"proto-max-bulk-len":   "536870912",
	}}
	for i := 0; i+1 < len(config); i += 2 {
		e.config[config[i]] = config[i+1]
	}
	return e
}

func (e *testEnv) ConfigString(name string) string {
	v, ok := e.config[name]
	if !ok {
		panic("testEnv: no setting " + name)
	}
	return v
}

func (e *testEnv) ConfigInt(name string) int64 {
	n, ok := command.ParseInt([]byte(e.ConfigString(name)))
	if !ok {
		panic("testEnv: not an integer: " + name)
	}
	return n
}

// Limits reads the settings the test gave; those it did not are 0.
func (e *testEnv) Limits() *command.Limits {
	return command.LimitsFrom(func(name string) int64 {
		if _, ok := e.config[name]; !ok {
			return 0
		}
		return e.ConfigInt(name)
	})
}

func (e *testEnv) ShardCount() int                        { return e.shards }
func (e *testEnv) Route(key []byte) int                   { return int(key[len(key)-1]) % e.shards }
func (e *testEnv) CountError(_ *command.Exec, msg string) { e.errors = append(e.errors, msg) }
func (e *testEnv) ClientIsLocal(*command.Exec) bool       { return e.local }
func (e *testEnv) LogWarning(msg string)                  { e.logged = append(e.logged, msg) }
func (e *testEnv) SetActiveExpire(on bool)                { e.activeExpire = append(e.activeExpire, on) }

// newExec readies DEBUG with args (space-separated) to run on sh.
func (e *testEnv) newExec(args string, sh *shard.Shard) *command.Exec {
	x := &command.Exec{Env: e}
	x.Reset(Commands()[0], words(args), 0, 2, false, testNow)
	x.SetHome(sh)
	return x
}

func words(s string) [][]byte {
	var out [][]byte
	for _, w := range strings.Fields(s) {
		out = append(out, []byte(w))
	}
	return out
}

// runWhole runs DEBUG on one shard, as the server does with one thread.
func runWhole(e *testEnv, sh *shard.Shard, args string) string {
	x := e.newExec(args, sh)
	x.Cmd.Run(x)
	return string(x.Out)
}

// runPieces runs DEBUG as the server does over several shards: one piece
// per shard, then the merge.
func runPieces(e *testEnv, shards []*shard.Shard, args string) string {
	parts := make([]*command.Exec, len(shards))
	for i, sh := range shards {
		whole := e.newExec(args, nil)
		parts[i] = command.NewPiece(whole, whole.Args, i)
		parts[i].SetHome(sh)
		parts[i].Cmd.Run(parts[i])
		if len(parts[i].Out) > 0 {
			return "a piece wrote a reply: " + string(parts[i].Out)
		}
	}
	x := e.newExec(args, nil)
	command.Merge(x, parts, nil)
	return string(x.Out)
}

func TestRefused(t *testing.T) {
	sh := shard.New(0, 1)
	refused := "-" + ErrNotAllowed + "\r\n"
	e := newTestEnv(1, "enable-debug-command", "no")
	if got := runWhole(e, sh, "debug populate 3"); got != refused || sh.DB(0).Len() != 0 {
		t.Errorf("DEBUG with enable-debug-command no = %q, %d keys", got, sh.DB(0).Len())
	}
	e = newTestEnv(1, "enable-debug-command", "local")
	e.local = false
	if got := runWhole(e, sh, "debug sleep 0"); got != refused || len(e.errors) != 1 {
		t.Errorf("DEBUG from a remote client with local = %q, errors %q", got, e.errors)
	}
	if got := runPieces(e, []*shard.Shard{sh}, "debug sleep 0"); got != refused {
		t.Errorf("DEBUG in pieces from a remote client with local = %q", got)
	}
	e.local = true
	if got := runWhole(e, sh, "debug sleep 0"); got != "+OK\r\n" {
		t.Errorf("DEBUG from a local client with local = %q", got)
	}
}

// objectLine matches DEBUG OBJECT's reply and captures refcount, encoding
// and serializedlength.
var objectLine = regexp.MustCompile(`^\+Value at:0x[0-9a-f]+ refcount:(\d+) encoding:(\w+) serializedlength:(\d+) lru:\d+ lru_seconds_idle:0\r\n$`)

func objectFields(t *testing.T, reply string) string {
	t.Helper()
	m := objectLine.FindStringSubmatch(reply)
	if m == nil {
		t.Errorf("DEBUG OBJECT = %q", reply)
		return ""
	}
	return strings.Join(m[1:], " ")
}

func TestWhole(t *testing.T) {
	e := newTestEnv(1)
	sh := shard.New(0, 1)
	f := func(args, want string) {
		t.Helper()
		if got := runWhole(e, sh, args); got != want {
			t.Errorf("%s = %q, want %q", args, got, want)
		}
	}
	f("debug object nosuch", "-ERR no such key\r\n")
	f("debug populate -1", "-ERR value is out of range, must be positive\r\n")
	f("debug populate 1 p x", "-ERR value is out of range, must be positive\r\n")
	f("debug populate 1 p 536870913", "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n")
	f("debug populate 1 p 1 2", "-ERR unknown subcommand or wrong number of arguments for 'populate'. Try DEBUG HELP.\r\n")
	f("debug sleep x", "+OK\r\n")
	f("debug error oops", "-oops\r\n")
	f("debug log hello", "+OK\r\n")
	if len(e.logged) != 1 || e.logged[0] != "DEBUG LOG: hello" {
		t.Errorf("DEBUG LOG logged %q", e.logged)
	}
	if len(e.errors) != 5 {
		t.Errorf("errors counted %q: want all but DEBUG ERROR's", e.errors)
	}

	f("debug populate 3", "+OK\r\n")
	f("debug populate 2 p 10", "+OK\r\n")
	db := sh.DB(0)
	if db.Len() != 5 {
		t.Errorf("%d keys after POPULATE 3 and 2", db.Len())
	}
	h, _ := db.Peek([]byte("p:1"))
	if v := string(db.Value(h)); v != "value:1\x00\x00\x00" {
		t.Errorf("p:1 = %q", v)
	}
	db.SetString([]byte("n"), []byte("12"), 0, false, shard.EncAuto, testNow)
	db.SetString([]byte("long"), []byte(strings.Repeat("x", 65)), 0, false, shard.EncAuto, testNow)
	for key, want := range map[string]string{"key:0": "1 embstr 8", "n": "2147483647 int 2", "long": "1 raw 13"} {
		if got := objectFields(t, runWhole(e, sh, "debug object "+key)); got != want {
			t.Errorf("DEBUG OBJECT %s: %q, want %q", key, got, want)
		}
	}
	// Evicting by LRU, Redis shares no integers; without compression the
	// long string is stored whole.
	e.config["maxmemory"], e.config["maxmemory-policy"] = "100000000", "allkeys-lru"
	e.config["rdbcompression"] = "no"
	for key, want := range map[string]string{"n": "1 int 2", "long": "1 raw 67"} {
		if got := objectFields(t, runWhole(e, sh, "debug object "+key)); got != want {
			t.Errorf("DEBUG OBJECT %s: %q, want %q", key, got, want)
		}
	}
	if help := runWhole(e, sh, "debug help"); !strings.Contains(help, "+POPULATE <count> [<prefix>] [<size>]\r\n") {
		t.Errorf("DEBUG HELP = %q", help)
	}
}

// TestPieces: over several shards, POPULATE writes each key on its own
// shard, OBJECT answers from the key's shard, LOG writes once, and HELP
// and ERROR are answered by the merge.
func TestPieces(t *testing.T) {
	e := newTestEnv(3)
	shards := []*shard.Shard{shard.New(0, 1), shard.New(1, 1), shard.New(2, 1)}
	f := func(args, want string) {
		t.Helper()
		if got := runPieces(e, shards, args); got != want {
			t.Errorf("%s = %q, want %q", args, got, want)
		}
	}
	f("debug populate 30", "+OK\r\n")
	total := 0
	for i, sh := range shards {
		total += sh.DB(0).Len()
		if sh.DB(0).Len() == 0 {
			t.Errorf("shard %d holds no key", i)
		}
		db := sh.DB(0)
		db.ForEach(func(h shard.Handle) bool {
			if key := db.Key(h); e.Route(key) != i {
				t.Errorf("shard %d holds %s, of shard %d", i, key, e.Route(key))
			}
			return true
		})
	}
	if total != 30 {
		t.Errorf("%d keys after POPULATE 30", total)
	}
	f("debug populate x", "-ERR value is out of range, must be positive\r\n")
	if got := objectFields(t, runPieces(e, shards, "debug object key:7")); got != "1 embstr 8" {
		t.Errorf("DEBUG OBJECT key:7: %q", got)
	}
	f("debug object nosuch", "-ERR no such key\r\n")
	f("debug log once", "+OK\r\n")
	if len(e.logged) != 1 {
		t.Errorf("DEBUG LOG over 3 shards logged %q", e.logged)
	}
	f("debug error oops", "-oops\r\n")
	f("debug sleep 0", "+OK\r\n")
	// SET-ACTIVE-EXPIRE reaches the server once, its flag read as C's
	// atoi reads it.
	for _, c := range []struct {
		arg  string
		want bool
	}{{"0", false}, {"1", true}, {"x", false}, {"-3", true}, {"+0", false}, {"2abc", true}} {
		e.activeExpire = nil
		f("debug set-active-expire "+c.arg, "+OK\r\n")
		if len(e.activeExpire) != 1 || e.activeExpire[0] != c.want {
			t.Errorf("DEBUG SET-ACTIVE-EXPIRE %s over 3 shards: %v, want one %v", c.arg, e.activeExpire, c.want)
		}
	}
	f("debug set-active-expire", "-ERR unknown subcommand or wrong number of arguments for 'set-active-expire'. Try DEBUG HELP.\r\n")
	f("debug nosuch", "-ERR unknown subcommand or wrong number of arguments for 'nosuch'. Try DEBUG HELP.\r\n")
	if help := runPieces(e, shards, "debug help"); !strings.HasPrefix(help, "*28\r\n") {
		t.Errorf("DEBUG HELP = %q", help)
	}
}
