package server_test

import (
	"testing"

	"github.com/anaxdb/anax/internal/servertest"
)

// scriptLines exercises EVAL and its kin against redis-server 7.0: every
// Lua <-> RESP conversion, redis.call and redis.pcall errors, the error
// texts of runtime and compile errors, the sandbox, SCRIPT, shebang flags,
// EVAL_RO, and scripts that touch keys they did not declare on every shard
// (k holds one key per shard of a 4-shard Anax).
func scriptLines(k []string) [][]string {
	e := func(body string, keysAndArgs ...string) []string {
		n := "0"
		if len(keysAndArgs) > 0 {
			n, keysAndArgs = keysAndArgs[0], keysAndArgs[1:]
		}
		return append([]string{"EVAL", body, n}, keysAndArgs...)
	}
	return [][]string{
		{"FLUSHALL"}, {"SCRIPT", "FLUSH"},
		{"SET", "s", "abc"}, {"HSET", "h", "f", "v"}, {"ZADD", "z", "1.5", "a"}, {"RPUSH", "l", "x", "y"}, {"SADD", "st", "m"},
		// Lua -> RESP.
		e("return 1"), e("return -3.99"), e("return 3.99"), e("return 1e20"), e("return -1e20"), e("return 0/0"),
		e("return 'abc'"), e("return ''"), e("return true"), e("return false"), e("return nil"),
		e("return {1,2,3.7,'x',nil,4}"), e("return {1,2,{3,'a',{}}}"), e("return {true,false,1}"), e("return {}"),
		e("return {ok='fine'}"), e("return {err='bad'}"), e("return {err='-bad'}"), e("return {err='bad thing'}"),
		e("return {err='x', ok='y'}"), e("return {err=5}"), e("return {ok=5}"), e("return {1, {err='inner'}, 2}"),
		e("return {1, {ok='st'}}"), e("return {double=1.5}"), e("return {double=-3.5}"), e("return {double='abc'}"),
		e("return {double=1/0}"), e("return {map={a=1}}"), e("return {set={a=true}}"), e("return {big_number='123'}"),
		e("return {verbatim_string={format='txt', string='hi'}}"), e("return {ok='a\\r\\nb'}"), e("return {err='a\\nb'}"),
		e("return function() end"), e("return redis.call('get', 'nokey')"),
		e("return redis.status_reply('fine')"), e("return redis.status_reply()"), e("return redis.error_reply('bad')"),
		e("return redis.error_reply('-bad x')"), e("return redis.error_reply('WRONGTYPE x')"), e("return redis.error_reply('')"),
		e("return redis.error_reply()"), e("return redis.error_reply(5)"),
		// RESP -> Lua.
		e("return redis.call('get', 's')"), e("return type(redis.call('get','nokey'))"), e("return redis.call('set','x','y')"),
		e("return type(redis.call('set','x','y'))"), e("return redis.call('set','x','y').ok"), e("return redis.call('hgetall','h')"),
		e("return redis.call('lrange','l',0,-1)"), e("return redis.call('zscore','z','a')"), e("return redis.call('exists','s','h')"),
		e("return redis.call('smembers','nosuch')"), e("return redis.call('ping')"), e("return redis.call('echo','hi')"),
		e("return #redis.call('time')"),
		e("redis.setresp(3); return redis.call('hgetall','h')"), e("redis.setresp(3); return redis.call('zscore','z','a')"),
		e("redis.setresp(3); local r = redis.call('zscore','z','a'); return type(r)..tostring(r.double)"),
		e("redis.setresp(3); return redis.call('hgetall','h').map.f"), e("redis.setresp(3); return redis.call('get','nokey')"),
		e("redis.setresp(3); return type(redis.call('get','nokey'))"), e("redis.setresp(3); return redis.call('smembers','st')"),
		e("redis.setresp(3); return redis.call('smembers','st').set.m"), e("redis.setresp(3); return redis.call('set','x','y')"),
		e("redis.setresp(3); return true"), e("redis.setresp(3); return false"), e("redis.setresp(3); return {true, false}"),
		e("return redis.setresp(4)"), e("return redis.setresp()"),
		// Arguments of redis.call.
		e("return redis.call('set', 'n', 1e20)"), e("return redis.call('get', 'n')"), e("return redis.call('set', 'n', 0.5)"),
		e("return redis.call('get', 'n')"), e("return redis.call('set', 'n', 123456789012)"), e("return redis.call('get','n')"),
		e("return redis.call('get', {})"), e("return redis.call('get', true)"), e("return redis.call()"), e("return redis.pcall()"),
		e("return redis.call(1)"), e("return redis.call('nosuch')"), e("return redis.pcall('nosuch')"), e("return redis.call('get')"),
		e("return redis.pcall('get')"), e("redis.call('set', 'x')"),
		// Errors of commands, raised and caught.
		e("return redis.call('incr','s')"), e("return redis.pcall('incr','s')"), e("return redis.call('lpush','s','x')"),
		e("local r = redis.pcall('incr','s'); return type(r)..' '..r.err"),
		e("local ok, e = pcall(redis.call, 'incr', 's'); return e"),
		e("local ok, e = pcall(redis.call, 'incr', 's'); return type(e)"),
		e("local ok, e = pcall(function() return redis.call('incr','s') end); return {tostring(ok), type(e), tostring(e)}"),
		e("local ok, e = pcall(redis.call, 'incr', 's'); error(e)"), e("local ok, e = pcall(redis.call, 'incr', 's'); error(e, 0)"),
		e("return redis.pcall('lpush','s','x')"),
		// Calls whose reply the script drops (read through a call that does not convert it).
		e("redis.call('incr','s')"), e("\n\nredis.call('lpush','s','x')\nreturn 1"),
		e("redis.call('set','dx','1')\nredis.call('incr','dx')\nredis.call('ltrim','l',0,-1)\nreturn redis.call('get','dx')"),
		e("local ok, e = pcall(function() redis.call('incr','s') end); return {tostring(ok), type(e)}"),
		e("redis.pcall('incr','s'); redis.call('incr', redis.call('get','dx') == '2' and 'dx' or 's'); return redis.call('get','dx')"),
		// Runtime and compile errors.
		e("return foo"), e("foo = 1"), e("error('x')"), e("error('x', 0)"), e("error('ERR x', 0)"), e("error('-WRONGTYPE x', 0)"),
		e("error({err='MY thing'})"), e("error({err='x y', ok='z'})"), e("error(redis.error_reply('oops'))"),
		e("local x = 1\nerror('line two')"), e("\n\nreturn redis.call('incr','s')"),
		e("return 1 +"), e("return 1 + + 2"), e("x("),
		// The sandbox (not os: 7.4 has os.clock, the 7.0 oracle no os; see
		// TestRedis74Introspection).
		e("return io"), e("return dofile"), e("return loadfile"), e("return print"), e("return require"),
		e("return module"), e("return getfenv"), e("return setfenv"), e("return newproxy"), e("return debug"), e("return _G.x"),
		e("return rawget(_G,'x')"), e("setmetatable(_G, nil)"), e("_G.x = 1"), e("redis.call = nil"),
		e("string.x = 1"), e("return type(loadstring)"), e("return loadstring"), e("return type(load)"), e("return type(pcall)"),
		e("return type(coroutine)"), e("return type(gcinfo)"), e("return type(unpack)"), e("return type(table.getn)"),
		e("return type(math.mod)"), e("return type(string.gmatch)"), e("return _VERSION"), e("return redis.REPL_ALL"),
		e("return redis.LOG_WARNING"), e("return redis.sha1hex('')"), e("return redis.sha1hex('abc')"), e("return redis.sha1hex()"),
		e("redis.set_repl(redis.REPL_ALL); return 1"), e("return redis.replicate_commands()"),
		e("return redis.log(redis.LOG_WARNING, 'from a test')"), e("return redis.log()"), e("return redis.log(9, 'x')"),
		e("return redis.REDIS_VERSION"), e("return redis.acl_check_cmd('get', 'x')"), e("return redis.acl_check_cmd('nosuch')"),
		// Libraries.
		e("return bit.tohex(65535)"), e("return bit.tohex(-1, -4)"), e("return bit.band(0xff, 0x0f)"), e("return bit.bor(1, 2, 4)"),
		e("return bit.bxor(5, 3)"), e("return bit.bnot(0)"), e("return bit.lshift(1, 40)"), e("return bit.rshift(-1, 28)"),
		e("return bit.arshift(-256, 4)"), e("return bit.rol(0x12345678, 8)"), e("return bit.bswap(0x12345678)"), e("return bit.tobit(2^32 + 5)"),
		e("return cjson.encode({1,2,3})"), e("return cjson.encode({a=1})"), e("return cjson.encode({})"),
		e("return cjson.encode({[1]=1,[3]=3})"), e("return cjson.encode('a/\"b\\n')"), e("return cjson.encode(1/3)"),
		e("return cjson.encode({1,2,nil,4})"), e("return cjson.encode(function() end)"), e("return cjson.encode({[1]=1,[100]=2})"),
		e("return cjson.decode('[1,2,null]')[3] == cjson.null"), e("return cjson.decode('{\"a\":[1,2.5,\"x\",true]}').a[2]"),
		e("return cjson.decode('bad')"), e("return cjson.decode('[1,2')"), e("return cjson.decode('{\"a\" 1}')"),
		e("return cjson.decode('[1] x')"), e("return cjson.decode('\"\\\\u00e9\"')"),
		e("return cmsgpack.pack({1,2})"), e("return cmsgpack.pack(1, -1, 127, 128, 255, 256, 65536, 4294967296, -33, -129, -32769, -2147483649)"),
		e("return cmsgpack.pack(1.5, 0.1, 1e300, true, false, nil)"), e("return cmsgpack.pack('abc', string.rep('x', 40), string.rep('y', 300))"),
		e("return cmsgpack.pack({a=1})"), e("return cmsgpack.pack({})"), e("return cmsgpack.pack({1,2,nil,4})"), e("return cmsgpack.pack()"),
		e("return {cmsgpack.unpack(cmsgpack.pack(1, 'a', {1,2,3}, -5))}"), e("return cmsgpack.unpack(cmsgpack.pack({a={b={c=5}}})).a.b.c"),
		e("return cmsgpack.unpack('\\xc1')"), e("return cmsgpack.unpack('\\xcd\\x01')"), e("return {cmsgpack.unpack_one(cmsgpack.pack(1,2,3))}"),
		e("return {cmsgpack.unpack_limit(cmsgpack.pack(1,2,3), 2)}"), e("return {cmsgpack.unpack_one(cmsgpack.pack(1,2,3), 2)}"),
		e("return struct.pack('>I2', 258)"), e("return struct.pack('<i', -2)"), e("return struct.pack('bBhHlLT', -1, 255, -2, 65535, -3, 5, 6)"),
		e("return struct.pack('>d', 1.5)"), e("return struct.pack('f', 1.5)"), e("return struct.pack('s', 'ab')"), e("return struct.pack('c3', 'abcdef')"),
		e("return struct.pack('c0', 'abcdef')"), e("return struct.pack('!4 b i', 1, 2)"), e("return {struct.unpack('>I2', '\\1\\2')}"),
		e("return {struct.unpack('b c0', '\\3abcde')}"), e("return {struct.unpack('s i', 'ab\\0\\1\\0\\0\\0')}"), e("return {struct.unpack('I4', 'ab')}"),
		e("return struct.size('!4 b i d')"), e("return struct.size('s')"), e("return struct.pack('q', 1)"), e("return struct.pack('i33', 1)"),
		e("return {struct.unpack('>I3', 'abcd', 2)}"), e("return {struct.unpack('d', struct.pack('d', 0.25))}"),
		e("return tostring(1/3)"), e("return tostring(2^53)"), e("return tostring(0/0)"), e("return math.floor(-3.5)"),
		e("return string.format('%5.2f|%d|%s', 3.14159, 42, 'hi')"), e("return {string.match('key:123', '(%a+):(%d+)')}"),
		// KEYS and ARGV, numkeys.
		e("return KEYS[1]..ARGV[1]", "1", "k", "a"), e("return {KEYS[1], KEYS[2], ARGV[1], #ARGV}", "2", "k1", "k2", "a1", "a2"),
		e("return 1", "-1"), e("return 1", "2", "a"), e("return 1", "x"), e("return #KEYS", "0", "a", "b"),
		// EVALSHA and SCRIPT.
		{"SCRIPT", "LOAD", "return 'loaded'"}, {"EVALSHA", "2b2bc4e7b7ee4de38e3f3ac08dfbcc3e9cc06a61", "0"},
		{"EVALSHA", "1E0E1F9FABFC9D4800C877A703B823AC0578FF8D", "0"}, {"SCRIPT", "LOAD", "return 1 +"},
		{"EVAL", "return 'viaeval'", "0"}, {"EVALSHA", "0000", "0"}, {"EVALSHA_RO", "0000", "0"},
		{"SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0000"}, {"SCRIPT", "FLUSH", "x"}, {"SCRIPT", "FLUSH", "ASYNC"},
		{"SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"}, {"SCRIPT", "KILL"}, {"SCRIPT", "FOO"}, {"SCRIPT", "HELP"},
		{"SCRIPT", "FLUSH"}, {"SCRIPT"},
		// Commands scripts may not call.
		e("return redis.call('eval','return 1', 0)"), e("return redis.call('multi')"), e("return redis.call('blpop','nolist', 0)"),
		e("return redis.call('script','load','return 1')"), e("return redis.call('hello')"),
		// Read-only scripts and shebangs.
		{"EVAL_RO", "return redis.call('set','a','b')", "0"}, {"EVAL_RO", "return redis.call('get','s')", "0"},
		{"EVAL_RO", "return redis.pcall('set','a','b')", "0"},
		e("#!lua\nreturn redis.call('set','a','b')"), e("#!lua flags=no-writes\nreturn redis.call('set','a','b')"),
		e("#!lua flags=no-writes\nerror('x')"), e("#!lua flags=bad\nreturn 1"), e("#!python\nreturn 1"), e("#!lua name=x\nreturn 1"),
		e("#!lua flags=no-writes,allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 1"),
		// SELECT changes the script's database only.
		e("redis.call('select', 5); redis.call('set', 'indb5', 'v'); return redis.call('get', 'indb5')"), {"GET", "indb5"},
		{"SELECT", "5"}, {"GET", "indb5"}, {"SELECT", "0"}, e("return redis.call('select', 99)"), e("return redis.pcall('select', 'x')"),
		// Keys on every shard, declared or not.
		e("for i, k in ipairs(KEYS) do redis.call('set', k, i) end; return redis.call('mget', unpack(KEYS))", "4", k[0], k[1], k[2], k[3]),
		e("for i, k in ipairs(ARGV) do redis.call('incr', k) end; return redis.call('mget', unpack(ARGV))", "0", k[0], k[1], k[2], k[3]),
		e("for i, k in ipairs(ARGV) do redis.call('incr', k) end; return redis.call('mget', unpack(ARGV))", "0", k[0], k[1], k[2], k[3]),
		e("return redis.call('incr', KEYS[1])", "1", k[1]), e("return redis.call('incr', KEYS[1])", "1", k[1]),
		e("return redis.call('incr', KEYS[1])", "1", k[2]),
		e("return redis.call('dbsize')"), e("local t = redis.call('keys', '*'); table.sort(t); return t"),
		e("redis.call('rename', KEYS[1], KEYS[2]); return redis.call('get', KEYS[2])", "2", k[0], k[3]),
		e("return redis.call('del', unpack(ARGV))", "0", k[0], k[1], k[2], k[3]),
		e("local v = redis.call('get', KEYS[1]); if v then return redis.call('get', v) end; return 'none'", "1", k[0]),
		{"SET", k[0], k[2]}, {"SET", k[2], "indirect"},
		e("local v = redis.call('get', KEYS[1]); if v then return redis.call('get', v) end; return 'none'", "1", k[0]),
		// Inside MULTI.
		{"MULTI"}, e("return redis.call('incr', 'ctr')"), e("return redis.call('incr', KEYS[1])", "1", k[3]),
		e("return redis.call('mget', unpack(ARGV))", "0", k[0], k[1], k[2], k[3]), {"EXEC"},
		{"FLUSHALL"},
	}
}

// TestScriptsMatchRedis compares scriptLines with redis-server over one
// and four shards, in RESP2 and RESP3.
func TestScriptsMatchRedis(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	k := keysOnShards("sk", 4)
	for _, threads := range []string{"1", "4"} {
		anax := servertest.Start(t, "--threads", threads)
		for _, proto := range []string{"2", "3"} {
			t.Run("threads="+threads+"/resp"+proto, func(t *testing.T) {
				a, r := servertest.Dial(t, anax), servertest.Dial(t, redisAddr)
				a.Do("HELLO", proto)
				r.Do("HELLO", proto)
				compareOn(t, a, r, scriptLines(k))
			})
		}
	}
}
