package clientcmd

import (
	"time"

	"github.com/anaxdb/anax/server/command"
)

// cmdClientKill implements both forms: CLIENT KILL ip:port (replies OK or
// "No such client", may kill the caller) and CLIENT KILL <filter> <value>
// ... (replies the number killed, skips the caller unless SKIPME no).
func cmdClientKill(x *command.Exec) {
	old := len(x.Args) == 3
	var f killFilter
	if old {
		f = killFilter{addr: string(x.Args[2]), hasAddr: true}
	} else {
		var ok bool
		if f, ok = parseKillFilter(x); !ok {
			return
		}
	}
	killed := 0
	if !f.noneType {
		h := hostOf(x)
		me := h.Session(x)
		for _, s := range h.Sessions() {
			if !f.matches(s) {
				continue
			}
			if s == me {
				if f.skipMe {
					continue
				}
				// Closed once this reply is written, as Redis does.
				s.KillAfterReply()
			} else {
				s.Kill()
			}
			killed++
		}
	}
	if !old {
		x.Int(int64(killed))
		return
	}
	if killed == 0 {
		x.Err("ERR No such client")
		return
	}
	x.OK()
}

// killFilter is what CLIENT KILL's filters select. Every filter given must
// match; the zero value, given no filter, matches every session.
type killFilter struct {
	addr, laddr       string
	hasAddr, hasLaddr bool
	id                int64 // 0: any
	// maxAge (Redis 7.4's MAXAGE, seconds; 0: any) selects connections at
	// least that old.
	maxAge int64
	// noneType is set when TYPE names a kind of client Anax has none of
	// (replica, master): nothing matches.
	noneType bool
	typ      string // "normal" or "pubsub": only clients of that type
	// skipMe spares the caller's own session.
	skipMe bool
}

// parseKillFilter reads the <filter> <value> pairs of x.Args[2:], replying
// Redis's error (ok false) to a bad one. SKIPME defaults to yes.
func parseKillFilter(x *command.Exec) (f killFilter, ok bool) {
	f.skipMe = true
	for i := 2; i < len(x.Args); i += 2 {
		opt := x.Args[i]
		if i+1 >= len(x.Args) {
			x.Fail(command.ErrSyntax)
			return f, false
		}
		val := x.Args[i+1]
		switch {
		case command.EqFold(opt, "id"):
			n, ok := command.ParseInt(val)
			if !ok || n < 1 {
				x.Err("ERR client-id should be greater than 0")
				return f, false
			}
			f.id = n
		case command.EqFold(opt, "maxage"):
			n, ok := command.ParseInt(val)
			if !ok {
				x.Err("ERR maxage is not an integer or out of range")
				return f, false
			}
			if n <= 0 {
				x.Err("ERR maxage should be greater than 0")
				return f, false
			}
			f.maxAge = n
		case command.EqFold(opt, "type"):
			t := clientTypeByName(val)
			if t == "" {
				x.Err(command.SanitizeError("ERR Unknown client type '" + string(val) + "'"))
				return f, false
			}
			f.noneType = t != "normal" && t != "pubsub"
			f.typ = t
		case command.EqFold(opt, "addr"):
			f.addr, f.hasAddr = string(val), true
		case command.EqFold(opt, "laddr"):
			f.laddr, f.hasLaddr = string(val), true
		case command.EqFold(opt, "user"):
			if string(val) != "default" {
				x.Err(command.SanitizeError("ERR No such user '" + string(val) + "'"))
				return f, false
			}
		case command.EqFold(opt, "skipme"):
			switch {
			case command.EqFold(val, "yes"):
				f.skipMe = true
			case command.EqFold(val, "no"):
				f.skipMe = false
			default:
				x.Fail(command.ErrSyntax)
				return f, false
			}
		default:
			x.Fail(command.ErrSyntax)
			return f, false
		}
	}
	return f, true
}

// matches reports whether s passes the address, type, age and ID filters (noneType
// and skipMe are the caller's to apply).
func (f *killFilter) matches(s Session) bool {
	if f.hasAddr && s.RemoteAddr() != f.addr {
		return false
	}
	if f.hasLaddr && s.LocalAddr() != f.laddr {
		return false
	}
	if f.typ != "" && sessionType(s) != f.typ {
		return false
	}
	if f.maxAge != 0 && time.Now().Unix()-s.Figures().Created.Unix() < f.maxAge {
		return false
	}
	return f.id == 0 || s.ClientID() == f.id
}
