package clientcmd

import (
	"math"
	"strings"
	"time"

	"github.com/anaxdb/anax/server/command"
)

// Commands returns CLIENT and its subcommands.
func Commands() []*command.Spec {
	const f = command.FlagNoScript | command.FlagLoading | command.FlagStale
	conn := []string{"connection"}
	sub := func(name string, arity, flags int, run func(*command.Exec), since, summary, complexity string) *command.Spec {
		return &command.Spec{Name: "client|" + name, Arity: arity, Flags: flags, Run: run, Categories: conn, Group: "connection", Since: since, Summary: summary, Complexity: complexity}
	}
	return []*command.Spec{{Name: "client", Arity: -2, Flags: command.FlagLoop, Run: command.RunSubcommand, Group: "connection", Summary: "A container for client connection commands.", Since: "2.4.0", Complexity: "Depends on subcommand.",
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
			sub("pause", -3, f|command.FlagAdmin, cmdClientPause, "3.0.0", "Suspends commands processing.", "O(1)"),
			sub("unpause", 2, f|command.FlagAdmin, cmdClientUnpause, "6.2.0", "Resumes processing commands from paused clients.", "O(N) Where N is the number of paused clients"),
			sub("unblock", -3, f|command.FlagAdmin, cmdClientUnblock, "5.0.0", "Unblocks a client blocked by a blocking command from a different connection.", "O(log N) where N is the number of client connections"),
			sub("tracking", -3, f, func(x *command.Exec) { hostOf(x).ClientTracking(x) }, "6.0.0", "Controls server-assisted client-side caching for the connection.", "O(1). Some options may introduce additional complexity."),
			sub("caching", 3, f, func(x *command.Exec) { hostOf(x).ClientCaching(x) }, "6.0.0", "Instructs the server whether to track the keys in the next request.", "O(1)"),
			sub("getredir", 2, f, cmdClientGetRedir, "6.0.0", "Returns the client ID to which the connection's tracking notifications are redirected.", "O(1)"),
			sub("trackinginfo", 2, f, cmdClientTrackingInfo, "6.2.0", "Returns information about server-assisted client-side caching for the connection.", "O(1)"),
			sub("help", 2, command.FlagLoading|command.FlagStale, cmdClientHelp, "5.0.0", "Returns helpful text about the different subcommands.", "O(1)"),
		}}}
}

// ValidName reports whether name may name a client or its library (CLIENT
// SETNAME and SETINFO, HELLO SETNAME): printable ASCII without spaces, so
// that a CLIENT LIST line stays one line of space-separated fields.
func ValidName(name string) bool {
	for i := 0; i < len(name); i++ {
		if name[i] < '!' || name[i] > '~' {
			return false
		}
	}
	return true
}

func cmdClientID(x *command.Exec) { x.Int(hostOf(x).Session(x).ClientID()) }

func cmdClientInfo(x *command.Exec) {
	var b strings.Builder
	writeLine(&b, x, hostOf(x).Session(x), time.Now())
	b.WriteByte('\n')
	x.Verbatim(b.String())
}

// cmdClientUnblock is CLIENT UNBLOCK id [TIMEOUT|ERROR].
func cmdClientUnblock(x *command.Exec) {
	id, ok := command.ParseInt(x.Args[2])
	if !ok {
		x.Fail(command.ErrNotInt)
		return
	}
	fail := false
	switch {
	case len(x.Args) == 3:
	case len(x.Args) == 4 && command.EqFold(x.Args[3], "timeout"):
	case len(x.Args) == 4 && command.EqFold(x.Args[3], "error"):
		fail = true
	default:
		x.Err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
		return
	}
	if hostOf(x).Unblock(id, fail) {
		x.Int(1)
		return
	}
	x.Int(0)
}

// cmdClientPause is CLIENT PAUSE timeout [WRITE|ALL]: the mode is read
// first, then the timeout in milliseconds, with Redis's errors.
func cmdClientPause(x *command.Exec) {
	if len(x.Args) > 4 {
		x.ErrSubcommandSyntax()
		return
	}
	all := true
	if len(x.Args) == 4 {
		switch {
		case command.EqFold(x.Args[3], "write"):
			all = false
		case command.EqFold(x.Args[3], "all"):
		default:
			x.Err("ERR CLIENT PAUSE mode must be WRITE or ALL")
			return
		}
	}
	ms, ok := command.ParseInt(x.Args[2])
	switch {
	case !ok:
		x.Err("ERR timeout is not an integer or out of range")
		return
	case ms < 0:
		x.Err("ERR timeout is negative")
		return
	}
	end := int64(0) // 0: a pause already over, as Redis's
	if ms > 0 {
		now := time.Now().UnixMilli()
		if ms > math.MaxInt64-now {
			x.Err("ERR timeout is out of range")
			return
		}
		end = now + ms
	}
	hostOf(x).Pause(end, all)
	x.OK()
}

func cmdClientUnpause(x *command.Exec) {
	hostOf(x).Unpause()
	x.OK()
}

func cmdClientSetName(x *command.Exec) {
	name := string(x.Args[2])
	if !ValidName(name) {
		x.Err("ERR Client names cannot contain spaces, newlines or special characters.")
		return
	}
	hostOf(x).Session(x).SetName(name)
	x.OK()
}

func cmdClientGetName(x *command.Exec) {
	if name := hostOf(x).Session(x).Name(); name != "" {
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
	if !ValidName(val) {
		x.Err(command.SanitizeError("ERR " + string(attr) + " cannot contain spaces, newlines or special characters."))
		return
	}
	if s := hostOf(x).Session(x); lib {
		s.SetLibName(val)
	} else {
		s.SetLibVer(val)
	}
	x.OK()
}

// cmdClientReply sets the reply mode. OFF and SKIP send no reply (the
// server applies the mode to this command's reply already); ON cancels a
// pending skip; SKIP leaves OFF as it is.
func cmdClientReply(x *command.Exec) {
	s := hostOf(x).Session(x)
	switch {
	case command.EqFold(x.Args[2], "on"):
		s.SetReplyMode(ReplyOn)
		x.OK()
	case command.EqFold(x.Args[2], "off"):
		s.SetReplyMode(ReplyOff)
	case command.EqFold(x.Args[2], "skip"):
		if s.ReplyMode() != ReplyOff {
			s.SetReplyMode(ReplySkip)
		}
	default:
		x.Fail(command.ErrSyntax)
	}
}

func cmdClientNoEvict(x *command.Exec) {
	if on, ok := parseOnOff(x); ok {
		hostOf(x).Session(x).SetNoEvict(on)
		x.OK()
	}
}

func cmdClientNoTouch(x *command.Exec) {
	if on, ok := parseOnOff(x); ok {
		hostOf(x).Session(x).SetNoTouch(on)
		x.OK()
	}
}

// parseOnOff reads the ON or OFF of x.Args[2], replying a syntax error
// (ok false) to anything else.
func parseOnOff(x *command.Exec) (on, ok bool) {
	switch {
	case command.EqFold(x.Args[2], "on"):
		return true, true
	case command.EqFold(x.Args[2], "off"):
		return false, true
	}
	x.Fail(command.ErrSyntax)
	return false, false
}

// Client-side caching (CLIENT TRACKING) is the server's (Host).

func cmdClientGetRedir(x *command.Exec) { hostOf(x).ClientGetRedir(x) }

func cmdClientTrackingInfo(x *command.Exec) { hostOf(x).ClientTrackingInfo(x) }

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
		"    * ID <client-id>",
		"      Kill connections by client id.",
		"    * MAXAGE <maxage>",
		"      Kill connections older than the specified age.",
		"LIST [options ...]",
		"    Return information about client connections. Options:",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Return clients of specified type.",
		"UNPAUSE",
		"    Stop the current client pause, resuming traffic.",
		"PAUSE <timeout> [WRITE|ALL]",
		"    Suspend all, or just write, clients for <timeout> milliseconds.",
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
