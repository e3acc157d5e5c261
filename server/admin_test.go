package server_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/anaxdb/anax/internal/servertest"
	"github.com/anaxdb/anax/server"
)

// Integration tests of the server family (admin.go, info.go): real TCP,
// go-redis and raw RESP, and redis-cli when it is installed. The helpers
// here (adm*) are shared by client_cmd_test.go, command_cmd_test.go and
// debug_test.go.

// admClient returns a one-connection go-redis client speaking proto.
func admClient(t testing.TB, addr string, proto int) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, PoolSize: 1, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	return c
}

// admDoOnce runs one command on a connection of its own and closes it.
func admDoOnce(t testing.TB, addr string, args ...string) string {
	t.Helper()
	return servertest.Dial(t, addr).Do(args...)
}

// infoFields parses INFO text into section → field → value.
func infoFields(t testing.TB, text string) (order []string, secs map[string]map[string]string) {
	t.Helper()
	secs = map[string]map[string]string{}
	cur := ""
	for _, l := range strings.Split(strings.TrimSuffix(text, "\r\n"), "\r\n") {
		switch {
		case strings.HasPrefix(l, "# "):
			cur = l[2:]
			order = append(order, cur)
			secs[cur] = map[string]string{}
		case l == "":
		default:
			k, v, ok := strings.Cut(l, ":")
			if !ok || cur == "" {
				t.Fatalf("bad INFO line %q", l)
			}
			secs[cur][k] = v
		}
	}
	return order, secs
}

func TestInfoFormat(t *testing.T) {
	addr := servertest.Start(t)
	c := servertest.Dial(t, addr)
	raw := c.Do("INFO")
	body := raw[strings.Index(raw, "\r\n")+2 : len(raw)-2]
	if !strings.HasPrefix(raw, "$") || !strings.HasPrefix(body, "# Server\r\n") {
		t.Fatalf("INFO reply %q", raw[:min(len(raw), 60)])
	}
	if strings.Contains(strings.ReplaceAll(body, "\r\n", ""), "\n") || !strings.HasSuffix(body, "\r\n") {
		t.Fatalf("INFO lines must all end in CRLF")
	}
	order, secs := infoFields(t, body)
	want := []string{"Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules", "Errorstats", "Cluster", "Keyspace"}
	if fmt.Sprint(order) != fmt.Sprint(want) {
		t.Fatalf("INFO sections %v, want %v", order, want)
	}
	if v := secs["Server"]["redis_version"]; v != server.Version {
		t.Errorf("redis_version %q", v)
	}
	if v := secs["Server"]["anax_version"]; v != server.AnaxVersion {
		t.Errorf("anax_version %q", v)
	}
	if !strings.Contains(body, "\r\n\r\n# Clients\r\n") {
		t.Errorf("sections must be separated by a blank line")
	}

	sections := func(args ...string) string {
		raw := c.Do(append([]string{"INFO"}, args...)...)
		order, _ := infoFields(t, raw[strings.Index(raw, "\r\n")+2:len(raw)-2])
		return strings.Join(order, ",")
	}
	for _, tc := range []struct{ args, want string }{
		{"keyspace cpu", "CPU,Keyspace"},
		{"SERVER", "Server"},
		{"nosuch", ""},
		{"all", "Server,Clients,Memory,Persistence,Stats,Replication,CPU,Modules,Commandstats,Errorstats,Latencystats,Cluster,Keyspace,Anax"},
		{"everything", "Server,Clients,Memory,Persistence,Stats,Replication,CPU,Modules,Commandstats,Errorstats,Latencystats,Cluster,Keyspace,Anax"},
		{"default commandstats", "Server,Clients,Memory,Persistence,Stats,Replication,CPU,Modules,Commandstats,Errorstats,Cluster,Keyspace"},
		{"anax", "Anax"},
	} {
		if got := sections(strings.Fields(tc.args)...); got != tc.want {
			t.Errorf("INFO %s: sections %s, want %s", tc.args, got, tc.want)
		}
	}
	if got := c.Do("INFO", "nosuch"); got != "$0\r\n\r\n" {
		t.Errorf("INFO nosuch = %q", got)
	}

	// RESP3: a verbatim string of type txt.
	c.Do("HELLO", "3")
	raw = c.Do("INFO", "server")
	if !strings.HasPrefix(raw, "=") || !strings.Contains(raw, "\r\ntxt:# Server\r\n") {
		t.Errorf("RESP3 INFO %q", raw[:min(len(raw), 40)])
	}
}

func TestInfoFigures(t *testing.T) {
	addr := servertest.Start(t, "--threads", "2")
	ctx := context.Background()
	rc := admClient(t, addr, 3)
	for i := 0; i < 20; i++ {
		if err := rc.Set(ctx, fmt.Sprintf("k%d", i), "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 5; i++ {
		rc.Set(ctx, fmt.Sprintf("t%d", i), "v", time.Hour)
	}
	info := func() map[string]map[string]string {
		text, err := rc.Info(ctx, "everything").Result()
		if err != nil {
			t.Fatal(err)
		}
		_, secs := infoFields(t, text)
		return secs
	}
	// go-redis's handshake may already have met errors (a newer client
	// asks for features Redis 7.2 lacks): count from here.
	errs0, _ := strconv.Atoi(strings.TrimPrefix(info()["Errorstats"]["errorstat_ERR"], "count="))
	rc.Get(ctx, "k1")
	rc.Get(ctx, "k2")
	rc.Get(ctx, "nosuch")
	rc.Do(ctx, "NOSUCHCOMMAND")
	rc.Do(ctx, "CLIENT", "SETNAME")

	s := info()
	check := func(sec, field, want string) {
		t.Helper()
		if got := s[sec][field]; got != want {
			t.Errorf("%s %s = %q, want %q", sec, field, got, want)
		}
	}
	// avg_ttl is 0 until the first expiry sweep meets the keys with an
	// hour's TTL, then near 3,600,000 ms.
	keyspaceRE := regexp.MustCompile(`^keys=25,expires=5,avg_ttl=(0|3[56]\d{5})$`)
	if got := s["Keyspace"]["db0"]; !keyspaceRE.MatchString(got) {
		t.Errorf("Keyspace db0 = %q", got)
	}
	check("Stats", "keyspace_hits", "2")
	check("Stats", "keyspace_misses", "1")
	check("Clients", "connected_clients", "1")
	check("Memory", "mem_allocator", "go")
	check("Memory", "maxmemory", "0")
	check("Replication", "role", "master")
	check("Errorstats", "errorstat_ERR", "count="+strconv.Itoa(errs0+2))
	check("Anax", "shards", "2")
	if !regexp.MustCompile(`^calls=25,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0$`).MatchString(s["Commandstats"]["cmdstat_set"]) {
		t.Errorf("cmdstat_set %q", s["Commandstats"]["cmdstat_set"])
	}
	if got := s["Commandstats"]["cmdstat_client|setname"]; !strings.HasPrefix(got, "calls=0,") || !strings.HasSuffix(got, ",rejected_calls=1,failed_calls=0") {
		t.Errorf("cmdstat_client|setname %q", got)
	}
	if got := s["Commandstats"]["cmdstat_client|setinfo"]; !strings.HasPrefix(got, "calls=2,") {
		t.Errorf("cmdstat_client|setinfo %q (go-redis sends LIB-NAME and LIB-VER)", got)
	}
	if _, ok := s["Commandstats"]["cmdstat_client"]; ok {
		t.Errorf("a container's calls belong to its subcommands: %q", s["Commandstats"]["cmdstat_client"])
	}
	for _, f := range []string{"used_memory", "used_memory_rss", "used_memory_peak", "total_system_memory"} {
		if n, err := strconv.ParseInt(s["Memory"][f], 10, 64); err != nil || n <= 0 {
			t.Errorf("%s = %q", f, s["Memory"][f])
		}
	}
	if n, _ := strconv.Atoi(s["Stats"]["total_commands_processed"]); n < 30 {
		t.Errorf("total_commands_processed %d", n)
	}
	if n, _ := strconv.Atoi(s["Stats"]["total_connections_received"]); n < 1 {
		t.Errorf("total_connections_received %d", n)
	}
	shardKeys := 0
	for i := 0; i < 2; i++ {
		m := regexp.MustCompile(`^keys=(\d+),`).FindStringSubmatch(s["Anax"]["shard"+strconv.Itoa(i)])
		if m == nil {
			t.Fatalf("shard%d line %q", i, s["Anax"]["shard"+strconv.Itoa(i)])
		}
		n, _ := strconv.Atoi(m[1])
		shardKeys += n
	}
	if shardKeys != 25 {
		t.Errorf("the shard lines hold %d keys, want 25", shardKeys)
	}

	// CONFIG SET shows in INFO; CONFIG RESETSTAT clears the counters.
	if err := rc.ConfigSet(ctx, "maxmemory", "100mb").Err(); err != nil {
		t.Fatal(err)
	}
	if err := rc.ConfigResetStat(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	s = info()
	check("Memory", "maxmemory", "104857600")
	check("Memory", "maxmemory_human", "100.00M")
	check("Stats", "keyspace_hits", "0")
	check("Stats", "total_error_replies", "0")
	if _, ok := s["Errorstats"]["errorstat_ERR"]; ok {
		t.Errorf("errorstats survived CONFIG RESETSTAT")
	}
	if _, ok := s["Commandstats"]["cmdstat_set"]; ok {
		t.Errorf("commandstats survived CONFIG RESETSTAT")
	}
	if got := s["Keyspace"]["db0"]; !keyspaceRE.MatchString(got) {
		t.Errorf("Keyspace db0 after RESETSTAT = %q", got)
	}
}

// TestInstantaneousOpsFirstInfo checks that the rate sampler runs from
// Start: the very first INFO after a second of load reports a non-zero
// instantaneous_ops_per_sec.
func TestInstantaneousOpsFirstInfo(t *testing.T) {
	addr := servertest.Start(t, "--threads", "2")
	ctx := context.Background()
	rc := admClient(t, addr, 2)
	for end := time.Now().Add(1200 * time.Millisecond); time.Now().Before(end); {
		if err := rc.Incr(ctx, "n").Err(); err != nil {
			t.Fatal(err)
		}
	}
	text, err := rc.Info(ctx, "stats").Result()
	if err != nil {
		t.Fatal(err)
	}
	_, secs := infoFields(t, text)
	ops, err := strconv.Atoi(secs["Stats"]["instantaneous_ops_per_sec"])
	if err != nil || ops <= 0 {
		t.Fatalf("first INFO: instantaneous_ops_per_sec = %q", secs["Stats"]["instantaneous_ops_per_sec"])
	}
}

// TestInfoFieldsMatchRedis checks that every field a real redis-server
// reports in the fixed sections is present in Anax's INFO too, in each
// section (dynamic lines such as cmdstat_ and db0 aside).
func TestInfoFieldsMatchRedis(t *testing.T) {
	raddr := servertest.RedisIfInstalled(t)
	if raddr == "" {
		t.Skip("redis-server is not installed")
	}
	addr := servertest.Start(t)
	ctx := context.Background()
	get := func(addr string) map[string]map[string]string {
		text, err := admClient(t, addr, 2).Info(ctx, "everything").Result()
		if err != nil {
			t.Fatal(err)
		}
		_, secs := infoFields(t, text)
		return secs
	}
	want, got := get(raddr), get(addr)
	for sec, fields := range want {
		switch sec {
		case "Commandstats", "Errorstats", "Latencystats", "Keyspace":
			continue
		}
		for f := range fields {
			if _, ok := got[sec][f]; !ok {
				t.Errorf("INFO %s: Anax lacks %s", sec, f)
			}
		}
	}
}

func TestConfigCommands(t *testing.T) {
	addr := servertest.Start(t)
	c := servertest.Dial(t, addr)
	for _, tc := range []struct{ args, want string }{
		{"CONFIG GET maxmemory", "*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n"},
		{"CONFIG GET nosuch", "*0\r\n"},
		{"CONFIG GET maxmemory maxmemory MAXMEMORY", "*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n"},
		{"CONFIG SET maxmemory 1mb hz 20", "+OK\r\n"},
		{"CONFIG GET hz maxmemory", "*4\r\n$2\r\nhz\r\n$2\r\n20\r\n$9\r\nmaxmemory\r\n$7\r\n1048576\r\n"},
		{"CONFIG SET maxmemory", "-ERR wrong number of arguments for 'config|set' command\r\n"},
		{"CONFIG SET maxmemory 1 hz", "-ERR syntax error\r\n"},
		{"CONFIG SET nosuch 1", "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n"},
		{"CONFIG SET maxmemory 2mb nosuch 1", "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n"},
		{"CONFIG GET maxmemory", "*2\r\n$9\r\nmaxmemory\r\n$7\r\n1048576\r\n"},
		{"CONFIG SET port 1", "-ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config\r\n"},
		{"CONFIG SET rdbchecksum no", "-ERR CONFIG SET failed (possibly related to argument 'rdbchecksum') - can't set immutable config\r\n"},
		{"CONFIG REWRITE", "-ERR The server is running without a config file\r\n"},
		{"CONFIG RESETSTAT", "+OK\r\n"},
		{"CONFIG GET", "-ERR wrong number of arguments for 'config|get' command\r\n"},
		{"CONFIG", "-ERR wrong number of arguments for 'config' command\r\n"},
		{"CONFIG NOSUCH", "-ERR unknown subcommand 'NOSUCH'. Try CONFIG HELP.\r\n"},
		{"config nosuch", "-ERR unknown subcommand 'nosuch'. Try CONFIG HELP.\r\n"},
		{"CONFIG RESETSTAT x", "-ERR wrong number of arguments for 'config|resetstat' command\r\n"},
	} {
		if got := c.Do(strings.Fields(tc.args)...); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.args, got, tc.want)
		}
	}
	help := c.Do("CONFIG", "HELP")
	if !strings.HasPrefix(help, "*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET <pattern>\r\n") ||
		!strings.HasSuffix(help, "+HELP\r\n+    Prints this help.\r\n") {
		t.Errorf("CONFIG HELP %q", help)
	}
	// RESP3: CONFIG GET answers a map.
	c.Do("HELLO", "3")
	if got := c.Do("CONFIG", "GET", "maxmemory"); got != "%1\r\n$9\r\nmaxmemory\r\n$7\r\n1048576\r\n" {
		t.Errorf("RESP3 CONFIG GET = %q", got)
	}
	m, err := admClient(t, addr, 3).ConfigGet(context.Background(), "max*").Result()
	if err != nil || m["maxmemory"] != "1048576" || m["maxmemory-policy"] != "noeviction" {
		t.Errorf("go-redis ConfigGet = %v, %v", m, err)
	}
}

func TestTimeLastSaveWait(t *testing.T) {
	addr := servertest.Start(t)
	ctx := context.Background()
	rc := admClient(t, addr, 2)
	now, err := rc.Time(ctx).Result()
	if err != nil || time.Since(now).Abs() > 5*time.Second {
		t.Errorf("TIME = %v, %v", now, err)
	}
	ls, err := rc.LastSave(ctx).Result()
	if err != nil || time.Since(time.Unix(ls, 0)) > time.Minute {
		t.Errorf("LASTSAVE = %d, %v", ls, err)
	}
	start := time.Now()
	if n, err := rc.Wait(ctx, 1, 5*time.Second).Result(); err != nil || n != 0 {
		t.Errorf("WAIT 1 5000 = %d, %v", n, err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("WAIT blocked for %v: there are no replicas to wait for", time.Since(start))
	}
	c := servertest.Dial(t, addr)
	for _, tc := range []struct{ args, want string }{
		{"WAIT 0 0", ":0\r\n"},
		{"WAIT x 0", "-ERR value is not an integer or out of range\r\n"},
		{"WAIT 0 -1", "-ERR timeout is negative\r\n"},
		{"WAIT 0 x", "-ERR timeout is not an integer or out of range\r\n"},
		{"TIME x", "-ERR wrong number of arguments for 'time' command\r\n"},
		{"LASTSAVE x", "-ERR wrong number of arguments for 'lastsave' command\r\n"},
	} {
		if got := c.Do(strings.Fields(tc.args)...); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.args, got, tc.want)
		}
	}
	raw := c.Do("TIME")
	if !regexp.MustCompile(`^\*2\r\n\$10\r\n\d{10}\r\n\$\d\r\n\d{1,6}\r\n$`).MatchString(raw) {
		t.Errorf("TIME = %q", raw)
	}
}

func TestShutdown(t *testing.T) {
	addr := servertest.Start(t)
	c := servertest.Dial(t, addr)
	for _, tc := range []struct{ args, want string }{
		{"SHUTDOWN FOO", "-ERR syntax error\r\n"},
		{"SHUTDOWN SAVE NOSAVE", "-ERR syntax error\r\n"},
		{"SHUTDOWN ABORT NOW", "-ERR syntax error\r\n"},
		{"SHUTDOWN ABORT", "-ERR No shutdown in progress.\r\n"},
	} {
		if got := c.Do(strings.Fields(tc.args)...); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.args, got, tc.want)
		}
	}
	// A successful SHUTDOWN answers nothing and closes the connection,
	// which go-redis reports as success.
	rc := admClient(t, addr, 3)
	if err := rc.ShutdownNoSave(context.Background()).Err(); err != nil {
		t.Fatalf("SHUTDOWN NOSAVE: %v", err)
	}
}

func TestMemoryCommands(t *testing.T) {
	addr := servertest.Start(t, "--threads", "2")
	ctx := context.Background()
	rc := admClient(t, addr, 3)
	for i := 0; i < 10; i++ {
		k := fmt.Sprintf("key%d", i)
		rc.Set(ctx, k, strings.Repeat("x", 100), 0)
		n, err := rc.MemoryUsage(ctx, k).Result()
		if err != nil || n < 100+int64(len(k)) || n > 400 {
			t.Errorf("MEMORY USAGE %s = %d, %v", k, n, err)
		}
	}
	if err := rc.MemoryUsage(ctx, "nosuch").Err(); !errors.Is(err, redis.Nil) {
		t.Errorf("MEMORY USAGE nosuch: %v", err)
	}
	c := servertest.Dial(t, addr)
	for _, tc := range []struct{ args, want string }{
		{"MEMORY USAGE nosuch SAMPLES 5", "$-1\r\n"},
		{"MEMORY USAGE key1 SAMPLES -1", "-ERR syntax error\r\n"},
		{"MEMORY USAGE key1 SAMPLES x", "-ERR value is not an integer or out of range\r\n"},
		{"MEMORY USAGE key1 FOO", "-ERR syntax error\r\n"},
		{"MEMORY USAGE", "-ERR wrong number of arguments for 'memory|usage' command\r\n"},
		{"MEMORY FOO", "-ERR unknown subcommand 'FOO'. Try MEMORY HELP.\r\n"},
		{"MEMORY PURGE", "+OK\r\n"},
		{"MEMORY MALLOC-STATS", "$45\r\nStats not supported for the current allocator\r\n"},
	} {
		if got := c.Do(strings.Fields(tc.args)...); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.args, got, tc.want)
		}
	}
	stats, err := rc.Do(ctx, "MEMORY", "STATS").Result()
	if err != nil {
		t.Fatal(err)
	}
	m, ok := stats.(map[any]any)
	if !ok || m["keys.count"] != int64(10) || m["total.allocated"].(int64) <= 0 {
		t.Errorf("MEMORY STATS = %v", stats)
	}
	if _, ok := m["db.0"]; !ok {
		t.Errorf("MEMORY STATS has no db.0: %v", stats)
	}
	if s, err := rc.Do(ctx, "MEMORY", "DOCTOR").Text(); err != nil || !strings.HasPrefix(s, "Hi Sam") {
		t.Errorf("MEMORY DOCTOR = %q, %v", s, err)
	}
}

// TestRedisCLI drives Anax with the real redis-cli.
func TestRedisCLI(t *testing.T) {
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Skip("redis-cli is not installed")
	}
	addr := servertest.Start(t, "--threads", "2")
	host, port, _ := net.SplitHostPort(addr)
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(cli, append([]string{"-h", host, "-p", port}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("redis-cli %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if out := run("INFO", "server"); !strings.Contains(out, "redis_version:"+server.Version) {
		t.Errorf("redis-cli INFO server:\n%s", out)
	}
	if out := run("-3", "INFO", "keyspace"); !strings.HasPrefix(out, "# Keyspace") {
		t.Errorf("redis-cli -3 INFO keyspace:\n%s", out)
	}
	if out := run("CONFIG", "GET", "maxmemory"); out != "maxmemory\n0\n" {
		t.Errorf("redis-cli CONFIG GET maxmemory: %q", out)
	}
	if out := run("CLIENT", "LIST"); !regexp.MustCompile(`^id=\d+ addr=127\.0\.0\.1:\d+ laddr=` + regexp.QuoteMeta(addr) + ` fd=\d+ name= .* cmd=client\|list user=default redir=-1 resp=2 lib-name= lib-ver=\n$`).MatchString(out) {
		t.Errorf("redis-cli CLIENT LIST: %q", out)
	}
	if out := run("--no-raw", "COMMAND", "COUNT"); !regexp.MustCompile(`^\(integer\) \d+\n$`).MatchString(out) {
		t.Errorf("redis-cli COMMAND COUNT: %q", out)
	}
	if out := run("COMMAND", "DOCS", "get"); !strings.Contains(out, "summary") {
		t.Errorf("redis-cli COMMAND DOCS get: %q", out)
	}
	if out := run("CLIENT", "NOSUCH"); !strings.Contains(out, "ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP.") {
		t.Errorf("redis-cli CLIENT NOSUCH: %q", out)
	}
}
