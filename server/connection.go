package server

import (
	"strconv"
	"strings"

	"github.com/anaxdb/anax/server/clientcmd"
	"github.com/anaxdb/anax/server/command"
)

// The connection family: PING ECHO QUIT SELECT HELLO AUTH RESET.

func (s *Server) connectionCommands() []*command.Spec {
	return []*command.Spec{
		{Name: "ping", Arity: -1, Flags: command.FlagLoop | command.FlagFast, Run: cmdPing, Group: "connection", Summary: "Returns the server's liveliness response.", Since: "1.0.0", Complexity: "O(1)"},
		{Name: "echo", Arity: 2, Flags: command.FlagLoop | command.FlagFast | command.FlagLoading | command.FlagStale, Run: cmdEcho, Group: "connection", Summary: "Returns the given string.", Since: "1.0.0", Complexity: "O(1)"},
		{Name: "quit", Arity: -1, Flags: command.FlagLoop | command.FlagNoAuth | command.FlagFast | command.FlagLoading | command.FlagStale | command.FlagNoScript, Run: cmdQuit, Group: "connection", Summary: "Closes the connection.", Since: "1.0.0", Complexity: "O(1)"},
		{Name: "select", Arity: 2, Flags: command.FlagLoop | command.FlagFast | command.FlagStale | command.FlagLoading, Run: cmdSelect, Group: "connection", Summary: "Changes the selected database.", Since: "1.0.0", Complexity: "O(1)"},
		{Name: "hello", Arity: -1, Flags: command.FlagLoop | command.FlagNoAuth | command.FlagFast | command.FlagStale | command.FlagLoading | command.FlagNoScript, Run: cmdHello, Group: "connection", Summary: "Handshakes with the Redis server.", Since: "6.0.0", Complexity: "O(1)"},
		{Name: "auth", Arity: -2, Flags: command.FlagLoop | command.FlagNoAuth | command.FlagFast | command.FlagStale | command.FlagLoading | command.FlagNoScript, Run: cmdAuth, Group: "connection", Summary: "Authenticates the connection.", Since: "1.0.0", Complexity: "O(N) where N is the number of passwords defined for the user"},
		{Name: "reset", Arity: 1, Flags: command.FlagLoop | command.FlagNoAuth | command.FlagFast | command.FlagStale | command.FlagLoading | command.FlagNoScript, Run: cmdReset, Group: "connection", Summary: "Resets the connection.", Since: "6.2.0", Complexity: "O(1)"},
	}
}

func cmdPing(x *command.Exec) {
	if cl := clientOf(x); cl != nil && x.Proto == 2 && cl.ps.Active() {
		// Redis's reply to PING in RESP2 subscribed mode.
		if len(x.Args) > 2 {
			x.ErrArgs()
			return
		}
		x.Array(2)
		x.BulkString("pong")
		if len(x.Args) == 2 {
			x.Bulk(x.Args[1])
		} else {
			x.BulkString("")
		}
		return
	}
	switch len(x.Args) {
	case 1:
		x.Simple("PONG")
	case 2:
		x.Bulk(x.Args[1])
	default:
		x.ErrArgs()
	}
}

func cmdEcho(x *command.Exec) { x.Bulk(x.Args[1]) }

func cmdQuit(x *command.Exec) {
	x.OK()
	clientOf(x).conn.CloseAfterReply()
}

func cmdSelect(x *command.Exec) {
	n, err := strconv.ParseInt(string(x.Args[1]), 10, 64)
	if err != nil {
		x.Fail(command.ErrNotInt)
		return
	}
	if n < 0 || n >= int64(srv(x).router.Shard(0).NumDB()) {
		x.Fail(command.ErrDBIndex)
		return
	}
	clientOf(x).db.Store(int32(n))
	x.OK()
}

// checkPassword compares against requirepass (the default user's password).
func (s *Server) checkPassword(user, pass string) bool {
	want := s.requirePass()
	if user != "" && user != "default" {
		return false
	}
	if want == "" {
		return user == "" || user == "default"
	}
	return pass == want
}

func cmdAuth(x *command.Exec) {
	var user, pass string
	switch len(x.Args) {
	case 2:
		pass = string(x.Args[1])
		if srv(x).requirePass() == "" {
			x.Err("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
			return
		}
	case 3:
		user, pass = string(x.Args[1]), string(x.Args[2])
	default:
		x.Fail(command.ErrSyntax)
		return
	}
	if !srv(x).checkPassword(user, pass) {
		x.Err("WRONGPASS invalid username-password pair or user is disabled.")
		return
	}
	clientOf(x).setAuthed(true)
	x.OK()
}

func (cl *Client) setAuthed(v bool) {
	cl.authed = v
	cl.conn.Unauthenticated = !v
}

func cmdHello(x *command.Exec) {
	cl := clientOf(x)
	proto := int(cl.proto.Load())
	i := 1
	if len(x.Args) >= 2 {
		v, err := strconv.ParseInt(string(x.Args[1]), 10, 64)
		if err != nil {
			x.Err("ERR Protocol version is not an integer or out of range")
			return
		}
		if v < 2 || v > 3 {
			x.Err("NOPROTO unsupported protocol version")
			return
		}
		proto = int(v)
		i = 2
	}
	var setName *string
	for ; i < len(x.Args); i++ {
		opt := strings.ToLower(string(x.Args[i]))
		more := len(x.Args) - i - 1
		switch {
		case opt == "auth" && more >= 2:
			user, pass := string(x.Args[i+1]), string(x.Args[i+2])
			if !srv(x).checkPassword(user, pass) {
				x.Err("WRONGPASS invalid username-password pair or user is disabled.")
				return
			}
			cl.setAuthed(true)
			i += 2
		case opt == "setname" && more >= 1:
			name := string(x.Args[i+1])
			if !clientcmd.ValidName(name) {
				x.Err("ERR Client names cannot contain spaces, newlines or special characters.")
				return
			}
			setName = &name
			i++
		default:
			x.Err("ERR Syntax error in HELLO option '" + string(x.Args[i]) + "'")
			return
		}
	}
	if !cl.authed {
		x.Err("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
		return
	}
	if setName != nil {
		cl.mu.Lock()
		cl.mu.name = *setName
		cl.mu.Unlock()
	}
	cl.proto.Store(int32(proto))
	x.Proto = proto
	x.Map(7)
	x.BulkString("server")
	x.BulkString("redis")
	x.BulkString("version")
	x.BulkString(Version)
	x.BulkString("proto")
	x.Int(int64(proto))
	x.BulkString("id")
	x.Int(cl.ID)
	x.BulkString("mode")
	x.BulkString("standalone")
	x.BulkString("role")
	x.BulkString("master")
	x.BulkString("modules")
	x.Array(0)
}

func cmdReset(x *command.Exec) {
	cl := clientOf(x)
	cl.endMulti()
	srv(x).unwatchAll(cl)
	srv(x).dropPubSub(cl)
	srv(x).disableTracking(cl)
	srv(x).stopMonitor(cl)
	cl.db.Store(0)
	cl.proto.Store(2)
	cl.replyMode = replyOn
	cl.skipNext = false
	cl.noEvict.Store(false)
	cl.noTouch.Store(false)
	cl.mu.Lock()
	cl.mu.name = ""
	cl.mu.Unlock()
	cl.setAuthed(srv(x).requirePass() == "")
	x.Proto = 2
	x.Simple("RESET")
}
