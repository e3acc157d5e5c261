package servertest

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// The oracle is the real Redis a comparison test compares Anax with. Anax
// follows Redis 7.2, so the oracle is a 7.2 when one is at hand
// ($TEST_REDIS72, or /tmp/redis72/src/redis-server, built from source);
// otherwise it is the redis-server on PATH, which on CI's Debian bookworm
// is a 7.0. A test then compares everything 7.0 answers as 7.2 does, and
// its script says, line by line, what differs: a line whose command name
// has one of the markers below (see Only72, Unordered70, AnaxOnly70).

// Oracle is a running redis-server to compare Anax with.
type Oracle struct {
	Addr    string // its address
	Version string // INFO server's redis_version
	Is70    bool   // a 7.0 (or older): no 7.2 was at hand
}

// Redis72Path returns the path of a redis-server 7.2 ($TEST_REDIS72, else
// /tmp/redis72/src/redis-server), or "" when there is none; TEST_REDIS72=none
// says there is none (to run the tests as CI does, with its 7.0). The path
// is not checked to be a 7.2: RedisVersion tells.
func Redis72Path() string {
	if os.Getenv("TEST_REDIS72") == "none" {
		return ""
	}
	for _, p := range []string{os.Getenv("TEST_REDIS72"), "/tmp/redis72/src/redis-server"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// RedisVersion returns the redis_version a server at addr reports in INFO
// server.
func RedisVersion(t testing.TB, addr string) string {
	t.Helper()
	c := Dial(t, addr)
	defer c.Close()
	info := c.Do("INFO", "server")
	_, v, ok := strings.Cut(info, "redis_version:")
	if !ok {
		t.Fatalf("servertest: INFO server of %s has no redis_version: %.200q", addr, info)
	}
	v, _, _ = strings.Cut(v, "\r\n")
	return v
}

// is70 reports whether version is older than 7.2.
func is70(version string) bool {
	return strings.HasPrefix(version, "7.0.") || strings.HasPrefix(version, "7.1.") ||
		strings.HasPrefix(version, "6.") || strings.HasPrefix(version, "5.")
}

// StartOracle starts the oracle with extra arguments args (as RedisAt), a
// 7.2 if one is at hand, else the installed redis-server; it skips the test
// when there is neither. It stops when the test ends.
func StartOracle(t testing.TB, args ...string) Oracle {
	t.Helper()
	o := OracleIfInstalled(t, args...)
	if o.Addr == "" {
		t.Skip("no redis-server (set $TEST_REDIS72 to a 7.2, or install one)")
	}
	return o
}

// OracleIfInstalled is StartOracle for tests that also check Anax alone:
// with no redis-server at all, it returns an Oracle whose Addr is "".
func OracleIfInstalled(t testing.TB, args ...string) Oracle {
	t.Helper()
	path := Redis72Path()
	if path == "" {
		p, err := exec.LookPath("redis-server")
		if err != nil {
			return Oracle{}
		}
		path = p
	}
	addr := RedisAt(t, path, args...)
	v := RedisVersion(t, addr)
	return Oracle{Addr: addr, Version: v, Is70: is70(v)}
}

// Markers a script line's command name may begin with, for what Redis 7.0
// answers unlike 7.2. On a 7.2 oracle every line is compared as it is.
const (
	only72      = "72only:"
	unordered70 = "unordered70:"
	anaxOnly70  = "anaxonly70:"
)

func mark(m string, cmd []string) []string {
	return append([]string{m + cmd[0]}, cmd[1:]...)
}

// Only72 marks a line whose reply is compared only with a 7.2: on a 7.0 it
// runs on both servers (so that their data stays the same) and its reply
// is not compared (OBJECT ENCODING where 7.2 has an encoding 7.0 lacks).
func Only72(cmd ...string) []string { return mark(only72, cmd) }

// Unordered70 marks a line whose reply, on a 7.0, is compared as an
// unordered collection: the elements of the reply's aggregate (of the
// second element of a SCAN-family reply) are sorted in both replies first.
// On a 7.2 the order is compared too.
func Unordered70(cmd ...string) []string { return mark(unordered70, cmd) }

// AnaxOnly70 marks a line that, on a 7.0, is sent to Anax alone, its reply
// not compared (CONFIG SET of a setting 7.0 lacks); on a 7.2 it runs on
// both and is compared.
func AnaxOnly70(cmd ...string) []string { return mark(anaxOnly70, cmd) }

// Unmark returns a script line's command without its marker, and the
// marker ("" when none).
func Unmark(line []string) (cmd []string, marker string) {
	for _, m := range []string{only72, unordered70, anaxOnly70} {
		if strings.HasPrefix(line[0], m) {
			return append([]string{strings.TrimPrefix(line[0], m)}, line[1:]...), m
		}
	}
	return line, ""
}

// Step runs one script line on Anax (a) and the oracle (r) and returns the
// command, the two replies, and whether they are to be compared; replies of
// an Unordered70 line on a 7.0 come back with their elements sorted. gr is
// "" when the line went to Anax alone.
func (o Oracle) Step(t testing.TB, a, r *Raw, line []string) (cmd []string, ga, gr string, compare bool) {
	t.Helper()
	cmd, m := Unmark(line)
	a.Send(Encode(cmd...))
	ga, err := a.ReadErr()
	if err != nil {
		t.Fatalf("%q: anax: %v", cmd, err)
	}
	if o.Is70 && m == anaxOnly70 {
		return cmd, ga, "", false
	}
	gr = r.Do(cmd...)
	if !o.Is70 {
		return cmd, ga, gr, true
	}
	switch m {
	case only72:
		return cmd, ga, gr, false
	case unordered70:
		scan := strings.HasSuffix(strings.ToUpper(cmd[0]), "SCAN")
		return cmd, SortedElements(t, ga, scan), SortedElements(t, gr, scan), true
	}
	return cmd, ga, gr, true
}

// Compare runs each script line with Step on fresh connections and
// reports every compared reply that differs.
func (o Oracle) Compare(t testing.TB, anax string, script [][]string) {
	t.Helper()
	a, r := Dial(t, anax), Dial(t, o.Addr)
	for _, line := range script {
		cmd, ga, gr, compare := o.Step(t, a, r, line)
		if compare && ga != gr {
			t.Errorf("%q:\n  anax:  %q\n  redis %s: %q", cmd, ga, o.Version, gr)
		}
	}
}

// SortedElements returns a raw aggregate reply with its elements sorted by
// their bytes (with scan, those of its second element, a SCAN-family
// reply's list); any other reply comes back as it is.
func SortedElements(t testing.TB, reply string, scan bool) string {
	t.Helper()
	if reply == "" || !strings.ContainsRune("*~>", rune(reply[0])) {
		return reply
	}
	p := &Raw{r: bufio.NewReader(strings.NewReader(reply))}
	header, err := p.r.ReadString('\n')
	if err != nil {
		t.Fatalf("servertest: sort %q: %v", reply, err)
	}
	var elems []string
	for {
		if _, err := p.r.Peek(1); err != nil {
			break
		}
		var b bytes.Buffer
		if err := p.readValue(&b); err != nil {
			t.Fatalf("servertest: sort %q: %v", reply, err)
		}
		elems = append(elems, b.String())
	}
	if scan {
		if len(elems) == 2 {
			elems[1] = SortedElements(t, elems[1], false)
		}
	} else {
		sort.Strings(elems)
	}
	return header + strings.Join(elems, "")
}
