package server_test

import (
	"context"
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
