package server

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/anaxdb/anax/protocol"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/server/pubsubcmd"
	"github.com/anaxdb/anax/shard"
)

// Reply modes (CLIENT REPLY).
const (
	replyOn = iota
	replyOff
	replySkip
)

// Client is the per-connection command state. Fields without a comment are
// owned by the connection's loop; the guarded ones may be read by CLIENT
// LIST and INFO on other loops.
type Client struct {
	conn      *protocol.Conn
	ID        int64
	proto     atomic.Int32 // atomics: CLIENT LIST reads them from other loops
	authed    bool
	replyMode int
	skipNext  bool
	// connErrors counts the error replies of the connection's own
	// commands (replyError), so that dispatch can tell a failed MULTI,
	// EXEC... for commandstats.
	connErrors uint32
	noEvict    atomic.Bool
	noTouch    atomic.Bool

	db              atomic.Int32
	lastCmd         atomic.Pointer[command.Spec]
	lastInteraction atomic.Int64 // Unix ms
	created         time.Time
	killed          atomic.Bool

	// Transactions (multi.go); touched on the client's loop only, or by
	// the coordinator of an EXEC while the connection is held.
	multi *multiState
	// spareMulti are states of finished MULTIs whose space the next ones
	// reuse (multiState.queue): a client running transactions in a loop
	// allocates nothing per transaction. Two: a pipeline of transactions
	// has one open as a squash while the next MULTI queues in the other.
	spareMulti [2]*multiState
	// squash is the open squash of pipelined commands (squash.go), nil
	// outside a read batch; it shares spareMulti with MULTI.
	squash      *multiState
	squashReply laterReply // its reply slot, reserved when it opened
	// multiCount and multiMem are CLIENT LIST's multi= (-1 outside MULTI)
	// and multi-mem=, for any loop.
	multiCount atomic.Int32
	multiMem   atomic.Int64
	watcher    *shard.Watcher
	watched    []watchedKey
	// watchCount is len(watched), for CLIENT LIST on any loop.
	watchCount atomic.Int32
	// gauges are the server's counts of clients in a state (nil in tests
	// that build a Client alone).
	gauges *clientGauges

	// blocked is the client's blocking command while it waits (blocking.go).
	blocked atomic.Pointer[blockedCall]
	// postponed is set while a CLIENT PAUSE holds the client's command
	// (pause.go).
	postponed atomic.Bool

	// ps is the client's Pub/Sub subscriptions (env_pubsub.go).
	ps pubsubcmd.State
	// inCommand is set while the loop runs one of the client's commands;
	// heldPushes are the messages pushed to the client meanwhile, written
	// after that command's reply (Client.Push). Loop goroutine only.
	inCommand  bool
	heldPushes []byte

	// Client tracking (tracking.go): trk is the settings, nil when off,
	// published for shards; trkLoop the same for the loop; caching the
	// CLIENT CACHING given for the next command; keepCaching that the last
	// command was CLIENT, which keeps it.
	trk         atomic.Pointer[trackConf]
	trkLoop     *trackConf
	caching     int8
	keepCaching bool
	brokenRedir atomic.Bool
	// monitor is set while the client is in MONITOR mode (monitor.go).
	monitor atomic.Bool
	// gone is set when the connection closed (a tracking redirect to it
	// is broken).
	gone atomic.Bool

	mu struct {
		sync.Mutex
		name    string
		libName string
		libVer  string
	}
}

// clientGauges count the clients in a state, for INFO clients (Redis 7.4's
// pubsub_clients and watching_clients).
type clientGauges struct {
	pubsub   atomic.Int64 // with a subscription of any kind
	watching atomic.Int64 // with a watched key
}

// Name returns c's name, "" for none (guarded by c.mu: any loop).
func (c *Client) Name() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mu.name
}

// clientRegistry lists every connected client for CLIENT LIST/KILL.
type clientRegistry struct {
	mu      sync.Mutex
	clients map[int64]*Client
}

func (r *clientRegistry) add(c *Client) {
	r.mu.Lock()
	r.clients[c.ID] = c
	r.mu.Unlock()
}

func (r *clientRegistry) remove(c *Client) {
	r.mu.Lock()
	delete(r.clients, c.ID)
	r.mu.Unlock()
}

// snapshot returns the clients ordered by ID.
func (r *clientRegistry) snapshot() []*Client {
	r.mu.Lock()
	out := make([]*Client, 0, len(r.clients))
	for _, c := range r.clients {
		out = append(out, c)
	}
	r.mu.Unlock()
	sortClients(out)
	return out
}

func sortClients(cs []*Client) {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && cs[j].ID < cs[j-1].ID; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}
