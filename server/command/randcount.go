package command

import "math"

// ParseRandCount reads the count and the optional flag word (WITHVALUES,
// WITHSCORES) of HRANDFIELD and ZRANDMEMBER, x.Args[2:], as Redis does:
// the count must be an integer not below -LONG_MAX; anything after it but
// the word is a syntax error; with the word, the count must lie within
// ±LONG_MAX/2 (two replies per draw). It writes the error and reports
// false.
func ParseRandCount(x *Exec, word string) (count int64, with, ok bool) {
	const maxCount = math.MaxInt64 // Redis's LONG_MAX
	count, ok = ParseInt(x.Args[2])
	if !ok {
		x.Fail(ErrNotInt)
		return 0, false, false
	}
	if count < -maxCount {
		x.Err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
		return 0, false, false
	}
	if len(x.Args) > 4 || (len(x.Args) == 4 && !EqFold(x.Args[3], word)) {
		x.Fail(ErrSyntax)
		return 0, false, false
	}
	if len(x.Args) == 4 {
		if count < -maxCount/2 || count > maxCount/2 {
			x.Err("ERR value is out of range")
			return 0, false, false
		}
		with = true
	}
	return count, with, true
}
