package server_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/anaxdb/anax/internal/servertest"
)

// cmdShape is what COMMAND INFO says of a command that clients route by:
// name, arity and the first, last and step key positions.
type cmdShape struct {
	arity, first, last, step int64
}

// commandShapes runs COMMAND INFO names... and flattens the replies,
// subcommands included, by full name; unknown commands are left out.
func commandShapes(t *testing.T, rc *redis.Client, names ...string) map[string]cmdShape {
	t.Helper()
	args := []any{"COMMAND", "INFO"}
	for _, n := range names {
		args = append(args, n)
	}
	v, err := rc.Do(context.Background(), args...).Slice()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]cmdShape{}
	var walk func(e any)
	walk = func(e any) {
		if e == nil {
			return
		}
		info, ok := e.([]any)
		if !ok || len(info) != 10 {
			t.Fatalf("COMMAND INFO entry %#v: want 10 elements", e)
		}
		n := func(i int) int64 { return info[i].(int64) }
		out[info[0].(string)] = cmdShape{n(1), n(3), n(4), n(5)}
		subs, _ := info[9].([]any)
		for _, s := range subs {
			walk(s)
		}
	}
	for _, e := range v {
		walk(e)
	}
	return out
}

// TestCommandInfoMatchesRedis compares COMMAND INFO's routing fields with a
// local redis-server: the string and keyspace commands named in the design
// notes plus the server family's own commands and subcommands (those that
// both implement).
func TestCommandInfoMatchesRedis(t *testing.T) {
	raddr := servertest.RedisIfInstalled(t)
	if raddr == "" {
		t.Skip("redis-server is not installed")
	}
	addr := servertest.Start(t)
	ctx := context.Background()
	rr, ar := admClient(t, raddr, 2), admClient(t, addr, 2)
	names := []string{"get", "set", "mset", "del",
		"info", "config", "client", "command", "time", "lastsave", "wait", "shutdown", "memory", "debug"}
	want, got := commandShapes(t, rr, names...), commandShapes(t, ar, names...)
	for _, n := range names[:4] {
		if _, ok := got[n]; !ok {
			t.Errorf("Anax has no %s", n)
		}
	}
	// Redis 7.2 changed the arity of COMMAND GETKEYS[ANDFLAGS] from -4 to -3.
	ver, _ := rr.InfoMap(ctx, "server").Result()
	pre72 := ver["Server"]["redis_version"] < "7.2"
	for name, w := range want {
		g, ok := got[name]
		if !ok || (pre72 && strings.HasPrefix(name, "command|getkeys")) {
			continue // a subcommand Anax does not have, or changed since
		}
		if g != w {
			t.Errorf("COMMAND INFO %s: arity,first,last,step = %v, redis-server says %v", name, g, w)
		}
	}
}

func TestCommandIntrospection(t *testing.T) {
	addr := servertest.Start(t)
	ctx := context.Background()
	rc := admClient(t, addr, 3)

	count, err := rc.Do(ctx, "COMMAND", "COUNT").Int64()
	if err != nil || count < 20 {
		t.Fatalf("COMMAND COUNT = %d, %v", count, err)
	}
	all, err := rc.Do(ctx, "COMMAND").Slice()
	if err != nil || int64(len(all)) != count {
		t.Fatalf("COMMAND has %d entries, COMMAND COUNT says %d (%v)", len(all), count, err)
	}
	// go-redis parses COMMAND (cluster clients use it for routing).
	infos, err := rc.Command(ctx).Result()
	if err != nil {
		t.Fatalf("go-redis cannot parse COMMAND: %v", err)
	}
	get := infos["get"]
	if get == nil || get.Arity != 2 || get.FirstKeyPos != 1 || get.LastKeyPos != 1 || get.StepCount != 1 || !get.ReadOnly ||
		!slices.Equal(get.ACLFlags, []string{"@read", "@string", "@fast"}) {
		t.Errorf("go-redis COMMAND get = %+v", get)
	}
	if mset := infos["mset"]; mset == nil || mset.LastKeyPos != -1 || mset.StepCount != 2 {
		t.Errorf("go-redis COMMAND mset = %+v", mset)
	}

	c := servertest.Dial(t, addr)
	// The exact reply for GET (RESP2): flags and categories as status
	// replies, the key spec derived from the key range.
	wantGet := "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n" +
		"*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n" +
		"$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n"
	for _, tc := range []struct{ args, want string }{
		{"COMMAND INFO get", wantGet},
		{"COMMAND INFO nosuch", "*1\r\n$-1\r\n"},
		{"COMMAND INFO client|setname", "*1\r\n*10\r\n$14\r\nclient|setname\r\n:3\r\n*3\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n+@connection\r\n" +
			"*2\r\n$24\r\nrequest_policy:all_nodes\r\n$29\r\nresponse_policy:all_succeeded\r\n*0\r\n*0\r\n"},
		{"COMMAND DOCS nosuch", "*0\r\n"},
		{"COMMAND DOCS get", "*2\r\n$3\r\nget\r\n*10\r\n$7\r\nsummary\r\n$34\r\nReturns the string value of a key.\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n" +
			"$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n"},
		{"COMMAND GETKEYS mset a b c d", "*2\r\n$1\r\na\r\n$1\r\nc\r\n"},
		{"COMMAND GETKEYS memory usage foo", "*1\r\n$3\r\nfoo\r\n"},
		{"COMMAND GETKEYSANDFLAGS get a", "*1\r\n*2\r\n$1\r\na\r\n*2\r\n+RO\r\n+access\r\n"},
		{"COMMAND GETKEYS get", "-ERR Invalid number of arguments specified for command\r\n"},
		{"COMMAND GETKEYS get a b", "-ERR Invalid number of arguments specified for command\r\n"},
		{"COMMAND GETKEYS nosuch a", "-ERR Invalid command specified\r\n"},
		{"COMMAND GETKEYS ping x", "-ERR The command has no key arguments\r\n"},
		{"COMMAND GETKEYS memory nosuch foo", "-ERR Invalid command specified\r\n"},
		{"COMMAND GETKEYS", "-ERR wrong number of arguments for 'command|getkeys' command\r\n"},
		{"COMMAND LIST FILTERBY MODULE foo", "*0\r\n"},
		{"COMMAND LIST FILTERBY ACLCAT nosuch", "*0\r\n"},
		{"COMMAND LIST FILTERBY PATTERN config|g*", "*1\r\n$10\r\nconfig|get\r\n"},
		{"COMMAND LIST foo", "-ERR syntax error\r\n"},
		{"COMMAND LIST FILTERBY foo bar", "-ERR syntax error\r\n"},
		{"COMMAND LIST FILTERBY PATTERN", "-ERR syntax error\r\n"},
		{"COMMAND FOO", "-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n"},
		{"COMMAND COUNT x", "-ERR wrong number of arguments for 'command|count' command\r\n"},
	} {
		if got := c.Do(strings.Fields(tc.args)...); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.args, got, tc.want)
		}
	}

	// COMMAND LIST names every command and subcommand once.
	list, err := rc.Do(ctx, "COMMAND", "LIST").StringSlice()
	if err != nil || int64(len(list)) <= count {
		t.Fatalf("COMMAND LIST: %d names, %v", len(list), err)
	}
	for _, n := range []string{"get", "client", "client|list", "config|set", "command|docs", "memory|usage"} {
		if !slices.Contains(list, n) {
			t.Errorf("COMMAND LIST lacks %s", n)
		}
	}
	strs, _ := rc.Do(ctx, "COMMAND", "LIST", "FILTERBY", "ACLCAT", "string").StringSlice()
	if !slices.Contains(strs, "get") || slices.Contains(strs, "client|list") {
		t.Errorf("COMMAND LIST FILTERBY ACLCAT string = %v", strs)
	}
	cl, _ := rc.Do(ctx, "COMMAND", "LIST", "FILTERBY", "PATTERN", "CLIENT*").StringSlice()
	if !slices.Contains(cl, "client") || !slices.Contains(cl, "client|kill") {
		t.Errorf("COMMAND LIST FILTERBY PATTERN CLIENT* = %v", cl)
	}
	keys, err := rc.CommandGetKeys(ctx, "mset", "k1", "v1", "k2", "v2").Result()
	if err != nil || !slices.Equal(keys, []string{"k1", "k2"}) {
		t.Errorf("go-redis CommandGetKeys = %v, %v", keys, err)
	}
	kf, err := rc.CommandGetKeysAndFlags(ctx, "set", "k", "v").Result()
	if err != nil || len(kf) != 1 || kf[0].Key != "k" || !slices.Contains(kf[0].Flags, "update") {
		t.Errorf("go-redis CommandGetKeysAndFlags = %+v, %v", kf, err)
	}

	// COMMAND DOCS: a map per command in RESP3; containers list their
	// subcommands' docs.
	docs, err := rc.Do(ctx, "COMMAND", "DOCS", "client", "get").Result()
	if err != nil {
		t.Fatal(err)
	}
	dm := docs.(map[any]any)
	client := dm["client"].(map[any]any)
	subs := client["subcommands"].(map[any]any)
	if client["group"] != "connection" || subs["client|list"].(map[any]any)["summary"] != "Lists open connections." {
		t.Errorf("COMMAND DOCS client = %v", client)
	}
	if g := dm["get"].(map[any]any); g["since"] != "1.0.0" || g["complexity"] != "O(1)" {
		t.Errorf("COMMAND DOCS get = %v", g)
	}
	all2, err := rc.Do(ctx, "COMMAND", "DOCS").Result()
	if err != nil || int64(len(all2.(map[any]any))) != count {
		t.Errorf("COMMAND DOCS: %d entries, %v", len(all2.(map[any]any)), err)
	}

	help, _ := rc.Do(ctx, "COMMAND", "HELP").StringSlice()
	if len(help) != 21 || help[0] != "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:" {
		t.Errorf("COMMAND HELP = %q", help)
	}
	if err := rc.Do(ctx, "COMMAND", "INFO", "nosuch").Err(); err != nil && !errors.Is(err, redis.Nil) {
		t.Errorf("COMMAND INFO nosuch: %v", err)
	}
}

// TestCommandStats checks that subcommands keep their own statistics.
func TestCommandStats(t *testing.T) {
	addr := servertest.Start(t)
	c := servertest.Dial(t, addr)
	for i := 0; i < 3; i++ {
		c.Do("CLIENT", "ID")
	}
	c.Do("CLIENT", "NOSUCH")
	c.Do("CLIENT")
	c.Do("COMMAND")
	c.Do("COMMAND", "COUNT")
	raw := c.Do("INFO", "commandstats")
	_, secs := infoFields(t, raw[strings.Index(raw, "\r\n")+2:len(raw)-2])
	st := secs["Commandstats"]
	calls := func(name string) string {
		v := st["cmdstat_"+name]
		f := strings.Split(v, ",")
		if len(f) != 5 {
			return v
		}
		return strings.TrimPrefix(f[0], "calls=") + "/" + strings.TrimPrefix(f[3], "rejected_calls=") + "/" + strings.TrimPrefix(f[4], "failed_calls=")
	}
	for name, want := range map[string]string{
		"client|id":     "3/0/0",
		"client":        "0/1/0", // the bare CLIENT, rejected for its arity
		"command":       "1/0/0", // the bare COMMAND
		"command|count": "1/0/0",
	} {
		if got := calls(name); got != want {
			t.Errorf("cmdstat_%s calls/rejected/failed = %s, want %s", name, got, want)
		}
	}
}
