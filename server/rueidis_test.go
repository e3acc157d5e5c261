package server_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/anaxdb/anax/internal/servertest"
)

// TestRueidisClientSideCache runs rueidis with its default options, which
// turn on CLIENT TRACKING (OPTIN, RESP3) and cache DoCache's replies until
// an invalidation arrives.
func TestRueidisClientSideCache(t *testing.T) {
	anax := servertest.Start(t) // make test runs it over 1 and 4 shards
	c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{anax}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	other := servertest.Dial(t, anax)
	for _, key := range []string{"a", "b", "c", "d"} {
		other.Do("SET", key, "v1")
		get := func() rueidis.RedisResult {
			return c.DoCache(ctx, c.B().Get().Key(key).Cache(), time.Minute)
		}
		if v, err := get().ToString(); err != nil || v != "v1" {
			t.Fatalf("GET %s: %q %v", key, v, err)
		}
		r := get()
		if v, _ := r.ToString(); v != "v1" || !r.IsCacheHit() {
			t.Fatalf("GET %s again: %q, cache hit %v", key, v, r.IsCacheHit())
		}
		other.Do("SET", key, "v2")
		deadline := time.Now().Add(5 * time.Second)
		for {
			r := get()
			v, _ := r.ToString()
			if v == "v2" && !r.IsCacheHit() {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET %s after a write: %q, cache hit %v", key, v, r.IsCacheHit())
			}
			time.Sleep(5 * time.Millisecond)
		}
		// MGET through the cache, then a write by the client
		// itself.
		if err := c.Do(ctx, c.B().Set().Key(key).Value("v3").Build()).Error(); err != nil {
			t.Fatal(err)
		}
		deadline = time.Now().Add(5 * time.Second)
		for {
			v, _ := get().ToString()
			if v == "v3" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET %s after its own write: %q", key, v)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// TestRueidisCacheStaysCoherent has rueidis readers cache keys while
// writers on other connections change them; once the writes stop, every
// reader's cache must agree with the server: no invalidation was lost,
// whichever loops and shards the clients and keys have.
func TestRueidisCacheStaysCoherent(t *testing.T) {
	anax := servertest.Start(t)
	ctx := context.Background()
	const nkeys = 40
	key := func(i int) string { return "coherent:" + strconv.Itoa(i) }
	var readers []rueidis.Client
	for i := 0; i < 3; i++ {
		c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{anax}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		readers = append(readers, c)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{anax}, DisableCache: true})
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				k := key((n*7 + w) % nkeys)
				var cmd rueidis.Completed
				switch n % 3 {
				case 0:
					cmd = c.B().Set().Key(k).Value(strconv.Itoa(n)).Build()
				case 1:
					cmd = c.B().Incr().Key(k).Build()
				default:
					cmd = c.B().Del().Key(k).Build()
				}
				_ = c.Do(ctx, cmd).Error()
			}
		}(w)
	}
	for _, r := range readers {
		wg.Add(1)
		go func(r rueidis.Client) {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				_ = r.DoCache(ctx, r.B().Get().Key(key(n%nkeys)).Cache(), time.Minute).Error()
			}
		}(r)
	}
	time.Sleep(400 * time.Millisecond)
	close(stop)
	wg.Wait()
	// The last invalidations land soon; a lost one never does.
	direct := servertest.Dial(t, anax)
	deadline := time.Now().Add(5 * time.Second)
	for i := 0; i < nkeys; i++ {
		want := direct.Do("GET", key(i))
		for j, r := range readers {
			for {
				v, err := r.DoCache(ctx, r.B().Get().Key(key(i)).Cache(), time.Minute).ToString()
				got := "$-1\r\n"
				if err == nil {
					got = "$" + strconv.Itoa(len(v)) + "\r\n" + v + "\r\n"
				}
				if got == want {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("reader %d, %s: cache says %q, server %q", j, key(i), got, want)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
	}
}
