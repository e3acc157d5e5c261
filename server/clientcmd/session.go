package clientcmd

import (
	"time"

	"github.com/anaxdb/anax/server/command"
)

// Session is one client connection as CLIENT sees it. A session belongs to
// the loop that serves its connection; CLIENT runs on the caller's loop and
// may look at every session, so each method says from where it may be
// called:
//
//   - any loop: the value is immutable, atomic, or guarded by the
//     client's lock;
//   - own loop: only for the caller's own session (Host.Session), whose
//     loop CLIENT runs on.
type Session interface {
	// ClientID is the connection's unique ID (immutable; any loop).
	ClientID() int64
	// RemoteAddr and LocalAddr are the connection's addresses, as
	// CLIENT LIST shows them (immutable; any loop).
	RemoteAddr() string
	LocalAddr() string

	// Name is the name CLIENT SETNAME or HELLO SETNAME gave, "" for none
	// (guarded; any loop).
	Name() string
	// SetName names the connection; "" clears the name (guarded; any
	// loop, though CLIENT names only the caller).
	SetName(name string)
	// SetLibName and SetLibVer record the client library's name and
	// version (CLIENT SETINFO); "" clears them (guarded; any loop).
	SetLibName(name string)
	SetLibVer(ver string)

	// Figures reads what the session's CLIENT LIST line shows, but the
	// buffer sizes (any loop). Loop-owned fields in it (Proto, NoEvict,
	// NoTouch) are read after the atomics the session's loop stores at
	// each command (LastInteraction, LastCommand), so they are as of that
	// command at least; a command running on that loop at the same moment
	// may change them while they are read.
	Figures() Figures
	// Buffered returns the bytes read but not consumed, and the bytes
	// waiting to be written (own loop: only for sessions on the caller's
	// loop, Host.OnCallersLoop).
	Buffered() (input, output int64)
	// PublishedBuffered returns the buffer sizes the session's loop last
	// published (any loop).
	PublishedBuffered() (input, output int64)

	// ReplyMode and SetReplyMode read and set CLIENT REPLY's mode (own
	// loop). Setting ReplyOn also cancels the skip of the next reply that
	// ReplySkip left pending.
	ReplyMode() ReplyMode
	SetReplyMode(mode ReplyMode)
	// SetNoEvict and SetNoTouch set CLIENT NO-EVICT and NO-TOUCH (own
	// loop; atomic, as CLIENT LIST reads them from other loops).
	SetNoEvict(on bool)
	SetNoTouch(on bool)

	// Kill marks the session killed and closes its connection now (any
	// loop, but not the caller's own session, whose reply is still to be
	// written: see KillAfterReply).
	Kill()
	// KillAfterReply marks the session killed and closes its connection
	// once the reply being written is sent, as Redis does for CLIENT KILL
	// of the caller itself (own loop).
	KillAfterReply()
}

// Figures are what a session's CLIENT LIST line shows of it, read at once
// (Session.Figures).
type Figures struct {
	ID              int64
	RemoteAddr      string
	LocalAddr       string
	Fd              int
	Name            string
	Created         time.Time
	LastInteraction int64  // Unix ms of the last command
	LastCommand     string // the last command's name (client|list), "" for none
	DB              int
	Proto           int // RESP version, 2 or 3
	NoEvict         bool
	NoTouch         bool
	Blocked         bool // waiting in a blocking command
	Monitor         bool // in MONITOR mode
	// Tracking is the client-tracking letters of the flags (t, R, B).
	Tracking string
	// Redirect is where a tracking client's invalidations go (0: to
	// itself).
	Redirect int64
	// Sub, PSub and SSub count the client's channels, patterns and shard
	// channels (Pub/Sub).
	Sub, PSub, SSub int
	// Watch is the number of keys the client watches (WATCH).
	Watch int
	// Multi is the number of commands queued in MULTI, -1 outside one;
	// MultiMem their arguments' bytes.
	Multi    int
	MultiMem int64
	LibName  string
	LibVer   string
}

// ReplyMode is CLIENT REPLY's setting.
type ReplyMode int

const (
	// ReplyOn sends every reply.
	ReplyOn ReplyMode = iota
	// ReplyOff sends none.
	ReplyOff
	// ReplySkip drops the reply of the CLIENT REPLY SKIP command itself
	// and of the next command, then returns to ReplyOn.
	ReplySkip
)

// Host is what CLIENT needs of the server beyond command.Env: the
// sessions. The server's command.Env implements it; the commands find it
// by a type assertion on Exec.Env (hostOf). Its methods are safe on any
// loop's goroutine.
type Host interface {
	// Session returns the session of x, a command.FlagLoop command: the
	// caller's own.
	Session(x *command.Exec) Session
	// Sessions returns every connected session, ordered by ClientID: a
	// snapshot, which a session may leave while it is used (its methods
	// stay safe to call).
	Sessions() []Session
	// OnCallersLoop reports whether s is served by the same loop as x's
	// session, so that x may read s.Buffered.
	OnCallersLoop(x *command.Exec, s Session) bool
	// Unblock ends the wait of client id's blocking command, as on its
	// timeout or, with fail, with the UNBLOCKED error, and reports whether
	// the client was waiting.
	Unblock(id int64, fail bool) bool
	// Pause pauses clients until end, Unix milliseconds (CLIENT PAUSE),
	// every command when all, else the writes; Unpause ends the pause.
	Pause(end int64, all bool)
	Unpause()
	// ClientTracking, ClientCaching, ClientGetRedir and ClientTrackingInfo
	// run CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO: the state
	// of client-side caching is the server's.
	ClientTracking(x *command.Exec)
	ClientCaching(x *command.Exec)
	ClientGetRedir(x *command.Exec)
	ClientTrackingInfo(x *command.Exec)
}

// hostOf returns the Host of the server x runs in.
func hostOf(x *command.Exec) Host {
	h, ok := x.Env.(Host)
	if !ok {
		panic("BUG: clientcmd: the command environment is no clientcmd.Host")
	}
	return h
}
