package streamcmd

import (
	"github.com/anaxdb/anax/container/listpack"
	"github.com/anaxdb/anax/container/stream"
	"github.com/anaxdb/anax/protocol/resp"
	"github.com/anaxdb/anax/server/command"
)

var xinfoHelp = []string{
	"CONSUMERS <key> <groupname>",
	"    Show consumers of <groupname>.",
	"GROUPS <key>",
	"    Show the stream consumer groups.",
	"STREAM <key> [FULL [COUNT <count>]",
	"    Show information about the stream.",
}

func appendBulk(dst, b []byte) []byte { return resp.AppendBulk(dst, b) }

func cmdXInfoHelp(x *command.Exec) { x.ReplyHelp(xinfoHelp) }

func xinfoOpen(x *command.Exec) (st streamAt, ok bool) {
	s, found, ok := openStream(x, x.Args[2], x.LookupFlags())
	if !ok {
		return st, false
	}
	if !found {
		x.Fail(command.ErrNoKey)
		return st, false
	}
	return streamAt{s.S(), s.Store()}, true
}

type streamAt struct {
	s     *stream.Stream
	store stream.Store
}

// lag writes a group's lag, or null when it cannot be known.
func lag(x *command.Exec, s *stream.Stream, g *stream.Group) {
	if n, ok := s.Lag(g); ok {
		x.Int(n)
	} else {
		x.Null()
	}
}

func entriesRead(x *command.Exec, g *stream.Group) {
	if g.EntriesRead != stream.InvalidEntriesRead {
		x.Int(g.EntriesRead)
	} else {
		x.Null()
	}
}

func cmdXInfoConsumers(x *command.Exec) {
	t, ok := xinfoOpen(x)
	if !ok {
		return
	}
	g := t.s.Group(x.Args[3])
	if g == nil {
		x.Err("NOGROUP No such consumer group '" + string(x.Args[3]) + "' for key name '" + string(x.Args[2]) + "'")
		return
	}
	cs := g.Consumers()
	x.Array(len(cs))
	for _, c := range cs {
		x.Map(3)
		x.BulkString("name")
		x.BulkString(c.Name)
		x.BulkString("pending")
		x.Int(int64(c.Pending))
		x.BulkString("idle")
		x.Int(max(x.Now-c.SeenTime, 0))
	}
}

func cmdXInfoGroups(x *command.Exec) {
	t, ok := xinfoOpen(x)
	if !ok {
		return
	}
	gs := t.s.Groups()
	x.Array(len(gs))
	for _, g := range gs {
		x.Map(6)
		x.BulkString("name")
		x.BulkString(g.Name)
		x.BulkString("consumers")
		x.Int(int64(g.ConsumerCount()))
		x.BulkString("pending")
		x.Int(int64(len(g.PEL)))
		x.BulkString("last-delivered-id")
		bulkID(x, g.LastID)
		x.BulkString("entries-read")
		entriesRead(x, g)
		x.BulkString("lag")
		lag(x, t.s, g)
	}
}

func cmdXInfoStream(x *command.Exec) {
	full := false
	count := int64(10)
	if opts := x.Args[3:]; len(opts) > 0 {
		if (len(opts) != 1 && len(opts) != 3) || !command.EqFold(opts[0], "full") {
			x.ErrSubcommandSyntax()
			return
		}
		if len(opts) == 3 {
			if !command.EqFold(opts[1], "count") {
				x.ErrSubcommandSyntax()
				return
			}
			n, ok := parseLongLong(x, opts[2])
			if !ok {
				return
			}
			if n < 0 {
				n = 10
			}
			count = n
		}
		full = true
	}
	t, ok := xinfoOpen(x)
	if !ok {
		return
	}
	s := t.s
	if full {
		x.Map(9)
	} else {
		x.Map(10)
	}
	x.BulkString("length")
	x.Int(int64(s.Len()))
	x.BulkString("radix-tree-keys")
	x.Int(int64(s.NodeCount()))
	x.BulkString("radix-tree-nodes")
	x.Int(int64(s.RaxNodes()))
	x.BulkString("last-generated-id")
	bulkID(x, s.LastID)
	x.BulkString("max-deleted-entry-id")
	bulkID(x, s.MaxDeletedID)
	x.BulkString("entries-added")
	x.Int(int64(s.EntriesAdded))
	x.BulkString("recorded-first-entry-id")
	bulkID(x, s.FirstID)
	var buf []listpack.Value
	if !full {
		x.BulkString("groups")
		x.Int(int64(len(s.Groups())))
		for _, rev := range []bool{false, true} {
			if rev {
				x.BulkString("last-entry")
			} else {
				x.BulkString("first-entry")
			}
			emitted := false
			s.Range(t.store, stream.ID{}, stream.MaxID, rev, func(e *stream.Entry) bool {
				buf = replyEntry(x, e, buf)
				emitted = true
				return false
			})
			if !emitted {
				x.Null()
			}
		}
		return
	}
	x.BulkString("entries")
	replyRange(x, s, t.store, stream.ID{}, stream.MaxID, count, false)
	x.BulkString("groups")
	gs := s.Groups()
	x.Array(len(gs))
	for _, g := range gs {
		x.Map(7)
		x.BulkString("name")
		x.BulkString(g.Name)
		x.BulkString("last-delivered-id")
		bulkID(x, g.LastID)
		x.BulkString("entries-read")
		entriesRead(x, g)
		x.BulkString("lag")
		lag(x, s, g)
		x.BulkString("pel-count")
		x.Int(int64(len(g.PEL)))
		x.BulkString("pending")
		n := len(g.PEL)
		if count > 0 {
			n = min(n, int(count))
		}
		x.Array(n)
		for _, p := range g.PEL[:n] {
			x.Array(4)
			bulkID(x, p.ID)
			x.BulkString(g.ConsumerAt(p.Consumer).Name)
			x.Int(p.DeliveryTime)
			x.Int(int64(p.DeliveryCount))
		}
		x.BulkString("consumers")
		cs := g.Consumers()
		x.Array(len(cs))
		for _, c := range cs {
			_, slot, _ := g.Consumer([]byte(c.Name))
			x.Map(4)
			x.BulkString("name")
			x.BulkString(c.Name)
			x.BulkString("seen-time")
			x.Int(c.SeenTime)
			x.BulkString("pel-count")
			x.Int(int64(c.Pending))
			x.BulkString("pending")
			d := deferLen(x)
			k := 0
			for _, p := range g.PEL {
				if p.Consumer != slot {
					continue
				}
				if count > 0 && int64(k) >= count {
					break
				}
				x.Array(3)
				bulkID(x, p.ID)
				x.Int(p.DeliveryTime)
				x.Int(int64(p.DeliveryCount))
				k++
			}
			d.close(x, k)
		}
	}
}
