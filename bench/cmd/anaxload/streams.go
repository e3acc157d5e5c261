package main

import "strconv"

// Streams: the loads and the fill that prepares them (RESP only).
//
// xadd appends an entry of two fields, "f0" and "f1", each with the -d
// value, to a key of the keyspace (XADD key * f0 v f1 v). xrange reads the
// first -xcount entries of a key (XRANGE key - + COUNT n; an empty array,
// a missing key, is a miss).
//
// xreadgroup is one operation of a consumer that acknowledges what it
// reads: XREADGROUP GROUP g c COUNT n STREAMS key > and XACK key g with
// the n ids it returns, sent together. Connection i reads stream
// <prefix>i alone (so -keys must be at least -c), which -cmd fill-stream
// -group g gave -elems entries with ids 1-0, 2-0, ... and a group "g": the
// ids each read returns are known before it is sent, so the XACK goes in
// the same pipeline. A connection's first operation, and every one after
// the stream's end, starts with XGROUP SETID key g 0, which sends the
// group back to the start (its three replies are one operation). With
// -elems a multiple of -xcount every read returns -xcount entries; an XACK
// that does not acknowledge them all is an error.
//
// -cmd fill-stream gives every key of the keyspace -elems entries (two
// fields, "f0" and "f1", with values 'v' and 9 digits, ids 1-0 up), one
// XADD per entry, after a DEL with -del; with -group NAME, then
// XGROUP CREATE key NAME 0.

// streamCmds are the stream loads.
var streamCmds = map[string]bool{"xadd": true, "xrange": true, "xreadgroup": true}

// groupName is the consumer group of the xreadgroup load.
const groupName = "g"

// streamRequest appends one request of a stream load on key.
func (g *gen) streamRequest(dst, key []byte) []byte {
	o := g.o
	switch o.cmd {
	case "xadd":
		dst = appendBulk(appendBulkString(appendArray(dst, 7), "XADD"), key)
		dst = append(dst, "$1\r\n*\r\n$2\r\nf0\r\n"...)
		dst = append(appendBulk(dst, g.val), "$2\r\nf1\r\n"...)
		return appendBulk(dst, g.val)
	case "xrange":
		dst = appendBulk(appendBulkString(appendArray(dst, 6), "XRANGE"), key)
		dst = append(dst, "$1\r\n-\r\n$1\r\n+\r\n$5\r\nCOUNT\r\n"...)
		return appendBulk(dst, g.stop)
	case "xreadgroup":
		return g.readAck(dst, key)
	}
	panic("BUG: streamRequest for -cmd " + o.cmd)
}

// readAck appends one xreadgroup operation on the connection's stream.
// g.next is the id (ms part) the group reads next; 0 before the first.
func (g *gen) readAck(dst, _ []byte) []byte {
	o := g.o
	n := uint64(o.xcount)
	key := o.appendKey(g.keys[0][:0], uint64(g.index))
	g.keys[0] = key
	if g.next == 0 || g.next+n-1 > uint64(o.elems) {
		dst = appendBulk(appendBulkString(appendBulkString(appendArray(dst, 5), "XGROUP"), "SETID"), key)
		dst = appendBulkString(appendBulkString(dst, groupName), "0")
		g.next = 1
	}
	dst = appendBulkString(appendBulkString(appendBulkString(appendArray(dst, 9), "XREADGROUP"), "GROUP"), groupName)
	dst = appendBulkString(appendBulkString(dst, "c"), "COUNT")
	dst = appendBulk(appendBulkString(appendBulk(dst, g.stop), "STREAMS"), key)
	dst = appendBulkString(dst, ">")
	dst = appendBulkString(appendBulk(appendBulkString(appendArray(dst, 3+int(n)), "XACK"), key), groupName)
	var b [24]byte
	for i := range n {
		id := append(strconv.AppendUint(b[:0], g.next+i, 10), '-', '0')
		dst = appendBulk(dst, id)
	}
	g.next += n
	return dst
}

// readAckReply consumes one xreadgroup operation's replies: XGROUP
// SETID's +OK when it was sent, XREADGROUP's entries (a nil, nothing
// read, is a miss), XACK's count, which must be -xcount.
func (o *options) readAckReply(rd *reader) error {
	l, err := rd.line()
	if err != nil {
		return err
	}
	if string(l) == "+OK" {
		if l, err = rd.line(); err != nil {
			return err
		}
	}
	if len(l) == 3 && string(l) == "*-1" {
		rd.nils++
	} else {
		// One value per read, whatever its entries.
		v, array := rd.values, len(l) > 0 && l[0] == '*'
		if err := rd.respRest(l); err != nil {
			return err
		}
		rd.values = v
		if array {
			rd.values++
		}
	}
	if l, err = rd.line(); err != nil {
		return err
	}
	if len(l) > 0 && l[0] == ':' {
		if n, _ := strconv.Atoi(string(l[1:])); n != o.xcount {
			rd.badReply("XACK", ":"+strconv.Itoa(o.xcount), l)
		}
		return nil
	}
	return rd.respRest(l)
}

// streamFillCommand appends the fill's command for step off of key: XADD
// of entry off+1, or, at off == elems, XGROUP CREATE key NAME 0.
func (o *options) streamFillCommand(dst, key []byte, off int) []byte {
	if off == o.elems {
		dst = appendBulk(appendBulkString(appendBulkString(appendArray(dst, 5), "XGROUP"), "CREATE"), key)
		return appendBulkString(appendBulkString(dst, o.group), "0")
	}
	var b [24]byte
	dst = appendBulk(appendBulkString(appendArray(dst, 7), "XADD"), key)
	dst = appendBulk(dst, append(strconv.AppendUint(b[:0], uint64(off)+1, 10), '-', '0'))
	dst = appendElementBulk(append(dst, "$2\r\nf0\r\n"...), uint64(2*off))
	return appendElementBulk(append(dst, "$2\r\nf1\r\n"...), uint64(2*off+1))
}

// fillSteps is the number of commands a fill sends per key (DEL aside).
func (o *options) fillSteps() int {
	if o.cmd == "fill-stream" && o.group != "" {
		return o.elems + 1
	}
	return o.elems
}
