package server

import (
	"strconv"
	"strings"
	"time"

	"github.com/anaxdb/anax/server/command"
)

// CLIENT (Redis's clientCommand in networking.c). It runs on the
// connection's loop (command.FlagLoop), so the caller's own Client is at hand.
//
// CLIENT LIST and KILL also look at other connections. What they read of
// another client is either immutable (ID, addresses, creation time),
// atomic (db, last command, last interaction) or guarded by Client.mu
// (name, lib-name, lib-ver); see the getters below for the few
// loop-owned fields, and clientLine for the buffer sizes, which are shown
// only for connections of the caller's own loop.

func (s *Server) clientCommand() *command.Spec {
	const f = command.FlagNoScript | command.FlagLoading | command.FlagStale
	conn := []string{"connection"}
	sub := func(name string, arity, flags int, run func(*command.Exec), since, summary, complexity string) *command.Spec {
		return &command.Spec{Name: "client|" + name, Arity: arity, Flags: flags, Run: run, Categories: conn, Group: "connection", Since: since, Summary: summary, Complexity: complexity}
	}
	return &command.Spec{Name: "client", Arity: -2, Flags: command.FlagLoop, Run: runSubcommand, Group: "connection", Summary: "A container for client connection commands.", Since: "2.4.0", Complexity: "Depends on subcommand.",
		Subcommands: []*command.Spec{
			sub("id", 2, f, cmdClientID, "5.0.0", "Returns the unique client ID of the connection.", "O(1)"),
			sub("info", 2, f, cmdClientInfo, "6.2.0", "Returns information about the connection.", "O(1)"),
			sub("list", -2, f|command.FlagAdmin, cmdClientList, "2.4.0", "Lists open connections.", "O(N) where N is the number of client connections"),
			sub("kill", -3, f|command.FlagAdmin, cmdClientKill, "2.4.0", "Terminates open connections.", "O(N) where N is the number of client connections"),
			sub("setname", 3, f, cmdClientSetName, "2.6.9", "Sets the connection name.", "O(1)"),
			sub("getname", 2, f, cmdClientGetName, "2.6.9", "Returns the name of the connection.", "O(1)"),
			sub("setinfo", 4, f, cmdClientSetInfo, "7.2.0", "Sets information specific to the client or connection.", "O(1)"),
			sub("reply", 3, f, cmdClientReply, "3.2.0", "Instructs the server whether to reply to commands.", "O(1)"),
			sub("no-evict", 3, f|command.FlagAdmin, cmdClientNoEvict, "7.0.0", "Sets the client eviction mode of the connection.", "O(1)"),
			sub("no-touch", 3, f, cmdClientNoTouch, "7.2.0", "Controls whether commands sent by the client affect the LRU/LFU of accessed keys.", "O(1)"),
			sub("getredir", 2, f, cmdClientGetRedir, "6.0.0", "Returns the client ID to which the connection's tracking notifications are redirected.", "O(1)"),
			sub("trackinginfo", 2, f, cmdClientTrackingInfo, "6.2.0", "Returns information about server-assisted client-side caching for the connection.", "O(1)"),
			sub("help", 2, command.FlagLoading|command.FlagStale, cmdClientHelp, "5.0.0", "Returns helpful text about the different subcommands.", "O(1)"),
		}}
}

// Getters for the fields CLIENT shows. The mu-guarded ones are safe from
// any loop.

func (c *Client) libName() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mu.libName
}

func (c *Client) libVer() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mu.libVer
}

func (c *Client) setName(name string) {
	c.mu.Lock()
	c.mu.name = name
	c.mu.Unlock()
}

// loopFlags returns the loop-owned fields CLIENT LIST prints: the RESP
// version and the CLIENT NO-EVICT / NO-TOUCH modes. They change only on
// the client's own loop (HELLO, RESET, CLIENT ...); read from another loop
// they are ordered after that client's last command by the atomic loads
// the caller does first (lastInteraction, lastCmd), but a command running
// on that loop at the same moment may change them while they are read.
// Once client.go makes proto, noEvict and noTouch atomic, read them here
// with Load.
func (c *Client) loopFlags() (proto int, noEvict, noTouch bool) {
	return int(c.proto.Load()), c.noEvict.Load(), c.noTouch.Load()
}

func cmdClientID(x *command.Exec) { x.Int(clientOf(x).ID) }

func cmdClientInfo(x *command.Exec) {
	var b strings.Builder
	srv(x).clientLine(&b, clientOf(x), x, time.Now())
	b.WriteByte('\n')
	x.Verbatim(b.String())
}

func cmdClientList(x *command.Exec) {
	var only map[int64]bool
	switch {
	case len(x.Args) == 4 && command.EqFold(x.Args[2], "type"):
		t := clientTypeByName(x.Args[3])
		if t == "" {
			x.Err(command.SanitizeError("ERR Unknown client type '" + string(x.Args[3]) + "'"))
			return
		}
		if t != "normal" {
			// No replica, master or pub/sub connections are tracked: every
			// client is a normal one.
			x.Verbatim("")
			return
		}
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
	for _, cl := range srv(x).clients.snapshot() {
		if only != nil && !only[cl.ID] {
			continue
		}
		srv(x).clientLine(&b, cl, x, now)
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

// clientLine appends cl's CLIENT LIST line (Redis 7.2's field order) to b.
// x is the command asking, on its own loop: buffer sizes are known only
// for connections of that loop, and are 0 for the others.
func (s *Server) clientLine(b *strings.Builder, cl *Client, x *command.Exec, now time.Time) {
	last := cl.lastInteraction.Load()
	cmd := cl.lastCmd.Load()
	proto, noEvict, noTouch := cl.loopFlags()
	c := cl.conn
	var qbuf, obl, argvMem int64
	if cl == clientOf(x) {
		for _, a := range x.Args {
			argvMem += int64(len(a))
		}
	}
	if clientOf(x) != nil && c.Loop() == clientOf(x).conn.Loop() {
		qbuf = int64(c.InputBuffered())
		obl = int64(c.OutputBuffered())
	} else {
		qbuf, obl = c.PublishedInput(), c.PublishedOutput()
	}
	flags := ""
	if noEvict {
		flags += "e"
	}
	if noTouch {
		flags += "T"
	}
	if flags == "" {
		flags = "N"
	}
	cmdName := "NULL"
	if cmd != nil {
		cmdName = cmd.Name
	}
	age := int64(now.Sub(cl.created) / time.Second)
	idle := now.Unix() - last/1000
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
	b.WriteString("id=" + strconv.FormatInt(cl.ID, 10))
	w("addr", c.RemoteAddr().String())
	w("laddr", c.LocalAddr().String())
	i("fd", int64(c.Fd()))
	w("name", cl.name())
	i("age", age)
	i("idle", idle)
	w("flags", flags)
	i("db", int64(cl.db.Load()))
	i("sub", 0)
	i("psub", 0)
	i("ssub", 0)
	i("multi", -1)
	i("qbuf", qbuf)
	i("qbuf-free", 0)
	i("argv-mem", argvMem)
	i("multi-mem", 0)
	i("rbs", 0)
	i("rbp", 0)
	i("obl", obl)
	i("oll", 0)
	i("omem", obl)
	i("tot-mem", qbuf+obl+argvMem)
	w("events", "r")
	w("cmd", cmdName)
	w("user", "default")
	i("redir", -1)
	i("resp", int64(proto))
	w("lib-name", cl.libName())
	w("lib-ver", cl.libVer())
}

// cmdClientKill implements both forms: CLIENT KILL ip:port (replies OK or
// "No such client", may kill the caller) and CLIENT KILL <filter> <value>
// ... (replies the number killed, skips the caller unless SKIPME no).
func cmdClientKill(x *command.Exec) {
	var addr, laddr string
	var id int64
	var hasAddr, hasLaddr, noneType bool
	skipme := true
	old := len(x.Args) == 3
	if old {
		addr, hasAddr = string(x.Args[2]), true
		skipme = false
	} else {
		for i := 2; i < len(x.Args); i += 2 {
			opt := x.Args[i]
			if i+1 >= len(x.Args) {
				x.Fail(command.ErrSyntax)
				return
			}
			val := x.Args[i+1]
			switch {
			case command.EqFold(opt, "id"):
				n, ok := command.ParseInt(val)
				if !ok || n < 1 {
					x.Err("ERR client-id should be greater than 0")
					return
				}
				id = n
			case command.EqFold(opt, "type"):
				t := clientTypeByName(val)
				if t == "" {
					x.Err(command.SanitizeError("ERR Unknown client type '" + string(val) + "'"))
					return
				}
				noneType = t != "normal"
			case command.EqFold(opt, "addr"):
				addr, hasAddr = string(val), true
			case command.EqFold(opt, "laddr"):
				laddr, hasLaddr = string(val), true
			case command.EqFold(opt, "user"):
				if string(val) != "default" {
					x.Err(command.SanitizeError("ERR No such user '" + string(val) + "'"))
					return
				}
			case command.EqFold(opt, "skipme"):
				switch {
				case command.EqFold(val, "yes"):
					skipme = true
				case command.EqFold(val, "no"):
					skipme = false
				default:
					x.Fail(command.ErrSyntax)
					return
				}
			default:
				x.Fail(command.ErrSyntax)
				return
			}
		}
	}
	killed := 0
	if !noneType {
		for _, cl := range srv(x).clients.snapshot() {
			if hasAddr && cl.conn.RemoteAddr().String() != addr {
				continue
			}
			if hasLaddr && cl.conn.LocalAddr().String() != laddr {
				continue
			}
			if id != 0 && cl.ID != id {
				continue
			}
			if cl == clientOf(x) {
				if skipme {
					continue
				}
				// Closed once this reply is written, as Redis does.
				cl.conn.CloseAfterReply()
			} else {
				cl.conn.Kill()
			}
			cl.killed.Store(true)
			killed++
		}
	}
	if !old {
		x.Int(int64(killed))
		return
	}
	if killed == 0 {
		x.Err("ERR No such client")
		return
	}
	x.OK()
}

func cmdClientSetName(x *command.Exec) {
	name := string(x.Args[2])
	if !validClientName(name) {
		x.Err("ERR Client names cannot contain spaces, newlines or special characters.")
		return
	}
	clientOf(x).setName(name)
	x.OK()
}

func cmdClientGetName(x *command.Exec) {
	if name := clientOf(x).name(); name != "" {
		x.BulkString(name)
		return
	}
	x.Null()
}

// cmdClientSetInfo records the client library's name and version (CLIENT
// SETINFO LIB-NAME / LIB-VER, sent by go-redis, redis-py and others on
// connect); an empty value clears it.
func cmdClientSetInfo(x *command.Exec) {
	attr, val := x.Args[2], string(x.Args[3])
	var lib bool
	switch {
	case command.EqFold(attr, "lib-name"):
		lib = true
	case command.EqFold(attr, "lib-ver"):
	default:
		x.Err(command.SanitizeError("ERR Unrecognized option '" + string(attr) + "'"))
		return
	}
	if !validClientName(val) {
		x.Err(command.SanitizeError("ERR " + string(attr) + " cannot contain spaces, newlines or special characters."))
		return
	}
	cl := clientOf(x)
	cl.mu.Lock()
	if lib {
		cl.mu.libName = val
	} else {
		cl.mu.libVer = val
	}
	cl.mu.Unlock()
	x.OK()
}

// cmdClientReply sets the reply mode. OFF and SKIP send no reply; SKIP
// also drops the next command's reply (dispatch.go's suppressReply applies
// replySkip).
func cmdClientReply(x *command.Exec) {
	cl := clientOf(x)
	switch {
	case command.EqFold(x.Args[2], "on"):
		cl.replyMode = replyOn
		cl.skipNext = false
		x.OK()
	case command.EqFold(x.Args[2], "off"):
		cl.replyMode = replyOff
	case command.EqFold(x.Args[2], "skip"):
		if cl.replyMode != replyOff {
			cl.replyMode = replySkip
		}
	default:
		x.Fail(command.ErrSyntax)
	}
}

func cmdClientNoEvict(x *command.Exec) {
	switch {
	case command.EqFold(x.Args[2], "on"):
		clientOf(x).noEvict.Store(true)
	case command.EqFold(x.Args[2], "off"):
		clientOf(x).noEvict.Store(false)
	default:
		x.Fail(command.ErrSyntax)
		return
	}
	x.OK()
}

func cmdClientNoTouch(x *command.Exec) {
	switch {
	case command.EqFold(x.Args[2], "on"):
		clientOf(x).noTouch.Store(true)
	case command.EqFold(x.Args[2], "off"):
		clientOf(x).noTouch.Store(false)
	default:
		x.Fail(command.ErrSyntax)
		return
	}
	x.OK()
}

// Client-side caching (CLIENT TRACKING) is not implemented: tracking is
// always off, which is what these two report.

func cmdClientGetRedir(x *command.Exec) { x.Int(-1) }

func cmdClientTrackingInfo(x *command.Exec) {
	x.Map(3)
	x.BulkString("flags")
	x.Set(1)
	x.BulkString("off")
	x.BulkString("redirect")
	x.Int(-1)
	x.BulkString("prefixes")
	x.Array(0)
}

func cmdClientHelp(x *command.Exec) {
	x.ReplyHelp([]string{
		"GETREDIR",
		"    Return the client ID we are redirecting to when tracking is enabled.",
		"GETNAME",
		"    Return the name of the current connection.",
		"ID",
		"    Return the ID of the current connection.",
		"INFO",
		"    Return information about the current client connection.",
		"KILL <ip:port>",
		"    Kill connection made from <ip:port>.",
		"KILL <option> <value> [<option> <value> [...]]",
		"    Kill connections. Options are:",
		"    * ADDR (<ip:port>|<unixsocket>:0)",
		"      Kill connections made from the specified address",
		"    * LADDR (<ip:port>|<unixsocket>:0)",
		"      Kill connections made to specified local address",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Kill connections by type.",
		"    * USER <username>",
		"      Kill connections authenticated by <username>.",
		"    * SKIPME (YES|NO)",
		"      Skip killing current connection (default: yes).",
		"LIST [options ...]",
		"    Return information about client connections. Options:",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Return clients of specified type.",
		"REPLY (ON|OFF|SKIP)",
		"    Control the replies sent to the current connection.",
		"SETNAME <name>",
		"    Assign the name <name> to the current connection.",
		"SETINFO <option> <value>",
		"    Set client meta attr. Options are:",
		"    * LIB-NAME: the client lib name.",
		"    * LIB-VER: the client lib version.",
		"TRACKINGINFO",
		"    Report tracking status for the current connection.",
		"NO-EVICT (ON|OFF)",
		"    Protect current client connection from eviction.",
		"NO-TOUCH (ON|OFF)",
		"    Will not touch LRU/LFU stats when this mode is on.",
	})
}
