package streamcmd

import (
	"github.com/anaxdb/anax/container/stream"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

const (
	errXGroupNoKey  = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."
	errBusyGroup    = "BUSYGROUP Consumer Group name already exists"
	errEntriesRead  = "ERR value for ENTRIESREAD must be positive or -1"
	errDollarInXRG  = "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set."
	errPlusInXRG    = "ERR The + ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The + ID would just return an empty result set."
	errGTOutsideXRG = "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option."
)

var xgroupHelp = []string{
	"CREATE <key> <groupname> <id|$> [option]",
	"    Create a new consumer group. Options are:",
	"    * MKSTREAM",
	"      Create the empty stream if it does not exist.",
	"    * ENTRIESREAD entries_read",
	"      Set the group's entries_read counter (internal use).",
	"CREATECONSUMER <key> <groupname> <consumer>",
	"    Create a new consumer in the specified group.",
	"DELCONSUMER <key> <groupname> <consumer>",
	"    Remove the specified consumer.",
	"DESTROY <key> <groupname>",
	"    Remove the specified group.",
	"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
	"    Set the current group ID and entries_read counter.",
}

func groupCommands(k1 func(*command.Spec) *command.Spec) []*command.Spec {
	w, r := command.FlagWrite, command.FlagReadOnly
	oom, fast := command.FlagDenyOOM, command.FlagFast
	sub := func(name string, arity, flags int, run func(*command.Exec), summary, since, cx string) *command.Spec {
		c := &command.Spec{Name: name, Arity: arity, Flags: flags, Run: run, Group: "stream", Summary: summary, Since: since, Complexity: cx}
		if arity != 2 {
			c.FirstKey, c.LastKey, c.Step = 2, 2, 1
		}
		return c
	}
	return []*command.Spec{
		{Name: "xgroup", Arity: -2, Keys: subKeys, Run: command.RunSubcommand, Group: "stream", Summary: "A container for consumer groups commands.", Since: "5.0.0", Complexity: "Depends on subcommand.",
			Subcommands: []*command.Spec{
				sub("xgroup|create", -5, w|oom, cmdXGroupCreate, "Creates a consumer group.", "5.0.0", "O(1)"),
				sub("xgroup|setid", -5, w, cmdXGroupSetID, "Sets the last-delivered ID of a consumer group.", "5.0.0", "O(1)"),
				sub("xgroup|destroy", 4, w, cmdXGroupDestroy, "Destroys a consumer group.", "5.0.0", "O(N) where N is the number of entries in the group's pending entries list (PEL)."),
				sub("xgroup|createconsumer", 5, w|oom, cmdXGroupCreateConsumer, "Creates a consumer in a consumer group.", "6.2.0", "O(1)"),
				sub("xgroup|delconsumer", 5, w, cmdXGroupDelConsumer, "Deletes a consumer from a consumer group.", "5.0.0", "O(1)"),
				sub("xgroup|help", 2, command.FlagLoading|command.FlagStale, cmdXGroupHelp, "Returns helpful text about the different subcommands.", "5.0.0", "O(1)"),
			}},
		k1(&command.Spec{Name: "xack", Arity: -4, Flags: w | fast, Run: cmdXAck, Summary: "Returns the number of messages that were successfully acknowledged by the consumer group member of a stream.", Since: "5.0.0", Complexity: "O(1) for each message ID processed."}),
		k1(&command.Spec{Name: "xpending", Arity: -3, Flags: r, Run: cmdXPending, Summary: "Returns the information and entries from a stream consumer group's pending entries list.", Since: "5.0.0", Complexity: "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer."}),
		k1(&command.Spec{Name: "xclaim", Arity: -6, Flags: w | fast, Run: cmdXClaim, Summary: "Changes, or acquires, ownership of a message in a consumer group, as if the message was delivered a consumer group member.", Since: "5.0.0", Complexity: "O(log N) with N being the number of messages in the PEL of the consumer group."}),
		k1(&command.Spec{Name: "xautoclaim", Arity: -6, Flags: w | fast, Run: cmdXAutoClaim, Summary: "Changes, or acquires, ownership of messages in a consumer group, as if the messages were delivered to as consumer group member.", Since: "6.2.0", Complexity: "O(1) if COUNT is small."}),
		{Name: "xinfo", Arity: -2, Keys: subKeys, Run: command.RunSubcommand, Group: "stream", Summary: "A container for stream introspection commands.", Since: "5.0.0", Complexity: "Depends on subcommand.",
			Subcommands: []*command.Spec{
				sub("xinfo|stream", -3, r, cmdXInfoStream, "Returns information about a stream.", "5.0.0", "O(1)"),
				sub("xinfo|groups", 3, r, cmdXInfoGroups, "Returns a list of the consumer groups of a stream.", "5.0.0", "O(1)"),
				sub("xinfo|consumers", 4, r, cmdXInfoConsumers, "Returns a list of the consumers in a consumer group.", "5.0.0", "O(1)"),
				sub("xinfo|help", 2, command.FlagLoading|command.FlagStale, cmdXInfoHelp, "Returns helpful text about the different subcommands.", "5.0.0", "O(1)"),
			}},
	}
}

// subKeys finds the key of XGROUP and XINFO: the argument after any
// subcommand but HELP.
func subKeys(args [][]byte, dst []int) []int {
	if len(args) >= 3 && !command.EqFold(args[1], "help") {
		dst = append(dst, 2)
	}
	return dst
}

func cmdXGroupHelp(x *command.Exec) { x.ReplyHelp(xgroupHelp) }

// groupTarget is what every XGROUP subcommand but HELP looks up first.
type groupTarget struct {
	found bool
	st    shard.Stream
	g     *stream.Group
}

// xgroupOpen parses CREATE and SETID options and looks the key and group
// up, in xgroupCommand's order. mk reports MKSTREAM.
func xgroupOpen(x *command.Exec, create, setid, needGroup bool) (t groupTarget, mk bool, entriesRead int64, ok bool) {
	entriesRead = stream.InvalidEntriesRead
	for i := 5; i < len(x.Args); {
		switch {
		case create && command.EqFold(x.Args[i], "mkstream"):
			mk = true
			i++
		case (create || setid) && command.EqFold(x.Args[i], "entriesread") && i+1 < len(x.Args):
			n, ok := parseLongLong(x, x.Args[i+1])
			if !ok {
				return t, mk, 0, false
			}
			if n < 0 && n != stream.InvalidEntriesRead {
				x.Err(errEntriesRead)
				return t, mk, 0, false
			}
			entriesRead = n
			i += 2
		default:
			x.ErrSubcommandSyntax()
			return t, mk, 0, false
		}
	}
	key := x.Args[2]
	st, found, ok := openStream(x, key, writeFlags(x))
	if !ok {
		return t, mk, 0, false
	}
	t.found = found
	t.st = st
	if !mk {
		if !found {
			x.Err(errXGroupNoKey)
			return t, mk, 0, false
		}
		t.g = st.S().Group(x.Args[3])
		if t.g == nil && needGroup {
			x.Err("NOGROUP No such consumer group '" + string(x.Args[3]) + "' for key name '" + string(key) + "'")
			return t, mk, 0, false
		}
	}
	return t, mk, entriesRead, true
}

func cmdXGroupCreate(x *command.Exec) {
	t, _, er, ok := xgroupOpen(x, true, false, false)
	if !ok {
		return
	}
	if len(x.Args) > 8 {
		x.ErrSubcommandSyntax()
		return
	}
	key := x.Args[2]
	var id stream.ID
	if string(x.Args[4]) == "$" {
		if t.found {
			id = t.st.S().LastID
		}
	} else if id, ok = parseID(x, x.Args[4], 0, true); !ok {
		return
	}
	if !t.found {
		t.st = x.DB(key).NewStream(key, x.Now)
	} else if t.st.S().Group(x.Args[3]) == nil {
		// Only a stream MKSTREAM creates is signalled (NewStream).
		t.st.Edited()
	}
	if t.st.S().CreateGroup(x.Args[3], id, er) == nil {
		x.Err(errBusyGroup)
		return
	}
	x.OK()
	x.Notify(command.NotifyStream, "xgroup-create", key)
}

func cmdXGroupSetID(x *command.Exec) {
	if len(x.Args) != 5 && len(x.Args) != 7 {
		// Redis parses the options first, then falls through to the
		// syntax error.
		if _, _, _, ok := xgroupOpen(x, false, true, true); !ok {
			return
		}
		x.ErrSubcommandSyntax()
		return
	}
	t, _, er, ok := xgroupOpen(x, false, true, true)
	if !ok {
		return
	}
	var id stream.ID
	if string(x.Args[4]) == "$" {
		id = t.st.S().LastID
	} else if id, ok = parseID(x, x.Args[4], 0, false); !ok {
		return
	}
	t.st.Edited()
	t.g.LastID = id
	t.g.EntriesRead = er
	x.OK()
	x.Notify(command.NotifyStream, "xgroup-setid", x.Args[2])
}

func cmdXGroupDestroy(x *command.Exec) {
	t, _, _, ok := xgroupOpen(x, false, false, false)
	if !ok {
		return
	}
	if t.g == nil {
		x.Int(0)
		return
	}
	t.st.Edited()
	t.st.S().DestroyGroup(x.Args[3])
	t.st.Ready() // its blocked XREADGROUP clients get NOGROUP
	x.Int(1)
	x.Notify(command.NotifyStream, "xgroup-destroy", x.Args[2])
}

func cmdXGroupCreateConsumer(x *command.Exec) {
	t, _, _, ok := xgroupOpen(x, false, false, true)
	if !ok {
		return
	}
	if _, _, found := t.g.Consumer(x.Args[4]); found {
		x.Int(0)
		return
	}
	t.st.Edited()
	t.g.AddConsumer(x.Args[4], x.Now)
	x.Int(1)
	x.Notify(command.NotifyStream, "xgroup-createconsumer", x.Args[2])
}

func cmdXGroupDelConsumer(x *command.Exec) {
	t, _, _, ok := xgroupOpen(x, false, false, true)
	if !ok {
		return
	}
	_, slot, found := t.g.Consumer(x.Args[4])
	if !found {
		x.Int(0)
		return
	}
	t.st.Edited()
	n := t.g.DeleteConsumer(slot)
	x.Int(int64(n))
	x.Notify(command.NotifyStream, "xgroup-delconsumer", x.Args[2])
}

func cmdXAck(x *command.Exec) {
	st, g, ok := openGroup(x)
	if !ok {
		return
	}
	if g == nil {
		x.Int(0)
		return
	}
	var arr [16]stream.ID
	ids := arr[:0]
	for _, arg := range x.Args[3:] {
		id, ok := parseID(x, arg, 0, true)
		if !ok {
			return
		}
		ids = append(ids, id)
	}
	n := 0
	for _, id := range ids {
		if i, ok := g.FindPending(id); ok {
			if n == 0 {
				st.Edited()
			}
			g.Ack(i)
			n++
		}
	}
	x.Int(int64(n))
}

func errNoGroup(key, group []byte) string {
	return "NOGROUP No such key '" + string(key) + "' or consumer group '" + string(group) + "'"
}

func cmdXPending(x *command.Exec) {
	argc := len(x.Args)
	justInfo := argc == 3
	if argc != 3 && (argc < 6 || argc > 9) {
		x.Fail(command.ErrSyntax)
		return
	}
	var start, end stream.ID
	var count, minIdle int64
	var consumerName []byte
	if argc >= 6 {
		si := 3
		if command.EqFold(x.Args[3], "idle") {
			n, ok := parseLongLong(x, x.Args[4])
			if !ok {
				return
			}
			minIdle = n
			if argc < 8 {
				x.Fail(command.ErrSyntax)
				return
			}
			si += 2
		}
		n, ok := parseLongLong(x, x.Args[si+2])
		if !ok {
			return
		}
		count = max(n, 0)
		var excl bool
		if start, excl, ok = parseInterval(x, x.Args[si], 0); !ok {
			return
		}
		if excl {
			if start, ok = start.Incr(); !ok {
				x.Err(errStartID)
				return
			}
		}
		if end, excl, ok = parseInterval(x, x.Args[si+1], 1<<64-1); !ok {
			return
		}
		if excl {
			if end, ok = end.Decr(); !ok {
				x.Err(errEndID)
				return
			}
		}
		if si+3 < argc {
			consumerName = x.Args[si+3]
		}
	}
	_, g, ok := openGroup(x)
	if !ok {
		return
	}
	if g == nil {
		x.Err(errNoGroup(x.Args[1], x.Args[2]))
		return
	}
	if justInfo {
		x.Array(4)
		x.Int(int64(len(g.PEL)))
		if len(g.PEL) == 0 {
			x.Null()
			x.Null()
			x.NullArray()
			return
		}
		bulkID(x, g.PEL[0].ID)
		bulkID(x, g.PEL[len(g.PEL)-1].ID)
		cs := g.Consumers()
		n := 0
		for _, c := range cs {
			if c.Pending > 0 {
				n++
			}
		}
		x.Array(n)
		for _, c := range cs {
			if c.Pending > 0 {
				x.Array(2)
				x.BulkString(c.Name)
				x.BulkInt(int64(c.Pending))
			}
		}
		return
	}
	slot := uint32(0)
	if consumerName != nil {
		_, s, found := g.Consumer(consumerName)
		if !found {
			x.Array(0)
			return
		}
		slot = s
	}
	d := deferLen(x)
	n := 0
	i, _ := g.FindPending(start)
	for ; count > 0 && i < len(g.PEL) && !end.Less(g.PEL[i].ID); i++ {
		p := &g.PEL[i]
		if consumerName != nil && p.Consumer != slot {
			continue
		}
		if minIdle != 0 && x.Now-p.DeliveryTime < minIdle {
			continue
		}
		n++
		count--
		x.Array(4)
		bulkID(x, p.ID)
		x.BulkString(g.ConsumerAt(p.Consumer).Name)
		x.Int(max(x.Now-p.DeliveryTime, 0))
		x.Int(int64(p.DeliveryCount))
	}
	d.close(x, n)
}
