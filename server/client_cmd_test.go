package server_test

import (
	"context"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/anaxdb/anax/internal/servertest"
)

// clientLineRE matches one CLIENT LIST line: Redis 7.4's fields, in order.
var clientLineRE = regexp.MustCompile(`^id=(\d+) addr=(\S+) laddr=(\S+) fd=\d+ name=(\S*) age=\d+ idle=\d+ flags=([A-Za-z]+) db=(\d+) sub=0 psub=0 ssub=0 multi=-1 watch=0 qbuf=\d+ qbuf-free=\d+ argv-mem=\d+ multi-mem=0 rbs=\d+ rbp=\d+ obl=\d+ oll=\d+ omem=\d+ tot-mem=\d+ events=r cmd=(\S+) user=default redir=-1 resp=([23]) lib-name=(\S*) lib-ver=(\S*)$`)

// clientLines parses CLIENT LIST text into its lines' fields by client id.
func clientLines(t testing.TB, text string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	if !strings.HasSuffix(text, "\n") && text != "" {
		t.Fatalf("CLIENT LIST must end in a newline: %q", text)
	}
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if l == "" {
			continue
		}
		m := clientLineRE.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("bad CLIENT LIST line %q", l)
		}
		out[m[1]] = m
	}
	return out
}

func TestClientNamesAndInfo(t *testing.T) {
	addr := servertest.Start(t, "--threads", "2")
	ctx := context.Background()
	rc := admClient(t, addr, 3)
	id, err := rc.ClientID(ctx).Result()
	if err != nil || id <= 0 {
		t.Fatalf("CLIENT ID = %d, %v", id, err)
	}
	if err := rc.ClientGetName(ctx).Err(); !errors.Is(err, redis.Nil) {
		t.Errorf("CLIENT GETNAME without a name: %v", err)
	}
	if err := rc.Do(ctx, "CLIENT", "SETNAME", "worker-1").Err(); err != nil {
		t.Fatal(err)
	}
	if n, _ := rc.ClientGetName(ctx).Result(); n != "worker-1" {
		t.Errorf("CLIENT GETNAME = %q", n)
	}
	if err := rc.Do(ctx, "CLIENT", "SETINFO", "lib-name", "mylib").Err(); err != nil {
		t.Fatal(err)
	}
	info, err := rc.ClientInfo(ctx).Result()
	if err != nil {
		t.Fatalf("go-redis cannot parse CLIENT INFO: %v", err)
	}
	if info.ID != id || info.Name != "worker-1" || info.LibName != "mylib" || info.Resp != 3 || info.LibVer == "" {
		t.Errorf("CLIENT INFO = %+v", info)
	}

	c := servertest.Dial(t, addr)
	for _, tc := range []struct{ args, want string }{
		{"CLIENT SETNAME", "-ERR wrong number of arguments for 'client|setname' command\r\n"},
		{"CLIENT GETNAME x", "-ERR wrong number of arguments for 'client|getname' command\r\n"},
		{"CLIENT ID x", "-ERR wrong number of arguments for 'client|id' command\r\n"},
		{"CLIENT", "-ERR wrong number of arguments for 'client' command\r\n"},
		{"CLIENT FOO", "-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n"},
		{"client foo bar", "-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n"},
		{"CLIENT SETNAME a\nb", "-ERR Client names cannot contain spaces, newlines or special characters.\r\n"},
		{"CLIENT SETINFO foo bar", "-ERR Unrecognized option 'foo'\r\n"},
		{"CLIENT SETINFO LIB-VER a\tb", "-ERR LIB-VER cannot contain spaces, newlines or special characters.\r\n"},
		{"CLIENT SETINFO lib-ver", "-ERR wrong number of arguments for 'client|setinfo' command\r\n"},
		{"CLIENT GETREDIR", ":-1\r\n"},
		{"CLIENT TRACKINGINFO", "*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n"},
		{"CLIENT NO-EVICT maybe", "-ERR syntax error\r\n"},
		{"CLIENT NO-TOUCH maybe", "-ERR syntax error\r\n"},
		{"CLIENT REPLY maybe", "-ERR syntax error\r\n"},
	} {
		args := strings.Split(tc.args, " ")
		if got := c.Do(args...); got != tc.want {
			t.Errorf("%q = %q, want %q", tc.args, got, tc.want)
		}
	}
	// An empty name clears it.
	c.Do("CLIENT", "SETNAME", "x")
	if got := c.Do("CLIENT", "SETNAME", ""); got != "+OK\r\n" {
		t.Errorf("CLIENT SETNAME '' = %q", got)
	}
	if got := c.Do("CLIENT", "GETNAME"); got != "$-1\r\n" {
		t.Errorf("CLIENT GETNAME after clearing = %q", got)
	}
	help := c.Do("CLIENT", "HELP")
	if !strings.HasPrefix(help, "*") || !strings.Contains(help, "+SETINFO <option> <value>\r\n") || !strings.HasSuffix(help, "+HELP\r\n+    Prints this help.\r\n") {
		t.Errorf("CLIENT HELP = %q", help)
	}
}

func TestClientList(t *testing.T) {
	addr := servertest.Start(t, "--threads", "2")
	ctx := context.Background()
	// Several connections, so that some sit on the other loop.
	var ids []int64
	for i := 0; i < 4; i++ {
		rc := admClient(t, addr, 2+i%2)
		rc.Do(ctx, "CLIENT", "SETNAME", "conn"+strconv.Itoa(i))
		rc.Do(ctx, "SELECT", strconv.Itoa(i))
		id, err := rc.ClientID(ctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	c := servertest.Dial(t, addr)
	c.Do("CLIENT", "NO-EVICT", "on")
	c.Do("CLIENT", "NO-TOUCH", "on")
	me := strings.TrimSuffix(strings.TrimPrefix(c.Do("CLIENT", "ID"), ":"), "\r\n")
	text := c.Do("CLIENT", "LIST")
	text = text[strings.Index(text, "\r\n")+2 : len(text)-2]
	lines := clientLines(t, text)
	if len(lines) != 5 {
		t.Fatalf("CLIENT LIST has %d clients, want 5:\n%s", len(lines), text)
	}
	for i, id := range ids {
		m := lines[strconv.FormatInt(id, 10)]
		if m == nil {
			t.Fatalf("client %d missing", id)
		}
		if m[4] != "conn"+strconv.Itoa(i) || m[6] != strconv.Itoa(i) || m[7] != "client|id" || m[8] != strconv.Itoa(2+i%2) {
			t.Errorf("client %d line: name=%s db=%s cmd=%s resp=%s", id, m[4], m[6], m[7], m[8])
		}
		if !strings.HasPrefix(m[9], "go-redis") {
			t.Errorf("client %d lib-name=%q", id, m[9])
		}
	}
	if m := lines[me]; m == nil || m[5] != "eT" || m[7] != "client|list" || m[3] != addr {
		t.Errorf("own line %v", m)
	}

	// Filters.
	idList := c.Do("CLIENT", "LIST", "ID", strconv.FormatInt(ids[1], 10), "999999", me)
	if got := clientLines(t, idList[strings.Index(idList, "\r\n")+2:len(idList)-2]); len(got) != 2 || got[me] == nil {
		t.Errorf("CLIENT LIST ID: %v", got)
	}
	for _, tc := range []struct{ args, want string }{
		{"CLIENT LIST TYPE master", "$0\r\n\r\n"},
		{"CLIENT LIST TYPE pubsub", "$0\r\n\r\n"},
		{"CLIENT LIST TYPE foo", "-ERR Unknown client type 'foo'\r\n"},
		{"CLIENT LIST ID abc", "-ERR Invalid client ID\r\n"},
		{"CLIENT LIST ID", "-ERR syntax error\r\n"},
		{"CLIENT LIST foo", "-ERR syntax error\r\n"},
		{"CLIENT LIST TYPE normal ID 1", "-ERR syntax error\r\n"},
	} {
		if got := c.Do(strings.Fields(tc.args)...); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.args, got, tc.want)
		}
	}
	normal := c.Do("CLIENT", "LIST", "TYPE", "normal")
	if len(clientLines(t, normal[strings.Index(normal, "\r\n")+2:len(normal)-2])) != 5 {
		t.Errorf("CLIENT LIST TYPE normal: %q", normal)
	}
	// RESP3: a verbatim string.
	c.Do("HELLO", "3")
	if raw := c.Do("CLIENT", "INFO"); !strings.HasPrefix(raw, "=") || !strings.Contains(raw, "\r\ntxt:id="+me+" ") {
		t.Errorf("RESP3 CLIENT INFO = %q", raw)
	}
}

func TestClientKill(t *testing.T) {
	addr := servertest.Start(t, "--threads", "2")
	ctx := context.Background()
	victims := make([]*redis.Client, 3)
	ids := make([]string, 3)
	laddrs := make([]string, 3)
	for i := range victims {
		victims[i] = admClient(t, addr, 2)
		info, err := victims[i].ClientInfo(ctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = strconv.FormatInt(info.ID, 10)
		laddrs[i] = info.Addr
	}
	c := servertest.Dial(t, addr)
	for _, tc := range []struct{ args, want string }{
		{"CLIENT KILL 1.2.3.4:5", "-ERR No such client\r\n"},
		{"CLIENT KILL ID 999999", ":0\r\n"},
		{"CLIENT KILL ID abc", "-ERR client-id should be greater than 0\r\n"},
		{"CLIENT KILL ID 0", "-ERR client-id should be greater than 0\r\n"},
		{"CLIENT KILL foo bar", "-ERR syntax error\r\n"},
		{"CLIENT KILL ID 1 SKIPME", "-ERR syntax error\r\n"},
		{"CLIENT KILL SKIPME maybe", "-ERR syntax error\r\n"},
		{"CLIENT KILL TYPE foo", "-ERR Unknown client type 'foo'\r\n"},
		{"CLIENT KILL TYPE pubsub", ":0\r\n"},
		{"CLIENT KILL USER nobody", "-ERR No such user 'nobody'\r\n"},
		{"CLIENT KILL LADDR 1.1.1.1:1", ":0\r\n"},
		{"CLIENT KILL MAXAGE 100", ":0\r\n"}, // Redis 7.4's filter
		{"CLIENT KILL MAXAGE abc", "-ERR maxage is not an integer or out of range\r\n"},
		{"CLIENT KILL MAXAGE 0", "-ERR maxage should be greater than 0\r\n"},
		{"CLIENT KILL MAXAGE", "-ERR No such client\r\n"}, // the ip:port form
		{"CLIENT KILL", "-ERR wrong number of arguments for 'client|kill' command\r\n"},
		{"CLIENT KILL ID " + ids[0], ":1\r\n"},
		{"CLIENT KILL " + laddrs[1], "+OK\r\n"},
		{"CLIENT KILL ADDR " + laddrs[2] + " ID " + ids[2] + " SKIPME yes", ":1\r\n"},
	} {
		if got := c.Do(strings.Fields(tc.args)...); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.args, got, tc.want)
		}
	}
	// The victims' connections are closed (go-redis would reconnect on the
	// next command, so look at CLIENT LIST instead).
	deadline := time.Now().Add(5 * time.Second)
	for {
		list := c.Do("CLIENT", "LIST")
		left := 0
		for _, id := range ids {
			if strings.Contains(list, "id="+id+" ") {
				left++
			}
		}
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d killed clients still listed:\n%s", left, list)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// MAXAGE kills the connections at least that many seconds old: the
	// one opened a second ago, not the one opened now.
	old := servertest.Dial(t, addr)
	old.Do("CLIENT", "SETNAME", "old")
	time.Sleep(1100 * time.Millisecond)
	// Ages are whole seconds of the clock, as Redis's (a connection opened
	// at x.9 s is 1 s old at x+1.0): open the young one just after a second
	// begins, so that the KILL runs within that second.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second + 20*time.Millisecond)))
	young := servertest.Dial(t, addr)
	young.Do("CLIENT", "SETNAME", "young")
	c2 := servertest.Dial(t, addr)
	if got := c2.Do("CLIENT", "KILL", "MAXAGE", "1"); got != ":2\r\n" { // old and c
		t.Errorf("CLIENT KILL MAXAGE 1 = %q", got)
	}
	if _, err := old.ReadErr(); !errors.Is(err, io.EOF) {
		t.Errorf("the old connection is still open after MAXAGE 1: %v", err)
	}
	if got := young.Do("PING"); got != "+PONG\r\n" {
		t.Errorf("the young connection after MAXAGE 1: %q", got)
	}
	c = c2
	// SKIPME yes (the default) spares the caller; SKIPME no does not, and
	// the caller still gets its reply before the connection closes.
	young.Close()
	for deadline := time.Now().Add(5 * time.Second); strings.Contains(c.Do("CLIENT", "LIST"), "name=young "); {
		if time.Now().After(deadline) {
			t.Fatal("the young connection is still listed 5 s after it closed")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := c.Do("CLIENT", "KILL", "USER", "default"); got != ":0\r\n" {
		t.Errorf("CLIENT KILL USER default (only the caller left) = %q", got)
	}
	if got := c.Do("CLIENT", "KILL", "USER", "default", "SKIPME", "no"); got != ":1\r\n" {
		t.Errorf("CLIENT KILL USER default SKIPME no = %q", got)
	}
	if _, err := c.ReadErr(); !errors.Is(err, io.EOF) {
		t.Errorf("the caller's connection is still open after killing itself: %v", err)
	}
}

func TestClientReply(t *testing.T) {
	addr := servertest.Start(t)
	c := servertest.Dial(t, addr)
	// OFF: no replies until ON, which is answered.
	c.SendArgs("CLIENT", "REPLY", "OFF")
	c.SendArgs("SET", "a", "1")
	c.SendArgs("ECHO", "lost")
	if got := c.Do("CLIENT", "REPLY", "ON"); got != "+OK\r\n" {
		t.Fatalf("CLIENT REPLY ON = %q", got)
	}
	if got := c.Do("GET", "a"); got != "$1\r\n1\r\n" {
		t.Fatalf("GET after REPLY ON = %q", got)
	}
	// SKIP: no reply to itself nor to the next command.
	c.SendArgs("CLIENT", "REPLY", "SKIP")
	c.SendArgs("ECHO", "skipped")
	got := c.Do("ECHO", "seen")
	if got != "$4\r\nseen\r\n" {
		t.Fatalf("after CLIENT REPLY SKIP: %q", got)
	}
	if got := c.Do("ECHO", "again"); got != "$5\r\nagain\r\n" {
		t.Fatalf("SKIP must skip one reply only: %q", got)
	}
}
