package command

// Status is the outcome of an operation, as a family's helpers and shard
// halves return it; Error words it as Redis 7 does.
type Status uint8

const (
	OK Status = iota
	ErrSyntax
	ErrWrongType
	ErrNotInt
	ErrNotFloat
	ErrOverflow
	ErrNoKey
	ErrDBIndex
	ErrSameObject
	ErrStringTooBig
	ErrNaN
	ErrOutOfRange
)

var statusText = [...]string{
	OK:              "",
	ErrSyntax:       "ERR syntax error",
	ErrWrongType:    "WRONGTYPE Operation against a key holding the wrong kind of value",
	ErrNotInt:       "ERR value is not an integer or out of range",
	ErrNotFloat:     "ERR value is not a valid float",
	ErrOverflow:     "ERR increment or decrement would overflow",
	ErrNoKey:        "ERR no such key",
	ErrDBIndex:      "ERR DB index is out of range",
	ErrSameObject:   "ERR source and destination objects are the same",
	ErrStringTooBig: "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
	ErrNaN:          "ERR increment would produce NaN or Infinity",
	ErrOutOfRange:   "ERR offset is out of range",
}

// Error returns Redis's error reply text for st ("" for OK).
func (st Status) Error() string { return statusText[st] }
