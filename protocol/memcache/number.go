package memcache

// Numbers are read exactly as memcached reads them: with the C library's
// strtol/strtoul/strtoull (64-bit long), wrapped in memcached's safe_strto*
// checks (util.c). The quirks matter for byte-exact replies:
//
//   - leading whitespace and a '+' or '-' sign are accepted;
//   - the number must be followed by nothing or by whitespace;
//   - a magnitude beyond 64 bits is rejected (ERANGE);
//   - an unsigned result with its top bit set is rejected if the text holds
//     a '-' ("-1" is not 2^64-1), but "-0" is 0;
//   - the 32-bit variants parse 64 bits and then truncate, as the C
//     assignment does: flags "4294967296" is 0, exptime "4294967297" is 1.

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// strto64 is strtoull/strtoll's scan: it returns the magnitude, the sign,
// the bytes after the digits, and ok=false when there are no digits or the
// magnitude does not fit in 64 bits.
func strto64(s []byte) (mag uint64, neg bool, rest []byte, ok bool) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		d := uint64(s[i] - '0')
		if mag > (1<<64-1-d)/10 {
			return 0, false, nil, false // ERANGE
		}
		mag = mag*10 + d
		i++
	}
	if i == start {
		return 0, false, nil, false
	}
	return mag, neg, s[i:], true
}

func hasMinus(s []byte) bool {
	for _, c := range s {
		if c == '-' {
			return true
		}
	}
	return false
}

// ParseUint64 reads s as memcached's safe_strtoull does (CAS values, delta
// arguments, the value of an item being incremented).
func ParseUint64(s []byte) (uint64, bool) {
	mag, neg, rest, ok := strto64(s)
	if !ok || (len(rest) > 0 && !isSpace(rest[0])) {
		return 0, false
	}
	v := mag
	if neg {
		v = -mag
	}
	if int64(v) < 0 && hasMinus(s) {
		return 0, false
	}
	return v, true
}

// ParseUint32 reads s as memcached's safe_strtoul does (client flags,
// verbosity), truncating the 64-bit result to 32 bits.
func ParseUint32(s []byte) (uint32, bool) {
	v, ok := ParseUint64(s)
	return uint32(v), ok
}

// ParseInt32 reads s as memcached's safe_strtol does (exptime, data
// length): a 64-bit strtol truncated to 32 bits.
func ParseInt32(s []byte) (int32, bool) {
	mag, neg, rest, ok := strto64(s)
	if !ok || (len(rest) > 0 && !isSpace(rest[0])) {
		return 0, false
	}
	var v int64
	if neg {
		if mag > 1<<63 {
			return 0, false // ERANGE
		}
		v = int64(-mag)
	} else {
		if mag > 1<<63-1 {
			return 0, false
		}
		v = int64(mag)
	}
	return int32(v), true
}

// RelativeLimit is memcached's REALTIME_MAXDELTA: an exptime up to 30 days
// is relative to now, a larger one is an absolute Unix time.
const RelativeLimit = 60 * 60 * 24 * 30

// ExpireAt turns a memcached exptime into an absolute Unix time in
// milliseconds, with nowMS the current time: 0 means "never expires" and
// is returned as 0; a negative exptime, or an absolute time not in the
// future, gives a time at or before nowMS (already expired, as memcached
// treats it); up to RelativeLimit seconds is relative to now.
func ExpireAt(exptime int32, nowMS int64) int64 {
	switch {
	case exptime == 0:
		return 0
	case exptime < 0:
		return 1 // the epoch's first millisecond: long expired
	case exptime > RelativeLimit:
		return int64(exptime) * 1000
	default:
		return nowMS + int64(exptime)*1000
	}
}

// TTL returns the remaining time to live in whole seconds as memcached
// reports it ('t' flags): -1 when expireAt is 0, else the seconds left,
// rounded up so that a fresh "T30" reads back as 30.
func TTL(expireAt, nowMS int64) int64 {
	if expireAt == 0 {
		return -1
	}
	left := expireAt - nowMS
	if left <= 0 {
		return 0
	}
	return (left + 999) / 1000
}
