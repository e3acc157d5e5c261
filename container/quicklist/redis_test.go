package quicklist

import (
	"bufio"
	"fmt"
	"hash/fnv"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/anaxdb/anax/container/listpack"
)

// owner plays the list type above a quicklist as Redis 7.2's t_list.c does
// for pushes: a plain listpack until a push would take it past the fill,
// then FromListpack and quicklist pushes.
type owner struct {
	s    Store
	fill int
	lp   []byte // the small encoding, nil once converted
	ql   *List
}

func (o *owner) push(v []byte, head bool) {
	if o.lp != nil {
		lp := listpack.FromBytes(o.lp)
		if !ExceedsLimit(o.fill, len(o.lp)+len(v), lp.Len()+1) {
			if head {
				lp.Prepend(v)
			} else {
				lp.Append(v)
			}
			o.lp = lp.Bytes()
			return
		}
		o.ql = FromListpack(o.s, o.lp, o.fill)
		o.lp = nil
	}
	if head {
		o.ql.PushHead(o.s, v)
	} else {
		o.ql.PushTail(o.s, v)
	}
}

// gen is the element maker of the script (see the testdata header).
func gen(kind string, j int) []byte {
	switch kind[0] {
	case 'i':
		return strconv.AppendInt(nil, int64(j*37), 10)
	case 'm':
		switch {
		case j%5 == 0:
			return gen("s300", j)
		case j%3 == 0:
			return strconv.AppendInt(nil, int64(j*1001), 10)
		}
		return gen("s10", j)
	case 's':
		n, _ := strconv.Atoi(kind[1:])
		s := strconv.AppendInt([]byte("e"), int64(j), 10)
		s = append(s, '-')
		for len(s) < n {
			s = append(s, byte('a'+j%26))
		}
		return s[:n]
	}
	panic("bad kind " + kind)
}

func atoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRedisNodes replays testdata/redis72-nodes.txt and checks that every
// node's listpack is the one redis-server 7.2 made: same count and size per
// node and the same hash of all node bytes.
func TestRedisNodes(t *testing.T) {
	f, err := os.Open("testdata/redis72-nodes.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st := newCheckStore(t)
	var o *owner
	seq, dumps := 0, 0
	text := func(i int) []byte {
		v, ok := o.ql.Index(st, i)
		if !ok {
			t.Fatalf("no element %d", i)
		}
		return v.AppendTo(nil)
	}
	sc := bufio.NewScanner(f)
	for lineNo := 1; sc.Scan(); lineNo++ {
		line := sc.Text()
		fl := strings.Fields(line)
		if len(fl) == 0 || fl[0] == "#" {
			continue
		}
		switch fl[0] {
		case "fill":
			if o != nil && o.ql != nil {
				o.ql.Free(st)
			}
			fill := atoi(t, fl[1])
			o = &owner{s: st, fill: fill, lp: listpack.New().Bytes()}
		case "rpush", "lpush":
			for j := 0; j < atoi(t, fl[1]); j++ {
				o.push(gen(fl[2], seq), fl[0] == "lpush")
				seq++
			}
		case "linsert":
			at, n := atoi(t, fl[2]), atoi(t, fl[3])
			for j := 0; j < n; j++ {
				pivot := text((at + j*131) % o.ql.Len())
				if !o.ql.Insert(st, pivot, gen(fl[4], seq), fl[1] == "after") {
					t.Fatalf("line %d: pivot %q not found", lineNo, pivot)
				}
				seq++
			}
		case "lset":
			for j := 0; j < atoi(t, fl[1]); j++ {
				o.ql.Replace(st, (j*131)%o.ql.Len(), gen(fl[2], seq))
				seq++
			}
		case "lrem":
			count := atoi(t, fl[2])
			for j := 0; j < atoi(t, fl[1]); j++ {
				o.ql.RemoveValue(st, text((j*97)%o.ql.Len()), count)
			}
		case "ltrim":
			start, end, n := atoi(t, fl[1]), atoi(t, fl[2]), o.ql.Len()
			if start < 0 {
				start += n
			}
			if end < 0 {
				end += n
			}
			start = max(start, 0)
			ltrim, rtrim := n, 0
			if start <= end && start < n {
				end = min(end, n-1)
				ltrim, rtrim = start, n-end-1
			}
			o.ql.DeleteRange(st, 0, ltrim)
			o.ql.DeleteRange(st, -rtrim, rtrim)
		case "lpop":
			o.ql.DeleteRange(st, 0, atoi(t, fl[1]))
		case "rpop":
			n := min(atoi(t, fl[1]), o.ql.Len())
			o.ql.DeleteRange(st, -n, n)
		case "dump":
			dumps++
			if fl[1] != "quicklist" || o.ql == nil {
				t.Fatalf("line %d: encoding %s, ours converted=%v", lineNo, fl[1], o.ql != nil)
			}
			h := fnv.New64a()
			var parts []string
			o.ql.ForEachNode(st, func(lp []byte) bool {
				h.Write(lp)
				parts = append(parts, fmt.Sprintf("%d/%d", listpack.FromBytes(lp).Len(), len(lp)))
				return true
			})
			got := fmt.Sprintf("%x %s", h.Sum64(), strings.Join(parts, " "))
			if want := strings.Join(fl[2:], " "); got != want {
				t.Fatalf("line %d: nodes differ from redis-server's\n got %.300s\nwant %.300s", lineNo, got, want)
			}
		default:
			t.Fatalf("line %d: unknown %q", lineNo, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	o.ql.Free(st)
	if err := st.leaks(); err != nil {
		t.Fatal(err)
	}
	if dumps == 0 {
		t.Fatal("no dump lines")
	}
}
