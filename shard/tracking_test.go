package shard

import (
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"
)

type fakeTracker struct {
	invalidated map[string][]int64
	flushes     int
	bcast       []string
}

func (f *fakeTracker) Invalidate(_ *Shard, key []byte, ids []int64) {
	f.invalidated[string(key)] = append(f.invalidated[string(key)], ids...)
}
func (f *fakeTracker) Broadcast(_ *Shard, key []byte)    { f.bcast = append(f.bcast, string(key)) }
func (f *fakeTracker) Flushed(_ *Shard, keys, items int) { f.flushes++ }

// TestTrackingTableModel drives the table with random reads and writes
// against a map model: every write of a tracked key reports exactly its
// readers once, the counts agree, and the name arena is compacted.
func TestTrackingTableModel(t *testing.T) {
	s := New(0, 2)
	f := &fakeTracker{invalidated: map[string][]int64{}}
	var bcast atomic.Bool
	s.SetTracker(f, &bcast)
	model := map[string][]int64{}
	rng := rand.New(rand.NewSource(1))
	key := func() []byte {
		// Long names make the arena's garbage grow past the compaction
		// threshold.
		return []byte(fmt.Sprintf("key:%0200d", rng.Intn(500)))
	}
	for i := 0; i < 50000; i++ {
		k := key()
		switch rng.Intn(3) {
		case 0, 1:
			id := int64(rng.Intn(4) + 1)
			s.Track(k, id)
			if !slices.Contains(model[string(k)], id) {
				model[string(k)] = append(model[string(k)], id)
			}
		default:
			s.DB(rng.Intn(2)).SetString(k, []byte("v"), 0, false, 0, 0)
			got := f.invalidated[string(k)]
			delete(f.invalidated, string(k))
			slices.Sort(got)
			want := slices.Clone(model[string(k)])
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("step %d: write of %q told %v, want %v", i, k[:12], got, want)
			}
			delete(model, string(k))
		}
		keys, items := s.TrackingCounts()
		n := 0
		for _, ids := range model {
			n += len(ids)
		}
		if keys != len(model) || items != n {
			t.Fatalf("step %d: counts %d %d, want %d %d", i, keys, items, len(model), n)
		}
		if s.trackListen != keys {
			t.Fatalf("step %d: trackListen %d, want %d", i, s.trackListen, keys)
		}
	}
	if len(s.track.keys) > 2*200*len(model)+1<<17 {
		t.Errorf("name arena of %d bytes for %d keys: not compacted", len(s.track.keys), len(model))
	}
	// The limit forgets keys, reporting their readers.
	s.EvictTracked(10)
	if keys, _ := s.TrackingCounts(); keys != 10 {
		t.Errorf("after EvictTracked(10), %d keys", keys)
	}
	// A flush forgets everything.
	s.DB(1).Flush(0)
	if keys, items := s.TrackingCounts(); keys != 0 || items != 0 || s.trackListen != 0 || f.flushes != 1 {
		t.Errorf("after a flush: %d keys, %d items, listen %d, %d flushes", keys, items, s.trackListen, f.flushes)
	}
	// Broadcast: every write is reported while on.
	bcast.Store(true)
	s.DB(0).SetString([]byte("b"), []byte("v"), 0, false, 0, 0)
	bcast.Store(false)
	s.DB(0).SetString([]byte("c"), []byte("v"), 0, false, 0, 0)
	if !slices.Equal(f.bcast, []string{"b"}) || s.trackListen != 0 {
		t.Errorf("broadcast reported %v, listen %d", f.bcast, s.trackListen)
	}
}

// TestTrackingTableNoPointers checks that the table's GC cost does not grow
// with the keys: the types it holds per key are plain integers.
func TestTrackingTableNoPointers(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeOf(trackEntry{}), reflect.TypeOf(trackID{})} {
		for i := 0; i < typ.NumField(); i++ {
			switch typ.Field(i).Type.Kind() {
			case reflect.Int32, reflect.Int64, reflect.Uint32, reflect.Uint64:
			default:
				t.Errorf("%s.%s is a %s", typ.Name(), typ.Field(i).Name, typ.Field(i).Type)
			}
		}
	}
}
