package shard

import "testing"

type testWaiter struct{ waiting bool }

func (w *testWaiter) Waiting() bool { return w.waiting }

func drainReady(s *Shard) []string {
	var keys []string
	var buf []byte
	for {
		db, key, ok := s.NextReady(buf)
		if !ok {
			return keys
		}
		keys = append(keys, string(rune('0'+db))+":"+string(key))
		buf = key
	}
}

func TestBlockedKeyBecomesReadyOnWrite(t *testing.T) {
	s := New(0, 2)
	a, b := &testWaiter{true}, &testWaiter{true}
	s.Block(0, []byte("k"), a)
	s.Block(0, []byte("k"), b)
	s.Block(1, []byte("other"), a)
	if s.HasReady() || s.BlockedKeys() != 2 {
		t.Fatalf("ready %v keys %d before any write", s.HasReady(), s.BlockedKeys())
	}
	s.DB(0).SetString([]byte("unrelated"), []byte("v"), 0, false, EncAuto, 1000)
	if s.HasReady() {
		t.Fatal("a write to another key made a key ready")
	}
	s.DB(0).SetString([]byte("k"), []byte("v"), 0, false, EncAuto, 1000)
	s.DB(0).SetString([]byte("k"), []byte("w"), 0, false, EncAuto, 1000)
	if got := drainReady(s); len(got) != 1 || got[0] != "0:k" {
		t.Fatalf("ready keys %v, want [0:k] once", got)
	}
	if w := s.Waiters(0, []byte("k")); len(w) != 2 || w[0] != a || w[1] != b {
		t.Fatalf("waiters %v, want a then b", w)
	}
	a.waiting = false
	if w := s.Waiters(0, []byte("k")); len(w) != 1 || w[0] != b {
		t.Fatalf("waiters %v, want only b", w)
	}
	s.Unblock(0, []byte("k"), b)
	if s.BlockedKeys() != 1 {
		t.Fatalf("blocked keys %d after the last waiter left, want 1", s.BlockedKeys())
	}
	s.DB(0).Delete([]byte("k"))
	if s.HasReady() {
		t.Fatal("deleting a key made it ready")
	}
}

func TestBlockOnExistingKeyIsReadyAtOnce(t *testing.T) {
	s := New(0, 1)
	s.DB(0).SetString([]byte("k"), []byte("v"), 0, false, EncAuto, 1000)
	s.Block(0, []byte("k"), &testWaiter{true})
	if got := drainReady(s); len(got) != 1 || got[0] != "0:k" {
		t.Fatalf("ready keys %v, want [0:k]", got)
	}
}

func TestSwapDBReadiesKeysThatNowExist(t *testing.T) {
	s := New(0, 2)
	s.DB(1).SetString([]byte("k"), []byte("v"), 0, false, EncAuto, 1000)
	s.Block(0, []byte("k"), &testWaiter{true})
	s.SwapDB(0, 1, 1000)
	if got := drainReady(s); len(got) != 1 || got[0] != "0:k" {
		t.Fatalf("ready keys %v, want [0:k]", got)
	}
}
