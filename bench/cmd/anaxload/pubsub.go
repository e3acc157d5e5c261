package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Pub/Sub: -cmd publish (RESP only).
//
// Each request is PUBLISH <channel> <payload>, the channel a key of the
// keyspace (-key-prefix, -pad, -keys: "chan:0" with -key-prefix chan: -pad 0
// -keys 1), the payload -d bytes whose first stampLen bytes are the time the
// pipeline was written, in nanoseconds since the run's start, zero-padded.
//
// With -subscribers N, N more connections SUBSCRIBE to every channel of the
// keyspace before the run and read the messages all through it, each on its
// own goroutine: PUBLISH answers N when every subscriber got the message,
// and an answer below N (a subscriber the server cut for its output buffer)
// counts as a miss. Each subscriber records the latency of every message
// published after the warm-up and read before the end, from the publisher's
// write (the payload's stamp) to the subscriber's read: -pub-latency
// reports those instead of PUBLISH's reply latency.

// stampLen is the length of a payload's send stamp: 16 digits of
// nanoseconds are 115 days.
const stampLen = 16

// publish appends PUBLISH channel payload, the stamp left as zeros and its
// offset in dst remembered (stamp fills it in).
func (g *gen) publish(dst []byte) []byte {
	o := g.o
	ch := o.appendKey(g.keys[0][:0], g.kg.next())
	g.keys[0] = ch
	dst = appendBulk(appendBulkString(appendArray(dst, 3), "PUBLISH"), ch)
	dst = append(dst, '$')
	dst = strconv.AppendInt(dst, int64(len(g.val)), 10)
	dst = append(dst, '\r', '\n')
	g.stamps = append(g.stamps, len(dst))
	dst = append(dst, g.val...)
	return append(dst, '\r', '\n')
}

// stamp writes sent into every payload of the pipeline buf that batch
// just built; a load other than publish has no stamps.
func (g *gen) stamp(buf []byte, sent time.Duration) {
	if len(g.stamps) == 0 {
		return
	}
	var d [20]byte
	s := strconv.AppendInt(d[:0], int64(sent), 10)
	for _, at := range g.stamps {
		field := buf[at : at+stampLen]
		n := copy(field[stampLen-len(s):], s)
		for i := range stampLen - n {
			field[i] = '0'
		}
	}
}

// publishReply consumes PUBLISH's reply: fewer receivers than subs is a
// miss.
func (rd *reader) publishReply(subs int) error {
	l, err := rd.line()
	if err != nil {
		return err
	}
	if len(l) > 0 && l[0] == ':' {
		n, err := strconv.Atoi(string(l[1:]))
		if err != nil {
			return fmt.Errorf("protocol error: integer %q", l)
		}
		if n < subs {
			rd.nils++
		} else {
			rd.values++
		}
		return nil
	}
	return rd.respRest(l)
}

// subscriber is one subscribed connection's reader and figures.
type subscriber struct {
	c    net.Conn
	rd   *reader
	hist Histogram // publish-to-receive latency
	msgs uint64    // messages read in the measured window
	err  error
}

// subscribers holds the load's subscribed connections.
type subscribers struct {
	subs    []*subscriber
	stopped atomic.Bool
	wg      sync.WaitGroup
}

// subscribe opens -subscribers connections, each subscribed to every
// channel of the keyspace, and waits for the confirmations.
func subscribe(o *options) (*subscribers, error) {
	if o.keys > 10000 {
		return nil, fmt.Errorf("-subscribers: each subscribes to every channel: use -keys <= 10000")
	}
	s := &subscribers{}
	for range o.subscribers {
		c, err := dial(o)
		if err != nil {
			s.close()
			return nil, err
		}
		sub := &subscriber{c: c, rd: newReader(c, time.Now())}
		sub.rd.buf = make([]byte, 256<<10)
		s.subs = append(s.subs, sub)
		cmd := appendBulkString(appendArray(nil, 1+int(o.keys)), "SUBSCRIBE")
		var ch []byte
		for i := range o.keys {
			ch = o.appendKey(ch[:0], i)
			cmd = appendBulk(cmd, ch)
		}
		_ = c.SetDeadline(time.Now().Add(o.timeout))
		if _, err := c.Write(cmd); err != nil {
			s.close()
			return nil, err
		}
		for range o.keys {
			if err := sub.rd.respReply(); err != nil {
				s.close()
				return nil, fmt.Errorf("SUBSCRIBE: %w", err)
			}
		}
		if sub.rd.errs > 0 {
			s.close()
			return nil, fmt.Errorf("SUBSCRIBE: %s", sub.rd.firstErr)
		}
		_ = c.SetDeadline(time.Time{})
	}
	return s, nil
}

// start runs every subscriber's reads, latencies measured against t0.
func (s *subscribers) start(o *options, t0 time.Time) {
	measureFrom, measureTo := o.warmup, o.warmup+o.duration
	for _, sub := range s.subs {
		sub.rd.t0 = t0
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for {
				sent, err := sub.rd.message()
				if err != nil {
					if !s.stopped.Load() {
						sub.err = err
					}
					return
				}
				if sent >= measureFrom && sub.rd.at <= measureTo {
					sub.msgs++
					sub.hist.Record(int64(sub.rd.at - sent))
				}
			}
		}()
	}
}

// stop closes the subscribers and merges their latencies into h; it
// returns the messages they read in the measured window.
func (s *subscribers) stop(h *Histogram) uint64 {
	s.close()
	s.wg.Wait()
	var msgs uint64
	for i, sub := range s.subs {
		if sub.err != nil {
			fmt.Fprintf(os.Stderr, "anaxload: subscriber %d: %v\n", i, sub.err)
		}
		h.Merge(&sub.hist)
		msgs += sub.msgs
	}
	return msgs
}

func (s *subscribers) close() {
	s.stopped.Store(true)
	for _, sub := range s.subs {
		_ = sub.c.Close()
	}
}

var messageHead = []byte("*3\r\n$7\r\nmessage\r\n")

// message consumes one message pushed to a RESP2 subscriber and returns
// its payload's stamp.
func (rd *reader) message() (time.Duration, error) {
	if err := rd.need(len(messageHead)); err != nil {
		return 0, err
	}
	if !bytes.Equal(rd.buf[rd.r:rd.r+len(messageHead)], messageHead) {
		l, _ := rd.line()
		return 0, fmt.Errorf("not a message: %q", l)
	}
	rd.r += len(messageHead)
	if err := rd.respReply(); err != nil { // the channel
		return 0, err
	}
	l, err := rd.line()
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(string(l[min(1, len(l)):]))
	if len(l) == 0 || l[0] != '$' || err != nil || n < stampLen {
		return 0, fmt.Errorf("payload %q: want a bulk string of at least %d bytes", l, stampLen)
	}
	if err := rd.need(stampLen); err != nil {
		return 0, err
	}
	sent, err := strconv.ParseInt(string(rd.buf[rd.r:rd.r+stampLen]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("payload stamp %q", rd.buf[rd.r:rd.r+stampLen])
	}
	return time.Duration(sent), rd.skip(n + 2)
}

// need reads until at least n bytes are buffered past r.
func (rd *reader) need(n int) error {
	for rd.w-rd.r < n {
		if err := rd.fill(); err != nil {
			return err
		}
	}
	return nil
}
