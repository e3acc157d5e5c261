package server

import (
	"strconv"

	"github.com/anaxdb/anax/protocol/memcache"
	"github.com/anaxdb/anax/shard"
)

// The shard halves of the memcache commands: each runs on the owner of the
// shard that holds its key, in database 0, and appends its reply.

// getOne appends one key's VALUE to out (nothing on a miss). It runs on
// the owner of shard sh.
func (m *mcState) getOne(sh int, key []byte, withCAS, touch bool, exp, now int64, out []byte) []byte {
	db := m.s.router.Shard(sh).DB(0)
	ms := &m.shards[sh]
	it, status := db.MCLookup(key, now, 0)
	if status == shard.MCExpired {
		ms.st.getExpired.Add(1)
	}
	if status != shard.MCHit {
		if touch {
			ms.st.cmdTouch.Add(1)
			ms.st.touchMiss.Add(1)
		} else {
			ms.st.cmdGet.Add(1)
			ms.st.getMisses.Add(1)
		}
		return out
	}
	h := it.Handle
	if touch {
		db.SetExpireAt(h, exp)
		ms.st.cmdTouch.Add(1)
		ms.st.touchHits.Add(1)
	} else {
		ms.st.cmdGet.Add(1)
		ms.st.getHits.Add(1)
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
	ms.st.bytesWritten.Add(uint64(len(out) - start))
	return out
}

// exec runs a single-key command on the owner of shard sh and appends its
// reply to out.
func (m *mcState) exec(sh int, r *memcache.Request, now int64, out []byte) []byte {
	start := len(out)
	switch r.Cmd {
	case memcache.CmdSet, memcache.CmdAdd, memcache.CmdReplace, memcache.CmdAppend,
		memcache.CmdPrepend, memcache.CmdCas, memcache.CmdMetaSet:
		out = m.store(sh, r, now, out)
	case memcache.CmdIncr, memcache.CmdDecr, memcache.CmdMetaArithmetic:
		out = m.arith(sh, r, now, out)
	case memcache.CmdDelete, memcache.CmdMetaDelete:
		out = m.delete(sh, r, now, out)
	case memcache.CmdTouch:
		out = m.touch(sh, r, now, out)
	case memcache.CmdMetaGet:
		out = m.metaGet(sh, r, now, out)
	case memcache.CmdMetaDebug:
		out = m.metaDebug(sh, r, now, out)
	default:
		panic("BUG: memcache command " + r.Cmd.String() + " has no shard half")
	}
	m.shards[sh].st.bytesWritten.Add(uint64(len(out) - start))
	return out
}

// newCAS is the CAS a modification gives an item: the meta E token when
// given, else the shard's next.
func (m *mcState) newCAS(sh int, r *memcache.Request) uint64 {
	if r.Meta.Has('E') {
		return r.Meta.NewCAS
	}
	return m.shards[sh].cas.Next()
}

// Store outcomes, as memcached's store_item_type.
type mcStoreResult uint8

const (
	mcStored mcStoreResult = iota
	mcNotStored
	mcExists
	mcNotFound
)

var mcStoreText = [...]string{"STORED", "NOT_STORED", "EXISTS", "NOT_FOUND"}
var mcStoreMeta = [...]string{"HD", "NS", "EX", "NF"}

// store runs set/add/replace/append/prepend/cas and ms (memcached's
// do_store_item).
func (m *mcState) store(sh int, r *memcache.Request, now int64, out []byte) []byte {
	db := m.s.router.Shard(sh).DB(0)
	ms := &m.shards[sh]
	ms.st.cmdSet.Add(1)
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
	res := mcNotStored
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
			res = mcNotFound
			ms.st.casMisses.Add(1)
		case casRes == casMatch:
			doStore = true
			ms.st.casHits.Add(1)
		case casRes == casStale:
			// A stale write keeps the TTL and marks the item stale.
			doStore = true
			exp = it.ExpireAt
			bits = shard.MCStale | it.Bits&shard.MCWon
			ms.st.casHits.Add(1)
		default:
			res = mcExists
			ms.st.casBadval.Add(1)
		}
	case memcache.CmdAppend, memcache.CmdPrepend:
		switch {
		case status != shard.MCHit:
		case casRes != casNone && casRes != casMatch:
			res = mcExists
		default:
			old := len(db.Value(it.Handle))
			if memcache.ItemSize(len(key), it.Flags, old+len(r.Value)) > int(m.maxItem()) {
				break // memcached cannot allocate the joined item: NOT_STORED
			}
			cas = m.newCAS(sh, r)
			db.MCConcat(key, it.Handle, r.Value, comm == memcache.CmdPrepend, cas, now)
			ms.st.totalItems.Add(1)
			res = mcStored
		}
	}
	if doStore {
		cas = m.newCAS(sh, r)
		if exp != 0 && exp <= now {
			// Stored already expired: memcached keeps it invisible; so
			// does deleting it.
			db.Delete(key)
		} else {
			db.MCStore(key, r.Value, r.Flags, cas, bits, exp, now)
		}
		ms.st.totalItems.Add(1)
		res = mcStored
	}
	if !meta {
		if r.NoReply {
			return out
		}
		return memcache.AppendLine(out, mcStoreText[res])
	}
	if res == mcStored && r.NoReply {
		return out
	}
	out = append(out, mcStoreMeta[res]...)
	for _, t := range r.Meta.Tokens {
		switch t[0] {
		case 'O':
			out = memcache.AppendMetaToken(out, t)
		case 'k':
			out = memcache.AppendMetaKey(out, key, r.Meta.Base64)
		case 'c':
			if res != mcStored {
				cas = 0
			}
			out = memcache.AppendMetaUint(out, 'c', cas)
		}
	}
	return memcache.AppendCRLF(out)
}

const errNonNumeric = "CLIENT_ERROR cannot increment or decrement non-numeric value"

// arith runs incr/decr and ma (memcached's do_add_delta).
func (m *mcState) arith(sh int, r *memcache.Request, now int64, out []byte) []byte {
	db := m.s.router.Shard(sh).DB(0)
	ms := &m.shards[sh]
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
			cas = m.newCAS(sh, r)
			h = db.MCStore(key, num, 0, cas, 0, 0, now)
			ms.st.totalItems.Add(1)
			created = true
			break
		}
		if incr {
			ms.st.incrMisses.Add(1)
		} else {
			ms.st.decrMisses.Add(1)
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
			ms.st.incrHits.Add(1)
		} else {
			if delta > v {
				v = 0
			} else {
				v -= delta
			}
			ms.st.decrHits.Add(1)
		}
		num = strconv.AppendUint(digits[:0], v, 10)
		cas = m.newCAS(sh, r)
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
			db.SetExpireAt(h, curExp)
		case 'N':
			if created {
				curExp = memcache.ExpireAt(r.Meta.Vivify, now)
				db.SetExpireAt(h, curExp)
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
func (m *mcState) delete(sh int, r *memcache.Request, now int64, out []byte) []byte {
	db := m.s.router.Shard(sh).DB(0)
	ms := &m.shards[sh]
	key := r.Key
	it, status := db.MCLookup(key, now, shard.NoStats|shard.NoTouch)
	found := status == shard.MCHit || status == shard.MCOtherType
	if r.Cmd == memcache.CmdDelete {
		msg := "NOT_FOUND"
		if found {
			db.Delete(key)
			ms.st.deleteHits.Add(1)
			msg = "DELETED"
		} else {
			ms.st.deleteMisses.Add(1)
		}
		if r.NoReply {
			return out
		}
		return memcache.AppendLine(out, msg)
	}
	code := "NF"
	switch {
	case !found:
		ms.st.deleteMisses.Add(1)
	case r.Meta.Has('C') && (status != shard.MCHit || !it.Meta || it.CAS != r.Meta.CompareCAS):
		ms.st.deleteMisses.Add(1)
		code = "EX"
	case r.Meta.Has('I') && status == shard.MCHit:
		// Invalidate: keep the item, mark it stale with a new CAS, and
		// let the next client win the recache token again.
		if r.Meta.Has('T') {
			db.SetExpireAt(it.Handle, memcache.ExpireAt(r.Meta.TTL, now))
		}
		db.MCSetMeta(key, it.Handle, it.Flags, m.newCAS(sh, r), (it.Bits|shard.MCStale)&^shard.MCWon)
		code = "HD"
	default:
		db.Delete(key)
		ms.st.deleteHits.Add(1)
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
func (m *mcState) touch(sh int, r *memcache.Request, now int64, out []byte) []byte {
	db := m.s.router.Shard(sh).DB(0)
	ms := &m.shards[sh]
	ms.st.cmdTouch.Add(1)
	it, status := db.MCLookup(r.Key, now, shard.NoStats)
	msg := "NOT_FOUND"
	if status == shard.MCHit {
		db.SetExpireAt(it.Handle, memcache.ExpireAt(r.Exptime, now))
		db.MCSetBits(it.Handle, it.Bits|shard.MCFetched) // touch bumps the item, as a fetch does
		ms.st.touchHits.Add(1)
		msg = "TOUCHED"
	} else {
		ms.st.touchMiss.Add(1)
	}
	if r.NoReply {
		return out
	}
	return memcache.AppendLine(out, msg)
}

// metaGet runs mg (memcached's process_mget_command).
func (m *mcState) metaGet(sh int, r *memcache.Request, now int64, out []byte) []byte {
	db := m.s.router.Shard(sh).DB(0)
	ms := &m.shards[sh]
	key := r.Key
	noBump := r.Meta.Has('u')
	flags := 0
	if noBump {
		flags = shard.NoTouch
	}
	it, status := db.MCLookup(key, now, flags)
	if status == shard.MCExpired {
		ms.st.getExpired.Add(1)
	}
	created := false
	if status != shard.MCHit {
		if !r.Meta.Has('N') || status == shard.MCOtherType {
			ms.st.cmdGet.Add(1)
			ms.st.getMisses.Add(1)
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
		cas := m.newCAS(sh, r)
		h := db.MCStore(key, nil, 0, cas, 0, 0, now)
		ms.st.totalItems.Add(1)
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
			db.SetExpireAt(h, curExp)
		case 'N':
			if created {
				curExp = memcache.ExpireAt(r.Meta.Vivify, now)
				db.SetExpireAt(h, curExp)
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
		ms.st.cmdTouch.Add(1)
		ms.st.touchHits.Add(1)
	} else {
		ms.st.cmdGet.Add(1)
		ms.st.getHits.Add(1)
	}
	return out
}

// metaDebug runs me.
func (m *mcState) metaDebug(sh int, r *memcache.Request, now int64, out []byte) []byte {
	db := m.s.router.Shard(sh).DB(0)
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
