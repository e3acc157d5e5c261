package command

// ScanOptions are the options of HSCAN, SSCAN and ZSCAN after the cursor.
type ScanOptions struct {
	Count    int64  // 10 unless given
	Pattern  []byte // nil: no MATCH, or MATCH *
	NoValues bool   // HSCAN's NOVALUES
}

// EmptyScanReply is a collection scan's reply for a missing key: cursor 0
// and no elements.
const EmptyScanReply = "*2\r\n$1\r\n0\r\n*0\r\n"

// ParseScanOptions reads opts, the arguments after a collection scan's
// cursor, as Redis's scanGenericCommand does: COUNT (an integer, at least 1)
// and MATCH, each with its value, and NOVALUES when noValues allows it;
// anything else is a syntax error. It writes the error and reports false.
func ParseScanOptions(x *Exec, opts [][]byte, noValues bool) (ScanOptions, bool) {
	o := ScanOptions{Count: 10}
	for i := 0; i < len(opts); {
		left := len(opts) - i
		switch a := opts[i]; {
		case EqFold(a, "count") && left >= 2:
			v, ok := ParseInt(opts[i+1])
			if !ok {
				x.Fail(ErrNotInt)
				return o, false
			}
			if v < 1 {
				x.Fail(ErrSyntax)
				return o, false
			}
			o.Count = v
			i += 2
		case EqFold(a, "match") && left >= 2:
			o.Pattern = opts[i+1]
			if len(o.Pattern) == 1 && o.Pattern[0] == '*' {
				o.Pattern = nil
			}
			i += 2
		case noValues && EqFold(a, "novalues"):
			o.NoValues = true
			i++
		default:
			x.Fail(ErrSyntax)
			return o, false
		}
	}
	return o, true
}
