package snapshot

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/anaxdb/anax/container/listpack"
	"github.com/anaxdb/anax/shard"
	"github.com/anaxdb/anax/snapshot/rdb"
)

// Limits are the encoding settings values are built with, as the
// configuration gives them (list-max-listpack-size, ...).
type Limits struct {
	ListFill int
	Hash     shard.HashLimits
	Set      shard.SetLimits
	ZSet     shard.ZSetLimits
}

// LoadOptions say how Load builds what it reads.
type LoadOptions struct {
	Limits Limits
	// Route returns the shard that owns key.
	Route func(key []byte) int
	// Now is the time keys' expiries are compared with (Unix ms): a key
	// already expired is not loaded, as Redis skips it.
	Now int64
	// HideKeys writes "*redacted*" for key names in errors, which go to
	// the log (hide-user-data-from-log).
	HideKeys bool
	// Progress, when set, is told how many bytes of the file have been
	// read, now and then (INFO's loading_loaded_bytes).
	Progress func(bytes int64)
	// OnAux, when set, receives each aux field of the file's header as
	// it is read (used-mem for INFO's loading_rdb_used_mem).
	OnAux func(name, value string)
	// OnFunction receives the code of each function library in the file;
	// its error fails the load. Without it a file with libraries does not
	// load.
	OnFunction func(code []byte) error
	// Access says which of the keys' idle times (AccessIdle) or LFU
	// counters (AccessFreq) to keep, as Redis keeps the one its
	// maxmemory-policy uses; the other is ignored.
	Access Access
}

// LoadResult describes a loaded file.
type LoadResult struct {
	Keys      int64 // keys loaded
	Expired   int64 // keys skipped because their time had passed
	Functions int64 // function libraries read
	Bytes     int64
	Version   int
	Aux       map[string]string // the file's aux fields (redis-ver, ctime, ...)
	Duration  time.Duration
}

// ErrNoFile is returned (wrapped) by LoadFile when there is no file.
var ErrNoFile = errors.New("no snapshot file")

// LoadFile loads the RDB file at path into src's shards, which must be
// empty; see Load.
func LoadFile(src Source, path string, opts LoadOptions) (LoadResult, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return LoadResult{}, fmt.Errorf("%w: %s", ErrNoFile, path)
	}
	if err != nil {
		return LoadResult{}, err
	}
	defer f.Close()
	return Load(src, f, opts)
}

// Load reads an RDB file from r and stores its keys in the shards that
// own them. The file is read here; each shard decodes and builds its keys
// on its own goroutine, from batches. On any error (a damaged file, a
// value that does not decode, a key twice, a database the server does not
// have) it stops and returns it; the keys loaded so far stay, and the
// caller must not serve them.
func Load(src Source, r io.Reader, opts LoadOptions) (LoadResult, error) {
	began := time.Now()
	res := LoadResult{Aux: map[string]string{}}
	fr, err := rdb.NewFileReader(r)
	if err != nil {
		return res, err
	}
	res.Version = fr.Version()
	inflight := 2*len(src.Shards) + 2
	l := &loader{src: src, opts: opts, batches: make([]*batch, len(src.Shards)),
		inflight: make(chan struct{}, inflight), free: make(chan *batch, inflight+len(src.Shards))}
	size := readerSize(r)
	dbs := 0
	if len(src.Shards) > 0 {
		dbs = src.Shards[0].NumDB()
	}
	var it rdb.Item
	var mcflags uint32
	var hasFlags bool
	var fieldTTLs map[string]int64
	nkeys := 0
	for {
		err := fr.Next(&it)
		if err == io.EOF {
			break
		}
		if err == nil {
			err = l.failed()
		}
		if err != nil {
			l.wait()
			return res, err
		}
		switch it.Kind {
		case rdb.ItemFunction:
			if opts.OnFunction == nil {
				l.wait()
				return res, &rdb.FileError{Offset: fr.Offset(), Msg: "the file holds function libraries, which cannot be loaded here"}
			}
			if err := opts.OnFunction(it.Code); err != nil {
				l.wait()
				return res, fmt.Errorf("a function library of the file does not load: %w", err)
			}
			res.Functions++
		case rdb.ItemAux:
			if string(it.Name) == rdb.AuxMCFlags {
				v, perr := strconv.ParseUint(string(it.AuxValue), 10, 32)
				if perr != nil {
					l.wait()
					return res, &rdb.FileError{Offset: fr.Offset(), Msg: "bad " + rdb.AuxMCFlags + " aux field"}
				}
				mcflags, hasFlags = uint32(v), true
				continue
			}
			if name := string(it.Name); name == rdb.AuxHashFieldTTLs || name == rdb.AuxMemberTTLs {
				if fieldTTLs, err = parseFieldTTLs(it.AuxValue); err != nil {
					l.wait()
					return res, &rdb.FileError{Offset: fr.Offset(), Msg: "bad " + name + " aux field"}
				}
				continue
			}
			res.Aux[string(it.Name)] = string(it.AuxValue)
			if opts.OnAux != nil {
				opts.OnAux(string(it.Name), string(it.AuxValue))
			}
		case rdb.ItemResizeDB:
			if it.DB < dbs && size > 0 {
				l.reserve(it.DB, it.Keys, size-fr.Offset())
			}
		case rdb.ItemKey:
			if opts.Progress != nil && nkeys&1023 == 0 {
				opts.Progress(fr.Offset())
			}
			nkeys++
			if it.DB >= dbs {
				l.wait()
				return res, fmt.Errorf("the file has keys in database %d, and this server has %d databases (databases)", it.DB, dbs)
			}
			if it.ExpireMs != 0 && it.ExpireMs <= opts.Now {
				res.Expired++
			} else {
				l.add(opts.Route(it.Key), &it, mcflags, hasFlags, fieldTTLs)
			}
			hasFlags, fieldTTLs = false, nil
		}
	}
	for i := range l.batches {
		l.post(i)
	}
	l.wait()
	if err := l.failed(); err != nil {
		return res, err
	}
	res.Keys = l.keys
	res.Bytes = fr.Offset()
	res.Duration = time.Since(began)
	return res, nil
}

// loader hands keys to their shards in batches.
type loader struct {
	src      Source
	opts     LoadOptions
	batches  []*batch
	inflight chan struct{}
	free     chan *batch // batches applied, for reuse
	wg       sync.WaitGroup

	mu   sync.Mutex
	err  error
	keys int64
}

// batch is keys for one shard: their records laid out in data. scratch
// is where the shard decodes a compressed or integer string.
type batch struct {
	data    []byte
	recs    []record
	scratch []byte
	bs      builders // for building collections
}

type record struct {
	db        int
	typ       byte
	key, val  [2]int // offsets in data
	expire    int64
	idle      int64 // seconds, -1 none
	freq      int16 // -1 none
	mcflags   uint32
	hasFlags  bool
	fieldTTLs map[string]int64 // a hash's field expiries (AuxHashFieldTTLs)
}

// A batch is sent when its records reach batchBytes or batchRecs.
const (
	batchBytes = 256 << 10
	batchRecs  = 4096
)

// newBatch returns an empty batch: one a shard has applied, or a new one.
func (l *loader) newBatch() *batch {
	select {
	case b := <-l.free:
		return b
	default:
	}
	return &batch{data: make([]byte, 0, batchBytes+batchBytes/4), recs: make([]record, 0, batchRecs)}
}

// recycle empties b, which its shard has applied, for newBatch.
func (l *loader) recycle(b *batch) {
	if cap(b.data) > 4*batchBytes || cap(b.scratch) > 4*batchBytes {
		return // grown by a big value: let it go
	}
	clear(b.recs) // the field expiry maps
	b.data, b.recs = b.data[:0], b.recs[:0]
	b.bs.sc = rdb.Scratch{} // sized by the batch's largest listpack: not kept
	select {
	case l.free <- b:
	default:
	}
}

// reserve sizes database db's table on every shard for its share of keys
// (a RESIZEDB hint). The hint is not trusted beyond what the rest of the
// file could hold: a key takes 3 bytes at least.
func (l *loader) reserve(db int, keys uint64, rest int64) {
	n := int64(min(keys, uint64(max(rest, 0))/3, 1<<40))
	per := n / int64(len(l.src.Shards))
	per += per / 16 // keys do not spread evenly
	if per == 0 {
		return
	}
	for _, s := range l.src.Shards {
		s.Post(func() { s.DB(db).ReserveKeys(int(per)) })
	}
}

// readerSize returns the size of what r holds when r can tell (a file),
// else 0.
func readerSize(r io.Reader) int64 {
	switch r := r.(type) {
	case interface{ Stat() (os.FileInfo, error) }:
		if fi, err := r.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size()
		}
	case interface{ Size() int64 }:
		return r.Size()
	}
	return 0
}

func (l *loader) add(sh int, it *rdb.Item, mcflags uint32, hasFlags bool, fieldTTLs map[string]int64) {
	b := l.batches[sh]
	if b == nil {
		b = l.newBatch()
		l.batches[sh] = b
	}
	k0 := len(b.data)
	b.data = append(b.data, it.Key...)
	v0 := len(b.data)
	b.data = append(b.data, it.Value...)
	b.recs = append(b.recs, record{db: it.DB, typ: it.Type, key: [2]int{k0, v0}, val: [2]int{v0, len(b.data)}, expire: it.ExpireMs, idle: it.Idle, freq: it.Freq, mcflags: mcflags, hasFlags: hasFlags, fieldTTLs: fieldTTLs})
	if len(b.data) >= batchBytes || len(b.recs) >= batchRecs {
		l.post(sh)
	}
}

// post sends shard sh's batch, waiting while too many are in flight.
func (l *loader) post(sh int) {
	b := l.batches[sh]
	if b == nil || len(b.recs) == 0 {
		return
	}
	l.batches[sh] = nil
	l.inflight <- struct{}{}
	l.wg.Add(1)
	s := l.src.Shards[sh]
	s.Post(func() {
		defer func() { <-l.inflight; l.wg.Done() }()
		if l.failed() != nil {
			return
		}
		n, err := l.apply(s, b)
		l.recycle(b)
		l.mu.Lock()
		l.keys += n
		if err != nil && l.err == nil {
			l.err = err
		}
		l.mu.Unlock()
	})
}

func (l *loader) wait() { l.wg.Wait() }

func (l *loader) failed() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// apply stores a batch on its shard's goroutine.
func (l *loader) apply(s *shard.Shard, b *batch) (int64, error) {
	var n int64
	for i := range b.recs {
		r := &b.recs[i]
		key := b.data[r.key[0]:r.key[1]]
		val := b.data[r.val[0]:r.val[1]]
		db := s.DB(r.db)
		if r.typ == rdb.TypeString && !r.hasFlags {
			// The common case, with one table lookup and no allocation.
			str, _, scratch, err := rdb.ReadStringBuf(val, rdb.MaxStringLen, b.scratch)
			b.scratch = scratch
			if err != nil {
				return n, fmt.Errorf("the value of key %s in database %d (type %d) does not decode: %w", keyForLog(key, l.opts.HideKeys), r.db, r.typ, err)
			}
			h, ok := db.LoadString(key, str, r.expire, l.opts.Now)
			if !ok {
				return n, fmt.Errorf("the file has the key %s twice in database %d", keyForLog(key, l.opts.HideKeys), r.db)
			}
			if r.idle >= 0 || r.freq >= 0 {
				setAccess(db, h, r, l.opts)
			}
			n++
			continue
		}
		if _, dup := db.Peek(key); dup {
			return n, fmt.Errorf("the file has the key %s twice in database %d", keyForLog(key, l.opts.HideKeys), r.db)
		}
		stored, err := storeValue(db, r, key, val, l.opts, &b.bs)
		if err != nil {
			return n, fmt.Errorf("the value of key %s in database %d (type %d) does not decode: %w", keyForLog(key, l.opts.HideKeys), r.db, r.typ, err)
		}
		if stored {
			n++
		}
	}
	return n, nil
}

// storeValue decodes a value of type r.typ and stores it under key, with
// the encoding Redis 7.2 would load it in (as RESTORE builds values).
func storeValue(db *shard.DB, r *record, key, val []byte, opts LoadOptions, bs *builders) (bool, error) {
	if len(r.fieldTTLs) > 0 && !isHashType(r.typ) && !isSetType(r.typ) && !isZSetType(r.typ) {
		// Field or member expiries before a value that has neither: a
		// corrupt file (a fuzzer's, before it was checked here, had a list
		// reach the member-expiry code).
		return false, rdb.ErrBadFormat
	}
	sc := &bs.sc
	now, lim := opts.Now, opts.Limits
	var h shard.Handle
	switch r.typ {
	case rdb.TypeString:
		s, _, err := rdb.ReadString(val, rdb.MaxStringLen)
		if err != nil {
			return false, err
		}
		if r.hasFlags {
			db.MCStore(key, s, r.mcflags, 0, 0, r.expire, now)
		} else {
			db.SetString(key, s, r.expire, false, shard.EncAuto, now)
		}
		if r.idle >= 0 || r.freq >= 0 {
			if h, ok := db.Peek(key); ok {
				setAccess(db, h, r, opts)
			}
		}
		return true, nil
	case rdb.TypeList, rdb.TypeListZiplist, rdb.TypeListQuicklist, rdb.TypeListQuicklist2:
		b, err := bs.list.build(db, r.typ, val, lim.ListFill, sc)
		if err != nil {
			return false, err
		}
		h = b.Store(key, now)
	case rdb.TypeHash, rdb.TypeHashZiplist, rdb.TypeHashListpack, rdb.TypeHashMetadata, rdb.TypeHashListpackEx:
		b, ttls, err := buildHash(db, r.typ, val, lim.Hash, now, r.fieldTTLs, sc)
		if err != nil {
			return false, err
		}
		if b == nil {
			return false, nil // every field had expired: no key, as in Redis
		}
		h = SetFieldExpiries(db, key, b.Store(key, now), ttls, now)
	case rdb.TypeSet, rdb.TypeSetIntset, rdb.TypeSetListpack:
		b, err := bs.set.build(db, r.typ, val, lim.Set, sc)
		if err != nil {
			return false, err
		}
		h = b.Store(key, now)
	case rdb.TypeZSet, rdb.TypeZSet2, rdb.TypeZSetZiplist, rdb.TypeZSetListpack:
		b, err := buildZSet(db, r.typ, val, lim.ZSet, sc)
		if err != nil {
			return false, err
		}
		h = b.Store(key, now)
	case rdb.TypeStreamListpacks, rdb.TypeStreamListpacks2, rdb.TypeStreamListpacks3:
		st, err := rdb.ReadStream(r.typ, val, db.StreamStore())
		if err != nil {
			return false, err
		}
		h = db.StoreStream(key, st, now)
	default:
		return false, rdb.ErrUnsupportedType
	}
	if len(r.fieldTTLs) > 0 && !isHashType(r.typ) {
		// A set's or sorted set's member expiries (AuxMemberTTLs); one
		// whose time has passed removes its member, and the key with its
		// last one.
		for m, at := range r.fieldTTLs {
			db.MemberExpire(key, h, []byte(m), at, now)
			var ok bool
			if h, ok = db.Peek(key); !ok {
				return false, nil
			}
		}
	}
	if r.expire != 0 {
		h = db.SetExpireAt(h, r.expire)
	}
	setAccess(db, h, r, opts)
	return true, nil
}

// setAccess gives a loaded entry the idle time or LFU counter the file
// has for it, the one opts.Access keeps (Redis's objectSetLRUOrLFU).
func setAccess(db *shard.DB, h shard.Handle, r *record, opts LoadOptions) {
	switch {
	case opts.Access == AccessIdle && r.idle >= 0:
		db.SetAccessTime(h, opts.Now/1000-r.idle)
	case opts.Access == AccessFreq && r.freq >= 0:
		db.SetFreq(h, byte(r.freq))
	}
}

// parseFieldTTLs reads the value of an AuxHashFieldTTLs aux field: a
// listpack of field, expiry pairs.
func parseFieldTTLs(lp []byte) (map[string]int64, error) {
	if listpack.Validate(lp) != nil {
		return nil, rdb.ErrBadFormat
	}
	out := map[string]int64{}
	var field []byte
	n := 0
	var buf [20]byte
	for it := listpack.FromBytes(lp).Iter(); it.Next(); n++ {
		v := it.Value()
		if n%2 == 0 {
			field = v.AppendTo(buf[:0])
			continue
		}
		if !v.IsInt || v.Int <= 0 {
			return nil, rdb.ErrBadFormat
		}
		out[string(field)] = v.Int
	}
	if n%2 != 0 {
		return nil, rdb.ErrBadFormat
	}
	return out, nil
}

// keyForLog is how an error names a key: quoted, or "*redacted*" when user
// data is kept out of the log (hide-user-data-from-log), as Redis writes.
func keyForLog(key []byte, hide bool) string {
	if hide {
		return "*redacted*"
	}
	return strconv.Quote(string(key))
}

func isHashType(t byte) bool {
	switch t {
	case rdb.TypeHash, rdb.TypeHashZiplist, rdb.TypeHashListpack, rdb.TypeHashMetadata, rdb.TypeHashListpackEx:
		return true
	}
	return false
}

func isSetType(t byte) bool {
	switch t {
	case rdb.TypeSet, rdb.TypeSetIntset, rdb.TypeSetListpack:
		return true
	}
	return false
}

func isZSetType(t byte) bool {
	switch t {
	case rdb.TypeZSet, rdb.TypeZSet2, rdb.TypeZSetZiplist, rdb.TypeZSetListpack:
		return true
	}
	return false
}
