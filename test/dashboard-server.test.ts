// gateway/dashboard/server.ts without a browser: the read-only API, its request limits, and a
// request fuzz — 10,000 malformed, oversized or hostile requests over raw sockets — after which
// the server still answers and never answered 500.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { request } from 'node:http';
import { startDashboard, type Dashboard } from '../gateway/dashboard/server.js';
import { RateLimiter } from '../gateway/dashboard/limits.js';
import { Ledger, nodeSigner, registrationTx } from '../gateway/ledger/index.js';
import { demoGenesis } from '../sim/run.js';
import { gatewayId, gatewaySeed } from '../gateway/cluster/setup.js';
import { toHex } from '../protocol/bytes.js';

async function chain(blocks: number): Promise<{ ledger: Ledger; txHash: string }> {
  const gw = nodeSigner(gatewayId(0), gatewaySeed(0, 3));
  const ledger = await Ledger.openMemory({ genesis: demoGenesis({ seed: 3 }) });
  let txHash = '';
  for (let i = 0; i < blocks; i++) {
    const dev = nodeSigner(`dev-${i}`, new Uint8Array(32).fill(i + 1));
    const b = await ledger.append(gw, [registrationTx(gw, { id: `dev-${i}`, publicKey: dev.publicKey, profile: { categories: ['mnist'], types: ['image/u8'], size: 10 } })], { engine: 'fedavg', round: 0 }, 1_700_000_000_000 + i);
    txHash = toHex(b.txs[0].hash);
  }
  return { ledger, txHash };
}

/** One raw HTTP exchange: the status code of the first response line, or 0 if the socket closed without one. */
function raw(port: number, bytes: Buffer | string, timeoutMs = 3000): Promise<number> {
  return new Promise((res) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    const done = () => { clearTimeout(timer); s.destroy(); const m = /^HTTP\/1\.1 (\d{3})/.exec(got); res(m ? Number(m[1]) : 0); };
    const timer = setTimeout(done, timeoutMs);
    s.on('data', (d) => { got += d.toString('latin1'); if (got.includes('\r\n\r\n')) done(); });
    s.on('error', done);
    s.on('close', done);
    s.on('connect', () => s.end(bytes));
  });
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ code: number; body: string; type: string }> {
  return new Promise((res, rej) => {
    request({ host: '127.0.0.1', port, path, headers, agent: false }, (r) => {
      let body = '';
      r.on('data', (d) => (body += d));
      r.on('end', () => res({ code: r.statusCode ?? 0, body, type: String(r.headers['content-type']) }));
    }).on('error', rej).end();
  });
}

const portOf = (d: Dashboard) => Number(new URL(d.url).port);

test('dashboard API: head, blocks, block, proof; read-only and limited', async () => {
  const { ledger, txHash } = await chain(3);
  const d = await startDashboard({ ledger, devices: ['dev-0', 'dev-9'] });
  const port = portOf(d);
  try {
    assert.match(d.url, /^http:\/\/127\.0\.0\.1:\d+\/$/, 'loopback by default');
    const head = JSON.parse((await get(port, '/api/head')).body);
    assert.equal(head.height, 3);
    assert.equal(head.hash, toHex(ledger.headHash()));
    const rows = JSON.parse((await get(port, '/api/blocks?count=2')).body);
    assert.deepEqual(rows.rows.map((r: { height: number }) => r.height), [3, 2]);
    const b = JSON.parse((await get(port, '/api/block/3')).body);
    assert.equal(b.txs[0].hash, txHash);
    assert.equal(b.header.txRoot, toHex((await ledger.block(3)).header.txRoot));
    const p = JSON.parse((await get(port, `/api/proof/${txHash}`)).body);
    assert.deepEqual([p.height, p.index, p.size], [3, 0, 1]);
    const devs = JSON.parse((await get(port, '/api/devices')).body);
    assert.deepEqual(devs.map((x: { id: string; status: string }) => [x.id, x.status]), [['dev-0', 'active'], ['dev-9', 'unregistered']]);
    assert.deepEqual(JSON.parse((await get(port, '/api/cluster')).body), { enabled: false }, 'one gateway: no cluster panel');
    const page = await get(port, '/');
    assert.equal(page.code, 200);
    assert.match(page.type, /text\/html/);
    assert.equal((await get(port, '/api/block/4')).code, 404);
    assert.equal((await get(port, `/api/proof/${'0'.repeat(64)}`)).code, 404);
    assert.equal((await get(port, '/api/blocks?count=-1')).code, 400);
    assert.equal((await get(port, '/../package.json')).code, 404);
    assert.equal((await get(port, '/api/head', { host: 'attacker.example:80' })).code, 421, 'DNS rebinding: foreign Host refused');
    assert.equal(await raw(port, `POST /api/head HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-length: 0\r\n\r\n`), 405);
    assert.equal(await raw(port, `GET /api/head HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-length: 5\r\n\r\nabcde`), 413);
    assert.equal(await raw(port, `GET /${'a'.repeat(600)} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n\r\n`), 414);
    assert.equal(await raw(port, `GET / HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nx-big: ${'b'.repeat(9000)}\r\n\r\n`), 431);
    d.round({ round: 1, height: 2, engine: 'fedavg', proposer: 'gw-0', view: 0, trainers: [], committee: [], received: 0, bytesIn: 0, admitted: 0, admittedBytes: 0, accepted: ['dev-0'], rejected: [{ device: 'dev-9', reason: 'bad_sig', detail: '<b>x</b>' }], scores: {}, accuracy: 0.5, modelHash: '', ms: 1, consensusMs: 1 });
    const rounds = JSON.parse((await get(port, '/api/rounds')).body);
    assert.equal(rounds[0].rejected[0].detail, '<b>x</b>', 'JSON carries the text; the page inserts it as text');
  } finally {
    await d.close();
    await ledger.close();
  }
});

test('rate limit: a token bucket per client, 429 when exhausted, refills with time', async () => {
  let now = 0;
  const r = new RateLimiter(10, 3, () => now);
  assert.deepEqual([r.take('a'), r.take('a'), r.take('a'), r.take('a'), r.take('b')], [true, true, true, false, true]);
  now += 100; // one token back at 10/s
  assert.deepEqual([r.take('a'), r.take('a')], [true, false]);
  const { ledger } = await chain(1);
  const d = await startDashboard({ ledger, limits: { ratePerSec: 1, burst: 5 } });
  try {
    const codes: number[] = [];
    for (let i = 0; i < 8; i++) codes.push((await get(portOf(d), '/api/head')).code);
    assert.deepEqual(codes, [200, 200, 200, 200, 200, 429, 429, 429]);
  } finally { await d.close(); await ledger.close(); }
});

test('request fuzz: 10,000 malformed or oversized requests, then the server still serves (and never answered 500)', async (t) => {
  const { ledger, txHash } = await chain(4);
  // limiter wide open so the requests reach the parser and the routes; maxConnections above the fuzz's concurrency
  const d = await startDashboard({ ledger, limits: { ratePerSec: 1e9, burst: 1e9 } });
  const port = portOf(d);
  let seed = 0x9e3779b9;
  const rnd = () => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) / 2 ** 32; };
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  const junk = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)));
  const host = `127.0.0.1:${port}`;
  const paths = ['/', '/dashboard.js', '/api/head', '/api/rounds', '/api/cluster', '/api/devices', '/api/events', `/api/proof/${txHash}`, '/api/block/2', '/api/blocks?count=3&before=2',
    '/api/block/99999999999', '/api/block/-1', '/api/block/1e9', '/api/proof/zz', `/api/proof/${txHash.toUpperCase()}`, '/api/blocks?count=1000000', '/api/blocks?before=%00',
    '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fpackage.json', '/api/%ff%fe', '/api/blocks?count=1&count=2', '/\u0000', '//api//head', '/api/head?' + 'x=1&'.repeat(100), '*', 'http://evil/'];
  const gens: (() => Buffer | string)[] = [
    () => junk(1 + Math.floor(rnd() * 300)),                                                          // binary garbage
    () => `${pick(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', 'PATCH', 'G3T', ''])} ${pick(paths)} HTTP/1.1\r\nhost: ${host}\r\n\r\n`,
    () => `GET ${pick(paths)} HTTP/1.1\r\nhost: ${pick([host, 'evil.example', '', 'localhost:1', host + host])}\r\n\r\n`,
    () => `GET /${'x'.repeat(Math.floor(rnd() * 20_000))} HTTP/1.1\r\nhost: ${host}\r\n\r\n`,        // oversized target
    () => `GET / HTTP/1.1\r\nhost: ${host}\r\n${'x-h: ' + 'v'.repeat(Math.floor(rnd() * 30_000))}\r\n\r\n`, // oversized headers
    () => `GET /api/head HTTP/1.1\r\nhost: ${host}\r\ncontent-length: ${pick(['10', '-1', '99999999999', 'abc', '5, 6'])}\r\n\r\n${'z'.repeat(10)}`,
    () => `GET /api/head HTTP/1.1\r\nhost: ${host}\r\ntransfer-encoding: chunked\r\n\r\n${pick(['5\r\nhello\r\n0\r\n\r\n', 'zz\r\n', 'ffffffff\r\n'])}`,
    () => `GET ${pick(paths)} HTTP/${pick(['1.1', '1.0', '2.0', '9', 'x'])}\r\nhost: ${host}\r\n\r\n`,
    () => `GET ${pick(paths)} HTTP/1.1\r\nhost: ${host}\r\n`,                                           // truncated (never ends)
    () => Buffer.concat([Buffer.from(`GET /api/block/${Math.floor(rnd() * 10)} HTTP/1.1\r\nhost: ${host}\r\n`), junk(40), Buffer.from('\r\n\r\n')]),
    () => `GET ${pick(paths)} HTTP/1.1\r\nhost: ${host}\r\n\r\n`.repeat(1 + Math.floor(rnd() * 20)),   // pipelined
  ];
  const N = 10_000, CONC = 64, deadline = Date.now() + 60_000;
  const statuses = new Map<number, number>();
  let sent = 0;
  const t0 = Date.now();
  try {
    await Promise.all(Array.from({ length: CONC }, async () => {
      while (sent < N && Date.now() < deadline) {
        sent++;
        const code = await raw(port, pick(gens)(), 500);
        statuses.set(code, (statuses.get(code) ?? 0) + 1);
      }
    }));
    const ms = Date.now() - t0;
    t.diagnostic(`${sent} fuzz requests in ${ms} ms; client-seen statuses ${JSON.stringify(Object.fromEntries(statuses))}; server counts ${JSON.stringify(Object.fromEntries(d.counts))}`);
    assert.equal(sent, N, 'all 10,000 requests were sent within the 60 s bound');
    assert.equal(d.counts.get(500) ?? 0, 0, 'no request reached an unhandled error');
    assert.equal(statuses.get(500) ?? 0, 0);
    assert.ok((statuses.get(200) ?? 0) > 100 && (statuses.get(400) ?? 0) > 100 && (statuses.get(404) ?? 0) > 100, 'the fuzz reached the routes, the parser and the limits');
    // still serving, and still correct
    const head = await get(port, '/api/head');
    assert.equal(head.code, 200);
    assert.equal(JSON.parse(head.body).height, 4);
    assert.equal((await get(port, '/')).code, 200);
  } finally {
    await d.close();
    await ledger.close();
  }
});
