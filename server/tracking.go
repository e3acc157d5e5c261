package server

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/anaxdb/anax/protocol"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/server/scriptcmd"
	"github.com/anaxdb/anax/shard"
)

// Client-side caching (CLIENT TRACKING), as Redis 7 does it.
//
// Each shard remembers which clients read which of its keys (shard/
// tracking.go); a read-only command of a tracking client remembers its keys
// on the key's shard right after it ran there, and the write hook of a
// remembered key calls Invalidate on the writer's shard goroutine, which
// forgets the key. Invalidate never waits: a client on the shard's own loop
// gets its message at once, a client on another loop by a post to that
// loop's inbox, as PUBLISH does. Broadcast tracking (BCAST) keeps the
// prefixes here, in a copy-on-write list; every write on a shard checks
// them while any broadcast client exists.

// trackConf is a tracking client's settings, immutable once published
// (Client.trk): shards read it from any goroutine.
type trackConf struct {
	bcast, optin, optout, noloop bool
	redirect                     int64
	redirectTo                   *Client  // the client redirect names, as found when enabled
	prefixes                     []string // sorted (BCAST)
}

// bcastPrefix is one prefix and the broadcast clients that asked for it.
type bcastPrefix struct {
	prefix []byte
	ids    []int64
}

// trackPush is a message waiting for the reply of the command that caused
// it (the writer's own invalidation, as Redis sends it after the reply).
type trackPush struct {
	to  *Client
	msg []byte
}

// tracking is the server's side of client tracking.
type tracking struct {
	clients atomic.Int64 // clients with tracking on (INFO tracking_clients)
	keys    atomic.Int64 // keys tracked, all shards
	items   atomic.Int64 // (key, client) pairs tracked
	bcasts  atomic.Int64 // broadcast clients
	bcastOn atomic.Bool  // bcasts > 0, read by every shard's writes

	mu       sync.Mutex
	byID     atomic.Pointer[map[int64]*Client] // tracking clients, copy-on-write under mu
	prefixes atomic.Pointer[[]bcastPrefix]     // copy-on-write under mu
	maxKeys  atomic.Int64                      // tracking-table-max-keys

	// Per loop, loop goroutine only: the client whose command runs inline
	// now, and the messages to it that wait for its reply.
	inline  []int64
	pending [][]trackPush
}

func (s *Server) initTracking(loops int) {
	t := &s.trk
	t.inline = make([]int64, loops)
	t.pending = make([][]trackPush, loops)
	m := map[int64]*Client{}
	t.byID.Store(&m)
	t.prefixes.Store(&[]bcastPrefix{})
	t.maxKeys.Store(s.cfg.Int("tracking-table-max-keys"))
	s.cfg.OnChange("tracking-table-max-keys", func(string) { t.maxKeys.Store(s.cfg.Int("tracking-table-max-keys")) })
	for i := 0; i < s.router.N(); i++ {
		s.router.Shard(i).SetTracker(s, &t.bcastOn)
	}
}

// Caching states of a client (CLIENT CACHING), loop only.
const (
	cachingNone  = 0
	cachingGiven = 1 // CLIENT CACHING YES in OPTIN, NO in OPTOUT
)

// trackCaching is the CLIENT CACHING state trackStart changes, saved so
// that a command held by CLIENT PAUSE, which will run again, can give it
// back (restoreCaching).
type trackCaching struct {
	caching     int8
	keepCaching bool
}

func (cl *Client) trackCaching() trackCaching {
	return trackCaching{caching: cl.caching, keepCaching: cl.keepCaching}
}

func (cl *Client) restoreCaching(t trackCaching) {
	cl.caching, cl.keepCaching = t.caching, t.keepCaching
}

// trackStart applies, as a command starts, Redis's rule that CLIENT
// CACHING lasts one command: the flag is dropped after a command unless
// the client is in MULTI or the command was CLIENT. Loop only.
func (cl *Client) trackStart(cmd *command.Spec) {
	if !cl.keepCaching && cl.multi == nil {
		cl.caching = cachingNone
	}
	cl.keepCaching = cmd != nil && cmd.Name == "client"
}

// trackFor returns the id whose tracking remembers the keys cmd reads, 0
// for none (Exec.Track). On the client's loop, or while the client is held
// (EXEC).
func (cl *Client) trackFor(cmd *command.Spec) int64 {
	conf := cl.trkLoop
	if conf == nil || conf.bcast {
		return 0
	}
	// A script's keys are remembered when it runs a read-only command
	// (env_scriptcmd.go), as Redis 7.0 does.
	if cmd.Flags&command.FlagReadOnly == 0 && !scriptcmd.IsScript(cmd) {
		return 0
	}
	if conf.optin && cl.caching != cachingGiven || conf.optout && cl.caching == cachingGiven {
		return 0
	}
	return cl.ID
}

// trackRead remembers the keys x read for client x.Track, on x.Home (the
// shard's goroutine, right after the command ran there). Only keys of that
// shard count: a piece of a split command sees its own.
func (s *Server) trackRead(x *command.Exec, id int64) {
	if scriptcmd.IsScript(x.Cmd) {
		return // when it runs a read-only command (trackScript)
	}
	s.trackKeysOf(x, id)
}

// trackScript remembers the declared keys of script x for its caller when
// the script runs a read-only command, as Redis 7.0 does (it tracks the
// caller's command's keys, not those of the script's own commands). x.Home
// is the shard the script runs on, which holds its keys.
func (s *Server) trackScript(x *command.Exec) {
	if x.Track != 0 {
		s.trackKeysOf(x, x.Track)
	}
}

func (s *Server) trackKeysOf(x *command.Exec, id int64) {
	var small [8]int
	idx := x.Cmd.KeyIndexes(x.Args, small[:0])
	sh := x.Home
	for _, i := range idx {
		if i < len(x.Args) {
			s.trackKey(sh, x.Args[i], id)
		}
	}
	s.trackLimit(sh)
}

func (s *Server) trackKey(sh *shard.Shard, key []byte, id int64) {
	if s.router.N() > 1 && s.router.Route(key) != sh.ID {
		return
	}
	newKey, newItem := sh.Track(key, id)
	if newKey {
		s.trk.keys.Add(1)
	}
	if newItem {
		s.trk.items.Add(1)
	}
}

// trackLimit applies tracking-table-max-keys, shared equally by the
// shards: beyond it, keys are forgotten, their readers told as of a write.
func (s *Server) trackLimit(sh *shard.Shard) {
	max := s.trk.maxKeys.Load()
	if max <= 0 {
		return
	}
	per := max / int64(s.router.N())
	if per < 1 {
		per = 1
	}
	if n, _ := sh.TrackingCounts(); int64(n) > per {
		sh.EvictTracked(int(per))
	}
}

// trackBegin readies shard sh, while some client tracks, for a command of
// cl that may write (NOLOOP and the writer's own invalidations need to
// know the writer); it reports whether trackAfter must follow the run.
func (s *Server) trackBegin(sh *shard.Shard, cl *Client) bool {
	if s.trk.clients.Load() == 0 {
		return false
	}
	if cl != nil {
		sh.SetTrackWriter(cl.ID)
	}
	return true
}

// trackAfter remembers the keys x read for client id (0: none) and
// forgets the writer.
func (s *Server) trackAfter(x *command.Exec, id int64) {
	if id != 0 {
		s.trackRead(x, id)
	}
	x.Home.SetTrackWriter(0)
}

// trackPacked is trackAfter for a packed piece (split.go), whose keys are
// its arguments from the first on, one per step.
func (s *Server) trackPacked(p *command.Exec, pk *packedArgs, id int64) {
	if id != 0 {
		step := max(p.Cmd.Step, 1)
		for i := 1; i < len(pk.ends); i += step {
			s.trackKey(p.Home, pk.arg(i), id)
		}
		s.trackLimit(p.Home)
	}
	p.Home.SetTrackWriter(0)
}

// commandTracked is Command while some client tracks: the loop's shard
// knows whose command runs inline (NOLOOP), and the messages to that
// client caused by it wait for its reply, as Redis sends them after the
// reply.
func (s *Server) commandTracked(c *protocol.Conn, args [][]byte) protocol.Result {
	home := c.Loop()
	cl := c.Client.(*Client)
	sh := s.router.Shard(home)
	t := &s.trk
	sh.SetTrackWriter(cl.ID)
	t.inline[home] = cl.ID
	cl.inCommand = true
	r := s.command(c, args)
	cl.inCommand = false
	sh.SetTrackWriter(0)
	t.inline[home] = 0
	if p := t.pending[home]; len(p) > 0 {
		for i, m := range p {
			m.to.pushRaw(m.msg)
			p[i] = trackPush{}
		}
		t.pending[home] = p[:0]
	}
	if len(cl.heldPushes) != 0 {
		cl.releasePushes()
	}
	if sh.HasReady() {
		s.serveReady(home)
	}
	return r
}

// runLocalTracked is runLocal while some client tracks: the keys read are
// remembered.
func (s *Server) runLocalTracked(c *protocol.Conn, cl *Client, x *command.Exec, home int) protocol.Result {
	s.runInline(x, home)
	if x.Track != 0 {
		s.trackRead(x, x.Track)
	}
	s.replyNow(c, cl, x)
	return protocol.Done
}

// Invalidate implements shard.Tracker.
func (s *Server) Invalidate(sh *shard.Shard, key []byte, ids []int64) {
	s.trk.keys.Add(-1)
	s.trk.items.Add(-int64(len(ids)))
	byID := *s.trk.byID.Load()
	writer := sh.TrackWriter()
	for _, id := range ids {
		cl := byID[id]
		if cl == nil {
			continue
		}
		conf := cl.trk.Load()
		if conf == nil || conf.bcast || conf.noloop && id == writer {
			continue
		}
		s.sendTracking(sh, cl, conf, key, false)
	}
}

// Broadcast implements shard.Tracker.
func (s *Server) Broadcast(sh *shard.Shard, key []byte) {
	byID := *s.trk.byID.Load()
	writer := sh.TrackWriter()
	for _, p := range *s.trk.prefixes.Load() {
		if !bytes.HasPrefix(key, p.prefix) {
			continue
		}
		for _, id := range p.ids {
			cl := byID[id]
			if cl == nil {
				continue
			}
			conf := cl.trk.Load()
			if conf == nil || !conf.bcast || conf.noloop && id == writer {
				continue
			}
			s.sendTracking(sh, cl, conf, key, false)
		}
	}
}

// Flushed implements shard.Tracker: every tracking client hears of a
// flush once (from shard 0, which every flush empties).
func (s *Server) Flushed(sh *shard.Shard, keys, items int) {
	s.trk.keys.Add(-int64(keys))
	s.trk.items.Add(-int64(items))
	if sh.ID != 0 || s.trk.clients.Load() == 0 {
		return
	}
	for _, cl := range *s.trk.byID.Load() {
		if conf := cl.trk.Load(); conf != nil {
			s.sendTracking(sh, cl, conf, nil, true)
		}
	}
}

// sendTracking sends an invalidation of key (null: of everything) for
// tracking client cl, to cl or the client it redirects to. Shard sh's
// goroutine.
func (s *Server) sendTracking(sh *shard.Shard, cl *Client, conf *trackConf, key []byte, null bool) {
	to, redirected := cl, false
	if conf.redirect != 0 {
		r := conf.redirectTo
		if r == nil || r.gone.Load() {
			cl.brokenRedir.Store(true)
			if cl.proto.Load() == 3 {
				b := []byte(">2\r\n$21\r\ntracking-redir-broken\r\n:")
				b = strconv.AppendInt(b, conf.redirect, 10)
				s.deliverTracking(sh, cl, append(b, '\r', '\n'))
			}
			return
		}
		to, redirected = r, true
	}
	var b []byte
	switch {
	case to.proto.Load() == 3:
		b = append(b, ">2\r\n$10\r\ninvalidate\r\n"...)
	case redirected && to.ps.Active():
		b = append(b, "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n"...)
	default:
		return // RESP2 has no way to tell the client itself
	}
	switch {
	case !null:
		b = append(b, "*1\r\n$"...)
		b = strconv.AppendInt(b, int64(len(key)), 10)
		b = append(b, '\r', '\n')
		b = append(b, key...)
		b = append(b, '\r', '\n')
	case cl.proto.Load() == 3:
		b = append(b, "_\r\n"...)
	default:
		b = append(b, "$-1\r\n"...)
	}
	s.deliverTracking(sh, to, b)
}

// deliverTracking writes msg to client to from shard sh's goroutine: at
// once on the same loop (after the reply of the command running inline,
// when it is to's), else posted to to's loop.
func (s *Server) deliverTracking(sh *shard.Shard, to *Client, msg []byte) {
	loop := to.conn.Loop()
	if loop == sh.ID {
		if s.trk.inline[loop] == to.ID {
			s.trk.pending[loop] = append(s.trk.pending[loop], trackPush{to: to, msg: msg})
			return
		}
		to.pushRaw(msg)
		return
	}
	s.router.Shard(loop).Post(func() { to.pushRaw(msg) })
}

// pushRaw writes m as its own finished reply, as it is. Loop goroutine
// only.
func (c *Client) pushRaw(m []byte) {
	if c.killed.Load() {
		return
	}
	slot := c.pushSlot()
	slot.Buf = append(slot.Buf, m...)
	c.conn.Complete(slot)
}

// clientByID returns the connected client id, nil if none.
func (s *Server) clientByID(id int64) *Client {
	s.clients.mu.Lock()
	cl := s.clients.clients[id]
	s.clients.mu.Unlock()
	return cl
}

// enableTracking is CLIENT TRACKING ON's change, checked already.
func (s *Server) enableTracking(cl *Client, conf *trackConf, prefixes []string) {
	t := &s.trk
	t.mu.Lock()
	defer t.mu.Unlock()
	old := cl.trk.Load()
	if old == nil {
		t.clients.Add(1)
		m := *t.byID.Load()
		nm := make(map[int64]*Client, len(m)+1)
		for k, v := range m {
			nm[k] = v
		}
		nm[cl.ID] = cl
		t.byID.Store(&nm)
	}
	cl.brokenRedir.Store(false)
	if conf.bcast {
		if old == nil || !old.bcast {
			if t.bcasts.Add(1) == 1 {
				s.setBroadcast(true)
			}
		}
		all := slices.Clone(prefixes)
		if len(all) == 0 {
			all = []string{""}
		}
		var have []string
		if old != nil {
			have = old.prefixes
		}
		list := slices.Clone(*t.prefixes.Load())
		for _, p := range all {
			if slices.Contains(have, p) {
				continue
			}
			have = append(slices.Clip(have), p)
			found := false
			for i := range list {
				if string(list[i].prefix) == p {
					list[i].ids = append(slices.Clip(list[i].ids), cl.ID)
					found = true
				}
			}
			if !found {
				list = append(list, bcastPrefix{prefix: []byte(p), ids: []int64{cl.ID}})
			}
		}
		t.prefixes.Store(&list)
		slices.Sort(have)
		conf.prefixes = have
	}
	cl.trk.Store(conf)
	cl.trkLoop = conf
}

// disableTracking turns cl's tracking off (CLIENT TRACKING OFF, RESET, a
// closed connection).
func (s *Server) disableTracking(cl *Client) {
	old := cl.trkLoop
	if old == nil {
		return
	}
	t := &s.trk
	t.mu.Lock()
	defer t.mu.Unlock()
	cl.trk.Store(nil)
	cl.trkLoop = nil
	cl.caching = cachingNone
	cl.brokenRedir.Store(false)
	t.clients.Add(-1)
	m := *t.byID.Load()
	nm := make(map[int64]*Client, len(m))
	for k, v := range m {
		if k != cl.ID {
			nm[k] = v
		}
	}
	t.byID.Store(&nm)
	if old.bcast {
		var list []bcastPrefix
		for _, p := range *t.prefixes.Load() {
			ids := slices.DeleteFunc(slices.Clone(p.ids), func(id int64) bool { return id == cl.ID })
			if len(ids) > 0 {
				list = append(list, bcastPrefix{prefix: p.prefix, ids: ids})
			}
		}
		t.prefixes.Store(&list)
		if t.bcasts.Add(-1) == 0 {
			s.setBroadcast(false)
		}
	}
}

// setBroadcast turns the shards' broadcast check on or off (under mu).
func (s *Server) setBroadcast(on bool) { s.trk.bcastOn.Store(on) }

// TrackingCounts implements infocmd.TrackingSource.
func (s *Server) TrackingCounts() (clients, keys, items, prefixes int64) {
	return s.trk.clients.Load(), s.trk.keys.Load(), s.trk.items.Load(), int64(len(*s.trk.prefixes.Load()))
}

// ClientTracking implements clientcmd.Host: CLIENT TRACKING ON|OFF
// [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP].
func (s *Server) ClientTracking(x *command.Exec) {
	cl := clientOf(x)
	if cl == nil {
		x.Err("ERR CLIENT TRACKING is not allowed here")
		return
	}
	conf := &trackConf{}
	var prefixes []string
	args := x.Args
	for j := 3; j < len(args); j++ {
		more := len(args) - 1 - j
		a := args[j]
		switch {
		case command.EqFold(a, "redirect") && more > 0:
			j++
			if conf.redirect != 0 {
				x.Err("ERR A client can only redirect to a single other client")
				return
			}
			id, ok := command.ParseInt(args[j])
			if !ok {
				x.Fail(command.ErrNotInt)
				return
			}
			r := s.clientByID(id)
			if r == nil {
				x.Err("ERR The client ID you want redirect to does not exist")
				return
			}
			conf.redirect, conf.redirectTo = id, r
		case command.EqFold(a, "bcast"):
			conf.bcast = true
		case command.EqFold(a, "optin"):
			conf.optin = true
		case command.EqFold(a, "optout"):
			conf.optout = true
		case command.EqFold(a, "noloop"):
			conf.noloop = true
		case command.EqFold(a, "prefix") && more > 0:
			j++
			prefixes = append(prefixes, string(args[j]))
		default:
			x.Fail(command.ErrSyntax)
			return
		}
	}
	switch {
	case command.EqFold(args[2], "on"):
		old := cl.trkLoop
		switch {
		case !conf.bcast && len(prefixes) > 0:
			x.Err("ERR PREFIX option requires BCAST mode to be enabled")
		case old != nil && old.bcast != conf.bcast:
			x.Err("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.")
		case conf.bcast && (conf.optin || conf.optout):
			x.Err("ERR OPTIN and OPTOUT are not compatible with BCAST")
		case conf.optin && conf.optout:
			x.Err("ERR You can't specify both OPTIN mode and OPTOUT mode")
		case old != nil && (conf.optin && old.optout || conf.optout && old.optin):
			x.Err("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.")
		default:
			if conf.bcast {
				var have []string
				if old != nil {
					have = old.prefixes
				}
				if msg := prefixCollision(have, prefixes); msg != "" {
					x.Err(command.SanitizeError(msg))
					return
				}
			}
			s.enableTracking(cl, conf, prefixes)
			x.OK()
		}
	case command.EqFold(args[2], "off"):
		s.disableTracking(cl)
		x.OK()
	default:
		x.Fail(command.ErrSyntax)
	}
}

// prefixCollision is Redis's check that a client's prefixes do not
// overlap: "" when they do not, else the error.
func prefixCollision(have, add []string) string {
	overlap := func(a, b string) bool {
		n := min(len(a), len(b))
		return a[:n] == b[:n]
	}
	for i, p := range add {
		for _, h := range have {
			if overlap(h, p) {
				return "ERR Prefix '" + p + "' overlaps with an existing prefix '" + h + "'. Prefixes for a single client must not overlap."
			}
		}
		for _, q := range add[i+1:] {
			if overlap(p, q) {
				return "ERR Prefix '" + p + "' overlaps with another provided prefix '" + q + "'. Prefixes for a single client must not overlap."
			}
		}
	}
	return ""
}

// ClientCaching implements clientcmd.Host: CLIENT CACHING YES|NO.
func (s *Server) ClientCaching(x *command.Exec) {
	cl := clientOf(x)
	conf := (*trackConf)(nil)
	if cl != nil {
		conf = cl.trkLoop
	}
	if conf == nil {
		x.Err("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled")
		return
	}
	switch {
	case command.EqFold(x.Args[2], "yes"):
		if !conf.optin {
			x.Err("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
			return
		}
	case command.EqFold(x.Args[2], "no"):
		if !conf.optout {
			x.Err("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
			return
		}
	default:
		x.Fail(command.ErrSyntax)
		return
	}
	cl.caching = cachingGiven
	x.OK()
}

// ClientGetRedir implements clientcmd.Host.
func (s *Server) ClientGetRedir(x *command.Exec) {
	if cl := clientOf(x); cl != nil && cl.trkLoop != nil {
		x.Int(cl.trkLoop.redirect)
		return
	}
	x.Int(-1)
}

// ClientTrackingInfo implements clientcmd.Host.
func (s *Server) ClientTrackingInfo(x *command.Exec) {
	cl := clientOf(x)
	var conf *trackConf
	if cl != nil {
		conf = cl.trkLoop
	}
	flags := []string{"off"}
	if conf != nil {
		flags[0] = "on"
		if conf.bcast {
			flags = append(flags, "bcast")
		}
		if conf.optin {
			flags = append(flags, "optin")
			if cl.caching == cachingGiven {
				flags = append(flags, "caching-yes")
			}
		}
		if conf.optout {
			flags = append(flags, "optout")
			if cl.caching == cachingGiven {
				flags = append(flags, "caching-no")
			}
		}
		if conf.noloop {
			flags = append(flags, "noloop")
		}
		if cl.brokenRedir.Load() {
			flags = append(flags, "broken_redirect")
		}
	}
	x.Map(3)
	x.BulkString("flags")
	x.Set(len(flags))
	for _, f := range flags {
		x.BulkString(f)
	}
	x.BulkString("redirect")
	if conf != nil {
		x.Int(conf.redirect)
	} else {
		x.Int(-1)
	}
	x.BulkString("prefixes")
	if conf == nil {
		x.Array(0)
		return
	}
	x.Array(len(conf.prefixes))
	for _, p := range conf.prefixes {
		x.BulkString(p)
	}
}

// trackingFlags are cl's letters in CLIENT LIST's flags (t, R, B).
func (cl *Client) trackingFlags() string {
	conf := cl.trk.Load()
	if conf == nil {
		return ""
	}
	var b strings.Builder
	b.WriteByte('t')
	if cl.brokenRedir.Load() {
		b.WriteByte('R')
	}
	if conf.bcast {
		b.WriteByte('B')
	}
	return b.String()
}
