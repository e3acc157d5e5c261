package snapshot

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anaxdb/anax/shard"
	"github.com/anaxdb/anax/snapshot/rdb"
)

// Source is the keyspace a snapshot is taken of.
type Source struct {
	Shards []*shard.Shard
	// Start runs begin(i) on the owner goroutine of every shard i, all at
	// one point with respect to transactions that span shards (a
	// transaction over every shard), and returns once each ran.
	Start func(begin func(shard int))
}

// Aux is one aux field of the file's header.
type Aux struct {
	Name  string
	Value string
	Int   bool // Value is an integer (written as Redis writes integers)
}

// Options say where and how Save writes.
type Options struct {
	Dir, Filename string
	Checksum      bool  // rdbchecksum
	Compress      bool  // rdbcompression
	HideKeys      bool  // no key names in errors (LoadOptions.HideKeys)
	Aux           []Aux // header aux fields, in order
	// Functions are the function libraries' code, written after the aux
	// fields as Redis 7.0 writes them.
	Functions []string
	// Access says what of each key's access history goes with it.
	Access Access
	// BeforeRename, when set, runs after the temporary file is complete
	// and synced, before it replaces the file (tests of crash safety).
	BeforeRename func(tmp string)
}

// Access is what of a key's access history a file holds, chosen as Redis
// chooses by maxmemory-policy.
type Access uint8

const (
	AccessNone Access = iota // neither (a policy that is neither LRU nor LFU)
	AccessIdle               // its idle time in seconds (an LRU policy)
	AccessFreq               // its LFU counter (an LFU policy)
)

// Format is how entries are serialised.
type Format struct {
	Compress bool   // rdbcompression
	Access   Access // what of the access history to write
	Now      int64  // Unix ms the idle times and LFU counters are taken at
}

// Result describes a finished save.
type Result struct {
	Keys     int64
	Bytes    int64
	Duration time.Duration
	// Big counts the collections saved in pieces; Forced those of them a
	// write (or a flush) made complete at once.
	Big, Forced int64
}

// Tuning of the walk: each step of a shard's walker ends after stepTime
// (checked every few buckets) or when the chunks waiting for the writer
// reach maxQueued bytes; a shard hands a chunk over at chunkSize bytes.
const (
	chunkSize = 64 << 10
	maxQueued = 8 << 20
	stepTime  = 300 * time.Microsecond
)

// chunk is serialised records of one database from one shard.
type chunk struct {
	db   int
	data []byte
}

// saveJob is one running save: the shards' outputs and the writer's queue.
type saveJob struct {
	src      Source
	fmt      Format
	hideKeys bool // Options.HideKeys
	outs     []*shardOut
	queued   atomic.Int64 // bytes in chunks not yet written
	big      atomic.Int64 // entries taken in pieces
	forced   atomic.Int64 // of those, completed at once by a write

	mu       sync.Mutex
	cond     *sync.Cond
	chunks   []chunk
	stepping []bool
	done     []bool
	aborted  bool
	err      error // a failure found on a shard (fail)
}

// fail records the first failure found while serialising.
func (j *saveJob) fail(err error) {
	j.mu.Lock()
	if j.err == nil {
		j.err = err
	}
	j.mu.Unlock()
}

// shardOut is one shard's side of a save, used on its goroutine only.
type shardOut struct {
	job  *saveJob
	sh   *shard.Shard
	db   int
	buf  []byte
	keys int64
	// walking is set while the walker hands buckets over (not a write):
	// then a big collection is taken in pieces (bigs) instead of at once.
	walking bool
	bigs    []*bigEntry
}

var bufPool = sync.Pool{New: func() any { return make([]byte, 0, chunkSize+chunkSize/4) }}

func (o *shardOut) entry(index int, db *shard.DB, h shard.Handle) {
	if o.walking && isBig(db, h) {
		o.startBig(index, db, h)
		return
	}
	if index != o.db && len(o.buf) > 0 {
		o.flush()
	}
	o.db = index
	if o.buf == nil {
		o.buf = bufPool.Get().([]byte)[:0]
	}
	o.buf = AppendEntry(o.buf, db, h, o.job.fmt)
	o.keys++
	if len(o.buf) >= chunkSize {
		o.flush()
	}
}

func (o *shardOut) flush() {
	if len(o.buf) == 0 {
		return
	}
	j := o.job
	j.queued.Add(int64(len(o.buf)))
	j.mu.Lock()
	j.chunks = append(j.chunks, chunk{o.db, o.buf})
	j.mu.Unlock()
	j.cond.Signal()
	o.buf = nil
}

// step runs one slice of shard i's walker: first the big entries taken
// in pieces, then buckets.
func (j *saveJob) step(i int) {
	sh, o := j.src.Shards[i], j.outs[i]
	start := time.Now()
	o.walking = true
	for len(o.bigs) > 0 && time.Since(start) < stepTime && j.queued.Load() < maxQueued {
		if b := o.bigs[0]; o.continueBig(b, bigPiece) {
			o.completeBig(b)
		}
	}
	n := 0
	done := sh.SnapshotStep(func() bool {
		if len(o.buf) >= chunkSize {
			o.flush()
		}
		if j.queued.Load() >= maxQueued || len(o.bigs) >= maxBigs {
			return false
		}
		n++
		return n%16 != 0 || time.Since(start) < stepTime
	})
	o.walking = false
	o.flush()
	j.mu.Lock()
	j.stepping[i] = false
	if done {
		j.done[i] = true
	}
	j.mu.Unlock()
	j.cond.Signal()
}

// kick marks for a walker step every shard that has none queued, while
// the writer's queue has room, and returns them in post (to be called
// without mu). Called with mu held.
func (j *saveJob) kick(post []int) []int {
	if j.queued.Load() >= maxQueued {
		return post
	}
	for i := range j.src.Shards {
		if !j.stepping[i] && !j.done[i] {
			j.stepping[i] = true
			post = append(post, i)
		}
	}
	return post
}

// post queues a walker step on each of shards.
func (j *saveJob) post(shards []int) {
	for _, i := range shards {
		i := i
		j.src.Shards[i].Post(func() { j.step(i) })
	}
}

func (j *saveJob) allDone() bool {
	for _, d := range j.done {
		if !d {
			return false
		}
	}
	return true
}

// abort ends the snapshot on every shard that has not finished.
func (j *saveJob) abort() {
	j.mu.Lock()
	j.aborted = true
	j.mu.Unlock()
	var wg sync.WaitGroup
	for i, sh := range j.src.Shards {
		wg.Add(1)
		i, sh := i, sh
		sh.Post(func() {
			sh.AbortSnapshot()
			j.outs[i].buf = nil
			wg.Done()
		})
	}
	wg.Wait()
}

// Save writes a point-in-time snapshot of src to opts.Dir/opts.Filename
// and returns once the file is in place and synced. The shards keep
// serving commands meanwhile. On failure the file under the name is left
// as it was and the temporary file is removed.
func Save(src Source, opts Options) (Result, error) {
	began := time.Now()
	f, err := createTemp(opts.Dir)
	if err != nil {
		return Result{}, fmt.Errorf("cannot create a temporary file in %s: %w", opts.Dir, err)
	}
	tmp := f.Name()
	fail := func(err error) (Result, error) {
		f.Close()
		os.Remove(tmp)
		return Result{}, err
	}
	fw := rdb.NewFileWriter(f, opts.Checksum, opts.Compress)
	fw.Header()
	for _, a := range opts.Aux {
		if a.Int {
			var v int64
			fmt.Sscan(a.Value, &v)
			fw.AuxInt(a.Name, v)
		} else {
			fw.Aux(a.Name, a.Value)
		}
	}
	for _, code := range opts.Functions {
		fw.Function([]byte(code))
	}

	n := len(src.Shards)
	j := &saveJob{src: src, fmt: Format{Compress: opts.Compress, Access: opts.Access, Now: began.UnixMilli()}, hideKeys: opts.HideKeys,
		stepping: make([]bool, n), done: make([]bool, n)}
	j.cond = sync.NewCond(&j.mu)
	j.outs = make([]*shardOut, n)
	var dbs int
	if n > 0 {
		dbs = src.Shards[0].NumDB()
	}
	keys := make([][]atomic.Int64, n) // [shard][db] keys, then expires at dbs+db
	for i := range j.outs {
		j.outs[i] = &shardOut{job: j, sh: src.Shards[i], db: -1}
		keys[i] = make([]atomic.Int64, 2*dbs)
	}
	src.Start(func(i int) {
		sh := src.Shards[i]
		for d := range dbs {
			keys[i][d].Store(int64(sh.DB(d).Len()))
			keys[i][dbs+d].Store(int64(sh.DB(d).ExpiresCount()))
		}
		sh.StartSnapshot(j.outs[i].entry)
	})
	resized := make([]bool, dbs)
	var werr error
	var toPost []int
	for {
		j.mu.Lock()
		for {
			// Kick before every wait: a step that ended while the
			// previous ones were being posted signalled no one, and
			// nothing else would post its shard's next step.
			toPost = j.kick(toPost[:0])
			if len(j.chunks) > 0 || j.allDone() {
				break
			}
			if len(toPost) > 0 {
				j.mu.Unlock()
				j.post(toPost)
				j.mu.Lock()
				continue
			}
			j.cond.Wait()
		}
		chunks := j.chunks
		j.chunks = nil
		finished := j.allDone() && len(chunks) == 0
		failed := j.err
		j.mu.Unlock()
		j.post(toPost)
		toPost = toPost[:0]
		if failed != nil {
			j.abort()
			return fail(fmt.Errorf("saving the snapshot to %s: %w", tmp, failed))
		}
		if finished {
			break
		}
		for _, c := range chunks {
			if fw.SelectDB(c.db) && !resized[c.db] {
				resized[c.db] = true
				var k, e int64
				for i := range keys {
					k += keys[i][c.db].Load()
					e += keys[i][dbs+c.db].Load()
				}
				fw.ResizeDB(uint64(k), uint64(e))
			}
			_, werr = fw.Write(c.data)
			j.queued.Add(-int64(len(c.data)))
			if cap(c.data) <= 2*chunkSize { // not a big entry's own buffer
				bufPool.Put(c.data[:0]) //nolint:staticcheck // a slice header per chunk
			}
		}
		if werr != nil {
			j.abort()
			return fail(fmt.Errorf("write error saving the snapshot to %s: %w", tmp, werr))
		}
	}
	if err := fw.Close(); err != nil {
		return fail(fmt.Errorf("write error saving the snapshot to %s: %w", tmp, err))
	}
	if err := f.Sync(); err != nil {
		return fail(fmt.Errorf("fsync of %s: %w", tmp, err))
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return Result{}, fmt.Errorf("close of %s: %w", tmp, err)
	}
	if opts.BeforeRename != nil {
		opts.BeforeRename(tmp)
	}
	final := filepath.Join(opts.Dir, opts.Filename)
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return Result{}, fmt.Errorf("cannot rename %s to %s: %w", tmp, final, err)
	}
	if err := syncDir(opts.Dir); err != nil {
		return Result{}, fmt.Errorf("fsync of the directory %s: %w", opts.Dir, err)
	}
	var total int64
	for _, o := range j.outs {
		total += o.keys
	}
	return Result{Keys: total, Bytes: fw.Written(), Duration: time.Since(began), Big: j.big.Load(), Forced: j.forced.Load()}, nil
}

// syncDir fsyncs a directory, so that a rename in it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

var tempSeq atomic.Int64

// createTemp creates dir/temp-<pid>-<n>.rdb with mode 0666 less the umask,
// as Redis creates its files (os.CreateTemp would make it 0600).
func createTemp(dir string) (*os.File, error) {
	for {
		name := filepath.Join(dir, fmt.Sprintf("temp-%d-%d.rdb", os.Getpid(), tempSeq.Add(1)))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, os.ErrExist) {
			return f, err
		}
	}
}

// Big collections are serialised in pieces across steps, so that one
// value of millions of elements does not hold its shard for the whole of
// it: a collection of more than bigLen elements (or a list of more than
// bigNodes nodes) met by the walker gets its record built bigPiece
// elements per step, in a buffer of its own, and handed to the writer
// whole once complete (a record must not be cut by others' records). The
// shard holds the key meanwhile (SnapshotHold): a write to it, or the
// emptying of its database, first completes the record at once. At most
// maxBigs are in progress per shard.
const (
	bigLen   = 4096
	bigNodes = 64
	bigPiece = 2048
	maxBigs  = 4
)

// bigEntry is a big collection being serialised in pieces.
type bigEntry struct {
	index  int
	db     *shard.DB
	h      shard.Handle
	key    []byte
	typ    byte
	n      int    // elements (list: nodes) the record announces
	pos    int    // written so far (a list's nodes, a sorted set's members)
	cursor uint64 // the table cursor of a set or hash
	end    bool   // the cursor came back to 0
	buf    []byte
}

// isBig reports whether entry h is a collection big enough to be taken in
// pieces. A hash with field expiries, or a set or sorted set with member
// expiries, is not: its expiries go before it.
func isBig(db *shard.DB, h shard.Handle) bool {
	switch db.Type(h) {
	case shard.TypeList:
		nodes, _, _, _, ok := db.QuicklistInfo(h)
		return ok && nodes > bigNodes
	case shard.TypeSet:
		return db.Encoding(h) == shard.EncHashtable && db.SetLen(h) > bigLen && !db.HasMemberTTLs(h)
	case shard.TypeHash:
		return db.Encoding(h) == shard.EncHashtable && db.HashLen(h) > bigLen && !db.HashHasFieldTTL(h)
	case shard.TypeZSet:
		z := db.OpenZSet(nil, h)
		return z.ListpackBytes() == nil && z.Len() > bigLen && !db.HasMemberTTLs(h)
	}
	return false
}

// startBig writes the head of h's record (expiry, type, key, count) and
// takes the rest in pieces.
func (o *shardOut) startBig(index int, db *shard.DB, h shard.Handle) {
	c := o.job.fmt.Compress
	b := &bigEntry{index: index, db: db, h: h, key: append([]byte(nil), db.Key(h)...), typ: db.Type(h)}
	b.buf = appendHead(b.buf, db, h, o.job.fmt)
	switch b.typ {
	case shard.TypeList:
		b.n, _, _, _, _ = db.QuicklistInfo(h)
		b.buf = rdb.AppendRecordHeader(b.buf, rdb.TypeListQuicklist2, b.key, c)
	case shard.TypeSet:
		b.n = db.SetLen(h)
		b.buf = rdb.AppendRecordHeader(b.buf, rdb.TypeSet, b.key, c)
	case shard.TypeHash:
		b.n = db.HashLen(h)
		b.buf = rdb.AppendRecordHeader(b.buf, rdb.TypeHash, b.key, c)
	case shard.TypeZSet:
		z := db.OpenZSet(nil, h)
		b.n = z.Len()
		b.buf = rdb.AppendRecordHeader(b.buf, rdb.TypeZSet2, b.key, c)
	}
	b.buf = rdb.AppendLength(b.buf, uint64(b.n))
	o.bigs = append(o.bigs, b)
	o.keys++
	o.job.big.Add(1)
	o.sh.SnapshotHold(db, b.key, func() {
		o.job.forced.Add(1)
		for !o.continueBig(b, 1<<30) {
		}
		o.completeBig(b)
	})
}

// continueBig serialises about budget more elements of b and reports
// whether the record is complete.
func (o *shardOut) continueBig(b *bigEntry, budget int) bool {
	c := o.job.fmt.Compress
	db, h := b.db, b.h
	switch b.typ {
	case shard.TypeList:
		var stack [16][]byte
		nodes := db.ListNodes(h, stack[:0])
		for k := 0; b.pos < len(nodes) && k < budget/64+1; k++ {
			b.buf = append(b.buf, rdb.QuicklistNodePacked)
			b.buf = rdb.AppendString(b.buf, nodes[b.pos], c)
			b.pos++
		}
		return b.pos == len(nodes)
	case shard.TypeSet:
		for k := 0; !b.end && k < budget; {
			b.cursor, _ = db.SetScan(h, b.cursor, func(m []byte) {
				b.buf = rdb.AppendString(b.buf, m, c)
				b.pos++
				k++
			})
			b.end = b.cursor == 0
		}
		return b.end
	case shard.TypeHash:
		for k := 0; !b.end && k < budget; {
			b.cursor, _ = db.HashScan(h, b.cursor, 0, func(f, v []byte) {
				b.buf = rdb.AppendString(b.buf, f, c)
				b.buf = rdb.AppendString(b.buf, v, c)
				b.pos++
				k++
			})
			b.end = b.cursor == 0
		}
		return b.end
	case shard.TypeZSet:
		z := db.OpenZSet(nil, h)
		k := 0
		z.Range(z.Len()-1-b.pos, true, func(m []byte, s float64) bool {
			b.buf = rdb.AppendString(b.buf, m, c)
			b.buf = binary.LittleEndian.AppendUint64(b.buf, math.Float64bits(s))
			b.pos++
			k++
			return k < budget
		})
		return b.pos >= b.n
	}
	return true
}

// completeBig hands b's record to the writer and releases the key.
func (o *shardOut) completeBig(b *bigEntry) {
	if b.pos != b.n {
		o.job.fail(fmt.Errorf("the key %s changed its size while it was saved (%d elements of %d)", keyForLog(b.key, o.job.hideKeys), b.pos, b.n))
	}
	if len(o.buf) > 0 {
		o.flush()
	}
	o.db = b.index
	o.buf = b.buf
	o.flush()
	o.sh.SnapshotRelease(b.db, b.key)
	for i, x := range o.bigs {
		if x == b {
			o.bigs = append(o.bigs[:i], o.bigs[i+1:]...)
			break
		}
	}
}
