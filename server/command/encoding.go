package command

import "github.com/anaxdb/anax/shard"

// EncodingName is the encoding OBJECT ENCODING reports for entry h of db.
// For a string it is the one Redis's tryObjectEncoding would choose: "int"
// for the canonical decimal form of an int64, "embstr" up to 44 bytes, else
// "raw"; APPEND and SETRANGE force "raw".
func EncodingName(db *shard.DB, h shard.Handle) string {
	if db.Encoding(h) == shard.EncRaw {
		return "raw"
	}
	v := db.Value(h)
	if _, ok := ParseInt(v); ok {
		return "int"
	}
	if len(v) <= 44 {
		return "embstr"
	}
	return "raw"
}
