package clientcmd

import (
	"strconv"
	"strings"
	"time"

	"github.com/anaxdb/anax/server/command"
)

// sessionType is the client type of s: pubsub while it has a
// subscription, else normal.
func sessionType(s Session) string {
	if f := s.Figures(); f.Sub+f.PSub+f.SSub > 0 {
		return "pubsub"
	}
	return "normal"
}

func cmdClientList(x *command.Exec) {
	var only map[int64]bool
	typ := ""
	switch {
	case len(x.Args) == 4 && command.EqFold(x.Args[2], "type"):
		t := clientTypeByName(x.Args[3])
		if t == "" {
			x.Err(command.SanitizeError("ERR Unknown client type '" + string(x.Args[3]) + "'"))
			return
		}
		if t != "normal" && t != "pubsub" {
			// No replica or master connections are tracked.
			x.Verbatim("")
			return
		}
		typ = t
	case len(x.Args) > 3 && command.EqFold(x.Args[2], "id"):
		only = map[int64]bool{}
		for _, a := range x.Args[3:] {
			id, ok := command.ParseInt(a)
			if !ok {
				x.Err("ERR Invalid client ID")
				return
			}
			only[id] = true
		}
	case len(x.Args) != 2:
		x.Fail(command.ErrSyntax)
		return
	}
	now := time.Now()
	var b strings.Builder
	for _, s := range hostOf(x).Sessions() {
		if only != nil && !only[s.ClientID()] {
			continue
		}
		if typ != "" && sessionType(s) != typ {
			continue
		}
		writeLine(&b, x, s, now)
		b.WriteByte('\n')
	}
	x.Verbatim(b.String())
}

// clientTypeByName returns the canonical client type, or "" when unknown.
func clientTypeByName(b []byte) string {
	switch {
	case command.EqFold(b, "normal"):
		return "normal"
	case command.EqFold(b, "slave"), command.EqFold(b, "replica"):
		return "slave"
	case command.EqFold(b, "pubsub"):
		return "pubsub"
	case command.EqFold(b, "master"):
		return "master"
	}
	return ""
}

// writeLine appends s's CLIENT LIST line, without its newline, to b. x is
// the command asking, on its own loop: buffer sizes are exact only for
// sessions of that loop, and as last published for the others; argv-mem
// is known only for the caller's own session (its arguments are x.Args).
func writeLine(b *strings.Builder, x *command.Exec, s Session, now time.Time) {
	h := hostOf(x)
	var u usage
	if s == h.Session(x) {
		for _, a := range x.Args {
			u.argvMem += int64(len(a))
		}
	}
	if h.OnCallersLoop(x, s) {
		u.qbuf, u.obl = s.Buffered()
	} else {
		u.qbuf, u.obl = s.PublishedBuffered()
	}
	formatLine(b, s.Figures(), u, now)
}

// usage is the memory a CLIENT LIST line reports: what the caller could
// measure of the session's buffers and arguments.
type usage struct {
	qbuf    int64 // input read but not consumed
	obl     int64 // output waiting to be written
	argvMem int64 // the bytes of the command's arguments
}

// formatLine appends the CLIENT LIST line of a session with figures f and
// usage u to b, in Redis 7.4's field order. Anax keeps no replication
// buffers or ACL users, so those fields are constant.
func formatLine(b *strings.Builder, f Figures, u usage, now time.Time) {
	flags := ""
	if f.Monitor {
		flags += "O"
	}
	if f.Sub+f.PSub+f.SSub > 0 {
		flags += "P"
	}
	if f.Multi >= 0 {
		flags += "x"
	}
	if f.Blocked {
		flags += "b"
	}
	flags += f.Tracking
	if f.NoEvict {
		flags += "e"
	}
	if f.NoTouch {
		flags += "T"
	}
	if flags == "" {
		flags = "N"
	}
	cmdName := f.LastCommand
	if cmdName == "" {
		cmdName = "NULL"
	}
	age := int64(now.Sub(f.Created) / time.Second)
	idle := now.Unix() - f.LastInteraction/1000
	if idle < 0 {
		idle = 0
	}
	w := func(k, v string) {
		b.WriteByte(' ')
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v)
	}
	i := func(k string, v int64) { w(k, strconv.FormatInt(v, 10)) }
	b.WriteString("id=" + strconv.FormatInt(f.ID, 10))
	w("addr", f.RemoteAddr)
	w("laddr", f.LocalAddr)
	i("fd", int64(f.Fd))
	w("name", f.Name)
	i("age", age)
	i("idle", idle)
	w("flags", flags)
	i("db", int64(f.DB))
	i("sub", int64(f.Sub))
	i("psub", int64(f.PSub))
	i("ssub", int64(f.SSub))
	i("multi", int64(f.Multi))
	i("watch", int64(f.Watch))
	i("qbuf", u.qbuf)
	i("qbuf-free", 0)
	i("argv-mem", u.argvMem)
	i("multi-mem", f.MultiMem)
	i("rbs", 0)
	i("rbp", 0)
	i("obl", u.obl)
	i("oll", 0)
	i("omem", u.obl)
	i("tot-mem", u.qbuf+u.obl+u.argvMem+f.MultiMem)
	w("events", "r")
	w("cmd", cmdName)
	w("user", "default")
	redir := int64(-1)
	if f.Tracking != "" {
		redir = f.Redirect
	}
	i("redir", redir)
	i("resp", int64(f.Proto))
	w("lib-name", f.LibName)
	w("lib-ver", f.LibVer)
}
