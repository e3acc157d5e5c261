package main

import (
	"fmt"
	"strconv"
	"sync"
	"time"
)

// Lists and hashes: the loads and the fills that prepare them (RESP only).
//
// Loads: lpush and rpush push the -d value onto a key of the keyspace;
// lpop and rpop pop one element (a nil reply, an empty list, is a miss);
// hset sets one of -fields fields of a key to the -d value, hget reads one,
// hgetall reads the whole hash; lrange reads LRANGE key 0 <-lrange - 1>.
// An empty array (HGETALL or LRANGE of a missing key) counts as a miss.
//
// Fills (-cmd fill-list, fill-hash) give every key of the keyspace -elems
// elements, -chunk per command (RPUSH key e1 e2 ..., HSET key f1 v1 ...),
// after a DEL of the key with -del. Elements and hash values are 'v' and 9
// digits ("v000000001": 10 bytes, never integer-encoded); hash fields are
// -field-prefix and the field's index padded to -field-pad digits, the names
// hset and hget use. A fill's commands go out in pipelines of
// max(-P, 64) commands, at most 1 MiB per write.

// typeCmds are the loads on lists and hashes.
var typeCmds = map[string]bool{
	"lpush": true, "rpush": true, "lpop": true, "rpop": true,
	"hset": true, "hget": true, "hgetall": true, "lrange": true,
}

// appendArray appends a RESP array header of n elements.
func appendArray(dst []byte, n int) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(n), 10)
	return append(dst, '\r', '\n')
}

// appendBulkString is appendBulk for a string (a command name).
func appendBulkString(dst []byte, s string) []byte {
	dst = append(dst, '$')
	dst = strconv.AppendInt(dst, int64(len(s)), 10)
	dst = append(dst, '\r', '\n')
	dst = append(dst, s...)
	return append(dst, '\r', '\n')
}

// key1 appends "name key".
func (respRequest) key1(dst []byte, name string, key []byte) []byte {
	return appendBulk(appendBulkString(appendArray(dst, 2), name), key)
}

// key2 appends "name key a".
func (respRequest) key2(dst []byte, name string, key, a []byte) []byte {
	return appendBulk(appendBulk(appendBulkString(appendArray(dst, 3), name), key), a)
}

// hset appends HSET key field val.
func (respRequest) hset(dst, key, field, val []byte) []byte {
	dst = appendBulk(appendBulkString(appendArray(dst, 4), "HSET"), key)
	return appendBulk(appendBulk(dst, field), val)
}

// lrange appends LRANGE key 0 stop.
func (respRequest) lrange(dst, key, stop []byte) []byte {
	dst = appendBulk(appendBulkString(appendArray(dst, 4), "LRANGE"), key)
	return appendBulk(append(dst, "$1\r\n0\r\n"...), stop)
}

// typeRequest appends one request of a list or hash load.
func (g *gen) typeRequest(dst []byte) []byte {
	o := g.o
	key := o.appendKey(g.keys[0][:0], g.kg.next())
	g.keys[0] = key
	switch o.cmd {
	case "lpush":
		return g.resp.key2(dst, "LPUSH", key, g.val)
	case "rpush":
		return g.resp.key2(dst, "RPUSH", key, g.val)
	case "lpop":
		return g.resp.key1(dst, "LPOP", key)
	case "rpop":
		return g.resp.key1(dst, "RPOP", key)
	case "hset":
		g.field = o.appendField(g.field[:0], uint64(g.rng.IntN(o.fields)))
		return g.resp.hset(dst, key, g.field, g.val)
	case "hget":
		g.field = o.appendField(g.field[:0], uint64(g.rng.IntN(o.fields)))
		return g.resp.key2(dst, "HGET", key, g.field)
	case "hgetall":
		return g.resp.key1(dst, "HGETALL", key)
	case "lrange":
		return g.resp.lrange(dst, key, g.stop)
	}
	if setCmds[o.cmd] {
		return g.setRequest(dst, key)
	}
	if bitCmds[o.cmd] {
		return g.bitRequest(dst, key)
	}
	if streamCmds[o.cmd] {
		return g.streamRequest(dst, key)
	}
	panic("BUG: typeRequest for -cmd " + o.cmd)
}

// appendField formats hash field j.
func (o *options) appendField(dst []byte, j uint64) []byte {
	dst = append(dst, o.fieldPrefix...)
	return appendPadded(dst, j, o.fieldPad)
}

// appendPadded appends i in decimal, zero-padded to pad digits.
func appendPadded(dst []byte, i uint64, pad int) []byte {
	var d [20]byte
	s := strconv.AppendUint(d[:0], i, 10)
	for n := len(s); n < pad; n++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// appendElement appends element value i: 'v' and 9 digits.
func appendElement(dst []byte, i uint64) []byte {
	return appendPadded(append(dst, 'v'), i%1_000_000_000, 9)
}

// collectionReply consumes the reply to HGETALL or LRANGE; an empty array
// is a miss.
func (rd *reader) collectionReply() error {
	l, err := rd.line()
	if err != nil {
		return err
	}
	if len(l) == 2 && l[0] == '*' && l[1] == '0' {
		rd.nils++
		return nil
	}
	return rd.respRest(l)
}

// fillCommand appends the fill's command for elements [off, off+n) of key
// (index i).
func (o *options) fillCommand(dst, key []byte, i uint64, off, n int) []byte {
	if o.cmd == "fill-set" || o.cmd == "fill-zset" {
		return o.setFillCommand(dst, key, off, n)
	}
	base := i*uint64(o.elems) + uint64(off)
	var field []byte
	var fb [32]byte
	if o.cmd == "fill-hash" {
		dst = appendBulk(appendBulkString(appendArray(dst, 2+2*n), "HSET"), key)
		for j := range n {
			field = o.appendField(fb[:0], uint64(off+j))
			dst = appendBulk(dst, field)
			dst = appendElementBulk(dst, base+uint64(j))
		}
		return dst
	}
	dst = appendBulk(appendBulkString(appendArray(dst, 2+n), "RPUSH"), key)
	for j := range n {
		dst = appendElementBulk(dst, base+uint64(j))
	}
	return dst
}

func appendElementBulk(dst []byte, i uint64) []byte {
	return append(appendElement(append(dst, "$10\r\n"...), i), '\r', '\n') // "v" + 9 digits
}

// fill gives every key in [0, keys) -elems list elements or hash fields,
// each connection a contiguous range of keys.
func fill(o *options) error {
	start := time.Now()
	p := max(o.pipeline, 64)
	conns := min(uint64(o.conns), o.keys)
	errs := make([]error, conns)
	var wg sync.WaitGroup
	for ci := range conns {
		lo, hi := o.keys*ci/conns, o.keys*(ci+1)/conns
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[ci] = fillRange(o, lo, hi, p, start)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("%s: %w", o.cmd, err)
		}
	}
	el := time.Since(start)
	total := o.keys * uint64(o.elems)
	fmt.Printf("%s: %d keys of %d elements in %.2fs (%.0f elements/s)\n", o.cmd, o.keys, o.elems, el.Seconds(),
		float64(total)/el.Seconds())
	return nil
}

// fillRange sends the fill of keys [lo, hi) on one connection.
func fillRange(o *options, lo, hi uint64, p int, start time.Time) error {
	c, err := dial(o)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(o.duration + o.timeout))
	rd := newReader(c, start)
	var buf, key []byte
	i, off, deleted := lo, 0, false
	for i < hi {
		buf = buf[:0]
		n := 0
		for n < p && i < hi && len(buf) < 1<<20 {
			key = o.appendKey(key[:0], i)
			if o.del && !deleted {
				buf = respRequest{}.key1(buf, "DEL", key)
				deleted = true
			} else if o.cmd == "fill-stream" {
				buf = o.streamFillCommand(buf, key, off)
				off++
			} else {
				k := min(o.chunk, o.elems-off)
				buf = o.fillCommand(buf, key, i, off, k)
				off += k
			}
			n++
			if off >= o.fillSteps() {
				i, off, deleted = i+1, 0, false
			}
		}
		if _, err := c.Write(buf); err != nil {
			return err
		}
		for range n {
			if err := rd.respReply(); err != nil {
				return err
			}
		}
	}
	if rd.errs > 0 {
		return fmt.Errorf("%d error replies, first: %s", rd.errs, rd.firstErr)
	}
	return nil
}
