package server_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/anaxdb/anax/internal/servertest"
)

// Client-side caching with client libraries other than rueidis (which is in
// rueidis_test.go): node-redis's clientSideCache. Each runs when its
// library is installed and is skipped otherwise; CI installs it (.ci/run).
//
// redis-py's cache_config needs redis-py 5.1 or later; Debian's
// python3-redis is older and CI reaches no Python package index, so it is
// not exercised here.

// nodeRedisClientSideCache drives node-redis v5's clientSideCache (RESP3,
// CLIENT TRACKING ON): a repeated GET or HGETALL is a cache hit, and another
// client's SET, DEL, HSET and FLUSHALL, and the client's own SET, invalidate
// what it cached.
const nodeRedisClientSideCache = `
const { createClient } = require('redis');
const assert = require('assert');
const url = 'redis://127.0.0.1:' + process.argv[2];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
(async () => {
  const cached = createClient({url, RESP: 3, clientSideCache: {ttl: 0, maxEntries: 0, recordStats: true}});
  const other = createClient({url});
  cached.on('error', (e) => { console.error(e); process.exit(1); });
  other.on('error', (e) => { console.error(e); process.exit(1); });
  await cached.connect();
  await other.connect();
  const csc = cached.clientSideCache;
  // until waits for a cached read to see want: the invalidation is a push
  // message that may land a little after the writer's reply.
  const until = async (what, read, want) => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const got = await read();
      if (JSON.stringify(got) === JSON.stringify(want)) return;
      if (Date.now() > deadline) throw new Error(what + ': cache still says ' + JSON.stringify(got) + ', want ' + JSON.stringify(want));
      await sleep(5);
    }
  };
  for (const key of ['a', 'b', 'c', 'd']) {
    await other.set(key, 'v1');
    const hits = csc.stats().hitCount;
    assert.strictEqual(await cached.get(key), 'v1');
    assert.strictEqual(await cached.get(key), 'v1');
    assert.strictEqual(csc.stats().hitCount, hits + 1, 'the second GET ' + key + ' was not a cache hit');
    await other.set(key, 'v2');
    await until('GET ' + key + ' after SET', () => cached.get(key), 'v2');
    assert.strictEqual(await cached.get(key), 'v2');
    await other.del(key);
    await until('GET ' + key + ' after DEL', () => cached.get(key), null);
  }
  await other.hSet('h', {f: '1'});
  assert.deepStrictEqual({...await cached.hGetAll('h')}, {f: '1'});
  const hits = csc.stats().hitCount;
  assert.deepStrictEqual({...await cached.hGetAll('h')}, {f: '1'});
  assert.strictEqual(csc.stats().hitCount, hits + 1, 'the second HGETALL was not a cache hit');
  await other.hSet('h', 'g', '2');
  await until('HGETALL after HSET', async () => ({...await cached.hGetAll('h')}), {f: '1', g: '2'});
  // FLUSHALL invalidates every key with a null key list.
  await other.set('e', 'v1');
  assert.strictEqual(await cached.get('e'), 'v1');
  assert.ok(csc.size() > 0);
  await other.flushAll();
  await until('GET e after FLUSHALL', () => cached.get('e'), null);
  // The client's own write invalidates its cache too.
  await cached.set('e', 'mine');
  await until('GET e after its own SET', () => cached.get('e'), 'mine');
  console.log('ok');
  await cached.quit();
  await other.quit();
})().catch((e) => { console.error(e); process.exit(1); });
`

func TestNodeRedisClientSideCache(t *testing.T) {
	node, env := nodeWith(t, "redis", "redis@5.12.1")
	// Debian's node-redis is an older major version, without the cache.
	probe := exec.Command(node, "-e", "process.exit(parseInt(require('redis/package.json').version) >= 5 ? 0 : 1)")
	probe.Env = env
	if probe.Run() != nil {
		t.Skip("node-redis older than v5 (npm install -g redis@5.12.1)")
	}
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			addr := servertest.Start(t, "--threads", threads)
			_, port, _ := strings.Cut(addr, ":")
			runClientScript(t, env, node, "csc.js", nodeRedisClientSideCache, port)
		})
	}
}
