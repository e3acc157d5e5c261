package command

import "github.com/anaxdb/anax/shard"

// EncodingName is the encoding OBJECT ENCODING reports for entry h of db:
// Redis's name for the encodings of lists, hashes and the other types. For
// a string it is the one Redis's tryObjectEncoding would choose: "int"
// for the canonical decimal form of an int64, "embstr" up to 44 bytes, else
// "raw"; APPEND and SETRANGE force "raw".
func EncodingName(db *shard.DB, h shard.Handle) string {
	if db.Type(h) != shard.TypeString {
		switch db.Encoding(h) {
		case shard.EncHashtable:
			return "hashtable"
		case shard.EncQuicklist:
			return "quicklist"
		case shard.EncListpack:
			return "listpack"
		case shard.EncIntset:
			return "intset"
		case shard.EncSkiplist:
			return "skiplist"
		case shard.EncStream:
			return "stream"
		}
		return "unknown"
	}
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
