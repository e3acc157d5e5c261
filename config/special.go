package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// SavePoint is one "save <seconds> <changes>" rule: snapshot when at least
// Changes writes happened and Seconds passed since the last snapshot.
type SavePoint struct {
	Seconds int64
	Changes int64
}

func parseSave(cur value, args []string, o parseOpts) (value, *valueError) {
	if len(args) == 1 && args[0] == "" {
		return value{x: []SavePoint(nil)}, nil // save "" clears the save points, also mid-file
	}
	bad := verr("Invalid save parameters",
		fmt.Sprintf("invalid save parameters %q: want pairs of <seconds> (>= 1) <changes> (>= 0)",
			strings.Join(args, " ")))
	if len(args)%2 != 0 {
		return value{}, bad
	}
	var points []SavePoint
	if o.appendSave {
		points, _ = cur.x.([]SavePoint)
	}
	points = append([]SavePoint(nil), points...)
	for i := 0; i < len(args); i += 2 {
		secs, ok1 := parseCLong(args[i])
		changes, ok2 := parseCLong(args[i+1])
		if !ok1 || !ok2 || secs < 1 || changes < 0 {
			return value{}, bad
		}
		points = append(points, SavePoint{Seconds: secs, Changes: changes})
	}
	return value{x: points}, nil
}

func formatSave(v value) string {
	var b strings.Builder
	for i, sp := range v.x.([]SavePoint) {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%d %d", sp.Seconds, sp.Changes)
	}
	return b.String()
}

// rewriteSave writes one line per save point, or save "" when there is none
// (so that the built-in defaults do not come back on restart).
func rewriteSave(p *param, v, _ value) []rewriteLine {
	points := v.x.([]SavePoint)
	if len(points) == 0 {
		return []rewriteLine{{text: `save ""`, force: true}}
	}
	out := make([]rewriteLine, len(points))
	for i, sp := range points {
		out[i] = rewriteLine{text: fmt.Sprintf("save %d %d", sp.Seconds, sp.Changes), force: true}
	}
	return out
}

// parseCLong parses like C's strtoll(s, &end, 10) followed by a check that
// *end == 0, as Redis does for save points and soft seconds: leading white
// space and a sign are allowed, and "" is 0. Out-of-range values fail
// (strtoll would saturate).
func parseCLong(s string) (int64, bool) {
	if s == "" {
		return 0, true
	}
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg, t = t[0] == '-', t[1:]
	}
	if t == "" {
		return 0, false
	}
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(t, 10, 64)
	if err != nil || n > math.MaxInt64 {
		return 0, false
	}
	if neg {
		return -int64(n), true
	}
	return int64(n), true
}

// OutputBufferLimit is one client class's client-output-buffer-limit: close
// the client when its output buffer passes Hard bytes, or stays above Soft
// bytes for SoftSeconds. Zero disables a limit.
type OutputBufferLimit struct {
	Hard, Soft  int64
	SoftSeconds int64
}

// outputLimits is indexed by client class.
type outputLimits [3]OutputBufferLimit

const (
	classNormal = iota
	classReplica
	classPubsub
)

var classNames = [...]string{classNormal: "normal", classReplica: "slave", classPubsub: "pubsub"}

// outputClass maps a class name as CONFIG SET accepts it to its index.
func outputClass(name string) (int, bool) {
	switch strings.ToLower(name) {
	case "normal":
		return classNormal, true
	case "slave", "replica":
		return classReplica, true
	case "pubsub":
		return classPubsub, true
	}
	return 0, false
}

func parseOutputLimits(cur value, args []string, _ parseOpts) (value, *valueError) {
	if len(args)%4 != 0 {
		return value{}, verr("Wrong number of arguments in buffer limit configuration.",
			"want groups of <class> <hard> <soft> <soft-seconds>")
	}
	lim, _ := cur.x.(outputLimits)
	// Check every group before changing anything.
	for i := 0; i < len(args); i += 4 {
		class, ok := outputClass(args[i])
		if !ok {
			return value{}, verr("Invalid client class specified in buffer limit configuration.",
				fmt.Sprintf("invalid client class %q: want normal, replica or pubsub", args[i]))
		}
		hard, err1 := ParseMemory(args[i+1])
		soft, err2 := ParseMemory(args[i+2])
		secs, ok := parseCLong(args[i+3])
		if err1 != nil || err2 != nil || !ok || secs < 0 {
			return value{}, verr("Error in hard, soft or soft_seconds setting in buffer limit configuration.",
				fmt.Sprintf("invalid limits %q for class %s", strings.Join(args[i+1:i+4], " "), args[i]))
		}
		lim[class] = OutputBufferLimit{Hard: hard, Soft: soft, SoftSeconds: secs}
	}
	return value{x: lim}, nil
}

func formatOutputLimits(v value) string {
	lim := v.x.(outputLimits)
	var b strings.Builder
	for c, l := range lim {
		if c > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s %d %d %d", classNames[c], l.Hard, l.Soft, l.SoftSeconds)
	}
	return b.String()
}

// rewriteOutputLimits writes one line per class that differs from its
// default, naming the replica class "replica" as Redis's rewrite does. Redis
// also writes default classes into the parameter's existing lines, which
// makes a second rewrite move lines around; writing only the changed classes
// keeps the file stable and means the same.
func rewriteOutputLimits(p *param, v, def value) []rewriteLine {
	lim, dl := v.x.(outputLimits), def.x.(outputLimits)
	var out []rewriteLine
	for c, l := range lim {
		if l == dl[c] {
			continue
		}
		name := classNames[c]
		if c == classReplica {
			name = "replica"
		}
		out = append(out, rewriteLine{
			text: fmt.Sprintf("%s %s %s %s %d", p.name, name,
				formatMemory(l.Hard), formatMemory(l.Soft), l.SoftSeconds),
			force: true,
		})
	}
	return out
}

// Keyspace notification classes: Int("notify-keyspace-events") returns a
// mask of these. The values are Redis's.
const (
	NotifyKeyspace = 1 << 0  // K: __keyspace@<db>__ channel
	NotifyKeyevent = 1 << 1  // E: __keyevent@<db>__ channel
	NotifyGeneric  = 1 << 2  // g: DEL, EXPIRE, RENAME, ...
	NotifyString   = 1 << 3  // $
	NotifyList     = 1 << 4  // l
	NotifySet      = 1 << 5  // s
	NotifyHash     = 1 << 6  // h
	NotifyZset     = 1 << 7  // z
	NotifyExpired  = 1 << 8  // x
	NotifyEvicted  = 1 << 9  // e
	NotifyStream   = 1 << 10 // t
	NotifyKeyMiss  = 1 << 11 // m (not part of A)
	NotifyModule   = 1 << 13 // d
	NotifyNew      = 1 << 14 // n (not part of A)

	// NotifyAll is what 'A' stands for.
	NotifyAll = NotifyGeneric | NotifyString | NotifyList | NotifySet | NotifyHash |
		NotifyZset | NotifyExpired | NotifyEvicted | NotifyStream | NotifyModule
)

var notifyChars = [...]struct {
	c    byte
	flag int64
}{
	{'A', NotifyAll}, {'g', NotifyGeneric}, {'$', NotifyString}, {'l', NotifyList},
	{'s', NotifySet}, {'h', NotifyHash}, {'z', NotifyZset}, {'x', NotifyExpired},
	{'e', NotifyEvicted}, {'K', NotifyKeyspace}, {'E', NotifyKeyevent}, {'t', NotifyStream},
	{'m', NotifyKeyMiss}, {'d', NotifyModule}, {'n', NotifyNew},
}

func parseNotify(_ value, args []string, _ parseOpts) (value, *valueError) {
	var mask int64
	for i := 0; i < len(args[0]); i++ {
		c, found := args[0][i], false
		for _, nc := range notifyChars {
			if nc.c == c {
				mask |= nc.flag
				found = true
				break
			}
		}
		if !found {
			return value{}, verr("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.",
				fmt.Sprintf("invalid event class %q in %q: use the characters of 'Ag$lshzxeKEtmdn'",
					string(c), args[0]))
		}
	}
	return value{n: mask}, nil
}

// formatNotify spells a mask as Redis does: 'A' when all of its classes are
// set (then 'n' is not shown, a Redis quirk), else the class letters in a
// fixed order; then K, E and m.
func formatNotify(v value) string {
	var b []byte
	if v.n&NotifyAll == NotifyAll {
		b = append(b, 'A')
	} else {
		for _, f := range [...]struct {
			c    byte
			flag int64
		}{
			{'g', NotifyGeneric}, {'$', NotifyString}, {'l', NotifyList}, {'s', NotifySet},
			{'h', NotifyHash}, {'z', NotifyZset}, {'x', NotifyExpired}, {'e', NotifyEvicted},
			{'t', NotifyStream}, {'d', NotifyModule}, {'n', NotifyNew},
		} {
			if v.n&f.flag != 0 {
				b = append(b, f.c)
			}
		}
	}
	if v.n&NotifyKeyspace != 0 {
		b = append(b, 'K')
	}
	if v.n&NotifyKeyevent != 0 {
		b = append(b, 'E')
	}
	if v.n&NotifyKeyMiss != 0 {
		b = append(b, 'm')
	}
	return string(b)
}

// rewriteQuoted writes "name <quoted value>", as Redis does for string-like
// special parameters.
func rewriteQuoted(p *param, v, def value) []rewriteLine {
	s := p.format(v)
	return []rewriteLine{{text: p.name + " " + Quote(s), force: s != p.format(def)}}
}

// parsePercentile checks one latency-tracking-info-percentiles word and
// returns it as Redis prints it ("%f" without trailing zeros).
func parsePercentile(s string) (string, *valueError) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) {
		return "", verr("Invalid latency-tracking-info-percentiles parameters",
			fmt.Sprintf("invalid percentile %q", s))
	}
	if f < 0 || f > 100 {
		return "", verr("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]",
			fmt.Sprintf("percentile %s is not between 0 and 100", s))
	}
	out := strconv.FormatFloat(f, 'f', 6, 64)
	out = strings.TrimRight(out, "0")
	return strings.TrimSuffix(out, "."), nil
}
