package rdb_test

import (
	"encoding/hex"
	"fmt"

	"github.com/anaxdb/anax/snapshot/rdb"
)

func ExampleDumpString() {
	p := rdb.DumpString(nil, []byte("12345"))
	fmt.Printf("% x\n", p)
	typ, v, err := rdb.DecodeDump(p)
	fmt.Println(typ, string(v), err)
	// Output:
	// 00 c1 39 30 0b 00 f4 4b 57 54 6e 63 e1 30
	// 0 12345 <nil>
}

func ExampleDecodeDumpValue() {
	// DUMP k after RPUSH k a 1, from redis-server 7.0 (RDB version 10): a
	// quicklist with one packed node, a 12-byte listpack holding "a" and 1.
	p, _ := hex.DecodeString("1201020c0c00000002008161020101ff" + "0a00" + "94962b23ac17aa85")
	v, err := rdb.DecodeDumpValue(p)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(v.Type, v.Kind() == rdb.TypeList, len(v.List), string(v.List[0]), string(v.List[1]))
	// Output:
	// 18 true 2 a 1
}
