package server

import (
	"strconv"

	"github.com/anaxdb/anax/protocol/resp"
	"github.com/anaxdb/anax/shard"
)

// Exec is the context of one command. Where it runs depends on the command:
//
//   - FlagLoop commands run on the connection's loop; Client is usable.
//   - Key commands whose keys share a shard run on that shard's owner
//     goroutine (inline when it is the connection's own loop). Only the
//     copied fields (Args, DBIndex, Proto, NoTouch) may be used; Client is
//     nil when the command hopped.
//   - Multi-shard and FlagAllShards commands run as transactions (see
//     txexec.go): in per-shard pieces, each on its shard's goroutine with
//     home set to that shard and part to its index, or whole on a scratch
//     shard that holds copies of the keys' entries.
type Exec struct {
	s       *Server
	Client  *Client
	Cmd     *Command
	Args    [][]byte
	Out     []byte
	DBIndex int
	Proto   int
	Now     int64 // Unix ms at the start of the command
	NoTouch bool

	home   *shard.Shard // the shard the command runs on
	home1  [1]*shard.Shard
	failed bool  // an error reply was written
	keyIdx []int // scratch for key positions
	// part is the shard this piece of a split command runs on, or -1 when
	// the command runs whole: a piece acts only on keys of its shard.
	part int
	// scan, when set by the dispatcher, lets SCAN continue on the next
	// shard (see cmdScan).
	scan *scanState
	// argc is the command's number of arguments when Args holds only the
	// first ones (the coordinator of a command cut into pieces keeps what
	// the slow log shows); 0 when Args is whole.
	argc int
}

// argCount returns the command's number of arguments.
func (x *Exec) argCount() int {
	if x.argc > 0 {
		return x.argc
	}
	return len(x.Args)
}

// ownsKey reports whether key belongs to the piece of the command running
// here (always, unless the command was split over shards).
func (x *Exec) ownsKey(key []byte) bool {
	return x.part < 0 || x.s.router.Route(key) == x.part
}

// DB returns the database that holds key: every command (or piece of one)
// runs on one shard, which holds all the keys it is given.
func (x *Exec) DB(key []byte) *shard.DB { return x.home.DB(x.DBIndex) }

// Shards returns the shards this command may touch: its own.
func (x *Exec) Shards() []*shard.Shard { return x.home1[:] }

// lookupFlags returns the flags for read lookups.
func (x *Exec) lookupFlags() int {
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

// Err writes an error reply; msg carries its prefix ("ERR ...").
func (x *Exec) Err(msg string) {
	x.failed = true
	x.s.countError(x, msg)
	x.Out = resp.AppendError(x.Out, msg)
}

// Common errors, worded as Redis 7 words them.
const (
	errSyntax    = "ERR syntax error"
	errWrongType = "WRONGTYPE Operation against a key holding the wrong kind of value"
	errNotInt    = "ERR value is not an integer or out of range"
	errNotFloat  = "ERR value is not a valid float"
	errOverflow  = "ERR increment or decrement would overflow"
	errNoKey     = "ERR no such key"
	errDBIndex   = "ERR DB index is out of range"
)

// errInvalidExpire writes Redis's error for an expire time out of range
// (SET EX/PX/EXAT/PXAT, EXPIRE and its kin, GETEX).
func (x *Exec) errInvalidExpire() {
	x.Err("ERR invalid expire time in '" + x.Cmd.Name + "' command")
}

// ErrArgs writes Redis's wrong-number-of-arguments error for the command.
func (x *Exec) ErrArgs() {
	x.Err("ERR wrong number of arguments for '" + x.Cmd.Name + "' command")
}
