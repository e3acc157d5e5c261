package server_test

import (
	"encoding/binary"
	"strconv"
	"testing"
	"time"

	"github.com/anaxdb/anax/container/listpack"
	"github.com/anaxdb/anax/internal/servertest"
	"github.com/anaxdb/anax/snapshot/rdb"
)

// listpackExPayload is a RESTORE payload as Redis 7.4 dumps a small hash
// with field expiries: RDB type 25 (a minimum expiry, then a listpack of
// field, value, expiry triples, the fields with one first and ascending),
// RDB version 12 in the footer.
func listpackExPayload(triples ...string) []byte {
	lp := listpack.New()
	minExp := int64(0)
	for i := 0; i < len(triples); i += 3 {
		lp.Append([]byte(triples[i]))
		lp.Append([]byte(triples[i+1]))
		exp, _ := strconv.ParseInt(triples[i+2], 10, 64)
		lp.AppendInt(exp)
		if exp != 0 && (minExp == 0 || exp < minExp) {
			minExp = exp
		}
	}
	body := []byte{rdb.TypeHashListpackEx}
	body = binary.LittleEndian.AppendUint64(body, uint64(minExp))
	body = rdb.AppendString(body, lp.Bytes(), false)
	return withFooter(body, 12)
}

// TestHashFieldExpiryDumpRestore checks DUMP and RESTORE of hashes with
// field expiries in Redis 7.4's RDB 12 types (the 7.0 oracle has none):
// DUMP writes type 24 with version 12, RESTORE reads it and Redis 7.4's
// type 25 back with the expiries, a hash whose fields all expired restores
// as no key, and a version past 12 is refused.
func TestHashFieldExpiryDumpRestore(t *testing.T) {
	c := servertest.Dial(t, servertest.Start(t, "--threads", "2"))
	c.Do("HSET", "h", "f1", "v1", "f2", "v2", "f3", "v3")
	if got := c.Do("HPEXPIRE", "h", "100000", "FIELDS", "2", "f1", "f3"); got != respInts(1, 1) {
		t.Fatal(got)
	}
	payload := bulk(t, c.Do("DUMP", "h"))
	if payload[0] != rdb.TypeHashMetadata || binary.LittleEndian.Uint16(payload[len(payload)-10:]) != 12 {
		t.Errorf("DUMP of a hash with field expiries: type %d, version %d", payload[0], binary.LittleEndian.Uint16(payload[len(payload)-10:]))
	}
	if got := c.Do("RESTORE", "h2", "0", string(payload)); got != "+OK\r\n" {
		t.Fatalf("RESTORE of its DUMP: %q", got)
	}
	want := c.Do("HPEXPIRETIME", "h", "FIELDS", "3", "f1", "f2", "f3")
	if got := c.Do("HPEXPIRETIME", "h2", "FIELDS", "3", "f1", "f2", "f3"); got != want || got == respInts(-1, -1, -1) {
		t.Errorf("HPEXPIRETIME after DUMP and RESTORE: %q, want %q", got, want)
	}
	if got, want := c.Do("HGETALL", "h2"), c.Do("HGETALL", "h"); got != want {
		t.Errorf("HGETALL after DUMP and RESTORE: %q, want %q", got, want)
	}

	future := time.Now().Add(time.Hour).UnixMilli()
	at := strconv.FormatInt(future, 10)
	if got := c.Do("RESTORE", "k", "0", string(listpackExPayload("a", "1", at, "b", "2", "0"))); got != "+OK\r\n" {
		t.Fatalf("RESTORE of a type 25 payload: %q", got)
	}
	if got := c.Do("HPEXPIRETIME", "k", "FIELDS", "2", "a", "b"); got != respInts(future, -1) {
		t.Errorf("HPEXPIRETIME of the restored type 25 hash: %q", got)
	}
	if got := c.Do("HGET", "k", "b"); got != "$1\r\n2\r\n" {
		t.Errorf("HGET: %q", got)
	}
	past := strconv.FormatInt(time.Now().Add(-time.Hour).UnixMilli(), 10)
	if got := c.Do("RESTORE", "gone", "0", string(listpackExPayload("a", "1", past))); got != "+OK\r\n" {
		t.Errorf("RESTORE of a hash whose fields all expired: %q", got)
	}
	if got := c.Do("EXISTS", "gone"); got != ":0\r\n" {
		t.Errorf("EXISTS of a hash restored with every field expired: %q", got)
	}
	if got := c.Do("RESTORE", "part", "0", string(listpackExPayload("a", "1", past, "b", "2", "0"))); got != "+OK\r\n" {
		t.Errorf("RESTORE of a hash with one field expired: %q", got)
	}
	if got := c.Do("HGETALL", "part"); got != "*2\r\n$1\r\nb\r\n$1\r\n2\r\n" {
		t.Errorf("HGETALL of a hash restored with one field expired: %q", got)
	}
	p := listpackExPayload("a", "1", at)
	body := p[:len(p)-10]
	if got := c.Do("RESTORE", "v13", "0", string(withFooter(body, 13))); got != "-ERR DUMP payload version or checksum are wrong\r\n" {
		t.Errorf("RESTORE of a version 13 payload: %q", got)
	}
}
