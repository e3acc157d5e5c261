package pubsubcmd

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/anaxdb/anax/server/command"
)

// fakeHost runs each loop's posted functions in order on a goroutine.
type fakeHost struct {
	hub   *Hub
	loops []chan func()
}

func (h *fakeHost) PubSubHub() *Hub                  { return h.hub }
func (h *fakeHost) PubSubPost(loop int, fn func())   { h.loops[loop] <- fn }
func (h *fakeHost) PubSubClient(x *command.Exec) Sub { return nil }

// onLoop runs fn on loop and waits for it.
func (h *fakeHost) onLoop(loop int, fn func()) {
	done := make(chan struct{})
	h.PubSubPost(loop, func() { fn(); close(done) })
	<-done
}

func newFake(t *testing.T, loops int) *fakeHost {
	h := &fakeHost{hub: NewHub(4)}
	for i := 0; i < loops; i++ {
		ch := make(chan func(), 1024)
		go func() {
			for fn := range ch {
				fn()
			}
		}()
		h.loops = append(h.loops, ch)
	}
	t.Cleanup(func() {
		for _, ch := range h.loops {
			close(ch)
		}
	})
	return h
}

type fakeSub struct {
	st   State
	loop int
	got  []string
}

func (s *fakeSub) PubSub() *State     { return &s.st }
func (s *fakeSub) Loop() int          { return s.loop }
func (s *fakeSub) Push(m []byte)      { s.got = append(s.got, string(m)) }
func (s *fakeSub) Subscribed(on bool) {}

// TestHubOrderAndRace publishes from several goroutines while a client
// subscribes and unsubscribes, and checks that a steady subscriber gets
// each publisher's messages in order (run it with -race).
func TestHubOrderAndRace(t *testing.T) {
	h := newFake(t, 3)
	steady := &fakeSub{loop: 1}
	h.onLoop(1, func() {
		steady.st.add(KindPattern, "ch*")
		h.hub.add(KindPattern, "ch*", steady)
	})
	const pubs, n = 3, 200
	var wg sync.WaitGroup
	for p := 0; p < pubs; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n; i++ {
				if got := Publish(h, KindChannel, []byte("chan"), []byte(fmt.Sprintf("%d:%d", p, i)), nil, 3); got < 1 {
					t.Errorf("Publish = %d", got)
				}
			}
		}()
	}
	churn := &fakeSub{loop: 2}
	for i := 0; i < 100; i++ {
		h.onLoop(2, func() {
			if churn.st.add(KindChannel, "chan") {
				h.hub.add(KindChannel, "chan", churn)
			} else {
				churn.st.remove(KindChannel, "chan")
				h.hub.remove(KindChannel, "chan", churn)
			}
		})
	}
	wg.Wait()
	h.onLoop(1, func() {})
	if len(steady.got) != pubs*n {
		t.Fatalf("got %d messages, want %d", len(steady.got), pubs*n)
	}
	next := make([]int, pubs)
	for _, m := range steady.got {
		parts := strings.Split(m, "\r\n")
		var p, i int
		if _, err := fmt.Sscanf(parts[len(parts)-2], "%d:%d", &p, &i); err != nil || i != next[p] {
			t.Fatalf("message %q out of order (want %d from %d)", m, next[p], p)
		}
		next[p]++
	}
	if c, p, s := h.hub.Counts(); c != 0 || p != 1 || s != 0 {
		t.Errorf("Counts = %d %d %d", c, p, s)
	}
}

// TestPublishNoSubscriberDoesNotAllocate: PUBLISH to a channel nobody
// listens to allocates nothing, patterns or not.
func TestPublishNoSubscriberDoesNotAllocate(t *testing.T) {
	h := newFake(t, 2)
	s := &fakeSub{loop: 0}
	h.onLoop(0, func() {
		s.st.add(KindPattern, "news.*")
		h.hub.add(KindPattern, "news.*", s)
		s.st.add(KindChannel, "other")
		h.hub.add(KindChannel, "other", s)
	})
	ch, msg := []byte("sport.x"), []byte("m")
	if n := testing.AllocsPerRun(100, func() { Publish(h, KindChannel, ch, msg, nil, 2) }); n != 0 {
		t.Errorf("%v allocations per PUBLISH", n)
	}
}
