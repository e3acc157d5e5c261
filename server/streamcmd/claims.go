package streamcmd

import (
	"math"

	"github.com/anaxdb/anax/container/listpack"
	"github.com/anaxdb/anax/container/stream"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// claimant returns the slot of the consumer called name, creating it (with
// Redis's notification) when missing; its seen time becomes now
// (streamLookupConsumer with SLC_DEFAULT).
func claimant(x *command.Exec, g *stream.Group, name []byte) uint32 {
	c, slot, ok := g.Consumer(name)
	if !ok {
		_, slot = g.AddConsumer(name, x.Now)
		x.Notify(command.NotifyStream, "xgroup-createconsumer", x.Args[1])
		return slot
	}
	c.SeenTime = x.Now
	return slot
}

// replyOne writes the entry with id (known to exist) as XCLAIM does.
func replyOne(x *command.Exec, st shard.Stream, id stream.ID, buf []listpack.Value) []listpack.Value {
	st.S().Range(st.Store(), id, id, false, func(e *stream.Entry) bool {
		buf = replyEntry(x, e, buf)
		return false
	})
	return buf
}

func cmdXClaim(x *command.Exec) {
	st, g, ok := openGroup(x)
	if !ok {
		return
	}
	if g == nil {
		x.Err(errNoGroup(x.Args[1], x.Args[2]))
		return
	}
	minIdle, ok := command.ParseInt(x.Args[4])
	if !ok {
		x.Err("ERR Invalid min-idle-time argument for XCLAIM")
		return
	}
	minIdle = max(minIdle, 0)
	j := 5
	var ids []stream.ID
	for ; j < len(x.Args); j++ {
		id, _, ok := parseIDSeq(x.Args[j], 0, true, false)
		if !ok {
			break
		}
		ids = append(ids, id)
	}
	now := x.Now
	var lastID stream.ID
	retry := int64(-1)
	delivery := int64(-1)
	force, justID := false, false
	for ; j < len(x.Args); j++ {
		more := len(x.Args) - 1 - j
		opt := x.Args[j]
		switch {
		case command.EqFold(opt, "force"):
			force = true
		case command.EqFold(opt, "justid"):
			justID = true
		case command.EqFold(opt, "idle") && more > 0:
			j++
			n, ok := command.ParseInt(x.Args[j])
			if !ok {
				x.Err("ERR Invalid IDLE option argument for XCLAIM")
				return
			}
			delivery = now - n
		case command.EqFold(opt, "time") && more > 0:
			j++
			n, ok := command.ParseInt(x.Args[j])
			if !ok {
				x.Err("ERR Invalid TIME option argument for XCLAIM")
				return
			}
			delivery = n
		case command.EqFold(opt, "retrycount") && more > 0:
			j++
			n, ok := command.ParseInt(x.Args[j])
			if !ok {
				x.Err("ERR Invalid RETRYCOUNT option argument for XCLAIM")
				return
			}
			retry = n
		case command.EqFold(opt, "lastid") && more > 0:
			j++
			if lastID, ok = parseID(x, x.Args[j], 0, true); !ok {
				return
			}
		default:
			x.Err(command.SanitizeError("ERR Unrecognized XCLAIM option '" + string(opt) + "'"))
			return
		}
	}
	st.Edited()
	if g.LastID.Less(lastID) {
		g.LastID = lastID
	}
	if delivery != -1 {
		if delivery < 0 || delivery > now {
			delivery = now
		}
	} else {
		delivery = now
	}
	s := st.S()
	d := deferLen(x)
	n := 0
	haveConsumer := false
	var slot uint32
	var buf []listpack.Value
	for _, id := range ids {
		i, pending := g.FindPending(id)
		if !s.Has(st.Store(), id) {
			if pending {
				g.Ack(i)
			}
			continue
		}
		fresh := false
		if force && !pending {
			fresh = true
			pending = true
		}
		if !pending {
			continue
		}
		if !fresh && minIdle > 0 && now-g.PEL[i].DeliveryTime < minIdle {
			continue
		}
		if !haveConsumer {
			slot = claimant(x, g, x.Args[3])
			haveConsumer = true
		}
		if fresh {
			g.AddPending(i, stream.Pending{ID: id, Consumer: slot})
		} else {
			g.Claim(i, slot)
		}
		p := &g.PEL[i]
		p.DeliveryTime = delivery
		if retry >= 0 {
			p.DeliveryCount = uint64(retry)
		} else if !justID {
			p.DeliveryCount++
		}
		if justID {
			bulkID(x, id)
		} else {
			buf = replyOne(x, st, id, buf)
		}
		n++
	}
	d.close(x, n)
}

func cmdXAutoClaim(x *command.Exec) {
	minIdle, ok := command.ParseInt(x.Args[4])
	if !ok {
		x.Err("ERR Invalid min-idle-time argument for XAUTOCLAIM")
		return
	}
	minIdle = max(minIdle, 0)
	start, excl, ok := parseInterval(x, x.Args[5], 0)
	if !ok {
		return
	}
	if excl {
		if start, ok = start.Incr(); !ok {
			x.Err(errStartID)
			return
		}
	}
	count := int64(100)
	justID := false
	for j := 6; j < len(x.Args); j++ {
		more := len(x.Args) - 1 - j
		switch opt := x.Args[j]; {
		case command.EqFold(opt, "count") && more > 0:
			n, ok := command.ParseInt(x.Args[j+1])
			if !ok || n < 1 || n > math.MaxInt64/16 {
				x.Err("ERR COUNT must be > 0")
				return
			}
			count = n
			j++
		case command.EqFold(opt, "justid"):
			justID = true
		default:
			x.Fail(command.ErrSyntax)
			return
		}
	}
	st, g, ok := openGroup(x)
	if !ok {
		return
	}
	if g == nil {
		x.Err(errNoGroup(x.Args[1], x.Args[2]))
		return
	}
	st.Edited()
	s := st.S()
	now := x.Now
	attempts := count * 10
	x.Array(3)
	endAt := len(x.Out)
	d := deferLen(x)
	n := 0
	var deleted []stream.ID
	haveConsumer := false
	var slot uint32
	var buf []listpack.Value
	i, _ := g.FindPending(start)
	for attempts > 0 && count > 0 && i < len(g.PEL) {
		attempts--
		id := g.PEL[i].ID
		if !s.Has(st.Store(), id) {
			g.Ack(i)
			deleted = append(deleted, id)
			count--
			continue
		}
		if minIdle > 0 && now-g.PEL[i].DeliveryTime < minIdle {
			i++
			continue
		}
		if !haveConsumer {
			slot = claimant(x, g, x.Args[3])
			haveConsumer = true
		}
		g.Claim(i, slot)
		p := &g.PEL[i]
		p.DeliveryTime = now
		if !justID {
			p.DeliveryCount++
		}
		if justID {
			bulkID(x, id)
		} else {
			buf = replyOne(x, st, id, buf)
		}
		n++
		count--
		i++
	}
	d.close(x, n)
	var end stream.ID
	if i < len(g.PEL) {
		end = g.PEL[i].ID
	}
	var b [64]byte
	idb := end.AppendTo(b[:0])
	var hdr []byte
	hdr = appendBulk(hdr, idb)
	x.Out = append(x.Out[:endAt], append(hdr, x.Out[endAt:]...)...)
	x.Array(len(deleted))
	for _, id := range deleted {
		bulkID(x, id)
	}
}
