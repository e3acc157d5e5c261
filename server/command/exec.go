package command

import (
	"strconv"

	"github.com/anaxdb/anax/protocol/resp"
	"github.com/anaxdb/anax/shard"
)

// Env is what a command needs from the server it runs in. Its methods are
// safe on any shard's goroutine.
type Env interface {
	// ConfigInt and ConfigString return a setting's current value.
	ConfigInt(name string) int64
	ConfigString(name string) string
	// Limits returns the encoding and size settings (see Limits); the
	// struct is never changed, only replaced.
	Limits() *Limits
	// Rand returns a pseudo-random number.
	Rand() uint64
	// ShardCount is the number of shards; Route the shard that owns key.
	ShardCount() int
	Route(key []byte) int
	// CountError records an error reply (INFO errorstats).
	CountError(x *Exec, msg string)
	// RunSubcommand runs the subcommand of a container command (OBJECT,
	// CLIENT) that x.Args[1] names, keeping its own statistics.
	RunSubcommand(x *Exec)
	// Notify reports a keyspace event (see Exec.Notify).
	Notify(x *Exec, class NotifyClass, event string, key []byte)
}

// RunSubcommand is the Run of a container command.
func RunSubcommand(x *Exec) { x.Env.RunSubcommand(x) }

// Exec is the context of one command. Where it runs depends on the command:
//
//   - FlagLoop commands run on the connection's loop; Client is the
//     server's state of the connection.
//   - Key commands whose keys share a shard run on that shard's owner
//     goroutine (inline when it is the connection's own loop). Only the
//     copied fields (Args, DBIndex, Proto, NoTouch) may be used; Client is
//     nil when the command hopped.
//   - Multi-shard and FlagAllShards commands run as transactions: in
//     per-shard pieces (Part is the piece's shard, Result its findings; see
//     Multi), or as a Cross command's reads and writes.
type Exec struct {
	Env     Env
	Client  any // the server's client state, for FlagLoop commands; else nil
	Cmd     *Spec
	Args    [][]byte
	Out     []byte
	DBIndex int
	Proto   int
	Now     int64 // Unix ms at the start of the command
	NoTouch bool
	// Track is the id of the client whose tracking (CLIENT TRACKING)
	// remembers the keys this command reads, 0 for none; the server sets
	// it when the command is dispatched.
	Track int64

	// Home is the shard the command (or this piece of it) runs on.
	Home *shard.Shard
	// Part is the shard this piece of a split command runs on, or -1 when
	// the command runs whole: a piece acts only on keys of its shard and
	// answers in Result instead of Out.
	Part int
	// Result is the findings of a piece or of a Cross half (nil when the
	// command runs whole: an Exec is copied per hop, so it stays small).
	Result *Result
	// Failed is set when an error reply was written.
	Failed bool
	// Continue, set by the coordinator when a MultiRouted command may go on
	// to another shard, is where the command says which (nil: it may not).
	Continue *Continuation
	// Block is set by the server when a blocking command may wait (see
	// Block); nil otherwise.
	Block *Block
	// Argc is the command's number of arguments when Args holds only the
	// first ones (the coordinator of a command cut into pieces keeps what
	// the slow log shows); 0 when Args is whole.
	Argc int

	home1 [1]*shard.Shard
}

// Continuation is how a MultiRouted command (SCAN) goes on over shards.
type Continuation struct {
	Next  int // the shard to continue on; -1 when the reply is written
	State any // what the command keeps from one shard to the next
}

// Result is what one piece of a command found on its shard, as Go values.
type Result struct {
	Err   string // the error reply of a piece that failed
	N     int64  // a count (DEL, DBSIZE), or the weight of Vals (RANDOMKEY)
	Vals  Values // values (MGET), names (KEYS, RANDOMKEY)
	Entry []byte // an exported entry (shard.DB.Export) or one value
	Found bool
	Value any // anything else a family's own Merge or Cross needs
}

// Reset readies x to run cmd: the arguments, the client's settings, the
// time. It runs before every command run inline, so it sets only what any
// command reads; the shard (SetHome) is the caller's. Result and Continue are
// left alone: only pieces, Cross halves and routed commands have them, and
// each of those runs on an Exec of its own, never reused.
func (x *Exec) Reset(cmd *Spec, args [][]byte, db, proto int, noTouch bool, now int64) {
	x.Cmd = cmd
	x.Args = args
	x.Out = x.Out[:0]
	x.DBIndex = db
	x.Proto = proto
	x.NoTouch = noTouch
	x.Now = now
	x.Failed = false
	x.Part = -1
	x.Argc = 0
}

// NewPiece returns the context of the part of x that runs on shard sh
// with args: a piece of a split command or a Cross half, with a Result of
// its own (allocated with it).
func NewPiece(x *Exec, args [][]byte, sh int) *Exec {
	pc := &struct {
		x Exec
		r Result
	}{}
	InitPiece(&pc.x, &pc.r, x, args, sh)
	return &pc.x
}

// InitPiece readies p, with r as its Result, as NewPiece's piece of x on
// shard sh: a piece kept for reuse starts as a new one would, its reply
// and its Result's values keeping only their buffers.
func InitPiece(p *Exec, r *Result, x *Exec, args [][]byte, sh int) {
	p.Env = x.Env
	p.Client, p.Track, p.Home, p.Continue, p.Block = nil, 0, nil, nil, nil
	p.Reset(x.Cmd, args, x.DBIndex, x.Proto, x.NoTouch, x.Now)
	p.Part = sh
	r.Reset()
	p.Result = r
}

// Reset empties r, keeping the buffers of its values.
func (r *Result) Reset() {
	vals := r.Vals
	vals.Reset()
	*r = Result{Vals: vals}
}

// SetHome makes sh the shard x runs on.
func (x *Exec) SetHome(sh *shard.Shard) {
	x.Home = sh
	x.home1[0] = sh
}

// ArgCount returns the command's number of arguments.
func (x *Exec) ArgCount() int {
	if x.Argc > 0 {
		return x.Argc
	}
	return len(x.Args)
}

// OwnsKey reports whether key belongs to the piece of the command running
// here (always, unless the command was split over shards).
func (x *Exec) OwnsKey(key []byte) bool {
	return x.Part < 0 || x.Env.Route(key) == x.Part
}

// IsPiece reports whether x is one shard's piece of a split command.
func (x *Exec) IsPiece() bool { return x.Part >= 0 }

// DB returns the database that holds key: every command (or piece of one)
// runs on one shard, which holds all the keys it is given.
func (x *Exec) DB(key []byte) *shard.DB { return x.Home.DB(x.DBIndex) }

// DBAt returns database index of the shard that holds key.
func (x *Exec) DBAt(key []byte, index int) *shard.DB { return x.Home.DB(index) }

// Shards returns the shards this command may touch: its own.
func (x *Exec) Shards() []*shard.Shard { return x.home1[:] }

// LookupFlags returns the flags for read lookups.
func (x *Exec) LookupFlags() int {
	if x.NoTouch {
		return shard.NoTouch
	}
	return 0
}

// Reply helpers: each appends one RESP value.

func (x *Exec) OK()                 { x.Out = append(x.Out, "+OK\r\n"...) }
func (x *Exec) Simple(s string)     { x.Out = resp.AppendSimple(x.Out, s) }
func (x *Exec) Int(n int64)         { x.Out = resp.AppendInt(x.Out, n) }
func (x *Exec) Bulk(b []byte)       { x.Out = resp.AppendBulk(x.Out, b) }
func (x *Exec) BulkString(s string) { x.Out = resp.AppendBulkString(x.Out, s) }
func (x *Exec) Null()               { x.Out = resp.AppendNull(x.Out, x.Proto) }
func (x *Exec) NullArray()          { x.Out = resp.AppendNullArray(x.Out, x.Proto) }
func (x *Exec) Array(n int)         { x.Out = resp.AppendArrayLen(x.Out, n) }
func (x *Exec) Map(n int)           { x.Out = resp.AppendMapLen(x.Out, n, x.Proto) }
func (x *Exec) Set(n int)           { x.Out = resp.AppendSetLen(x.Out, n, x.Proto) }
func (x *Exec) Double(f float64)    { x.Out = resp.AppendDouble(x.Out, f, x.Proto) }
func (x *Exec) Bool(b bool)         { x.Out = resp.AppendBool(x.Out, b, x.Proto) }
func (x *Exec) Verbatim(s string)   { x.Out = resp.AppendVerbatim(x.Out, "txt", []byte(s), x.Proto) }

// BulkInt writes n as a bulk string.
func (x *Exec) BulkInt(n int64) {
	var tmp [24]byte
	x.Out = resp.AppendBulk(x.Out, strconv.AppendInt(tmp[:0], n, 10))
}

// Piece-aware replies: a command that can be split answers through these;
// run whole they write the reply, in a piece they record the result.

// Count answers an integer that the pieces of a split command add up.
func (x *Exec) Count(n int64) {
	if x.Part >= 0 {
		x.Result.N += n
		return
	}
	x.Int(n)
}

// Done answers OK, which the pieces of a split command share.
func (x *Exec) Done() {
	if x.Part < 0 {
		x.OK()
	}
}

// Value answers one value of a list of them (MGET's, KEYS'), nil for a
// missing one; run whole, the caller writes the array's header.
func (x *Exec) Value(v []byte, found bool) {
	if x.Part >= 0 {
		x.Result.Vals.Append(v, found)
		return
	}
	if found {
		x.Bulk(v)
	} else {
		x.Null()
	}
}

// Err writes an error reply; msg carries its prefix ("ERR ..."). In a
// piece of a split command the error is its result, and the coordinator
// answers and counts it once.
func (x *Exec) Err(msg string) {
	x.Failed = true
	if x.Part >= 0 {
		if x.Result.Err == "" {
			x.Result.Err = msg
		}
		return
	}
	x.Env.CountError(x, msg)
	x.Out = resp.AppendError(x.Out, msg)
}

// Fail writes the error reply of status st.
func (x *Exec) Fail(st Status) { x.Err(st.Error()) }

// ErrInvalidExpire writes Redis's error for an expire time out of range
// (SET EX/PX/EXAT/PXAT, EXPIRE and its kin, GETEX).
func (x *Exec) ErrInvalidExpire() {
	x.Err("ERR invalid expire time in '" + x.Cmd.Name + "' command")
}

// ErrArgs writes Redis's wrong-number-of-arguments error for the command.
func (x *Exec) ErrArgs() {
	x.Err("ERR wrong number of arguments for '" + x.Cmd.Name + "' command")
}
