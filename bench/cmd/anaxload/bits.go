package main

import "strconv"

// Bitmaps and HyperLogLogs: the loads (RESP only).
//
// setbit and getbit name a bit drawn uniformly from [0, -bits) of the key
// (SETBIT sets it to 1); bitcount counts the whole key; bitop runs
// BITOP AND <prefix>dst <prefix>0 <prefix>1 (with a hash tag in the prefix
// the three keys share a shard); pfadd adds -pf-elems elements, "e" and a
// number drawn from [0, -members), to the key; pfcount counts the key, or,
// with -pf-keys N above 1, <prefix>0 .. <prefix>N-1 together. The bitmaps
// are made beforehand (-cmd prefill -d 1048576 gives 1 MB strings), the
// HyperLogLogs by a pfadd load.

// bitCmds are the bitmap and HyperLogLog loads.
var bitCmds = map[string]bool{
	"setbit": true, "getbit": true, "bitcount": true, "bitop": true, "pfadd": true, "pfcount": true,
}

// bitRequest appends one request of a bitmap or HyperLogLog load on key.
func (g *gen) bitRequest(dst, key []byte) []byte {
	o := g.o
	switch o.cmd {
	case "setbit":
		g.field = strconv.AppendUint(g.field[:0], g.rng.Uint64N(o.bits), 10)
		return g.resp.key3(dst, "SETBIT", key, g.field, one)
	case "getbit":
		g.field = strconv.AppendUint(g.field[:0], g.rng.Uint64N(o.bits), 10)
		return g.resp.key2(dst, "GETBIT", key, g.field)
	case "bitcount":
		return g.resp.key1(dst, "BITCOUNT", key)
	case "bitop":
		dst = appendBulkString(appendBulkString(appendArray(dst, 5), "BITOP"), "AND")
		for _, suffix := range []string{"dst", "0", "1"} {
			g.field = append(append(g.field[:0], o.prefix...), suffix...)
			dst = appendBulk(dst, g.field)
		}
		return dst
	case "pfadd":
		dst = appendBulk(appendBulkString(appendArray(dst, 2+o.pfElems), "PFADD"), key)
		for range o.pfElems {
			g.field = strconv.AppendUint(append(g.field[:0], 'e'), g.rng.Uint64N(o.members), 10)
			dst = appendBulk(dst, g.field)
		}
		return dst
	case "pfcount":
		if o.pfKeys <= 1 {
			return g.resp.key1(dst, "PFCOUNT", key)
		}
		dst = appendBulkString(appendArray(dst, 1+o.pfKeys), "PFCOUNT")
		for i := range o.pfKeys {
			g.field = o.appendKey(g.field[:0], uint64(i))
			dst = appendBulk(dst, g.field)
		}
		return dst
	}
	panic("BUG: bitRequest for -cmd " + o.cmd)
}
