// Anax admin console. Plain JavaScript, no build step, nothing loaded from
// elsewhere. Every value from the server is put in the page with
// textContent, never as HTML.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const state = {
    csrf: '',
    points: [],        // {t, ops, mem}
    last: null,        // previous /api/stats reading
    history: [],
    hpos: 0,
    timers: [],
    started: false,
  };
  const MAX_POINTS = 120;

  class AuthError extends Error {}

  async function api(path, opts) {
    opts = opts || {};
    const headers = { 'X-CSRF-Token': state.csrf };
    let body;
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    const res = await fetch(path, {
      method: opts.method || 'GET', headers, body,
      credentials: 'same-origin', cache: 'no-store',
    });
    let data = null;
    try { data = await res.json(); } catch (e) { /* not JSON */ }
    if (res.status === 401) {
      showLogin();
      throw new AuthError((data && data.error) || 'authentication required');
    }
    if (!res.ok) throw new Error((data && data.error) || res.status + ' ' + res.statusText);
    return data;
  }

  function setConn(text, cls) {
    const el = $('conn-state');
    el.textContent = text;
    el.className = 'pill ' + cls;
  }

  // Formatting.
  const UNITS = ['B', 'K', 'M', 'G', 'T'];
  function unitOf(n) {
    let i = 0;
    while (n >= 1024 && i < UNITS.length - 1) { n /= 1024; i++; }
    return i;
  }
  function human(n) {
    n = Number(n) || 0;
    const i = unitOf(n);
    const v = n / Math.pow(1024, i);
    return (i === 0 ? String(Math.round(v)) : String(parseFloat(v.toFixed(v < 10 ? 2 : 1)))) + UNITS[i];
  }
  function tick(v) {
    if (v >= 1e4) return compact(v);
    return Number.isInteger(v) ? String(v) : String(parseFloat(v.toFixed(2)));
  }
  function compact(n) {
    n = Number(n) || 0;
    if (n >= 1e9) return (n / 1e9).toFixed(1) + 'G';
    if (n >= 1e6) return (n / 1e6).toFixed(1) + 'M';
    if (n >= 1e4) return (n / 1e3).toFixed(1) + 'k';
    return String(Math.round(n));
  }
  function duration(s) {
    s = Number(s) || 0;
    const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600),
      m = Math.floor(s % 3600 / 60), r = Math.floor(s % 60);
    if (d) return d + 'd ' + h + 'h';
    if (h) return h + 'h ' + m + 'm';
    if (m) return m + 'm ' + r + 's';
    return r + 's';
  }
  function usec(u) {
    if (u >= 1e6) return (u / 1e6).toFixed(2) + ' s';
    if (u >= 1e3) return (u / 1e3).toFixed(1) + ' ms';
    return u + ' µs';
  }

  function row(cells, classes) {
    const tr = document.createElement('tr');
    cells.forEach((c, i) => {
      const td = document.createElement('td');
      td.textContent = c;
      if (classes && classes[i]) td.className = classes[i];
      tr.appendChild(td);
    });
    return tr;
  }
  function fill(tbody, rows, cols, emptyText) {
    tbody.replaceChildren();
    if (rows.length === 0) {
      const tr = document.createElement('tr');
      const td = document.createElement('td');
      td.colSpan = cols;
      td.className = 'empty';
      td.textContent = emptyText;
      tr.appendChild(td);
      tbody.appendChild(tr);
      return;
    }
    rows.forEach((r) => tbody.appendChild(r));
  }

  // INFO.
  const SERVER_FIELDS = [
    ['redis_version', 'Redis version'], ['anax_version', 'Anax version'], ['role', 'Role'],
    ['shards', 'Shards'], ['tcp_port', 'Port'], ['process_id', 'Process id'],
    ['os', 'OS'], ['go_version', 'Go'], ['maxmemory_human', 'maxmemory'],
    ['maxmemory_policy', 'Eviction policy'], ['used_memory_peak_human', 'Memory peak'],
    ['used_memory_rss_human', 'RSS'], ['total_commands_processed', 'Commands processed'],
    ['total_connections_received', 'Connections received'], ['expired_keys', 'Expired keys'],
    ['total_error_replies', 'Error replies'],
  ];

  async function refreshInfo() {
    const data = await api('/api/info?section=all');
    const f = {};
    const keyspace = [];
    data.sections.forEach((s) => {
      s.fields.forEach(([k, v]) => {
        f[k] = v;
        if (s.name === 'Keyspace') keyspace.push([k, v]);
      });
    });
    $('server-version').textContent = 'v' + (f.anax_version || '?') + ' · redis ' + (f.redis_version || '?');
    $('tile-uptime').textContent = duration(f.uptime_in_seconds);
    const hits = Number(f.keyspace_hits || 0), misses = Number(f.keyspace_misses || 0);
    $('tile-hits').textContent = hits + misses ? (100 * hits / (hits + misses)).toFixed(1) + '%' : '–';
    const rows = SERVER_FIELDS.filter(([k]) => f[k] !== undefined).map(([k, label]) => row([label, f[k]]));
    fill($('server-info'), rows, 2, '');
    const ks = keyspace.map(([db, v]) => {
      const m = {};
      v.split(',').forEach((kv) => { const [a, b] = kv.split('='); m[a] = b; });
      return row([db, Number(m.keys || 0).toLocaleString(), Number(m.expires || 0).toLocaleString()],
        ['', 'num', 'num']);
    });
    fill($('keyspace'), ks, 3, 'no keys');
  }

  async function refreshStats() {
    const s = await api('/api/stats');
    let ops = s.ops_per_sec;
    if (state.last && s.time_ms > state.last.time_ms) {
      const d = s.commands_processed - state.last.commands_processed;
      if (d >= 0) ops = d * 1000 / (s.time_ms - state.last.time_ms);
    }
    state.last = s;
    state.points.push({ t: s.time_ms, ops, mem: s.used_memory });
    if (state.points.length > MAX_POINTS) state.points.shift();
    $('tile-ops').textContent = compact(ops);
    $('tile-mem').textContent = human(s.used_memory);
    $('tile-clients').textContent = String(s.connected_clients);
    $('tile-keys').textContent = compact(s.keys);
    setConn('live', 'pill-ok');
    drawChart();
  }

  async function refreshSlowLog() {
    const data = await api('/api/slowlog?n=25');
    const rows = data.entries.map((e) => row([
      String(e.id),
      new Date(e.time * 1000).toLocaleTimeString(),
      usec(e.usec),
      e.args.join(' '),
      e.client + (e.client_name ? ' (' + e.client_name + ')' : ''),
    ], ['num', '', 'num', 'cmd', '']));
    fill($('slowlog'), rows, 5, 'empty');
    $('slowlog-note').textContent = data.entries.length ? 'newest first' : '';
  }

  // The chart: ops/s on the left axis, memory on the right.
  // niceMax rounds v up to 1, 2, 4, 8 or 10 times a power of ten, so the
  // quarter lines fall on round figures.
  function niceMax(v) {
    if (v <= 0) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 4, 8, 10]) if (m * p >= v * (1 - 1e-9)) return m * p;
    return 10 * p;
  }
  // niceBytes does the same in the binary unit of v (K, M, G...).
  function niceBytes(v) {
    const u = Math.pow(1024, unitOf(v));
    return niceMax(v / u) * u;
  }
  function drawChart() {
    const cv = $('chart');
    const dpr = window.devicePixelRatio || 1;
    const w = cv.clientWidth, h = cv.clientHeight;
    if (cv.width !== Math.round(w * dpr) || cv.height !== Math.round(h * dpr)) {
      cv.width = Math.round(w * dpr);
      cv.height = Math.round(h * dpr);
    }
    const g = cv.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    const L = 56, R = 64, T = 10, B = 24;
    const pw = w - L - R, ph = h - T - B;
    const pts = state.points;
    const opsMax = niceMax(Math.max(1, ...pts.map((p) => p.ops)));
    const memMax = niceBytes(Math.max(1, ...pts.map((p) => p.mem)));
    g.font = '11px system-ui, sans-serif';
    g.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const y = T + ph - ph * i / 4;
      g.strokeStyle = '#edf0f5';
      g.beginPath(); g.moveTo(L, y + 0.5); g.lineTo(L + pw, y + 0.5); g.stroke();
      if (pts.length === 0) continue;
      g.fillStyle = '#0b7d6e'; g.textAlign = 'right'; g.textBaseline = 'middle';
      g.fillText(tick(opsMax * i / 4), L - 8, y);
      g.fillStyle = '#c46a26'; g.textAlign = 'left';
      g.fillText(human(memMax * i / 4), L + pw + 8, y);
    }
    g.fillStyle = '#6b7487'; g.textAlign = 'center'; g.textBaseline = 'top';
    const span = MAX_POINTS;
    for (let s = 0; s <= span; s += 30) {
      const x = L + pw - pw * s / span;
      g.fillText(s === 0 ? 'now' : '-' + s + 's', x, T + ph + 6);
    }
    if (pts.length < 2) {
      g.fillStyle = '#9aa3b5'; g.textBaseline = 'middle';
      g.fillText('collecting samples…', L + pw / 2, T + ph / 2);
      return;
    }
    const now = pts[pts.length - 1].t;
    const xOf = (t) => L + pw - pw * (now - t) / (span * 1000);
    function line(key, max, color, fillColor) {
      g.beginPath();
      let first = true;
      pts.forEach((p) => {
        const x = xOf(p.t), y = T + ph - ph * p[key] / max;
        if (x < L) return;
        if (first) { g.moveTo(x, y); first = false; } else g.lineTo(x, y);
      });
      g.strokeStyle = color; g.lineWidth = 2; g.lineJoin = 'round'; g.stroke();
      if (fillColor) {
        g.lineTo(xOf(now), T + ph);
        g.lineTo(Math.max(L, xOf(pts[0].t)), T + ph);
        g.closePath();
        g.fillStyle = fillColor; g.fill();
      }
    }
    line('mem', memMax, '#e8833a', null);
    line('ops', opsMax, '#0f9d8a', 'rgba(15,157,138,0.10)');
  }

  // The command box.
  function splitArgs(line) {
    const out = [];
    let i = 0;
    while (i < line.length) {
      while (i < line.length && /\s/.test(line[i])) i++;
      if (i >= line.length) break;
      let cur = '';
      if (line[i] === '"' || line[i] === "'") {
        const q = line[i++];
        let closed = false;
        while (i < line.length) {
          const c = line[i];
          if (q === '"' && c === '\\' && i + 1 < line.length) {
            const n = line[i + 1];
            const esc = { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07', '"': '"', '\\': '\\' };
            if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(line.substr(i + 2, 2))) {
              cur += String.fromCharCode(parseInt(line.substr(i + 2, 2), 16));
              i += 4;
              continue;
            }
            cur += esc[n] !== undefined ? esc[n] : n;
            i += 2;
            continue;
          }
          if (q === "'" && c === '\\' && line[i + 1] === "'") { cur += "'"; i += 2; continue; }
          if (c === q) { closed = true; i++; break; }
          cur += c; i++;
        }
        if (!closed) throw new Error('Invalid argument(s): unbalanced quotes');
      } else {
        while (i < line.length && !/\s/.test(line[i])) cur += line[i++];
      }
      out.push(cur);
    }
    return out;
  }

  function print(promptText, text, isError) {
    const out = $('cmd-output');
    const p = document.createElement('div');
    p.className = 'prompt';
    p.textContent = promptText;
    const r = document.createElement('pre');
    r.className = 'result' + (isError ? ' err' : '');
    r.textContent = text;
    out.appendChild(p);
    out.appendChild(r);
    out.scrollTop = out.scrollHeight;
  }

  async function runCommand(line) {
    const db = Math.max(0, parseInt($('cmd-db').value, 10) || 0);
    const prompt = '127.0.0.1[' + db + ']> ' + line;
    let args;
    try { args = splitArgs(line); } catch (e) { print(prompt, e.message, true); return; }
    if (args.length === 0) return;
    try {
      const res = await api('/api/command', { method: 'POST', body: { args, db } });
      const isErr = res.reply && res.reply.type === 'error';
      print(prompt, res.text.replace(/\n$/, ''), isErr);
      // Each command runs on its own connection: SELECT moves the box.
      if (!isErr && args[0].toLowerCase() === 'select' && args.length === 2) $('cmd-db').value = args[1];
      refreshStats().catch(() => {});
    } catch (e) {
      print(prompt, '(error) ' + e.message, true);
    }
  }

  function setupCommandBox() {
    const input = $('cmd-input');
    $('cmd-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const line = input.value.trim();
      if (!line) return;
      state.history.push(line);
      state.hpos = state.history.length;
      input.value = '';
      runCommand(line);
    });
    input.addEventListener('keydown', (ev) => {
      if (ev.key === 'ArrowUp' && state.hpos > 0) {
        state.hpos--;
        input.value = state.history[state.hpos];
        ev.preventDefault();
      } else if (ev.key === 'ArrowDown' && state.hpos < state.history.length) {
        state.hpos++;
        input.value = state.history[state.hpos] || '';
        ev.preventDefault();
      }
    });
    const w = document.createElement('div');
    w.className = 'welcome';
    w.textContent = 'Type a command and press Enter, as in redis-cli.';
    $('cmd-output').appendChild(w);
  }

  // Login.
  function showLogin() {
    stop();
    $('logout').classList.add('hidden');
    $('login').classList.remove('hidden');
    $('login-password').focus();
    setConn('signed out', 'pill-wait');
  }
  function hideLogin() { $('login').classList.add('hidden'); }

  function setupLogin() {
    $('login-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      $('login-error').textContent = '';
      try {
        await api('/api/login', { method: 'POST', body: { password: $('login-password').value } });
        $('login-password').value = '';
        $('logout').classList.remove('hidden');
        start();
      } catch (e) {
        $('login-error').textContent = e instanceof AuthError ? 'Wrong password.' : e.message;
      }
    });
    $('logout').addEventListener('click', async () => {
      try { await api('/api/logout', { method: 'POST', body: {} }); } catch (e) { /* ignore */ }
      showLogin();
    });
  }

  function every(ms, fn) {
    const run = () => fn().catch((e) => {
      if (!(e instanceof AuthError)) setConn('unreachable', 'pill-bad');
    });
    run();
    state.timers.push(setInterval(run, ms));
  }
  function stop() {
    state.timers.forEach(clearInterval);
    state.timers = [];
    state.started = false;
  }
  function start() {
    if (state.started) return;
    state.started = true;
    hideLogin();
    every(1000, refreshStats);
    every(3000, refreshInfo);
    every(5000, refreshSlowLog);
    $('cmd-input').focus();
  }

  async function init() {
    $('server-addr').textContent = location.host;
    setupCommandBox();
    setupLogin();
    window.addEventListener('resize', drawChart);
    drawChart();
    try {
      const s = await api('/api/session');
      state.csrf = s.csrf;
      if (s.auth_required && !s.authenticated) {
        showLogin();
      } else {
        if (s.auth_required) $('logout').classList.remove('hidden');
        start();
      }
    } catch (e) {
      setConn('unreachable', 'pill-bad');
      print('', e.message, true);
    }
  }

  document.addEventListener('DOMContentLoaded', init);
})();
