package clientcmd

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/anaxdb/anax/server/command"
)

// fakeSession is a client with set figures that records what CLIENT does
// to it.
type fakeSession struct {
	fig              Figures
	loop             int
	buffered         [2]int64 // exact, on its own loop
	published        [2]int64
	mode             ReplyMode
	killed, deferred bool // Kill, KillAfterReply
}

func (s *fakeSession) ClientID() int64                   { return s.fig.ID }
func (s *fakeSession) RemoteAddr() string                { return s.fig.RemoteAddr }
func (s *fakeSession) LocalAddr() string                 { return s.fig.LocalAddr }
func (s *fakeSession) Name() string                      { return s.fig.Name }
func (s *fakeSession) SetName(name string)               { s.fig.Name = name }
func (s *fakeSession) SetLibName(name string)            { s.fig.LibName = name }
func (s *fakeSession) SetLibVer(ver string)              { s.fig.LibVer = ver }
func (s *fakeSession) Figures() Figures                  { return s.fig }
func (s *fakeSession) Buffered() (int64, int64)          { return s.buffered[0], s.buffered[1] }
func (s *fakeSession) PublishedBuffered() (int64, int64) { return s.published[0], s.published[1] }
func (s *fakeSession) ReplyMode() ReplyMode              { return s.mode }
func (s *fakeSession) SetReplyMode(mode ReplyMode)       { s.mode = mode }
func (s *fakeSession) SetNoEvict(on bool)                { s.fig.NoEvict = on }
func (s *fakeSession) SetNoTouch(on bool)                { s.fig.NoTouch = on }
func (s *fakeSession) Kill()                             { s.killed = true }
func (s *fakeSession) KillAfterReply()                   { s.deferred = true }

// fakeHost is a server of a few sessions, the first the caller's. The
// embedded command.Env is nil, so a command that reaches further panics.
type fakeHost struct {
	command.Env
	sessions []*fakeSession
}

// newFakeHost makes n sessions with IDs 1..n, addresses 10.0.0.<id>:<1000+id>
// to 127.0.0.1:6379 (session 3 to :6380), on loops id%2: the caller,
// session 1, shares its loop with session 3.
func newFakeHost(n int) *fakeHost {
	h := &fakeHost{}
	for id := 1; id <= n; id++ {
		laddr := "127.0.0.1:6379"
		if id == 3 {
			laddr = "127.0.0.1:6380"
		}
		h.sessions = append(h.sessions, &fakeSession{loop: id % 2, fig: Figures{
			ID:         int64(id),
			RemoteAddr: "10.0.0." + string(rune('0'+id)) + ":" + string(rune('0'+id)) + "000",
			LocalAddr:  laddr,
			Proto:      2,
		}})
	}
	return h
}

func (h *fakeHost) Session(*command.Exec) Session { return h.sessions[0] }
func (h *fakeHost) Sessions() []Session {
	out := make([]Session, len(h.sessions))
	for i, s := range h.sessions {
		out[i] = s
	}
	return out
}
func (h *fakeHost) Unblock(int64, bool) bool { return false }
func (h *fakeHost) Pause(int64, bool)        {}
func (h *fakeHost) Unpause()                 {}

func (h *fakeHost) ClientTracking(x *command.Exec)     { x.OK() }
func (h *fakeHost) ClientCaching(x *command.Exec)      { x.OK() }
func (h *fakeHost) ClientGetRedir(x *command.Exec)     { x.Int(-1) }
func (h *fakeHost) ClientTrackingInfo(x *command.Exec) { x.Array(0) }

func (h *fakeHost) OnCallersLoop(_ *command.Exec, s Session) bool {
	return s.(*fakeSession).loop == h.sessions[0].loop
}
func (h *fakeHost) CountError(*command.Exec, string) {}

// run runs cmd with the space-separated args on h, over RESP2, and
// returns its reply.
func run(h *fakeHost, cmd func(*command.Exec), args string) string {
	x := &command.Exec{Env: h}
	x.Reset(&command.Spec{Name: "client"}, words(args), 0, 2, false, 0)
	cmd(x)
	return string(x.Out)
}

func words(s string) [][]byte {
	var out [][]byte
	for _, w := range strings.Fields(s) {
		out = append(out, []byte(w))
	}
	return out
}

func TestFormatLine(t *testing.T) {
	now := time.Unix(1_700_000_100, 0)
	f := func(fig Figures, u usage, want string) {
		t.Helper()
		var b strings.Builder
		formatLine(&b, fig, u, now)
		if b.String() != want {
			t.Errorf("line\n got %s\nwant %s", b.String(), want)
		}
	}
	f(Figures{ID: 7, RemoteAddr: "10.0.0.1:5000", LocalAddr: "127.0.0.1:6379", Fd: 9,
		Created: now.Add(-90 * time.Second), LastInteraction: (now.Unix() - 4) * 1000, Proto: 2, Multi: -1},
		usage{},
		"id=7 addr=10.0.0.1:5000 laddr=127.0.0.1:6379 fd=9 name= age=90 idle=4 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 watch=0 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=NULL user=default redir=-1 resp=2 lib-name= lib-ver=")
	// Both modes, a name, a library, the last command, and usage summed
	// into tot-mem. An interaction stamped after now (another loop's
	// clock ran ahead) shows idle=0.
	f(Figures{ID: 8, RemoteAddr: "[::1]:5001", LocalAddr: "[::1]:6379", Fd: 10, Name: "w1",
		Created: now, LastInteraction: (now.Unix() + 2) * 1000, LastCommand: "client|list",
		DB: 3, Proto: 3, NoEvict: true, NoTouch: true, LibName: "go-redis", LibVer: "9.7", Multi: 2, MultiMem: 40},
		usage{qbuf: 26, obl: 100, argvMem: 10},
		"id=8 addr=[::1]:5001 laddr=[::1]:6379 fd=10 name=w1 age=0 idle=0 flags=xeT db=3 sub=0 psub=0 ssub=0 multi=2 watch=0 qbuf=26 qbuf-free=0 argv-mem=10 multi-mem=40 rbs=0 rbp=0 obl=100 oll=0 omem=100 tot-mem=176 events=r cmd=client|list user=default redir=-1 resp=3 lib-name=go-redis lib-ver=9.7")
	f(Figures{ID: 9, NoTouch: true, Created: now, LastInteraction: now.UnixMilli(), Proto: 2, Multi: -1},
		usage{},
		"id=9 addr= laddr= fd=0 name= age=0 idle=0 flags=T db=0 sub=0 psub=0 ssub=0 multi=-1 watch=0 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=NULL user=default redir=-1 resp=2 lib-name= lib-ver=")
}

// TestWriteLineUsage checks what the caller may measure: its own
// arguments, exact buffers on its own loop, published ones elsewhere.
func TestWriteLineUsage(t *testing.T) {
	h := newFakeHost(3)
	for _, s := range h.sessions {
		s.buffered = [2]int64{11, 22}
		s.published = [2]int64{33, 44}
	}
	x := &command.Exec{Env: h}
	x.Reset(&command.Spec{Name: "client"}, words("client list"), 0, 2, false, 0)
	f := func(s *fakeSession, want string) {
		t.Helper()
		var b strings.Builder
		writeLine(&b, x, s, time.Now())
		i := strings.Index(b.String(), " qbuf=")
		j := strings.Index(b.String(), " events=")
		if got := b.String()[i:j]; got != want {
			t.Errorf("session %d:\n got %s\nwant %s", s.fig.ID, got, want)
		}
	}
	f(h.sessions[0], " qbuf=11 qbuf-free=0 argv-mem=10 multi-mem=0 rbs=0 rbp=0 obl=22 oll=0 omem=22 tot-mem=43")
	f(h.sessions[1], " qbuf=33 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=44 oll=0 omem=44 tot-mem=77")
	f(h.sessions[2], " qbuf=11 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=22 oll=0 omem=22 tot-mem=33")
}

// lineIDRE finds the id of each CLIENT LIST line.
var lineIDRE = regexp.MustCompile(`(?m)(?:^|\n)id=(\d+) `)

func TestClientList(t *testing.T) {
	h := newFakeHost(3)
	ids := func(reply string) string {
		var out []string
		for _, m := range lineIDRE.FindAllStringSubmatch(reply, -1) {
			out = append(out, m[1])
		}
		return strings.Join(out, ",")
	}
	f := func(args, wantIDs string) {
		t.Helper()
		if got := ids(run(h, cmdClientList, args)); got != wantIDs {
			t.Errorf("%s: ids %q, want %q", args, got, wantIDs)
		}
	}
	f("client list", "1,2,3")
	f("client list TYPE normal", "1,2,3")
	f("client list id 3 1 9", "1,3")
	e := func(args, want string) {
		t.Helper()
		if got := run(h, cmdClientList, args); got != want {
			t.Errorf("%s = %q, want %q", args, got, want)
		}
	}
	e("client list type replica", "$0\r\n\r\n")
	e("client list type master", "$0\r\n\r\n")
	e("client list type nope", "-ERR Unknown client type 'nope'\r\n")
	e("client list id 1 x", "-ERR Invalid client ID\r\n")
	e("client list id", "-ERR syntax error\r\n")
	e("client list foo bar baz", "-ERR syntax error\r\n")
}

func TestClientKill(t *testing.T) {
	// f runs args on three fresh sessions and checks the reply and which
	// were killed: "k" at once, "d" after the reply, "-" spared.
	f := func(args, reply, fates string) {
		t.Helper()
		h := newFakeHost(3)
		if got := run(h, cmdClientKill, args); got != reply {
			t.Errorf("%s = %q, want %q", args, got, reply)
		}
		var got strings.Builder
		for _, s := range h.sessions {
			switch {
			case s.killed && s.deferred:
				got.WriteByte('!')
			case s.killed:
				got.WriteByte('k')
			case s.deferred:
				got.WriteByte('d')
			default:
				got.WriteByte('-')
			}
		}
		if got.String() != fates {
			t.Errorf("%s: fates %s, want %s", args, got.String(), fates)
		}
	}
	// The old form: one address, the caller included.
	f("client kill 10.0.0.2:2000", "+OK\r\n", "-k-")
	f("client kill 10.0.0.1:1000", "+OK\r\n", "d--")
	f("client kill 10.0.0.9:9000", "-ERR No such client\r\n", "---")
	// Filters: every one given must match; the caller is skipped unless
	// SKIPME no.
	f("client kill laddr 127.0.0.1:6379", ":1\r\n", "-k-")
	f("client kill laddr 127.0.0.1:6379 skipme no", ":2\r\n", "dk-")
	f("client kill laddr 127.0.0.1:6379 id 2", ":1\r\n", "-k-")
	f("client kill laddr 127.0.0.1:6380 id 2", ":0\r\n", "---")
	f("client kill addr 10.0.0.3:3000 laddr 127.0.0.1:6380", ":1\r\n", "--k")
	f("client kill id 1", ":0\r\n", "---")
	f("client kill id 1 SKIPME NO", ":1\r\n", "d--")
	f("client kill type normal user default", ":2\r\n", "-kk")
	f("client kill type pubsub skipme no", ":0\r\n", "---")
	f("client kill type slave", ":0\r\n", "---")
	// Refusals kill nothing.
	f("client kill id 0", "-ERR client-id should be greater than 0\r\n", "---")
	f("client kill id x", "-ERR client-id should be greater than 0\r\n", "---")
	f("client kill type nope", "-ERR Unknown client type 'nope'\r\n", "---")
	f("client kill user bob", "-ERR No such user 'bob'\r\n", "---")
	f("client kill skipme maybe", "-ERR syntax error\r\n", "---")
	f("client kill addr", "-ERR No such client\r\n", "---") // the old form, for address "addr"
	f("client kill id 2 addr", "-ERR syntax error\r\n", "---")
	f("client kill color red", "-ERR syntax error\r\n", "---")
}

func TestClientSettings(t *testing.T) {
	h := newFakeHost(1)
	me := h.sessions[0]
	f := func(cmd func(*command.Exec), args, want string) {
		t.Helper()
		if got := run(h, cmd, args); got != want {
			t.Errorf("%s = %q, want %q", args, got, want)
		}
	}
	f(cmdClientID, "client id", ":1\r\n")
	f(cmdClientGetName, "client getname", "$-1\r\n")
	f(cmdClientSetName, "client setname w-1", "+OK\r\n")
	f(cmdClientGetName, "client getname", "$3\r\nw-1\r\n")
	f(cmdClientSetName, "client setname é", "-ERR Client names cannot contain spaces, newlines or special characters.\r\n")
	f(cmdClientSetInfo, "client setinfo LIB-NAME redis-py", "+OK\r\n")
	f(cmdClientSetInfo, "client setinfo lib-ver 5.0", "+OK\r\n")
	f(cmdClientSetInfo, "client setinfo lib-ver é", "-ERR lib-ver cannot contain spaces, newlines or special characters.\r\n")
	f(cmdClientSetInfo, "client setinfo color red", "-ERR Unrecognized option 'color'\r\n")
	if me.fig.Name != "w-1" || me.fig.LibName != "redis-py" || me.fig.LibVer != "5.0" {
		t.Errorf("figures after SETNAME/SETINFO: %+v", me.fig)
	}

	f(cmdClientNoEvict, "client no-evict on", "+OK\r\n")
	f(cmdClientNoTouch, "client no-touch ON", "+OK\r\n")
	f(cmdClientNoTouch, "client no-touch maybe", "-ERR syntax error\r\n")
	if !me.fig.NoEvict || !me.fig.NoTouch {
		t.Errorf("NO-EVICT/NO-TOUCH on: %+v", me.fig)
	}
	f(cmdClientNoEvict, "client no-evict off", "+OK\r\n")
	if me.fig.NoEvict || !me.fig.NoTouch {
		t.Errorf("NO-EVICT off: %+v", me.fig)
	}

	// REPLY: ON answers, OFF and SKIP do not; SKIP leaves OFF alone.
	r := func(args, want string, mode ReplyMode) {
		t.Helper()
		f(cmdClientReply, args, want)
		if me.mode != mode {
			t.Errorf("%s: mode %d, want %d", args, me.mode, mode)
		}
	}
	r("client reply skip", "", ReplySkip)
	r("client reply on", "+OK\r\n", ReplyOn)
	r("client reply off", "", ReplyOff)
	r("client reply skip", "", ReplyOff)
	r("client reply maybe", "-ERR syntax error\r\n", ReplyOff)
	r("client reply ON", "+OK\r\n", ReplyOn)

	f(cmdClientGetRedir, "client getredir", ":-1\r\n")
	f(cmdClientTrackingInfo, "client trackinginfo", "*0\r\n") // the host's
}

func TestValidName(t *testing.T) {
	for name, want := range map[string]bool{"": true, "a-b_c:1": true, "~!": true, "a b": false, "a\nb": false, "é": false, "\x7f": false} {
		if got := ValidName(name); got != want {
			t.Errorf("ValidName(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestCommands checks the table: CLIENT is a loop container of the
// eighteen subcommands, each named "client|sub".
func TestCommands(t *testing.T) {
	cmds := Commands()
	if len(cmds) != 1 || cmds[0].Name != "client" || cmds[0].Flags&command.FlagLoop == 0 {
		t.Fatalf("Commands() = %+v", cmds)
	}
	if n := len(cmds[0].Subcommands); n != 18 {
		t.Errorf("%d subcommands, want 18", n)
	}
	for _, sub := range cmds[0].Subcommands {
		if !strings.HasPrefix(sub.Name, "client|") || sub.Run == nil {
			t.Errorf("subcommand %q", sub.Name)
		}
	}
}
