package main

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"time"
)

// Lua scripts: the loads (RESP only). Before the load, one connection
// sends SCRIPT LOAD of the load's script (a server's script cache is
// shared by all its connections); then every request is an EVALSHA of it.
// A server that refuses SCRIPT LOAD gets the load anyway, and every
// EVALSHA's error reply (NOSCRIPT, or an unknown command) counts.
//
// evalsha-incr: the rate limiter's script, INCR of its one key and EXPIRE
// of it (EVALSHA sha 1 key 60), on a key of the keyspace; it answers the
// count.
//
// evalsha-bullmq: one job through a BullMQ-style queue, modelled on
// BullMQ's addJob and moveToActive scripts. Its six keys are one queue's,
// all under one hash tag, "{<prefix><i>}:id", ":wait", ":active", ":job",
// ":prio", ":events" (so Redis Cluster would accept it, and Anax runs it on
// the queue's shard), passed as KEYS, for a queue i drawn from [0, -keys):
// INCR of the id counter, HSET of six fields of the job hash (its name,
// the -d value as data, a timestamp...), LPUSH of the id on the wait list,
// ZADD of it to the priority zset, XADD of an "added" event (MAXLEN ~
// 100: BullMQ trims its events stream too, at ~10,000 by default; 100
// lets a short fill bring every server's queues to their steady size),
// LMOVE of the oldest waiting job to the active list, HSET of its
// processedOn, LTRIM of the active list to 100 jobs and ZREMRANGEBYRANK of
// the zset to 100 members: the queue stays the same size (the wait list is
// empty between jobs: the consumer keeps up). It answers the job moved.

// scriptCmds are the script loads.
var scriptCmds = map[string]bool{"evalsha-incr": true, "evalsha-bullmq": true}

const incrScript = `local n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return n
`

// bullmqKeys are the suffixes of one queue's keys, in KEYS order.
var bullmqKeys = [6]string{"id", "wait", "active", "job", "prio", "events"}

const bullmqScript = `-- KEYS: id counter, wait list, active list, job hash, priority zset, events stream
-- ARGV: job name, job data, timestamp
local id = redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[4], 'name', ARGV[1], 'data', ARGV[2], 'timestamp', ARGV[3],
  'delay', '0', 'priority', '0', 'attemptsMade', '0')
redis.call('LPUSH', KEYS[2], id)
redis.call('ZADD', KEYS[5], id, id)
redis.call('XADD', KEYS[6], 'MAXLEN', '~', '100', '*', 'event', 'added', 'jobId', id)
local job = redis.call('LMOVE', KEYS[2], KEYS[3], 'RIGHT', 'LEFT')
redis.call('HSET', KEYS[4], 'processedOn', ARGV[3])
redis.call('LTRIM', KEYS[3], 0, 99)
redis.call('ZREMRANGEBYRANK', KEYS[5], 0, -101)
return job
`

// The fixed arguments: the rate limiter's TTL in seconds, the job's name
// and timestamp.
const (
	incrTTL      = "60"
	jobName      = "job"
	jobTimestamp = "1764720000000"
)

// script returns the text of the load's script.
func (o *options) script() string {
	if o.cmd == "evalsha-bullmq" {
		return bullmqScript
	}
	return incrScript
}

// scriptSHA is the SHA1 of a script's text in hex, the name EVALSHA
// gives it.
func scriptSHA(s string) string {
	h := sha1.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

// scriptRequest appends one EVALSHA of the load's script.
func (g *gen) scriptRequest(dst []byte) []byte {
	o := g.o
	i := g.kg.next()
	if o.cmd == "evalsha-incr" {
		key := o.appendKey(g.keys[0][:0], i)
		g.keys[0] = key
		dst = appendBulk(appendBulkString(appendArray(dst, 5), "EVALSHA"), g.sha)
		dst = appendBulk(append(dst, "$1\r\n1\r\n"...), key)
		return appendBulkString(dst, incrTTL)
	}
	dst = appendBulk(appendBulkString(appendArray(dst, 3+len(bullmqKeys)+3), "EVALSHA"), g.sha)
	dst = appendBulkString(dst, "6") // len(bullmqKeys)
	for j, suffix := range bullmqKeys {
		k := append(o.appendKey(append(g.keys[j][:0], '{'), i), "}:"...)
		g.keys[j] = append(k, suffix...)
		dst = appendBulk(dst, g.keys[j])
	}
	dst = appendBulk(appendBulkString(dst, jobName), g.val)
	return appendBulkString(dst, jobTimestamp)
}

// loadScript sends SCRIPT LOAD of the load's script on one connection.
// An error reply is reported on stderr and the load goes on (its EVALSHAs
// will fail and be counted); a reply that is not the script's SHA is an
// error.
func loadScript(o *options) error {
	c, err := dial(o)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(o.timeout))
	s := o.script()
	req := appendBulkString(appendBulkString(appendBulkString(appendArray(nil, 3), "SCRIPT"), "LOAD"), s)
	if _, err := c.Write(req); err != nil {
		return fmt.Errorf("SCRIPT LOAD: %w", err)
	}
	rd := newReader(c, time.Now())
	l, err := rd.line()
	if err != nil {
		return fmt.Errorf("SCRIPT LOAD: %w", err)
	}
	if len(l) > 0 && l[0] == '-' {
		fmt.Fprintf(os.Stderr, "anaxload: SCRIPT LOAD refused: %s\n", l[1:])
		return nil
	}
	want := scriptSHA(s)
	if len(l) > 0 && l[0] == '$' {
		if l, err = rd.line(); err != nil {
			return fmt.Errorf("SCRIPT LOAD: %w", err)
		}
		if string(l) == want {
			return nil
		}
	}
	return fmt.Errorf("SCRIPT LOAD answered %q, want the script's SHA %s", l, want)
}
