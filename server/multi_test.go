package server_test

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anaxdb/anax/internal/servertest"
)

// Tests of MULTI, EXEC, DISCARD, WATCH and UNWATCH (multi.go), comparing
// Anax's raw replies with a real redis-server 7's, byte for byte, with one
// shard and with four so that transactions and watched keys span shards.
//
// Each case is a transcript run on two connections to each server, so that
// one client can change what the other watches. A line is
//
//	[C] CMD ARG...            connection C (0 or 1, default 0) sends CMD
//	[C] CMD ... | CMD ...     connection C sends the commands in one write
//	sleep DURATION            the test waits (time.ParseDuration)
//
// optionally followed by "=> REPLY": REPLY is a Go-quoted string that
// Redis's raw reply must equal, so that a transcript keeps meaning what it
// says (every one was checked against redis-server 7.0), or "?" when the
// reply is not compared (HELLO, whose id differs). '' is an empty argument.
// $A, $B, $C and $D stand for keys that live on shards 0, 1, 2 and 3 when
// Anax runs four of them. Lines starting with # are comments.
//
// Every transcript starts with FLUSHALL on fresh connections. A sleep waits
// at least three times the TTL it outlives, and no other line depends on
// time.

// Replies that several transcripts expect.
const (
	execNull  = `"*-1\r\n"` // EXEC aborted by WATCH (RESP2)
	execEmpty = `"*0\r\n"`  // EXEC of an empty transaction that ran
	execAbort = `"-EXECABORT Transaction discarded because of previous errors.\r\n"`
)

type txCase struct {
	name   string
	script string
}

// multiBasics are single-connection transcripts: queueing, EXEC's reply
// with run-time errors, and the multi-key and database commands inside a
// transaction.
var multiBasics = []txCase{
	{"queued and exec", `
MULTI => "+OK\r\n"
SET $A 1 => "+QUEUED\r\n"
INCR $A
GET $B
SET $B hello
APPEND $B -world
MGET $A $B nokey
EXEC => "*6\r\n+OK\r\n:2\r\n$-1\r\n+OK\r\n:11\r\n*3\r\n$1\r\n2\r\n$11\r\nhello-world\r\n$-1\r\n"
GET $A
EXEC => "-ERR EXEC without MULTI\r\n"`},

	{"empty exec", `
MULTI
EXEC => ` + execEmpty + `
MULTI
DISCARD => "+OK\r\n"
EXEC => "-ERR EXEC without MULTI\r\n"`},

	{"exec and discard without multi", `
EXEC => "-ERR EXEC without MULTI\r\n"
DISCARD => "-ERR DISCARD without MULTI\r\n"
UNWATCH => "+OK\r\n"
SET $A 1`},

	{"discard then commands run", `
SET $A 1
MULTI
SET $A 2
INCR $B
DISCARD => "+OK\r\n"
GET $A => "$1\r\n1\r\n"
GET $B => "$-1\r\n"
SET $A 3
GET $A`},

	{"run-time errors in exec", `
SET $A 1
SET $B abc
MULTI
INCR $A
INCR $B
SET $C 1 EX abc
SET $C 1 EX 0
SET $C 1 EX 10 PX 10
MSET $A 1 $B
INCRBYFLOAT $B 1
GETEX $A FOO
RENAME nokey $D
SELECT 99
GET $A
EXEC => "*11\r\n:2\r\n-ERR value is not an integer or out of range\r\n-ERR value is not an integer or out of range\r\n-ERR invalid expire time in 'set' command\r\n-ERR syntax error\r\n-ERR wrong number of arguments for 'mset' command\r\n-ERR value is not a valid float\r\n-ERR syntax error\r\n-ERR no such key\r\n-ERR DB index is out of range\r\n$1\r\n2\r\n"
GET $B
EXISTS $C`},

	{"nested multi is refused but not fatal", `
MULTI
SET $A 1
MULTI => "-ERR MULTI calls can not be nested\r\n"
INCR $A
EXEC => "*2\r\n+OK\r\n:2\r\n"`},

	{"watch inside multi is refused but not fatal", `
MULTI
WATCH $A => "-ERR WATCH inside MULTI is not allowed\r\n"
SET $A 1
EXEC => "*1\r\n+OK\r\n"`},

	{"connection commands are queued", `
MULTI
PING => "+QUEUED\r\n"
ECHO hi
UNWATCH => "+QUEUED\r\n"
WAIT 1 100
EXEC => "*4\r\n+PONG\r\n$2\r\nhi\r\n+OK\r\n:0\r\n"`},

	{"select inside multi", `
SET $A db0
MULTI
SELECT 1
SET $A db1
GET $A
SELECT 2
SET $B db2
EXEC => "*5\r\n+OK\r\n+OK\r\n$3\r\ndb1\r\n+OK\r\n+OK\r\n"
GET $B => "$3\r\ndb2\r\n"
GET $A => "$-1\r\n"
SELECT 1
GET $A => "$3\r\ndb1\r\n"
SELECT 0
GET $A => "$3\r\ndb0\r\n"
MULTI
SELECT 1
EXEC
GET $A => "$3\r\ndb1\r\n"`},

	{"multi-key commands", `
MULTI
MSET $A 1 {u1}:a 2 {u1}:b 3 $C 4
MGET $A {u1}:a {u1}:b $C nokey
MSETNX $A 9 $D 9
MSETNX $D 9 {u1}:c 9
EXISTS $A $C $D {u1}:c nokey $A
DEL $A nokey {u1}:a
RENAME $C $B
RENAME nokey $B
RENAMENX {u1}:b {u1}:c
RENAMENX {u1}:b {u1}:d
COPY $B $A
COPY $B $A
COPY $B $A REPLACE
COPY $B {u1}:e DB 1
DBSIZE
KEYS {u1}:d
KEYS nomatch*
MGET $A $B $C $D {u1}:a {u1}:b {u1}:c {u1}:d
FLUSHDB
DBSIZE
KEYS *
EXEC => "*21\r\n+OK\r\n*5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$-1\r\n:0\r\n:1\r\n:5\r\n:2\r\n+OK\r\n-ERR no such key\r\n:0\r\n:1\r\n:1\r\n:0\r\n:1\r\n:1\r\n:5\r\n*1\r\n$6\r\n{u1}:d\r\n*0\r\n*8\r\n$1\r\n4\r\n$1\r\n4\r\n$-1\r\n$1\r\n9\r\n$-1\r\n$-1\r\n$1\r\n9\r\n$1\r\n3\r\n+OK\r\n:0\r\n*0\r\n"
SELECT 1
GET {u1}:e => "$1\r\n4\r\n"`},

	{"database commands inside multi", `
MULTI
SWAPDB 0 1
SET $A 1
SWAPDB 0 1
EXISTS $A
MOVE $A 0
SELECT 1
GET $A
MOVE $A 0
EXISTS $A
SELECT 0
GET $A
FLUSHALL
DBSIZE
EXEC => "*13\r\n+OK\r\n+OK\r\n+OK\r\n:0\r\n-ERR source and destination objects are the same\r\n+OK\r\n$1\r\n1\r\n:1\r\n:0\r\n+OK\r\n$1\r\n1\r\n+OK\r\n:0\r\n"
DBSIZE`},

	{"expire commands inside multi", `
MULTI
SET $A v
EXPIRE $A 100
TTL $A
PERSIST $A
TTL $A
SET $B v PX 100000
PEXPIRE $B -1
EXISTS $B
EXEC => "*8\r\n+OK\r\n:1\r\n:100\r\n:1\r\n:-1\r\n+OK\r\n:1\r\n:0\r\n"`},

	{"reset inside multi", `
SELECT 1
MULTI
SET $A 1
RESET => "+RESET\r\n"
EXEC => "-ERR EXEC without MULTI\r\n"
GET $A => "$-1\r\n"
SELECT 1
GET $A => "$-1\r\n"`},

	{"pipelined transactions", `
MULTI | SET $A 1 | INCR $A | GET $B | SET {u1}:a x | EXEC => "+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*4\r\n+OK\r\n:2\r\n$-1\r\n+OK\r\n"
MULTI | INCR $A | EXEC | MULTI | INCR $A | INCR $C | EXEC | GET $A
MULTI | SET $A 9 | NOSUCH | EXEC | GET $A
GET $A | MULTI | DISCARD | MULTI | EXEC | EXEC`},
}

// multiQueueErrors are commands that Redis refuses while queueing: EXEC
// then discards the transaction, and the connection leaves MULTI.
var multiQueueErrors = []txCase{
	{"unknown command", `
MULTI
SET $A 1
NOSUCH a b => "-ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' \r\n"
SET $B 2 => "+QUEUED\r\n"
EXEC => ` + execAbort + `
EXEC => "-ERR EXEC without MULTI\r\n"
MGET $A $B => "*2\r\n$-1\r\n$-1\r\n"
SET $A 1 => "+OK\r\n"`},

	{"wrong arity", `
MULTI
GET => "-ERR wrong number of arguments for 'get' command\r\n"
SET $A
INCR $A
EXEC => ` + execAbort + `
GET $A => "$-1\r\n"`},

	{"unknown subcommand and subcommand arity", `
MULTI
CONFIG FOO => "-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n"
EXEC => ` + execAbort + `
MULTI
CONFIG GET => "-ERR wrong number of arguments for 'config|get' command\r\n"
EXEC => ` + execAbort + `
MULTI
CONFIG
EXEC => ` + execAbort + `
MULTI
OBJECT FOO $A
EXEC => ` + execAbort},

	{"discard after a queueing error", `
MULTI
NOSUCH
SET $A 1
DISCARD => "+OK\r\n"
GET $A => "$-1\r\n"
EXEC => "-ERR EXEC without MULTI\r\n"`},

	{"refused inside multi", `
MULTI
SET $A 1
SHUTDOWN ABC => "-ERR Command not allowed inside a transaction\r\n"
EXEC => ` + execAbort + `
MULTI
DEBUG SLEEP 0
EXEC => ` + execAbort + `
GET $A => "$-1\r\n"`},

	{"transaction commands with wrong arity", `
MULTI
SET $A 1
WATCH => "-ERR wrong number of arguments for 'watch' command\r\n"
EXEC => ` + execAbort + `
MULTI
MULTI x => "-ERR wrong number of arguments for 'multi' command\r\n"
EXEC => ` + execAbort + `
MULTI
DISCARD x => "-ERR wrong number of arguments for 'discard' command\r\n"
DISCARD => "+OK\r\n"
MULTI
SET $A 1
EXEC x => "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n"
EXEC => "-ERR EXEC without MULTI\r\n"
GET $A => "$-1\r\n"
WATCH => "-ERR wrong number of arguments for 'watch' command\r\n"
EXEC x => "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n"`},
}

// watchCases use both connections: connection 0 watches, connection 1
// changes (or leaves alone) what it watches.
var watchCases = []txCase{
	{"other client modifies", `
SET $A 1
WATCH $A => "+OK\r\n"
1 SET $A 2
MULTI
GET $A => "+QUEUED\r\n"
SET $A 3
EXEC => ` + execNull + `
GET $A => "$1\r\n2\r\n"
MULTI
EXEC => ` + execEmpty},

	{"unmodified key", `
SET $A 1
WATCH $A $B
1 GET $A
1 SET $C 1
MULTI
INCR $A
EXEC => "*1\r\n:2\r\n"`},

	{"own modification aborts", `
SET $A 1
WATCH $A
SET $A 2
MULTI
GET $A
EXEC => ` + execNull},

	{"modification inside the transaction does not abort", `
WATCH $A
MULTI
SET $A 1
INCR $A
EXEC => "*2\r\n+OK\r\n:2\r\n"`},

	{"unwatch clears", `
WATCH $A $B
UNWATCH => "+OK\r\n"
1 SET $A 1
MULTI
GET $A
EXEC => "*1\r\n$1\r\n1\r\n"`},

	{"unwatch inside multi does not help", `
WATCH $A
1 SET $A 1
MULTI
UNWATCH => "+QUEUED\r\n"
EXEC => ` + execNull},

	{"exec clears watches", `
WATCH $A
MULTI
EXEC => ` + execEmpty + `
1 SET $A 1
MULTI
GET $A
EXEC => "*1\r\n$1\r\n1\r\n"`},

	{"aborted exec clears watches", `
WATCH $A
1 SET $A 1
MULTI
EXEC => ` + execNull + `
1 SET $A 2
MULTI
EXEC => ` + execEmpty},

	{"discard clears watches", `
WATCH $A
MULTI
DISCARD
1 SET $A 1
MULTI
EXEC => ` + execEmpty},

	{"execabort clears watches and wins over them", `
WATCH $A
1 SET $A 1
MULTI
NOSUCH
EXEC => ` + execAbort + `
1 SET $A 2
MULTI
EXEC => ` + execEmpty},

	{"exec without multi keeps watches", `
WATCH $A
EXEC => "-ERR EXEC without MULTI\r\n"
1 SET $A 1
MULTI
EXEC => ` + execNull},

	{"reset clears watches", `
WATCH $A
RESET => "+RESET\r\n"
1 SET $A 1
MULTI
EXEC => ` + execEmpty},

	{"watch inside multi adds nothing", `
WATCH $A
MULTI
WATCH $B => "-ERR WATCH inside MULTI is not allowed\r\n"
1 SET $B 1
EXEC => ` + execEmpty + `
WATCH $A
MULTI
WATCH $B
1 SET $A 1
EXEC => ` + execNull},

	{"modification before multi", `
WATCH $A
1 SET $A 1
MULTI
SET $B 1
EXEC => ` + execNull + `
GET $B => "$-1\r\n"`},

	{"missing key created", `
WATCH $A
1 SET $A 1
MULTI
EXEC => ` + execNull},

	{"missing key deleted", `
WATCH $A
1 DEL $A => ":0\r\n"
1 UNLINK $A
1 GETDEL $A
1 EXPIRE $A 100
1 SET $A 1 XX
MULTI
EXEC => ` + execEmpty},

	{"many keys across shards", `
MSET $A 1 $B 2 $C 3 $D 4 {u1}:a 5 k:1 6 k:2 7 k:3 8 k:4 9 k:5 10 k:6 11 k:7 12
WATCH $A $B $C $D {u1}:a {u1}:b k:1 k:2 k:3 k:4 k:5 k:6 k:7 k:8 $A
1 SET other 1
1 SET {u1}:c 1
MULTI
MGET $A $B $C $D
EXEC => "*1\r\n*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n"
WATCH $A $B $C $D {u1}:a {u1}:b k:1 k:2 k:3 k:4 k:5 k:6 k:7 k:8
1 SET $D x
MULTI
EXEC => ` + execNull + `
WATCH $A $B $C $D {u1}:a {u1}:b k:1 k:2 k:3 k:4 k:5 k:6 k:7 k:8
1 SET {u1}:b x
MULTI
EXEC => ` + execNull + `
WATCH $A $B $C $D {u1}:a {u1}:b k:1 k:2 k:3 k:4 k:5 k:6 k:7 k:8
1 DEL k:8 k:9
MULTI
EXEC => ` + execEmpty + `
WATCH $A $B $C $D {u1}:a {u1}:b k:1 k:2 k:3 k:4 k:5 k:6 k:7 k:8
WATCH k:7
1 INCR k:7
MULTI
EXEC => ` + execNull},

	{"watch is per database", `
WATCH $A
1 SELECT 1
1 SET $A 1
MULTI
EXEC => ` + execEmpty + `
SELECT 1
WATCH $A
SELECT 0
1 SELECT 0
1 SET $A 1
MULTI
EXEC => ` + execEmpty + `
SELECT 1
WATCH $A
SELECT 0
1 SELECT 1
1 SET $A 2
MULTI
EXEC => ` + execNull},

	{"two clients race", `
SET $A 10
WATCH $A
1 WATCH $A
GET $A
1 GET $A
MULTI
SET $A 11
1 MULTI
1 SET $A 12
EXEC => "*1\r\n+OK\r\n"
1 EXEC => ` + execNull + `
GET $A => "$2\r\n11\r\n"`},

	{"other client's transaction", `
SET $A 1
WATCH $A $C
1 MULTI
1 SET $B 1
1 INCR $C
1 EXEC
MULTI
EXEC => ` + execNull + `
WATCH $A $C
1 MULTI
1 SET $B 2
1 INCR $A
1 DISCARD
MULTI
EXEC => ` + execEmpty + `
SET $A abc
WATCH $A
1 MULTI
1 INCR $A
1 EXEC => "*1\r\n-ERR value is not an integer or out of range\r\n"
MULTI
EXEC => ` + execEmpty},

	{"expiry of a watched key", `
SET $A v PX 200
WATCH $A
sleep 600ms
MULTI
GET $A
EXEC => ` + execNull},

	{"expiry of a watched key seen by another client", `
SET $A v PX 200
WATCH $A
sleep 600ms
1 GET $A => "$-1\r\n"
MULTI
EXEC => ` + execNull},

	{"own expire of a watched key", `
SET $A v
WATCH $A
PEXPIRE $A 100
sleep 400ms
MULTI
EXEC => ` + execNull},

	{"watch of an expired key", `
SET $A v PX 50
sleep 200ms
WATCH $A
MULTI
EXEC => ` + execEmpty + `
SET $A v PX 50
sleep 200ms
WATCH $A
1 GET $A
1 DEL $A
MULTI
EXEC => ` + execEmpty + `
SET $A v PX 50
sleep 200ms
WATCH $A
1 SET $A w
MULTI
EXEC => ` + execNull},

	{"expire by another client", `
SET $A v
WATCH $A
1 EXPIRE $A 100 => ":1\r\n"
MULTI
EXEC => ` + execNull + `
WATCH $A
1 EXPIRE $A 100 NX => ":0\r\n"
1 PERSIST $B
MULTI
EXEC => ` + execEmpty + `
WATCH $A
1 PERSIST $A => ":1\r\n"
MULTI
EXEC => ` + execNull + `
WATCH $A
1 PERSIST $A => ":0\r\n"
1 GETEX $A PERSIST
1 GETEX $A
MULTI
EXEC => ` + execEmpty + `
1 EXPIRE $A 100
WATCH $A
1 GETEX $A PERSIST
MULTI
EXEC => ` + execNull + `
WATCH $A
1 PEXPIRE $A -1
MULTI
EXEC => ` + execNull},

	{"writes that change nothing", `
SET $A v
SET $B 1
WATCH $A
1 SET $A x NX => "$-1\r\n"
1 MSETNX $B 2 $A 2 => ":0\r\n"
1 RENAMENX $B $A => ":0\r\n"
1 COPY $B $A => ":0\r\n"
1 RENAME $A $A
1 SETRANGE $A 0 ''
1 INCR $A
1 GET $A
1 EXISTS $A
1 TOUCH $A
1 TYPE $A
1 STRLEN $A
1 GETRANGE $A 0 -1
1 LCS $A $A
1 SET $C 1 XX
MULTI
EXEC => ` + execEmpty},

	{"writes that change something", `
SET $A v
WATCH $A
1 SET $A v
MULTI
EXEC => ` + execNull + `
WATCH $A
1 APPEND $A ''
MULTI
EXEC => ` + execNull + `
SET $A 1
WATCH $A
1 INCRBY $A 0
MULTI
EXEC => ` + execNull + `
WATCH $A
1 SETRANGE $A 0 1
MULTI
EXEC => ` + execNull + `
WATCH $A
1 SET $A w GET
MULTI
EXEC => ` + execNull + `
WATCH $A
1 MSET $B 1 $A 1
MULTI
EXEC => ` + execNull + `
WATCH $A
1 SETEX $A 100 v
MULTI
EXEC => ` + execNull + `
WATCH $A
1 GETDEL $A
MULTI
EXEC => ` + execNull},

	{"rename and copy", `
SET $B 1
WATCH $A
1 RENAME $B $A
MULTI
EXEC => ` + execNull + `
WATCH $A
1 RENAME $A $B
MULTI
EXEC => ` + execNull + `
WATCH $A
1 COPY $B $A
MULTI
EXEC => ` + execNull + `
WATCH $A
1 COPY $A $C
MULTI
EXEC => ` + execEmpty + `
WATCH $A
1 COPY $C $A REPLACE
MULTI
EXEC => ` + execNull + `
SET {u1}:a 1
WATCH {u1}:a
1 RENAMENX {u1}:a {u1}:b
MULTI
EXEC => ` + execNull},

	{"move and copy between databases", `
WATCH $A
1 SELECT 1
1 SET $A 1
1 MOVE $A 0 => ":1\r\n"
MULTI
EXEC => ` + execNull + `
WATCH $A
1 MOVE $A 0 => ":0\r\n"
MULTI
EXEC => ` + execEmpty + `
WATCH $A
1 SELECT 0
1 MOVE $A 1 => ":1\r\n"
MULTI
EXEC => ` + execNull + `
WATCH $A
1 SELECT 1
1 COPY $A $A DB 0 => ":1\r\n"
MULTI
EXEC => ` + execNull},

	{"flushdb and flushall", `
SET $A 1
WATCH $A
1 FLUSHDB
MULTI
EXEC => ` + execNull + `
SET $B 1
WATCH $A
1 FLUSHDB
MULTI
EXEC => ` + execEmpty + `
SET $A 1
WATCH $A
1 SELECT 1
1 FLUSHDB
MULTI
EXEC => ` + execEmpty + `
WATCH $A
1 FLUSHALL
MULTI
EXEC => ` + execNull + `
SET $B 1
WATCH $A
1 FLUSHALL
MULTI
EXEC => ` + execEmpty + `
SET $A 1
WATCH $A
FLUSHALL
MULTI
EXEC => ` + execNull + `
SET $A v PX 50
sleep 200ms
WATCH $A
1 SELECT 0
1 FLUSHDB
MULTI
EXEC => ` + execEmpty},

	{"swapdb", `
SET $A 1
WATCH $A
1 SWAPDB 0 1
MULTI
EXEC => ` + execNull + `
WATCH $A
1 SWAPDB 0 1
MULTI
EXEC => ` + execNull + `
1 SELECT 1
1 SET $A 2
WATCH $A
1 SWAPDB 0 1
MULTI
EXEC => ` + execNull + `
FLUSHALL
SET $B 1
WATCH $A
1 SWAPDB 0 1
MULTI
EXEC => ` + execEmpty + `
SET $A 1
WATCH $A
1 SWAPDB 1 2
1 SWAPDB 0 0
MULTI
EXEC => ` + execEmpty},

	{"pipelined watch", `
SET $A 1
WATCH $A | GET $A
1 SET $A 2
MULTI | INCR $A | EXEC => "+OK\r\n+QUEUED\r\n*-1\r\n"
WATCH $A | MULTI | INCR $A | EXEC => "+OK\r\n+OK\r\n+QUEUED\r\n*1\r\n:3\r\n"`},
}

// resp3Cases check EXEC's replies after HELLO 3.
var resp3Cases = []txCase{
	{"exec reply", `
HELLO 3 => ?
MULTI
SET $A 1
GET nokey
MGET $A nokey
INCRBYFLOAT $B 1.5
EXISTS $A
TTL $A
SET $C 1 EX abc
EXEC => "*7\r\n+OK\r\n_\r\n*2\r\n$1\r\n1\r\n_\r\n$3\r\n1.5\r\n:1\r\n:-1\r\n-ERR value is not an integer or out of range\r\n"
MULTI
EXEC => ` + execEmpty + `
MULTI
NOSUCH
EXEC => ` + execAbort},

	{"exec aborted by watch", `
HELLO 3 => ?
SET $A 1
WATCH $A
1 SET $A 2
MULTI
GET $A
EXEC => "_\r\n"
WATCH $A
1 HELLO 3 => ?
1 MULTI
1 SET $A 3
1 EXEC => "*1\r\n+OK\r\n"
MULTI
EXEC => "_\r\n"`},
}

// bigTransaction returns a transaction of many commands over many keys,
// so that EXEC's reply gathers results from every shard in order.
func bigTransaction() txCase {
	var b strings.Builder
	b.WriteString("MULTI\n")
	for i := 0; i < 64; i++ {
		fmt.Fprintf(&b, "SET big:%d %d\nINCR big:%d\n", i, i, i)
	}
	b.WriteString("MGET")
	for i := 0; i < 66; i++ {
		fmt.Fprintf(&b, " big:%d", i)
	}
	b.WriteString("\nDEL")
	for i := 0; i < 66; i += 2 {
		fmt.Fprintf(&b, " big:%d", i)
	}
	b.WriteString("\nDBSIZE\nEXEC\nDBSIZE\n")
	return txCase{"big transaction", b.String()}
}

func TestMultiMatchesRedis(t *testing.T) {
	cases := append(append(multiBasics, bigTransaction()), multiQueueErrors...)
	runTxCases(t, cases)
}

func TestWatchMatchesRedis(t *testing.T) {
	runTxCases(t, watchCases)
}

func TestMultiRESP3MatchesRedis(t *testing.T) {
	runTxCases(t, resp3Cases)
}

// runTxCases runs every case against one redis-server and against Anax
// with one shard and with four.
func runTxCases(t *testing.T, cases []txCase) {
	redisAddr := servertest.StartRedis(t)
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			anax := servertest.Start(t, "--threads", threads)
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					compareTx(t, anax, redisAddr, tc.script)
				})
			}
		})
	}
}

// txLine is one parsed transcript line.
type txLine struct {
	text    string
	conn    int
	cmds    [][]string    // sent in one write
	sleep   time.Duration // a sleep line: nothing is sent
	want    string        // Redis's expected reply, when hasWant
	hasWant bool
	ignore  bool // the reply is read but not compared
}

// txKeys returns the replacements for $A..$D: keys that live on shards 0
// to 3 of four (onShards is in keys_test.go).
func txKeys() *strings.Replacer {
	ks := onShards("tx:", 4, 4)
	return strings.NewReplacer("$A", ks[0], "$B", ks[1], "$C", ks[2], "$D", ks[3])
}

func parseTx(t *testing.T, script string) []txLine {
	t.Helper()
	keys := txKeys()
	var out []txLine
	for _, text := range strings.Split(script, "\n") {
		text = strings.TrimSpace(text)
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		l := txLine{text: text}
		body := text
		if i := strings.Index(body, " => "); i >= 0 {
			w := strings.TrimSpace(body[i+4:])
			body = body[:i]
			if w == "?" {
				l.ignore = true
			} else {
				s, err := strconv.Unquote(w)
				if err != nil {
					t.Fatalf("transcript line %q: bad reply %s: %v", text, w, err)
				}
				l.want, l.hasWant = s, true
			}
		}
		f := strings.Fields(body)
		if f[0] == "sleep" {
			d, err := time.ParseDuration(f[1])
			if err != nil {
				t.Fatalf("transcript line %q: %v", text, err)
			}
			l.sleep = d
			out = append(out, l)
			continue
		}
		if f[0] == "0" || f[0] == "1" {
			l.conn = int(f[0][0] - '0')
			body = strings.TrimSpace(body[1:])
		}
		for _, c := range strings.Split(body, " | ") {
			args := strings.Fields(keys.Replace(c))
			for i := range args {
				if args[i] == "''" {
					args[i] = ""
				}
			}
			l.cmds = append(l.cmds, args)
		}
		out = append(out, l)
	}
	return out
}

// compareTx runs script against both servers in lockstep, each on its own
// two connections, and fails at the first reply that differs (later
// replies would only repeat the difference).
func compareTx(t *testing.T, anax, redis string, script string) {
	t.Helper()
	lines := parseTx(t, script)
	var a, r [2]*servertest.Raw
	for i := range a {
		a[i], r[i] = servertest.Dial(t, anax), servertest.Dial(t, redis)
	}
	for _, c := range []*servertest.Raw{a[0], r[0]} {
		if got := c.Do("FLUSHALL"); got != "+OK\r\n" {
			t.Fatalf("FLUSHALL: %q", got)
		}
	}
	for n, l := range lines {
		if l.sleep > 0 {
			time.Sleep(l.sleep)
			continue
		}
		gr, err := roundTrip(r[l.conn], l.cmds)
		if err != nil {
			t.Fatalf("line %d %q: redis: %v (read %q)", n, l.text, err, gr)
		}
		if l.hasWant && gr != l.want {
			t.Fatalf("line %d %q: redis replied %q, the transcript expects %q", n, l.text, gr, l.want)
		}
		ga, err := roundTrip(a[l.conn], l.cmds)
		if err != nil {
			t.Fatalf("line %d %q: anax: %v (read %q, redis %q)", n, l.text, err, ga, gr)
		}
		if !l.ignore && ga != gr {
			t.Fatalf("line %d %q:\n  anax:  %q\n  redis: %q", n, l.text, ga, gr)
		}
	}
}

// roundTrip sends cmds in one write and reads one reply for each.
func roundTrip(c *servertest.Raw, cmds [][]string) (string, error) {
	var req []byte
	for _, cmd := range cmds {
		req = append(req, servertest.Encode(cmd...)...)
	}
	c.Send(req)
	var out strings.Builder
	for range cmds {
		s, err := c.ReadErr()
		out.WriteString(s)
		if err != nil {
			return out.String(), err
		}
	}
	return out.String(), nil
}

// TestTxCommandStatsMatchRedis checks against redis-server that MULTI,
// EXEC, DISCARD, WATCH and UNWATCH count in INFO commandstats, calls and
// failed calls (nested MULTI, EXEC and DISCARD without MULTI, EXECABORT).
func TestTxCommandStatsMatchRedis(t *testing.T) {
	o := servertest.StartOracle(t)
	anax := servertest.Start(t, "--threads", "4")
	run := func(addr string) string {
		r := servertest.Dial(t, addr)
		r.Do("CONFIG", "RESETSTAT")
		for _, cmd := range [][]string{
			{"WATCH", "k"}, {"UNWATCH"}, {"MULTI"}, {"DISCARD"}, {"MULTI"}, {"EXEC"}, {"EXEC"}, {"DISCARD"},
			{"MULTI"}, {"MULTI"}, {"NOSUCH"}, {"EXEC"}, {"MULTI"}, {"SET", "k", "v"}, {"EXEC"},
		} {
			r.Do(cmd...)
		}
		var lines []string
		for _, l := range strings.Split(r.Do("INFO", "commandstats"), "\r\n") {
			for _, name := range []string{"multi", "exec", "discard", "watch", "unwatch", "set"} {
				if strings.HasPrefix(l, "cmdstat_"+name+":") {
					calls := regexp.MustCompile(`calls=\d+`).FindString(l)
					failed := regexp.MustCompile(`failed_calls=\d+`).FindString(l)
					lines = append(lines, name+" "+calls+" "+failed)
				}
			}
		}
		sort.Strings(lines)
		return strings.Join(lines, "\n")
	}
	if ga, gr := run(anax), run(o.Addr); ga != gr {
		t.Errorf("commandstats:\nanax:\n%s\nredis:\n%s", ga, gr)
	}
}
