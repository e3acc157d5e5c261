package server_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/anaxdb/anax/internal/servertest"
)

// Client libraries whose features are Lua scripts, run against Anax:
// redis-py's Lock and ioredis's defineCommand (go-redis's Script is in
// script_race_test.go). Each runs when its library is installed and is
// skipped otherwise, as the comparisons with redis-server are; CI installs
// them (.ci/run).

// redisPyLock drives redis-py's Lock: acquire, a second holder refused,
// extend, reacquire, release, and a lock lost to another writer whose
// release and extend raise LockNotOwnedError.
const redisPyLock = `
import sys, redis
from redis.exceptions import LockNotOwnedError
r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), decode_responses=True)
r.delete("res")
lock = r.lock("res", timeout=5)
assert lock.acquire(blocking=False), "acquire"
assert lock.owned() and lock.locked(), "owned"
assert not r.lock("res", timeout=5).acquire(blocking=False), "a second holder got the lock"
assert not r.lock("res", timeout=5).acquire(blocking_timeout=0.2), "a blocking second holder got the lock"
assert lock.extend(10), "extend"
assert 14000 < r.pttl("res") <= 15000, "pttl after extend %d" % r.pttl("res")
assert lock.extend(3, replace_ttl=True), "extend replace_ttl"
assert 2000 < r.pttl("res") <= 3000, "pttl after extend replace_ttl %d" % r.pttl("res")
assert lock.reacquire(), "reacquire"
assert 4000 < r.pttl("res") <= 5000, "pttl after reacquire %d" % r.pttl("res")
lock.release()
assert r.get("res") is None, "the key stayed after release"
with r.lock("res", timeout=5) as held:
    assert held.owned(), "the context manager's lock"
assert r.get("res") is None, "the key stayed after the with block"
lost = r.lock("res", timeout=5)
assert lost.acquire(blocking=False)
r.set("res", "someone-else")
for name, call in (("extend", lambda: lost.extend(5)), ("reacquire", lost.reacquire), ("release", lost.release)):
    try:
        call()
    except LockNotOwnedError:
        continue
    raise AssertionError(name + " of a lost lock did not raise LockNotOwnedError")
assert r.get("res") == "someone-else", "the other writer's value was touched"
print("ok")
`

// ioredisDefineCommand drives ioredis's defineCommand: a command with a
// fixed key count, one given the count per call, a pipeline of them, and a
// script's error reply.
const ioredisDefineCommand = `
const Redis = require('ioredis');
const assert = require('assert');
const r = new Redis({host: '127.0.0.1', port: +process.argv[2], maxRetriesPerRequest: 1});
r.defineCommand('incrCapped', {numberOfKeys: 1, lua:
  "local v = redis.call('incr', KEYS[1]) if v > tonumber(ARGV[1]) then redis.call('set', KEYS[1], ARGV[1]) return tonumber(ARGV[1]) end return v"});
r.defineCommand('pair', {lua: "return {KEYS[1], ARGV[1]}"});
r.defineCommand('boom', {numberOfKeys: 0, lua: "return redis.error_reply('my error')"});
(async () => {
  await r.del('cap', 'cap2');
  const got = [];
  for (let i = 0; i < 5; i++) got.push(await r.incrCapped('cap', 3));
  assert.deepStrictEqual(got, [1, 2, 3, 3, 3]);
  assert.deepStrictEqual(await r.pair(1, 'k', 'a'), ['k', 'a']);
  const res = await r.pipeline().incrCapped('cap2', 1).incrCapped('cap2', 1).pair(1, 'x', 'y').exec();
  assert.deepStrictEqual(res, [[null, 1], [null, 1], [null, ['x', 'y']]]);
  await r.script('FLUSH'); // defineCommand falls back to EVAL on NOSCRIPT
  assert.strictEqual(await r.incrCapped('cap', 9), 4);
  await assert.rejects(r.boom(), /my error/);
  console.log('ok');
  r.disconnect();
})().catch((e) => { console.error(e); process.exit(1); });
`

// runClientScript writes script to a file and runs it with interpreter and
// Anax's port, expecting "ok".
func runClientScript(t *testing.T, env []string, interpreter, name, script, port string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, interpreter, path, port)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("%s %s: %v\n%s", interpreter, name, err, out)
	}
}

// python3WithRedis returns a python3 that imports redis-py (Debian's
// /usr/bin/python3 with python3-redis first), or "".
func python3WithRedis() string {
	candidates := []string{"/usr/bin/python3"}
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, p)
	}
	for _, p := range candidates {
		if exec.Command(p, "-c", "import redis.lock").Run() == nil {
			return p
		}
	}
	return ""
}

func TestRedisPyLock(t *testing.T) {
	py := python3WithRedis()
	if py == "" {
		t.Skip("no python3 with redis-py (Debian package python3-redis)")
	}
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			addr := servertest.Start(t, "--threads", threads)
			_, port, _ := strings.Cut(addr, ":")
			runClientScript(t, os.Environ(), py, "lock.py", redisPyLock, port)
		})
	}
}

func TestIoredisDefineCommand(t *testing.T) {
	node, env := nodeWith(t, "ioredis", "ioredis@5.4.1")
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			addr := servertest.Start(t, "--threads", threads)
			_, port, _ := strings.Cut(addr, ":")
			runClientScript(t, env, node, "define.js", ioredisDefineCommand, port)
		})
	}
}

// nodeWith returns node and an environment in which it finds module, or
// skips the test: the module is looked up where npm or Debian put modules,
// and wherever NODE_PATH says. pinned names the package CI installs.
func nodeWith(t *testing.T, module, pinned string) (node string, env []string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("no node (Debian package nodejs)")
	}
	paths := []string{os.Getenv("NODE_PATH"), "/usr/lib/node_modules", "/usr/local/lib/node_modules", "/usr/share/nodejs"}
	if out, err := exec.Command("npm", "root", "-g").Output(); err == nil {
		paths = append(paths, strings.TrimSpace(string(out)))
	}
	env = append(os.Environ(), "NODE_PATH="+strings.Join(paths, string(os.PathListSeparator)))
	probe := exec.Command(node, "-e", "require.resolve('"+module+"')")
	probe.Env = env
	if probe.Run() != nil {
		t.Skip("no " + module + " for node (npm install -g " + pinned + ")")
	}
	return node, env
}
