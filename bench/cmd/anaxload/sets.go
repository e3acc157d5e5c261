package main

import "strconv"

// Sets and sorted sets: the loads and the fills that prepare them (RESP
// only).
//
// Loads: each request names one key of the keyspace (-keys 1 for the rows
// on one big collection) and, where the command takes one, a member drawn
// uniformly from the -members member indexes. sadd adds it (on a filled
// set it is nearly always there already, so the set keeps its size, as
// HSET keeps a hash's); sismember tests it (":0" is a miss); spop pops one
// member (a nil reply is a miss); zadd adds it with its score (below), so
// on a filled zset it re-adds a member at the score it has; zincrby adds 1
// to its score (the member moves); zscore and zrank read it (nil is a
// miss); zrange reads ZRANGE key 0 <-zrange - 1>; zpopmin pops the lowest
// (an empty array is a miss, like ZRANGE's).
//
// Members are 'm' and the index in 15 zero-padded digits ("m000000000000042":
// 16 bytes, never integer-encoded), or with -int-members the index in
// decimal ("42"), so small sets of them are intsets in Redis. A member's
// score is an integer derived from its index by a fixed 64-bit mix (below
// 2^30): every load and fill gives a member the same score, and members
// are not stored in index order, like the random scores of the Redis
// baselines in the design notes.
//
// Fills (-cmd fill-set, fill-zset) give every key members 0 .. -elems - 1,
// -chunk per command (SADD key m1 m2 ..., ZADD key s1 m1 s2 m2 ...), after
// a DEL of the key with -del; the same members the loads draw from when
// -members is -elems. Without -del a fill also tops a popped collection up
// to its full size again: it re-adds every member, and only the popped ones
// are new.

// setCmds are the loads on sets and sorted sets.
var setCmds = map[string]bool{
	"sadd": true, "sismember": true, "spop": true,
	"zadd": true, "zincrby": true, "zscore": true, "zrank": true, "zrange": true, "zpopmin": true,
}

// appendMember formats member i: 'm' and 15 digits, or i in decimal with
// -int-members.
func (o *options) appendMember(dst []byte, i uint64) []byte {
	if o.intMembers {
		return strconv.AppendUint(dst, i, 10)
	}
	return appendPadded(append(dst, 'm'), i%1_000_000_000_000_000, 15)
}

// memberScore is member i's score: an integer below 2^30 spread over that
// range (mix64 maps 0 to 0, hence the offset).
func memberScore(i uint64) uint64 { return mix64(i+0x9e3779b97f4a7c15) >> 34 }

// appendScore appends member i's score in decimal.
func appendScore(dst []byte, i uint64) []byte { return strconv.AppendUint(dst, memberScore(i), 10) }

// key3 appends "name key a b".
func (respRequest) key3(dst []byte, name string, key, a, b []byte) []byte {
	dst = appendBulk(appendBulkString(appendArray(dst, 4), name), key)
	return appendBulk(appendBulk(dst, a), b)
}

var zero, one = []byte("0"), []byte("1")

// setRequest appends one request of a set or sorted-set load on key.
func (g *gen) setRequest(dst, key []byte) []byte {
	o := g.o
	var i uint64
	switch o.cmd {
	case "spop":
		return g.resp.key1(dst, "SPOP", key)
	case "zpopmin":
		return g.resp.key1(dst, "ZPOPMIN", key)
	case "zrange":
		return g.resp.key3(dst, "ZRANGE", key, zero, g.stop)
	default:
		i = g.rng.Uint64N(o.members)
		g.field = o.appendMember(g.field[:0], i)
	}
	switch o.cmd {
	case "sadd":
		return g.resp.key2(dst, "SADD", key, g.field)
	case "sismember":
		return g.resp.key2(dst, "SISMEMBER", key, g.field)
	case "zadd":
		g.score = appendScore(g.score[:0], i)
		return g.resp.key3(dst, "ZADD", key, g.score, g.field)
	case "zincrby":
		return g.resp.key3(dst, "ZINCRBY", key, one, g.field)
	case "zscore":
		return g.resp.key2(dst, "ZSCORE", key, g.field)
	case "zrank":
		return g.resp.key2(dst, "ZRANK", key, g.field)
	}
	panic("BUG: setRequest for -cmd " + o.cmd)
}

// setFillCommand appends the set or zset fill's command for members
// [off, off+n) of key.
func (o *options) setFillCommand(dst, key []byte, off, n int) []byte {
	var mb [32]byte
	if o.cmd == "fill-zset" {
		dst = appendBulk(appendBulkString(appendArray(dst, 2+2*n), "ZADD"), key)
		for j := range n {
			i := uint64(off + j)
			dst = appendBulk(dst, appendScore(mb[:0], i))
			dst = appendBulk(dst, o.appendMember(mb[:0], i))
		}
		return dst
	}
	dst = appendBulk(appendBulkString(appendArray(dst, 2+n), "SADD"), key)
	for j := range n {
		dst = appendBulk(dst, o.appendMember(mb[:0], uint64(off+j)))
	}
	return dst
}

// intReply consumes SISMEMBER's reply: ":0", not a member, is a miss.
func (rd *reader) intReply() error {
	l, err := rd.line()
	if err != nil {
		return err
	}
	if len(l) == 2 && l[0] == ':' && l[1] == '0' {
		rd.nils++
		return nil
	}
	if len(l) > 0 && l[0] == ':' {
		rd.values++
		return nil
	}
	return rd.respRest(l)
}
