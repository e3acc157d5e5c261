package shard

import (
	"fmt"
	"math/rand"
	"slices"
	"strconv"
	"testing"
)

// listContent reads a whole list through its iterator.
func listContent(db *DB, key string) []string {
	h, ok := db.Peek([]byte(key))
	if !ok {
		return nil
	}
	l := db.OpenList([]byte(key), h)
	var out []string
	for it := l.Iter(0, false); it.Next(); {
		out = append(out, string(it.Value().AppendTo(nil)))
	}
	return out
}

func openTest(t *testing.T, db *DB, key string) List {
	t.Helper()
	h, ok := db.Peek([]byte(key))
	if !ok {
		t.Fatalf("%s: missing", key)
	}
	return db.OpenList([]byte(key), h)
}

func pushTest(db *DB, key string, head bool, fill int, elems ...string) List {
	var l List
	if h, ok := db.Peek([]byte(key)); ok {
		l = db.OpenList([]byte(key), h)
	} else {
		l = db.NewList([]byte(key), 0)
	}
	args := make([][]byte, len(elems))
	for i, e := range elems {
		args[i] = []byte(e)
	}
	l.Push(args, head, fill)
	return l
}

// TestListConversions checks Redis 7.2's conversion points both ways, by
// count and by size, and that content survives them.
func TestListConversions(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	l := pushTest(db, "c", false, 4, "1", "2", "3", "4")
	if l.Big() {
		t.Fatal("4 elements under fill 4: big")
	}
	l.Push([][]byte{[]byte("5")}, false, 4)
	if !l.Big() || db.Encoding(l.h) != EncQuicklist {
		t.Fatal("5 elements under fill 4: still small")
	}
	l.RemoveEnd(false, 2, 4) // 3 left: over half of 4
	if !l.Big() {
		t.Fatal("3 elements converted back under fill 4")
	}
	l.RemoveEnd(true, 1, 4)
	if l.Big() || db.Encoding(l.h) != EncListpack {
		t.Fatal("2 elements under fill 4: still big")
	}
	if got := listContent(db, "c"); !slices.Equal(got, []string{"2", "3"}) {
		t.Fatalf("content %q", got)
	}
	if live, _ := s.BigValues(); live != 0 {
		t.Fatalf("%d big values live after converting back", live)
	}

	// By size under fill -1 (4 KB).
	big := string(make([]byte, 3000))
	l = pushTest(db, "s", false, -1, big)
	l.Push([][]byte{[]byte(big)}, true, -1)
	if !l.Big() {
		t.Fatal("6000 bytes under fill -1: small")
	}
	l.RemoveEnd(true, 1, -1)
	if !l.Big() {
		t.Fatal("one node of 3000 bytes converted back under fill -1 (half: 2048)")
	}
	l.Set(0, []byte("x"), -1)
	if l.Big() {
		t.Fatal("LSET to a small element did not convert back")
	}
	if l.Len() != 1 {
		t.Fatalf("len %d", l.Len())
	}
	// Emptying deletes the key, big or small.
	if !l.RemoveEnd(true, 1, -1) {
		t.Fatal("emptied list kept its key")
	}
	if _, ok := db.Peek([]byte("s")); ok {
		t.Fatal("emptied list still there")
	}
}

// TestListModel drives lists through random operations under small fills,
// so that they convert often, and checks them against [][]string.
func TestListModel(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	rng := rand.New(rand.NewSource(3))
	model := map[string][]string{}
	val := func() string {
		if rng.Intn(10) == 0 {
			return string(make([]byte, rng.Intn(3000)))
		}
		return strconv.Itoa(rng.Intn(40) - 10)
	}
	for i := 0; i < 50_000; i++ {
		fill := []int{3, 8, -1, -2}[rng.Intn(4)]
		key := "k" + strconv.Itoa(rng.Intn(4))
		m := model[key]
		_, exists := db.Peek([]byte(key))
		if exists != (len(m) > 0) {
			t.Fatalf("op %d: %s exists %v, model %d elements", i, key, exists, len(m))
		}
		switch op := rng.Intn(7); {
		case op < 2 || !exists:
			n := rng.Intn(5) + 1
			var elems []string
			for range n {
				elems = append(elems, val())
			}
			head := rng.Intn(2) == 0
			pushTest(db, key, head, fill, elems...)
			for _, e := range elems {
				if head {
					m = append([]string{e}, m...)
				} else {
					m = append(m, e)
				}
			}
		case op == 2:
			n := rng.Intn(len(m)) + 1
			head := rng.Intn(2) == 0
			l := openTest(t, db, key)
			l.RemoveEnd(head, n, fill)
			if head {
				m = m[n:]
			} else {
				m = m[:len(m)-n]
			}
		case op == 3:
			i := rng.Intn(len(m)*2+1) - len(m)
			v := val()
			l := openTest(t, db, key)
			ok := l.Set(i, []byte(v), fill)
			if j := i; j < 0 {
				j += len(m)
				i = j
			}
			if ok != (i >= 0 && i < len(m)) {
				t.Fatalf("op %d: Set(%d) = %v, len %d", i, i, ok, len(m))
			}
			if ok {
				m[i] = v
			}
		case op == 4:
			pivot, v := val(), val()
			after := rng.Intn(2) == 0
			l := openTest(t, db, key)
			ok := l.Insert([]byte(pivot), []byte(v), after, fill)
			k := slices.Index(m, pivot)
			if ok != (k >= 0) {
				t.Fatalf("op %d: Insert pivot %q = %v, model index %d", i, pivot, ok, k)
			}
			if ok {
				if after {
					k++
				}
				m = slices.Insert(m, k, v)
			}
		case op == 5:
			v := val()
			count := rng.Intn(5) - 2
			l := openTest(t, db, key)
			got := l.Remove([]byte(v), count, fill)
			want := 0
			if count >= 0 {
				for k := 0; k < len(m); {
					if m[k] == v && (count == 0 || want < count) {
						m = slices.Delete(m, k, k+1)
						want++
						continue
					}
					k++
				}
			} else {
				for k := len(m) - 1; k >= 0 && want < -count; k-- {
					if m[k] == v {
						m = slices.Delete(m, k, k+1)
						want++
					}
				}
			}
			if got != want {
				t.Fatalf("op %d: Remove %q %d = %d, want %d", i, v, count, got, want)
			}
		default:
			start, stop := rng.Intn(len(m)+4)-2, rng.Intn(len(m)+4)-2
			l := openTest(t, db, key)
			l.Trim(start, stop, fill)
			n := len(m)
			if start < 0 {
				start += n
			}
			if stop < 0 {
				stop += n
			}
			start = max(start, 0)
			if start > stop || start >= n {
				m = nil
			} else {
				m = m[start : min(stop, n-1)+1]
			}
		}
		if len(m) == 0 {
			delete(model, key)
		} else {
			model[key] = m
		}
		if got := listContent(db, key); !slices.Equal(got, m) {
			t.Fatalf("op %d on %s: list %d elements, model %d", i, key, len(got), len(m))
		}
	}
}

// bigList makes a quicklist of n elements under key.
func bigList(db *DB, key string, n int) List {
	elems := make([]string, n)
	for i := range elems {
		elems[i] = fmt.Sprintf("element-%06d", i)
	}
	return pushTest(db, key, false, -2, elems...)
}

// TestBigListCopyExportImport copies a big list within a shard (COPY,
// RENAME's same-shard path) and across shards (Export, ImportAs): the
// copies are deep, and deleting all of them frees every cell.
func TestBigListCopyExportImport(t *testing.T) {
	s1, s2 := New(0, 2), New(1, 1)
	db, other := s1.DB(0), s2.DB(0)
	used1, used2 := s1.arena.Used(), s2.arena.Used()
	l := bigList(db, "src", 5000)
	if !l.Big() {
		t.Fatal("5000 elements: small")
	}
	want := listContent(db, "src")

	h, _ := db.Peek([]byte("src"))
	db.CopyFrom(db, h, []byte("copy"), 0, false, 0)
	s1.DB(1).CopyFrom(db, h, []byte("moved"), 0, true, 0)
	raw, ok := db.Export([]byte("src"), 0, nil)
	if !ok {
		t.Fatal("Export")
	}
	other.ImportAs(raw, []byte("imported"), false, 0)

	c := openTest(t, db, "copy")
	c.RemoveEnd(true, 10, -2) // the copy is its own
	for _, kv := range []struct {
		db   *DB
		key  string
		want []string
	}{{db, "src", want}, {db, "copy", want[10:]}, {s1.DB(1), "moved", want}, {other, "imported", want}} {
		if got := listContent(kv.db, kv.key); !slices.Equal(got, kv.want) {
			t.Errorf("%s: %d elements, want %d", kv.key, len(got), len(kv.want))
		}
	}
	if got := db.ValueMemory(h); got < 5000*13 {
		t.Errorf("ValueMemory %d, under the elements' bytes", got)
	}

	db.Delete([]byte("src"))
	db.Delete([]byte("copy"))
	s1.DB(1).Delete([]byte("moved"))
	other.Delete([]byte("imported"))
	for s1.Lazy() {
		s1.ReclaimLazy()
	}
	for s2.Lazy() {
		s2.ReclaimLazy()
	}
	if s1.arena.Used() != used1 || s2.arena.Used() != used2 {
		t.Errorf("arena used %d / %d after deleting every list, started at %d / %d", s1.arena.Used(), s2.arena.Used(), used1, used2)
	}
	if live, _ := s1.BigValues(); live != 0 {
		t.Errorf("%d big values live", live)
	}
}

// TestBigListFreed checks that FlushDB and lazy freeing of a huge list give
// back every cell, in bounded steps.
func TestBigListFreed(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	used := s.arena.Used()
	bigList(db, "a", 200_000)
	bigList(db, "b", 300)
	db.Flush(0)
	steps := 0
	for s.Lazy() {
		s.ReclaimLazy()
		steps++
	}
	if s.arena.Used() != used {
		t.Errorf("arena used %d after FlushDB, started at %d", s.arena.Used(), used)
	}
	bigList(db, "c", 200_000)
	db.Delete([]byte("c"))
	if !s.Lazy() {
		t.Error("a list of 200,000 elements was freed at once")
	}
	for s.Lazy() {
		s.ReclaimLazy()
	}
	if s.arena.Used() != used {
		t.Errorf("arena used %d after deleting, started at %d", s.arena.Used(), used)
	}
}
