package pubsubcmd

import (
	"slices"
	"sort"
	"strconv"

	"github.com/anaxdb/anax/internal/glob"
	"github.com/anaxdb/anax/server/command"
)

// Host is what the family asks of the server (server/env_pubsub.go).
type Host interface {
	// PubSubHub is the server's registry.
	PubSubHub() *Hub
	// PubSubClient is the client of x when x runs on that client's loop,
	// nil otherwise (a command of a transaction run elsewhere).
	PubSubClient(x *command.Exec) Sub
	// PubSubPost runs fn on loop's goroutine, after what was posted there
	// before.
	PubSubPost(loop int, fn func())
}

func hostOf(x *command.Exec) Host { return x.Env.(Host) }

// Commands returns the family's specs.
func Commands() []*command.Spec {
	const f = command.FlagLoop | command.FlagNoScript | command.FlagLoading | command.FlagStale
	const p = command.FlagLoop | command.FlagLoading | command.FlagStale | command.FlagFast
	const g = command.FlagLoop | command.FlagLoading | command.FlagStale
	sub := func(name string, arity, flags int, run func(*command.Exec), since, summary, complexity string) *command.Spec {
		return &command.Spec{Name: name, Arity: arity, Flags: flags, Run: run, Group: "pubsub", Since: since, Summary: summary, Complexity: complexity}
	}
	// The shard-channel commands name their channels as keys in COMMAND
	// INFO (flag not_key), as Redis does for cluster routing; outside a
	// cluster a channel is no key, so they have none to plan.
	shardKeys := func(c *command.Spec, last int) *command.Spec {
		c.FirstKey, c.LastKey, c.Step = 1, last, 1
		c.Keys = func(_ [][]byte, dst []int) []int { return dst }
		return c
	}
	return []*command.Spec{
		sub("subscribe", -2, f, func(x *command.Exec) { subscribe(x, KindChannel) }, "2.0.0", "Listen for messages published to the given channels", "O(N) where N is the number of channels to subscribe to."),
		sub("unsubscribe", -1, f, func(x *command.Exec) { unsubscribe(x, KindChannel) }, "2.0.0", "Stop listening for messages posted to the given channels", "O(N) where N is the number of clients already subscribed to a channel."),
		sub("psubscribe", -2, f, func(x *command.Exec) { subscribe(x, KindPattern) }, "2.0.0", "Listen for messages published to channels matching the given patterns", "O(N) where N is the number of patterns the client is already subscribed to."),
		sub("punsubscribe", -1, f, func(x *command.Exec) { unsubscribe(x, KindPattern) }, "2.0.0", "Stop listening for messages posted to channels matching the given patterns", "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client)."),
		shardKeys(sub("ssubscribe", -2, f, func(x *command.Exec) { subscribe(x, KindShard) }, "7.0.0", "Listen for messages published to the given shard channels", "O(N) where N is the number of shard channels to subscribe to."), -1),
		shardKeys(sub("sunsubscribe", -1, f, func(x *command.Exec) { unsubscribe(x, KindShard) }, "7.0.0", "Stop listening for messages posted to the given shard channels", "O(N) where N is the number of clients already subscribed to a shard channel."), -1),
		sub("publish", 3, p|command.FlagMayReplicate, func(x *command.Exec) { publish(x, KindChannel) }, "2.0.0", "Post a message to a channel", "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client)."),
		shardKeys(sub("spublish", 3, p|command.FlagMayReplicate, func(x *command.Exec) { publish(x, KindShard) }, "7.0.0", "Post a message to a shard channel", "O(N) where N is the number of clients subscribed to the receiving shard channel."), 1),
		{Name: "pubsub", Arity: -2, Flags: command.FlagLoop, Run: command.RunSubcommand, Group: "pubsub", Summary: "A container for Pub/Sub commands", Since: "2.8.0", Complexity: "Depends on subcommand.",
			Subcommands: []*command.Spec{
				sub("pubsub|channels", -2, g, func(x *command.Exec) { channels(x, KindChannel) }, "2.8.0", "List active channels", "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)"),
				sub("pubsub|numsub", -2, g, func(x *command.Exec) { numsub(x, KindChannel) }, "2.8.0", "Get the count of subscribers for channels", "O(N) for the NUMSUB subcommand, where N is the number of requested channels"),
				sub("pubsub|numpat", 2, g, cmdNumpat, "2.8.0", "Get the count of unique patterns pattern subscriptions", "O(1)"),
				sub("pubsub|shardchannels", -2, g, func(x *command.Exec) { channels(x, KindShard) }, "7.0.0", "List active shard channels", "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels)."),
				sub("pubsub|shardnumsub", -2, g, func(x *command.Exec) { numsub(x, KindShard) }, "7.0.0", "Get the count of subscribers for shard channels", "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels"),
				sub("pubsub|help", 2, command.FlagLoop|command.FlagLoading|command.FlagStale, cmdHelp, "6.2.0", "Show helpful text about the different subcommands", "O(1)"),
			}},
	}
}

var words = [kinds][2]string{
	KindChannel: {"subscribe", "unsubscribe"},
	KindPattern: {"psubscribe", "punsubscribe"},
	KindShard:   {"ssubscribe", "sunsubscribe"},
}

// pushLen writes the header of a pub/sub reply: an array in RESP2, a push
// in RESP3.
func pushLen(x *command.Exec, n int) {
	if x.Proto == 3 {
		x.Out = append(x.Out, '>')
	} else {
		x.Out = append(x.Out, '*')
	}
	x.Out = strconv.AppendInt(x.Out, int64(n), 10)
	x.Out = append(x.Out, '\r', '\n')
}

func subscribe(x *command.Exec, kind int) {
	h := hostOf(x)
	s := h.PubSubClient(x)
	if s == nil {
		x.Err("ERR " + words[kind][0] + " is not allowed here")
		return
	}
	hub := h.PubSubHub()
	st := s.PubSub()
	was := st.Active()
	for _, a := range x.Args[1:] {
		if name := string(a); st.add(kind, name) {
			hub.add(kind, name, s)
		}
		pushLen(x, 3)
		x.BulkString(words[kind][0])
		x.Bulk(a)
		x.Int(int64(st.count(kind)))
	}
	if !was && st.Active() {
		s.Subscribed(true)
	}
}

func unsubscribe(x *command.Exec, kind int) {
	h := hostOf(x)
	s := h.PubSubClient(x)
	if s == nil {
		x.Err("ERR " + words[kind][1] + " is not allowed here")
		return
	}
	hub := h.PubSubHub()
	st := s.PubSub()
	was := st.Active()
	reply := func(name []byte, null bool) {
		pushLen(x, 3)
		x.BulkString(words[kind][1])
		if null {
			x.Null()
		} else {
			x.Bulk(name)
		}
		x.Int(int64(st.count(kind)))
	}
	if len(x.Args) == 1 {
		names := append([]string(nil), st.names[kind]...)
		if len(names) == 0 {
			reply(nil, true)
		}
		for _, name := range names {
			st.remove(kind, name)
			hub.remove(kind, name, s)
			reply([]byte(name), false)
		}
	} else {
		for _, a := range x.Args[1:] {
			if name := string(a); st.remove(kind, name) {
				hub.remove(kind, name, s)
			}
			reply(a, false)
		}
	}
	if was && !st.Active() {
		s.Subscribed(false)
	}
}

// encode returns a message's RESP2 form.
func encode(b []byte, word string, pattern, channel, msg []byte) []byte {
	n := 3
	size := 16 + len(word) + len(channel) + len(msg) + 3*24
	if pattern != nil {
		n = 4
		size += len(pattern) + 24
	}
	b = slices.Grow(b[:0], size)
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, '\r', '\n')
	b = appendBulk(b, []byte(word))
	if pattern != nil {
		b = appendBulk(b, pattern)
	}
	b = appendBulk(b, channel)
	return appendBulk(b, msg)
}

func appendBulk(b, v []byte) []byte {
	b = append(b, '$')
	b = strconv.AppendInt(b, int64(len(v)), 10)
	b = append(b, '\r', '\n')
	b = append(b, v...)
	return append(b, '\r', '\n')
}

// Publish delivers msg on channel (kind KindChannel or KindShard) and
// returns the number of receivers. self is the publishing client when the
// call runs on its loop: that loop's subscribers get the message at once,
// before the publisher's reply; other loops get it posted.
func Publish(h Host, kind int, channel, msg []byte, self Sub, loops int) int {
	here := -1
	if self != nil {
		here = self.Loop()
	}
	return PublishFrom(h, kind, channel, msg, here, loops)
}

// PublishFrom is Publish from loop here's goroutine (-1: none): the
// subscribers of that loop get the message at once, those of other loops
// get it posted.
func PublishFrom(h Host, kind int, channel, msg []byte, here, loops int) int {
	hub := h.PubSubHub()
	subs := hub.subscribers(kind, channel)
	if here >= 0 && here < len(hub.scratch) && hub.allOn(here, kind, subs, channel) {
		return hub.publishHere(here, kind, subs, channel, msg)
	}
	var d delivery
	n := 0
	if len(subs) > 0 {
		d = append(d, &Message{Wire: encode(nil, messageWord(kind), nil, channel, msg), kind: kind, name: string(channel), subs: subs})
		n += len(subs)
	}
	if kind == KindChannel {
		for _, e := range *hub.pats.Load() {
			if glob.Match(e.pb, channel, false) {
				d = append(d, &Message{Wire: encode(nil, "pmessage", e.pb, channel, msg), kind: KindPattern, name: e.pat, subs: e.subs})
				n += len(e.subs)
			}
		}
	}
	if n > 0 {
		deliver(h, d, here, loops)
	}
	return n
}

func messageWord(kind int) string {
	if kind == KindShard {
		return "smessage"
	}
	return "message"
}

// allOn reports whether every receiver of a message on channel (subs, and
// for a channel the subscribers of the patterns it matches) is on loop
// here, whose goroutine is running.
func (h *Hub) allOn(here, kind int, subs []Sub, channel []byte) bool {
	for _, s := range subs {
		if s.Loop() != here {
			return false
		}
	}
	if kind == KindChannel {
		for _, e := range *h.pats.Load() {
			if len(e.subs) > 0 && glob.Match(e.pb, channel, false) {
				for _, s := range e.subs {
					if s.Loop() != here {
						return false
					}
				}
			}
		}
	}
	return true
}

// publishHere writes a message whose receivers are all on loop here, from
// that loop's goroutine: at once, encoded in the loop's scratch buffer,
// allocating nothing (no Message crosses to another loop). It returns the
// number of receivers, as PUBLISH counts them.
func (h *Hub) publishHere(here, kind int, subs []Sub, channel, msg []byte) int {
	n := len(subs)
	if n > 0 {
		b := encode(h.scratch[here][:0], messageWord(kind), nil, channel, msg)
		for _, s := range subs {
			if s.PubSub().hasBytes(kind, channel) {
				s.Push(b)
			}
		}
		h.scratch[here] = b
	}
	if kind == KindChannel {
		for _, e := range *h.pats.Load() {
			if len(e.subs) > 0 && glob.Match(e.pb, channel, false) {
				b := encode(h.scratch[here][:0], "pmessage", e.pb, channel, msg)
				for _, s := range e.subs {
					if s.PubSub().has(KindPattern, e.pat) {
						s.Push(b)
					}
				}
				h.scratch[here] = b
				n += len(e.subs)
			}
		}
	}
	return n
}

// deliver hands d to each loop that has one of its subscribers (apart so
// that a PUBLISH nobody receives allocates nothing).
func deliver(h Host, d delivery, here, loops int) {
	var small [64]bool
	var reach []bool
	if loops <= len(small) {
		reach = small[:loops]
	} else {
		reach = make([]bool, loops)
	}
	for _, m := range d {
		for _, s := range m.subs {
			if l := s.Loop(); l >= 0 && l < loops {
				reach[l] = true
			}
		}
	}
	for l, ok := range reach {
		if !ok {
			continue
		}
		if l == here {
			d.run(l)
			continue
		}
		h.PubSubPost(l, func() { d.run(l) })
	}
}

func publish(x *command.Exec, kind int) {
	h := hostOf(x)
	x.Int(int64(Publish(h, kind, x.Args[1], x.Args[2], h.PubSubClient(x), x.Env.ShardCount())))
}

func channels(x *command.Exec, kind int) {
	if len(x.Args) > 3 {
		x.ErrSubcommandSyntax()
		return
	}
	var pat []byte
	if len(x.Args) == 3 {
		pat = x.Args[2]
	}
	names := hostOf(x).PubSubHub().names(kind, pat)
	sort.Strings(names)
	x.Array(len(names))
	for _, n := range names {
		x.BulkString(n)
	}
}

func numsub(x *command.Exec, kind int) {
	hub := hostOf(x).PubSubHub()
	x.Array(2 * (len(x.Args) - 2))
	for _, a := range x.Args[2:] {
		x.Bulk(a)
		x.Int(int64(len(hub.subscribers(kind, a))))
	}
}

func cmdNumpat(x *command.Exec) {
	_, p, _ := hostOf(x).PubSubHub().Counts()
	x.Int(p)
}

func cmdHelp(x *command.Exec) {
	x.ReplyHelp([]string{
		"CHANNELS [<pattern>]",
		"    Return the currently active channels matching a <pattern> (default: '*').",
		"NUMPAT",
		"    Return number of subscriptions to patterns.",
		"NUMSUB [<channel> ...]",
		"    Return the number of subscribers for the specified channels, excluding",
		"    pattern subscriptions(default: no channels).",
		"SHARDCHANNELS [<pattern>]",
		"    Return the currently active shard level channels matching a <pattern> (default: '*').",
		"SHARDNUMSUB [<shardchannel> ...]",
		"    Return the number of subscribers for the specified shard level channel(s)",
	})
}
