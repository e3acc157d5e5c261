// Package glob matches Redis glob-style patterns (KEYS, SCAN MATCH, PSUBSCRIBE,
// CONFIG GET, COMMAND LIST FILTERBY PATTERN, ...) with exactly the results of
// Redis's stringmatchlen, but in linear space and without recursion.
//
// # Pattern language
//
//   - '*' matches any run of bytes; consecutive stars count as one.
//   - '?' matches exactly one byte.
//   - '[abc]' matches one byte of the set; '[^abc]' one byte not in it;
//     '[a-z]' a range, the ends may come in either order ('[z-a]' == '[a-z]').
//     Inside brackets '\x' stands for the byte x.
//   - '\x' outside brackets matches the byte x literally; a '\' that ends the
//     pattern matches a '\'.
//   - Everything else matches itself, byte for byte (patterns and subjects are
//     binary-safe; there is no UTF-8 handling, exactly as in Redis).
//
// # Redis quirks reproduced on purpose
//
// These are checked against redis-server 7 in the tests (see glob_test.go):
//
//  1. A pattern never matches an empty subject, except the empty pattern:
//     "*" does not match "". Redis's matcher loop never starts on an empty
//     string. (Keys and field names are never empty in practice.)
//  2. An unterminated '[' class runs to the end of the pattern: "[abc" is the
//     class {a,b,c}; "[^" matches any one byte; "[" matches nothing.
//  3. A ']' straight after '[' (or '[^') closes the class: "[]a]" is the empty
//     class followed by the literal "a]".
//  4. A '-' is a range only when it has a byte on both sides, and the closing
//     ']' can be the upper end: "[a-]" is the range ']'..'a' and the class
//     is still open after it.
//  5. Range ends and the subject byte compare as signed C chars: bytes 0x80-0xff
//     sort below 0x00, so "[a-\xff]" is the range -1..'a' (it contains
//     0x00..'a' and 0xff, but not 'b' or 0x80).
//  6. With nocase, only A-Z fold (C locale). Inside a class the range ends are
//     swapped before they are lowered, so nocase "[Z-a]" is empty, and an
//     escaped byte in a class ("[\A]") compares case-sensitively.
//  7. Redis stops after 1000 nested stars (CVE-2024-31228 hardening, present
//     in the Debian/Ubuntu redis-server 7.0.15 and in 7.2.6+/7.4.1+): when a
//     pattern has more than 1000 star groups and the 1001st is followed by more
//     pattern, nothing matches. Match does the same.
//
// # Cost
//
// Every token other than '*' consumes exactly one subject byte, so greedy
// matching that backtracks only to the most recent star is exact (the classic
// wildcard algorithm). Match runs in O(len(pattern) * len(s)) time in the worst
// case (e.g. "*aaaa…ab" against "aaaa…"), O(len(pattern) + len(s)) for patterns
// like "*a*b*c", uses O(1) space, never recurses and never allocates. Redis's
// recursive matcher was exponential before CVE-2022-36021 was fixed and still
// recurses once per star.
package glob
