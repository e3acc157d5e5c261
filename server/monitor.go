package server

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anaxdb/anax/protocol"
	"github.com/anaxdb/anax/server/command"
)

// MONITOR, as Redis 7 does it: every command a client runs, once it passed
// the checks that may refuse it, is written to every monitor as a status
// line (`+1700000000.123456 [0 127.0.0.1:5555] "SET" "k" "v"`). The line is
// built once, on the loop of the client that sent the command, when the
// command is dispatched, and written to monitors of that loop at once and
// posted to the loops of the others: the lines of one client reach every
// monitor in the order its commands were sent. Commands of a transaction
// are written when EXEC runs, followed by EXEC; a script's commands, as
// `[db lua]`, from the shard that runs them, after the EVAL. Admin commands
// are not written, and the arguments of AUTH and HELLO's AUTH are
// redacted, as in Redis.

// monitorState is the list of monitors, copy-on-write under mu.
type monitorState struct {
	n    atomic.Int32
	mu   sync.Mutex
	list atomic.Pointer[[]*Client]
}

func (s *Server) monitorCommands() []*command.Spec {
	return []*command.Spec{
		{Name: "monitor", Arity: 1, Flags: command.FlagLoop | command.FlagAdmin | command.FlagNoScript | command.FlagLoading | command.FlagStale, Run: cmdMonitor, Group: "server", Summary: "Listens for all requests received by the server in real-time.", Since: "1.0.0", Complexity: ""},
	}
}

func cmdMonitor(x *command.Exec) {
	cl := clientOf(x)
	if cl == nil {
		x.Err("ERR MONITOR isn't allowed here")
		return
	}
	if cl.monitor.Load() {
		return // Redis ignores it, without a reply
	}
	s := srv(x)
	m := &s.monitors
	m.mu.Lock()
	var list []*Client
	if p := m.list.Load(); p != nil {
		list = append(list, *p...)
	}
	list = append(list, cl)
	m.list.Store(&list)
	m.n.Store(int32(len(list)))
	cl.monitor.Store(true)
	m.mu.Unlock()
	x.OK()
}

// stopMonitor takes cl off the monitors (a closed connection, RESET).
func (s *Server) stopMonitor(cl *Client) {
	if !cl.monitor.Load() {
		return
	}
	m := &s.monitors
	m.mu.Lock()
	var list []*Client
	for _, c := range *m.list.Load() {
		if c != cl {
			list = append(list, c)
		}
	}
	m.list.Store(&list)
	m.n.Store(int32(len(list)))
	cl.monitor.Store(false)
	m.mu.Unlock()
}

// feedCommand writes the command cl is about to run to the monitors
// (dispatch, on cl's loop home).
func (s *Server) feedCommand(c *protocol.Conn, cl *Client, cmd *command.Spec, args [][]byte, home int) {
	if adminCommand(cmd, args) {
		return
	}
	db := int(cl.db.Load())
	switch cmd.Name {
	case "exec":
		if cl.multi != nil {
			return // connExec writes the transaction's commands, then EXEC
		}
	case "watch":
		if c.Pending() > 0 {
			return // it will come back (connWatch)
		}
	case "select":
		// Redis writes SELECT once it ran: with the new database.
		if n, ok := command.ParseInt(args[1]); ok && n >= 0 && n < s.cfg.Int("databases") {
			db = int(n)
		}
	}
	var except *Client
	if cmd.Name == "reset" {
		except = cl // Redis writes RESET once it ran: no longer to cl
	}
	s.feedMonitors(home, db, cl.conn.RemoteAddr().String(), cmd, args, except)
}

// feedExec writes an EXEC's commands, then EXEC as the client wrote it
// (connExec); an EXEC that ran nothing (EXECABORT, a watched key touched)
// has no commands, and Redis writes it too.
func (s *Server) feedExec(cl *Client, cmds []queuedCommand, exec []byte, home int) {
	addr := cl.conn.RemoteAddr().String()
	db := int(cl.db.Load())
	for _, q := range cmds {
		if adminCommand(q.cmd, q.args) {
			continue
		}
		if q.cmd.Name == "select" {
			if n, ok := command.ParseInt(q.args[1]); ok && n >= 0 && n < s.cfg.Int("databases") {
				db = int(n)
			}
		}
		s.feedMonitors(home, db, addr, q.cmd, q.args, nil)
	}
	s.feedMonitors(home, db, addr, nil, [][]byte{exec}, nil)
}

// feedScript writes a command a script runs on shard sh.
func (s *Server) feedScript(sh, db int, cmd *command.Spec, args [][]byte) {
	if adminCommand(cmd, args) {
		return
	}
	s.feedMonitors(sh, db, "lua", cmd, args, nil)
}

// feedMonitors builds the line and delivers it from loop here to every
// monitor but except.
func (s *Server) feedMonitors(here, db int, who string, cmd *command.Spec, args [][]byte, except *Client) {
	p := s.monitors.list.Load()
	if p == nil || len(*p) == 0 {
		return
	}
	now := time.Now()
	b := make([]byte, 0, 64+len(who)+16*len(args))
	b = append(b, '+')
	b = strconv.AppendInt(b, now.Unix(), 10)
	b = append(b, '.')
	us := strconv.AppendInt(nil, int64(now.Nanosecond()/1000), 10)
	for i := len(us); i < 6; i++ {
		b = append(b, '0')
	}
	b = append(b, us...)
	b = append(b, " ["...)
	b = strconv.AppendInt(b, int64(db), 10)
	b = append(b, ' ')
	b = append(b, who...)
	b = append(b, "] "...)
	redact := redactFrom(cmd, args)
	for i, a := range args {
		if i > 0 {
			b = append(b, ' ')
		}
		if redact(i) {
			a = []byte("(redacted)")
		}
		b = appendRepr(b, a)
	}
	b = append(b, '\r', '\n')
	for _, m := range *p {
		if m == except {
			continue
		}
		if m.conn.Loop() == here {
			m.pushRaw(b)
			continue
		}
		m := m
		s.router.Shard(m.conn.Loop()).Post(func() { m.pushRaw(b) })
	}
}

// redactFrom returns which arguments Redis hides from monitors: AUTH's
// and those of HELLO's AUTH option.
func redactFrom(cmd *command.Spec, args [][]byte) func(i int) bool {
	if cmd == nil {
		return func(int) bool { return false }
	}
	switch cmd.Name {
	case "auth":
		return func(i int) bool { return i > 0 }
	case "hello":
		auth := -1
		for j := 2; j+2 < len(args); j++ {
			if command.EqFold(args[j], "auth") {
				auth = j
				break
			}
		}
		return func(i int) bool { return auth > 0 && (i == auth+1 || i == auth+2) }
	}
	return func(int) bool { return false }
}

// appendRepr appends a quoted as Redis's sdscatrepr does.
func appendRepr(b, a []byte) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, ch := range a {
		switch ch {
		case '\\', '"':
			b = append(b, '\\', ch)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\a':
			b = append(b, '\\', 'a')
		case '\b':
			b = append(b, '\\', 'b')
		default:
			if ch >= 0x20 && ch < 0x7f {
				b = append(b, ch)
			} else {
				b = append(b, '\\', 'x', hex[ch>>4], hex[ch&15])
			}
		}
	}
	return append(b, '"')
}

// adminCommand reports whether cmd (its subcommand, for a container) is an
// admin command, which monitors do not see.
func adminCommand(cmd *command.Spec, args [][]byte) bool {
	if len(cmd.Subcommands) > 0 && len(args) >= 2 {
		if sub := cmd.Subcommand(args[1]); sub != nil {
			cmd = sub
		}
	}
	return cmd.Flags&command.FlagAdmin != 0
}
