package config

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// ErrMemory is returned by ParseMemory for anything that is not a memory value.
var ErrMemory = errors.New("argument must be a memory value")

// ErrMemoryRange is returned by ParseMemory for a size beyond int64:
// Redis reads it (saturating or wrapping in 64 unsigned bits) and then
// refuses it by the parameter's range, so its error names the range.
var ErrMemoryRange = errors.New("memory value out of range")

// ParseMemory parses a memory size as Redis's configuration does: an unsigned
// decimal number with an optional unit suffix, case-insensitive:
//
//	b = 1, k = 1000, kb = 1024, m = 1000², mb = 1024², g = 1000³, gb = 1024³
//
// Like Redis, leading zeros are allowed and the number may be empty ("" and a
// bare "k" both mean 0). Signs, spaces, fractions, hexadecimal and other units
// ("1tb") are errors. Unlike Redis, which wraps around silently, a value that
// does not fit in an int64 is an error too.
func ParseMemory(s string) (int64, error) {
	digits := 0
	for digits < len(s) && s[digits] >= '0' && s[digits] <= '9' {
		digits++
	}
	var mul int64
	switch strings.ToLower(s[digits:]) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1024
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1024 * 1024
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1024 * 1024 * 1024
	default:
		return 0, ErrMemory
	}
	if digits == 0 {
		return 0, nil
	}
	n, err := strconv.ParseInt(s[:digits], 10, 64)
	if err != nil || n > math.MaxInt64/mul {
		return 0, ErrMemoryRange
	}
	return n * mul, nil
}

// formatMemory writes bytes the way CONFIG REWRITE does: with the largest
// binary unit (gb, mb, kb) that divides it exactly, else as plain bytes.
func formatMemory(n int64) string {
	const kb, mb, gb = 1 << 10, 1 << 20, 1 << 30
	switch {
	case n == 0:
		return "0"
	case n%gb == 0:
		return strconv.FormatInt(n/gb, 10) + "gb"
	case n%mb == 0:
		return strconv.FormatInt(n/mb, 10) + "mb"
	case n%kb == 0:
		return strconv.FormatInt(n/kb, 10) + "kb"
	}
	return strconv.FormatInt(n, 10)
}
