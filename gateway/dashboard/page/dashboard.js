// The dashboard page. Every value from the server goes into the DOM as text (textContent,
// setAttribute on our own attributes), never as markup, so ledger content cannot inject HTML.
// Live rounds arrive as server-sent events; the chain is read page by page from the JSON API.
// A transaction's Merkle inclusion proof is checked here with WebCrypto SHA-256 (RFC 9162
// §2.1.3.2), against the tx root of the block header the page fetched.
const $ = (id) => document.getElementById(id);
const state = { rounds: new Map(), oldest: undefined, selected: undefined };
window.dashboard = state;
state.verifyInclusion = (...a) => verifyInclusion(...a);

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}
function row(cells, attrs = {}) {
  const tr = document.createElement('tr');
  for (const [k, v] of Object.entries(attrs)) tr.setAttribute(k, String(v));
  for (const c of cells) tr.append(c instanceof Node ? c : el('td', c));
  return tr;
}
const short = (h) => (typeof h === 'string' && h.length > 16 ? h.slice(0, 16) + '…' : String(h ?? ''));
async function getJson(path) {
  const r = await fetch(path, { credentials: 'omit' });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}

// ---- rounds -------------------------------------------------------------------------------
function reasons(rejected) {
  const c = {};
  for (const r of rejected) c[r.reason] = (c[r.reason] ?? 0) + 1;
  return Object.entries(c).map(([k, n]) => `${k}×${n}`).join(', ');
}
function addRound(s) {
  if (!Number.isSafeInteger(s.round) || state.rounds.has(s.round)) return;
  state.rounds.set(s.round, s);
  const tr = row([s.round, s.height, s.engine, s.accepted.length, `${s.rejected.length}${s.rejected.length ? ' (' + reasons(s.rejected) + ')' : ''}`,
    s.accuracy ?? '', s.loss ?? '', s.consensusMs, s.ms], { 'data-round': s.round });
  tr.cells[5].className = 'acc';
  const body = $('rounds').tBodies[0];
  body.insertBefore(tr, body.firstChild);
  const latest = $('latest');
  latest.replaceChildren(el('strong', `round ${s.round}`), el('span', ` · accuracy `), el('span', s.accuracy ?? '–', 'acc'),
    el('span', ` · loss ${s.loss ?? '–'} · accepted ${s.accepted.length} · rejected ${s.rejected.length} · consensus ${s.consensusMs} ms`));
  latest.setAttribute('data-round', s.round);
  drawCurve();
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = String(text);
  return e;
}
/** Accuracy (left axis, 0..1) and loss (right axis, 0..max) per round. */
function drawCurve() {
  const c = $('curve'), W = 640, H = 240, L = 44, R = 44, T = 16, B = 28;
  const rs = [...state.rounds.values()].sort((a, b) => a.round - b.round);
  const n = Math.max(rs.at(-1)?.round ?? 1, 2);
  const maxLoss = Math.max(1e-9, ...rs.map((s) => s.loss ?? 0));
  const x = (r) => L + ((r - 1) / (n - 1)) * (W - L - R), yA = (a) => T + (1 - a) * (H - T - B), yL = (l) => T + (1 - l / maxLoss) * (H - T - B);
  const kids = [svg('rect', { x: L, y: T, width: W - L - R, height: H - T - B, fill: 'none', stroke: '#ccc' })];
  for (let i = 0; i <= 4; i++) {
    kids.push(svg('text', { x: L - 4, y: yA(i / 4) + 4, 'text-anchor': 'end', 'font-size': 10 }, (i / 4).toFixed(2)));
    kids.push(svg('text', { x: W - R + 4, y: yA(i / 4) + 4, 'font-size': 10, fill: '#e76f51' }, ((maxLoss * i) / 4).toPrecision(2)));
  }
  for (let r = 1; r <= n; r += Math.max(1, Math.ceil(n / 10))) kids.push(svg('text', { x: x(r), y: H - 10, 'text-anchor': 'middle', 'font-size': 10 }, r));
  const pts = (f) => rs.filter((s) => typeof f(s) === 'number').map((s) => `${x(s.round).toFixed(1)},${f(s).toFixed(1)}`).join(' ');
  kids.push(svg('polyline', { points: pts((s) => s.accuracy === undefined ? undefined : yA(s.accuracy)), fill: 'none', stroke: '#1d3557', 'stroke-width': 2, id: 'acc-line' }));
  kids.push(svg('polyline', { points: pts((s) => s.loss === undefined ? undefined : yL(s.loss)), fill: 'none', stroke: '#e76f51', 'stroke-width': 2, id: 'loss-line' }));
  kids.push(svg('text', { x: L + 6, y: T + 12, 'font-size': 11, fill: '#1d3557' }, 'accuracy'), svg('text', { x: W - R - 6, y: T + 12, 'font-size': 11, fill: '#e76f51', 'text-anchor': 'end' }, 'loss'));
  c.replaceChildren(...kids);
}

// ---- chain --------------------------------------------------------------------------------
function kindsText(k) { return Object.entries(k).map(([t, n]) => `${t}×${n}`).join(' '); }
async function loadBlocks(before) {
  const q = before === undefined ? '' : `&before=${before}`;
  const { head, rows } = await getJson(`/api/blocks?count=50${q}`);
  const body = $('blocks').tBodies[0];
  if (before === undefined) body.replaceChildren();
  for (const b of rows) {
    const tr = row([b.height, el('td', short(b.hash), 'hash'), b.time ? new Date(b.time).toISOString() : '', b.proposer, b.engine ?? '', b.round ?? '', kindsText(b.kinds)], { 'data-height': b.height });
    tr.addEventListener('click', () => openBlock(b.height));
    body.append(tr);
  }
  state.oldest = rows.at(-1)?.height;
  $('older').disabled = !(state.oldest > 0);
  $('head').textContent = `height ${head}`;
  if (state.firstRender === undefined) state.firstRender = performance.now();
}

async function openBlock(h) {
  const b = await getJson(`/api/block/${h}`);
  state.selected = b;
  for (const tr of $('blocks').tBodies[0].rows) tr.classList.toggle('sel', tr.getAttribute('data-height') === String(h));
  const box = $('block');
  const hdr = document.createElement('table');
  hdr.id = 'header';
  for (const [k, v] of Object.entries({ hash: b.hash, ...b.header, cons: JSON.stringify(b.header.cons), sig: b.sig, approvals: b.approvals.map((a) => a.id).join(', ') })) hdr.append(row([k, el('td', v, 'hash')]));
  const parts = [el('h3', `block ${b.header.height}`), hdr];
  const byKind = {};
  for (const t of b.txs) (byKind[t.type] ??= []).push(t);
  for (const [kind, txs] of Object.entries(byKind)) {
    parts.push(el('h3', `${kind} (${txs.length})`));
    const t = document.createElement('table');
    t.className = 'txs';
    for (const tx of txs) {
      const result = el('td', '', 'proof');
      const btn = el('button', 'verify proof');
      btn.type = 'button';
      btn.addEventListener('click', () => verifyTx(tx, b.header.txRoot, result));
      const body = el('pre', JSON.stringify(tx.body, null, 1));
      const bodyCell = el('td'); bodyCell.append(body);
      const btnCell = el('td'); btnCell.append(btn);
      t.append(row([tx.index, tx.author, el('td', short(tx.hash), 'hash'), bodyCell, btnCell, result], { 'data-tx': tx.hash }));
    }
    parts.push(t);
  }
  box.replaceChildren(...parts);
}

// ---- Merkle inclusion proofs (RFC 9162 §2.1.3.2) ----------------------------------------------
const hexBytes = (h) => { const b = new Uint8Array(h.length / 2); for (let i = 0; i < b.length; i++) b[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16); return b; };
const hexOf = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
async function sha256(...parts) {
  const n = parts.reduce((s, p) => s + p.length, 0), buf = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { buf.set(p, o); o += p.length; }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
}
/** true iff `path` proves leaf item `item` at `index` of a `size`-leaf tree with root `root`. */
async function verifyInclusion(item, index, size, path, root) {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size || path.length > 64) return false;
  let fn = index, sn = size - 1, r = await sha256(Uint8Array.of(0), item);
  for (const p of path) {
    if (p.length !== 32 || sn === 0) return false;
    if ((fn & 1) === 1 || fn === sn) {
      r = await sha256(Uint8Array.of(1), p, r);
      if ((fn & 1) === 0) while ((fn & 1) === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else r = await sha256(Uint8Array.of(1), r, p);
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  return sn === 0 && hexOf(r) === hexOf(root);
}
/** Checks tx bytes → tx hash (SHA-256) → audit path → the header's tx root; shows the outcome. */
async function verifyTx(tx, txRoot, out) {
  try {
    const p = await getJson(`/api/proof/${tx.hash}`);
    const txHash = await sha256(hexBytes(tx.bytes));
    const okHash = hexOf(txHash) === tx.hash && p.txHash === tx.hash;
    const okPath = await verifyInclusion(txHash, p.index, p.size, p.path.map(hexBytes), hexBytes(txRoot));
    const ok = okHash && okPath && p.txRoot === txRoot;
    out.textContent = ok ? `✓ verified: leaf ${p.index} of ${p.size}, ${p.path.length} hashes to the tx root` : '✗ proof does NOT verify';
    out.className = 'proof ' + (ok ? 'ok' : 'bad');
    out.setAttribute('data-verified', String(ok));
  } catch (e) {
    out.textContent = `✗ ${e.message}`; out.className = 'proof bad'; out.setAttribute('data-verified', 'false');
  }
}

// ---- devices --------------------------------------------------------------------------------
async function loadDevices() {
  const ds = await getJson('/api/devices');
  $('devices').tBodies[0].replaceChildren(...ds.map((d) => row([d.id, d.online === null ? '?' : d.online ? 'online' : 'offline', d.status, d.accepted, d.rejected, d.committee ? 'yes' : '', d.reputation ?? '', d.balance ?? '', d.counter], { 'data-device': d.id })));
}

// ---- in-browser inference (tfjs-tflite, served by the gateway from node_modules) -------------
function script(src) {
  return new Promise((ok, fail) => { const e = document.createElement('script'); e.src = src; e.onload = ok; e.onerror = () => fail(new Error(`cannot load ${src}`)); document.head.append(e); });
}
let tfliteReady;
function loadTflite() {
  tfliteReady ??= (async () => {
    for (const f of ['/pkg/tfjs-core/dist/tf-core.min.js', '/pkg/tfjs-backend-cpu/dist/tf-backend-cpu.min.js', '/pkg/tfjs-tflite/dist/tf-tflite.min.js']) await script(f);
    window.tflite.setWasmPath('/pkg/tfjs-tflite/wasm/');
  })();
  return tfliteReady;
}
/** Runs held-out digit `i` through the current model: uint8 pixels shifted to int8 (zero point −128). */
async function runDigit(i) {
  const status = $('inference-status');
  status.textContent = 'running…';
  $('prediction').removeAttribute('data-class');
  try {
    await loadTflite();
    const [d, m] = await Promise.all([getJson(`/api/digit/${i}`), fetch('/api/model.tflite').then((r) => { if (!r.ok) throw new Error('no model yet'); return r.arrayBuffer(); })]);
    const ctx = $('digit').getContext('2d'), img = ctx.createImageData(28, 28);
    d.pixels.forEach((v, k) => { img.data.set([255 - v, 255 - v, 255 - v, 255], 4 * k); });
    const c = document.createElement('canvas'); c.width = c.height = 28; c.getContext('2d').putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false; ctx.drawImage(c, 0, 0, 112, 112);
    const runner = (await window.tflite.loadTFLiteModel(m, { numThreads: 1 })).modelRunner;
    runner.getInputs()[0].data().set(Int8Array.from(d.pixels, (v) => v - 128));
    if (!runner.infer()) throw new Error('inference failed');
    const out = Array.from(runner.getOutputs()[0].data());
    let best = 0;
    for (let k = 1; k < out.length; k++) if (out[k] > out[best]) best = k; // ties → lowest index, as the firmware
    $('prediction').textContent = String(best);
    $('prediction').setAttribute('data-class', String(best));
    $('label').textContent = String(d.label);
    $('scores').textContent = out.join(' ');
    $('scores').setAttribute('data-scores', out.join(','));
    status.textContent = '';
  } catch (e) { status.textContent = `✗ ${e.message}`; }
}

// ---- start ----------------------------------------------------------------------------------
async function start() {
  const head = await getJson('/api/head');
  $('chain').textContent = head.chainId;
  await loadBlocks();
  loadDevices().catch(() => {});
  $('older').addEventListener('click', () => { if (state.oldest > 0) loadBlocks(state.oldest - 1); });
  const es = new EventSource('/api/events');
  es.addEventListener('open', () => { $('live').textContent = 'live'; $('live').className = 'on'; });
  es.addEventListener('error', () => { $('live').textContent = 'reconnecting…'; $('live').className = 'off'; });
  es.addEventListener('round', (ev) => {
    try { addRound(JSON.parse(ev.data)); } catch { return; }
    if (!state.selected) loadBlocks().catch(() => {});
    loadDevices().catch(() => {});
  });
  const inf = await getJson('/api/inference').catch(() => ({ enabled: false }));
  if (inf.enabled && inf.digits > 0) {
    $('inference-section').hidden = false;
    $('digit-index').max = String(inf.digits - 1);
    $('digit-run').addEventListener('click', () => runDigit(Number($('digit-index').value)));
  }
  state.ready = true;
}
start().catch((e) => { document.body.prepend(el('p', `dashboard error: ${e.message}`, 'bad')); });
