package mccmd

import (
	"strconv"

	"github.com/anaxdb/anax/protocol/memcache"
	"github.com/anaxdb/anax/shard"
)

// The shard halves of the memcache commands: each runs on the owner of the
// shard that holds its key, in database 0, and appends its reply.

// Get appends one key's VALUE line and data block to out (nothing on a
// miss) for get and gets (withCAS), gat and gats (touch: the item's new
// expiry is exp, as memcache.ExpireAt gives it). It runs on the owner of shard sh; the face
// writes the END that closes the reply.
func (e *Executor) Get(sh int, key []byte, withCAS, touch bool, exp, now int64, out []byte) []byte {
	db := e.shards[sh].DB(0)
	ms := &e.state[sh]
	it, status := db.MCLookup(key, now, 0)
	if status == shard.MCExpired {
		ms.stats.GetExpired.Add(1)
	}
	if status != shard.MCHit {
		if touch {
			ms.stats.CmdTouch.Add(1)
			ms.stats.TouchMisses.Add(1)
		} else {
			ms.stats.CmdGet.Add(1)
			ms.stats.GetMisses.Add(1)
		}
		return out
	}
	h := it.Handle
	if touch {
		h = db.SetExpireAt(h, exp)
		ms.stats.CmdTouch.Add(1)
		ms.stats.TouchHits.Add(1)
	} else {
		ms.stats.CmdGet.Add(1)
		ms.stats.GetHits.Add(1)
	}
	cas := it.CAS
	switch {
	case withCAS && !it.Meta:
		cas = ms.cas.Next()
		h = db.MCSetMeta(key, h, 0, cas, shard.MCFetched)
	case it.Meta && it.Bits&shard.MCFetched == 0:
		db.MCSetBits(h, it.Bits|shard.MCFetched)
	}
	start := len(out)
	out = memcache.AppendValue(out, key, it.Flags, db.Value(h), cas, withCAS)
	ms.stats.BytesWritten.Add(uint64(len(out) - start))
	return out
}

// Run runs a single-key command (storage, arithmetic, delete, touch and
// the meta commands) on the owner of shard sh and appends its reply to
// out. Every other command is the face's own; handing one here is a bug.
func (e *Executor) Run(sh int, r *memcache.Request, now int64, out []byte) []byte {
	start := len(out)
	switch r.Cmd {
	case memcache.CmdSet, memcache.CmdAdd, memcache.CmdReplace, memcache.CmdAppend,
		memcache.CmdPrepend, memcache.CmdCas, memcache.CmdMetaSet:
		out = e.store(sh, r, now, out)
	case memcache.CmdIncr, memcache.CmdDecr, memcache.CmdMetaArithmetic:
		out = e.arith(sh, r, now, out)
	case memcache.CmdDelete, memcache.CmdMetaDelete:
		out = e.delete(sh, r, now, out)
	case memcache.CmdTouch:
		out = e.touch(sh, r, now, out)
	case memcache.CmdMetaGet:
		out = e.metaGet(sh, r, now, out)
	case memcache.CmdMetaDebug:
		out = e.metaDebug(sh, r, now, out)
	default:
		panic("BUG: memcache command " + r.Cmd.String() + " has no shard half")
	}
	e.state[sh].stats.BytesWritten.Add(uint64(len(out) - start))
	return out
}

// newCAS is the CAS a modification gives an item: the meta E token when
// given, else the shard's next.
func (e *Executor) newCAS(sh int, r *memcache.Request) uint64 {
	if r.Meta.Has('E') {
		return r.Meta.NewCAS
	}
	return e.state[sh].cas.Next()
}

// Store outcomes, as memcached's store_item_type.
type storeResult uint8

const (
	resStored storeResult = iota
	resNotStored
	resExists
	resNotFound
)

// storeText and storeMeta are the reply to each outcome, in the text protocol
// and in ms.
var storeText = [...]string{"STORED", "NOT_STORED", "EXISTS", "NOT_FOUND"}
var storeMeta = [...]string{"HD", "NS", "EX", "NF"}

// store runs set/add/replace/append/prepend/cas and ms (memcached's
// do_store_item).
func (e *Executor) store(sh int, r *memcache.Request, now int64, out []byte) []byte {
	db := e.shards[sh].DB(0)
	ms := &e.state[sh]
	ms.stats.CmdSet.Add(1)
	comm := r.Cmd
	reqCAS := r.CAS
	stale := false
	meta := r.Cmd == memcache.CmdMetaSet
	if meta {
		switch r.Meta.Mode {
		case 'E':
			comm = memcache.CmdAdd
		case 'A':
			comm = memcache.CmdAppend
		case 'P':
			comm = memcache.CmdPrepend
		case 'R':
			comm = memcache.CmdReplace
		default:
			comm = memcache.CmdSet
		}
		if r.Meta.Has('C') {
			reqCAS = r.Meta.CompareCAS
			if comm == memcache.CmdSet || comm == memcache.CmdReplace {
				comm = memcache.CmdCas
			}
		}
		stale = r.Meta.Has('I') && comm == memcache.CmdCas
	}
	key := r.Key
	it, status := db.MCLookup(key, now, shard.NoStats|shard.NoTouch)
	exists := status == shard.MCHit || status == shard.MCOtherType
	// The CAS comparison, made up front as memcached makes it. An entry
	// without a CAS yet compares as newer than any CAS a client holds.
	const (
		casNone = iota
		casMatch
		casStale
		casBad
	)
	casRes := casNone
	if reqCAS != 0 {
		switch {
		case status == shard.MCHit && it.Meta && reqCAS == it.CAS:
			casRes = casMatch
		case status == shard.MCHit && stale && (!it.Meta || reqCAS < it.CAS):
			casRes = casStale
		default:
			casRes = casBad
		}
	}
	exp := memcache.ExpireAt(r.Exptime, now)
	var bits byte
	doStore := false
	res := resNotStored
	var cas uint64
	switch comm {
	case memcache.CmdAdd:
		doStore = !exists
	case memcache.CmdSet:
		doStore = true
	case memcache.CmdReplace:
		doStore = exists
	case memcache.CmdCas:
		switch {
		case !exists:
			res = resNotFound
			ms.stats.CasMisses.Add(1)
		case casRes == casMatch:
			doStore = true
			ms.stats.CasHits.Add(1)
		case casRes == casStale:
			// A stale write keeps the TTL and marks the item stale.
			doStore = true
			exp = it.ExpireAt
			bits = shard.MCStale | it.Bits&shard.MCWon
			ms.stats.CasHits.Add(1)
		default:
			res = resExists
			ms.stats.CasBadval.Add(1)
		}
	case memcache.CmdAppend, memcache.CmdPrepend:
		switch {
		case status != shard.MCHit:
		case casRes != casNone && casRes != casMatch:
			res = resExists
		default:
			old := len(db.Value(it.Handle))
			if memcache.ItemSize(len(key), it.Flags, old+len(r.Value)) > int(e.maxItemSize()) {
				break // memcached cannot allocate the joined item: NOT_STORED
			}
			cas = e.newCAS(sh, r)
			db.MCConcat(key, it.Handle, r.Value, comm == memcache.CmdPrepend, cas, now)
			ms.stats.TotalItems.Add(1)
			res = resStored
		}
	}
	if doStore {
		cas = e.newCAS(sh, r)
		if exp != 0 && exp <= now {
			// Stored already expired: memcached keeps it invisible; so
			// does deleting it.
			db.Delete(key)
		} else {
			db.MCStore(key, r.Value, r.Flags, cas, bits, exp, now)
		}
		ms.stats.TotalItems.Add(1)
		res = resStored
	}
	if !meta {
		if r.NoReply {
			return out
		}
		return memcache.AppendLine(out, storeText[res])
	}
	if res == resStored && r.NoReply {
		return out
	}
	out = append(out, storeMeta[res]...)
	for _, t := range r.Meta.Tokens {
		switch t[0] {
		case 'O':
			out = memcache.AppendMetaToken(out, t)
		case 'k':
			out = memcache.AppendMetaKey(out, key, r.Meta.Base64)
		case 'c':
			if res != resStored {
				cas = 0
			}
			out = memcache.AppendMetaUint(out, 'c', cas)
		}
	}
	return memcache.AppendCRLF(out)
}

const errNonNumeric = "CLIENT_ERROR cannot increment or decrement non-numeric value"

// arith runs incr/decr and ma (memcached's do_add_delta).
func (e *Executor) arith(sh int, r *memcache.Request, now int64, out []byte) []byte {
	db := e.shards[sh].DB(0)
	ms := &e.state[sh]
	meta := r.Cmd == memcache.CmdMetaArithmetic
	incr, delta := r.Cmd == memcache.CmdIncr, r.Delta
	if meta {
		incr = r.Meta.Mode != 'D' && r.Meta.Mode != '-'
		delta = r.Meta.Delta
	}
	key := r.Key
	fail := func(msg string) []byte {
		if !meta && r.NoReply {
			return out
		}
		return memcache.AppendLine(out, msg)
	}
	it, status := db.MCLookup(key, now, shard.NoStats|shard.NoTouch)
	var digits [24]byte
	var num []byte
	var h shard.Handle
	var cas uint64
	created := false
	code := ""
	switch {
	case status == shard.MCOtherType:
		return fail(errNonNumeric)
	case status != shard.MCHit:
		if meta && r.Meta.Has('N') {
			num = strconv.AppendUint(digits[:0], r.Meta.Initial, 10)
			cas = e.newCAS(sh, r)
			h = db.MCStore(key, num, 0, cas, 0, 0, now)
			ms.stats.TotalItems.Add(1)
			created = true
			break
		}
		if incr {
			ms.stats.IncrMisses.Add(1)
		} else {
			ms.stats.DecrMisses.Add(1)
		}
		if !meta {
			return fail("NOT_FOUND")
		}
		code = "NF"
	default:
		val := db.Value(it.Handle)
		if len(val) == 0 {
			return fail(errNonNumeric)
		}
		if meta && r.Meta.Has('C') && r.Meta.CompareCAS != 0 && (!it.Meta || it.CAS != r.Meta.CompareCAS) {
			code = "EX"
			break
		}
		if z := indexNUL(val); z >= 0 {
			val = val[:z] // memcached reads the value as a C string
		}
		v, ok := memcache.ParseUint64(val)
		if !ok {
			return fail(errNonNumeric)
		}
		if incr {
			v += delta
			ms.stats.IncrHits.Add(1)
		} else {
			if delta > v {
				v = 0
			} else {
				v -= delta
			}
			ms.stats.DecrHits.Add(1)
		}
		num = strconv.AppendUint(digits[:0], v, 10)
		cas = e.newCAS(sh, r)
		h = it.Handle
		if cur := db.Value(h); len(num) <= len(cur) {
			// In place, padded with spaces to the old length, as memcached
			// does: decr of "100" leaves "99 ".
			n := copy(cur, num)
			for i := n; i < len(cur); i++ {
				cur[i] = ' '
			}
			h = db.MCSetMeta(key, h, it.Flags, cas, it.Bits)
		} else {
			// Too long to fit: a new item, whose bits start afresh.
			h = db.MCStore(key, num, it.Flags, cas, 0, it.ExpireAt, now)
		}
	}
	if !meta {
		if r.NoReply {
			return out
		}
		out = append(out, num...)
		return memcache.AppendCRLF(out)
	}
	if code == "" && !created && r.NoReply {
		return out
	}
	if code != "" {
		out = append(out, code...)
		for _, t := range r.Meta.Tokens {
			switch t[0] {
			case 'O':
				out = memcache.AppendMetaToken(out, t)
			case 'k':
				out = memcache.AppendMetaKey(out, key, r.Meta.Base64)
			}
		}
		return memcache.AppendCRLF(out)
	}
	if r.Meta.Has('v') {
		out = memcache.AppendMetaValue(out, len(num))
	} else {
		out = append(out, "HD"...)
	}
	curExp := db.ExpireAt(h)
	for _, t := range r.Meta.Tokens {
		switch t[0] {
		case 'c':
			out = memcache.AppendMetaUint(out, 'c', cas)
		case 't':
			out = memcache.AppendMetaInt(out, 't', memcache.TTL(curExp, now))
		case 'T':
			curExp = memcache.ExpireAt(r.Meta.TTL, now)
			h = db.SetExpireAt(h, curExp)
		case 'N':
			if created {
				curExp = memcache.ExpireAt(r.Meta.Vivify, now)
				h = db.SetExpireAt(h, curExp)
			}
		case 'O':
			out = memcache.AppendMetaToken(out, t)
		case 'k':
			out = memcache.AppendMetaKey(out, key, r.Meta.Base64)
		}
	}
	if r.Meta.Has('v') {
		out = memcache.AppendCRLF(out)
		out = append(out, num...)
	}
	return memcache.AppendCRLF(out)
}

func indexNUL(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return -1
}

// delete runs delete and md.
func (e *Executor) delete(sh int, r *memcache.Request, now int64, out []byte) []byte {
	db := e.shards[sh].DB(0)
	ms := &e.state[sh]
	key := r.Key
	it, status := db.MCLookup(key, now, shard.NoStats|shard.NoTouch)
	found := status == shard.MCHit || status == shard.MCOtherType
	if r.Cmd == memcache.CmdDelete {
		msg := "NOT_FOUND"
		if found {
			db.Delete(key)
			ms.stats.DeleteHits.Add(1)
			msg = "DELETED"
		} else {
			ms.stats.DeleteMisses.Add(1)
		}
		if r.NoReply {
			return out
		}
		return memcache.AppendLine(out, msg)
	}
	code := "NF"
	switch {
	case !found:
		ms.stats.DeleteMisses.Add(1)
	case r.Meta.Has('C') && (status != shard.MCHit || !it.Meta || it.CAS != r.Meta.CompareCAS):
		ms.stats.DeleteMisses.Add(1)
		code = "EX"
	case r.Meta.Has('I') && status == shard.MCHit:
		// Invalidate: keep the item, mark it stale with a new CAS, and
		// let the next client win the recache token again.
		if r.Meta.Has('T') {
			it.Handle = db.SetExpireAt(it.Handle, memcache.ExpireAt(r.Meta.TTL, now))
		}
		db.MCSetMeta(key, it.Handle, it.Flags, e.newCAS(sh, r), (it.Bits|shard.MCStale)&^shard.MCWon)
		code = "HD"
	default:
		db.Delete(key)
		ms.stats.DeleteHits.Add(1)
		code = "HD"
	}
	if code == "HD" && r.NoReply {
		return out
	}
	out = append(out, code...)
	for _, t := range r.Meta.Tokens {
		switch t[0] {
		case 'O':
			out = memcache.AppendMetaToken(out, t)
		case 'k':
			out = memcache.AppendMetaKey(out, key, r.Meta.Base64)
		}
	}
	return memcache.AppendCRLF(out)
}

// touch runs touch.
func (e *Executor) touch(sh int, r *memcache.Request, now int64, out []byte) []byte {
	db := e.shards[sh].DB(0)
	ms := &e.state[sh]
	ms.stats.CmdTouch.Add(1)
	it, status := db.MCLookup(r.Key, now, shard.NoStats)
	msg := "NOT_FOUND"
	if status == shard.MCHit {
		h := db.SetExpireAt(it.Handle, memcache.ExpireAt(r.Exptime, now))
		db.MCSetBits(h, it.Bits|shard.MCFetched) // touch bumps the item, as a fetch does
		ms.stats.TouchHits.Add(1)
		msg = "TOUCHED"
	} else {
		ms.stats.TouchMisses.Add(1)
	}
	if r.NoReply {
		return out
	}
	return memcache.AppendLine(out, msg)
}

// metaGet runs mg (memcached's process_mget_command).
func (e *Executor) metaGet(sh int, r *memcache.Request, now int64, out []byte) []byte {
	db := e.shards[sh].DB(0)
	ms := &e.state[sh]
	key := r.Key
	noBump := r.Meta.Has('u')
	flags := 0
	if noBump {
		flags = shard.NoTouch
	}
	it, status := db.MCLookup(key, now, flags)
	if status == shard.MCExpired {
		ms.stats.GetExpired.Add(1)
	}
	created := false
	if status != shard.MCHit {
		if !r.Meta.Has('N') || status == shard.MCOtherType {
			ms.stats.CmdGet.Add(1)
			ms.stats.GetMisses.Add(1)
			if r.NoReply {
				return out
			}
			out = append(out, "EN"...)
			for _, t := range r.Meta.Tokens {
				switch t[0] {
				case 'O':
					out = memcache.AppendMetaToken(out, t)
				case 'k':
					out = memcache.AppendMetaKey(out, key, r.Meta.Base64)
				}
			}
			return memcache.AppendCRLF(out)
		}
		// Vivify: an empty item the caller wins the right to fill.
		cas := e.newCAS(sh, r)
		h := db.MCStore(key, nil, 0, cas, 0, 0, now)
		ms.stats.TotalItems.Add(1)
		it = shard.MCItem{Handle: h, CAS: cas, Access: now / 1000, Meta: true}
		created = true
	}
	h := it.Handle
	if r.Meta.Has('v') {
		out = memcache.AppendMetaValue(out, len(db.Value(h)))
	} else {
		out = append(out, "HD"...)
	}
	bits, cas, curExp := it.Bits, it.CAS, it.ExpireAt
	won, ttlSet := false, false
	for _, t := range r.Meta.Tokens {
		switch t[0] {
		case 'T':
			ttlSet = true
			curExp = memcache.ExpireAt(r.Meta.TTL, now)
			h = db.SetExpireAt(h, curExp)
		case 'N':
			if created {
				curExp = memcache.ExpireAt(r.Meta.Vivify, now)
				h = db.SetExpireAt(h, curExp)
				won = true
			}
		case 'R':
			if bits&shard.MCWon == 0 && !created && curExp != 0 && curExp < memcache.ExpireAt(r.Meta.Recache, now) {
				won = true
			}
		case 's':
			out = memcache.AppendMetaUint(out, 's', uint64(len(db.Value(h))))
		case 't':
			out = memcache.AppendMetaInt(out, 't', memcache.TTL(curExp, now))
		case 'c':
			if !it.Meta {
				cas = ms.cas.Next()
				h = db.MCSetMeta(key, h, 0, cas, bits)
				it.Meta = true
			}
			out = memcache.AppendMetaUint(out, 'c', cas)
		case 'f':
			out = memcache.AppendMetaUint(out, 'f', uint64(it.Flags))
		case 'l':
			out = memcache.AppendMetaInt(out, 'l', max(now/1000-it.Access, 0))
		case 'h':
			out = memcache.AppendMetaUint(out, 'h', uint64(bits&shard.MCFetched))
		case 'O':
			out = memcache.AppendMetaToken(out, t)
		case 'k':
			out = memcache.AppendMetaKey(out, key, r.Meta.Base64)
		}
	}
	if bits&shard.MCWon != 0 {
		out = memcache.AppendMetaFlag(out, 'Z')
	}
	if bits&shard.MCStale != 0 {
		out = memcache.AppendMetaFlag(out, 'X')
		if bits&shard.MCWon == 0 {
			won = true
		}
	}
	if won {
		out = memcache.AppendMetaFlag(out, 'W')
		bits |= shard.MCWon
	}
	out = memcache.AppendCRLF(out)
	if r.Meta.Has('v') {
		out = append(out, db.Value(h)...)
		out = memcache.AppendCRLF(out)
	}
	if !noBump {
		bits |= shard.MCFetched
	}
	switch {
	case it.Meta && bits != it.Bits:
		db.MCSetBits(h, bits)
	case !it.Meta && bits&^shard.MCFetched != 0:
		// Recording a win on an entry written through RESP needs its
		// metadata; a plain fetch does not pay for it.
		db.MCSetMeta(key, h, 0, ms.cas.Next(), bits)
	}
	if ttlSet {
		ms.stats.CmdTouch.Add(1)
		ms.stats.TouchHits.Add(1)
	} else {
		ms.stats.CmdGet.Add(1)
		ms.stats.GetHits.Add(1)
	}
	return out
}

// metaDebug runs me.
func (e *Executor) metaDebug(sh int, r *memcache.Request, now int64, out []byte) []byte {
	db := e.shards[sh].DB(0)
	it, status := db.MCLookup(r.Key, now, shard.NoStats|shard.NoTouch)
	if status != shard.MCHit {
		return memcache.AppendLine(out, "EN")
	}
	out = append(out, "ME "...)
	if r.Meta.Base64 {
		out = memcache.AppendBase64(out, r.Key)
	} else {
		out = append(out, r.Key...)
	}
	out = append(out, " exp="...)
	out = strconv.AppendInt(out, memcache.TTL(it.ExpireAt, now), 10)
	out = append(out, " la="...)
	out = strconv.AppendInt(out, max(now/1000-it.Access, 0), 10)
	out = append(out, " cas="...)
	out = strconv.AppendUint(out, it.CAS, 10)
	if it.Bits&shard.MCFetched != 0 {
		out = append(out, " fetch=yes"...)
	} else {
		out = append(out, " fetch=no"...)
	}
	out = append(out, " cls=1 size="...)
	out = strconv.AppendInt(out, int64(db.SizeOf(it.Handle)), 10)
	return memcache.AppendCRLF(out)
}
