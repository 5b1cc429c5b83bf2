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
  $('devices').tBodies[0].replaceChildren(...ds.map((d) => row([d.id, d.online === null ? '?' : d.online ? 'online' : 'offline', d.status, d.accepted, d.rejected, d.committee ? 'yes' : '', `${d.reputation ?? ''}${d.barred ? ' (barred)' : ''}`, d.balance ?? '', d.bid ? `${d.task}: ${d.bid}${d.stake ? ` (stake ${d.stake})` : ''}` : '', d.counter], { 'data-device': d.id })));
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
/** Shows 28×28 uint8 pixels (255 = ink, as MNIST) on the input canvas, 4× and dark on light. */
function showInput(pixels) {
  const ctx = $('digit').getContext('2d'), img = ctx.createImageData(28, 28);
  pixels.forEach((v, k) => { img.data.set([255 - v, 255 - v, 255 - v, 255], 4 * k); });
  const c = document.createElement('canvas'); c.width = c.height = 28; c.getContext('2d').putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false; ctx.drawImage(c, 0, 0, 112, 112);
}
/** Runs 28×28 uint8 pixels through the current model: shifted to int8 (zero point −128), the
 *  firmware's input format; the class is the first maximum of the int8 scores, as the firmware's. */
async function infer(pixels, label) {
  const status = $('inference-status');
  status.textContent = 'running…';
  $('prediction').removeAttribute('data-class');
  try {
    await loadTflite();
    const m = await fetch('/api/model.tflite').then((r) => { if (!r.ok) throw new Error('no model yet'); return r.arrayBuffer(); });
    showInput(pixels);
    state.lastInput = Array.from(pixels);
    const runner = (await window.tflite.loadTFLiteModel(m, { numThreads: 1 })).modelRunner;
    runner.getInputs()[0].data().set(Int8Array.from(pixels, (v) => v - 128));
    if (!runner.infer()) throw new Error('inference failed');
    const out = Array.from(runner.getOutputs()[0].data());
    let best = 0;
    for (let k = 1; k < out.length; k++) if (out[k] > out[best]) best = k; // ties → lowest index, as the firmware
    $('prediction').textContent = String(best);
    $('prediction').setAttribute('data-class', String(best));
    $('label').textContent = label === undefined ? 'drawn' : String(label);
    $('scores').textContent = out.join(' ');
    $('scores').setAttribute('data-scores', out.join(','));
    status.textContent = '';
  } catch (e) { status.textContent = `✗ ${e.message}`; }
}
async function runDigit(i) {
  $('prediction').removeAttribute('data-class');   // at once: a waiting reader must not see the last result
  try { const d = await getJson(`/api/digit/${i}`); await infer(d.pixels, d.label); } catch (e) { $('inference-status').textContent = `✗ ${e.message}`; }
}

// ---- drawing a digit ------------------------------------------------------------------------
// The pad is 224×224; a drawing becomes an MNIST-like input (LeCun et al.'s preprocessing): the
// ink's bounding box scaled to fit 20×20 with its aspect kept, then placed so its centre of mass
// sits at the centre of the 28×28 field.
function setupPad() {
  const pad = $('pad'), ctx = pad.getContext('2d');
  const clear = () => { ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, pad.width, pad.height); };
  clear();
  let last;
  const at = (e) => { const r = pad.getBoundingClientRect(); return [(e.clientX - r.left) * (pad.width / r.width), (e.clientY - r.top) * (pad.height / r.height)]; };
  pad.addEventListener('pointerdown', (e) => { last = at(e); pad.setPointerCapture(e.pointerId); });
  pad.addEventListener('pointermove', (e) => {
    if (!last) return;
    const p = at(e);
    ctx.strokeStyle = '#000'; ctx.lineWidth = 18; ctx.lineCap = 'round'; ctx.lineJoin = 'round';
    ctx.beginPath(); ctx.moveTo(...last); ctx.lineTo(...p); ctx.stroke();
    last = p;
  });
  const up = () => { last = undefined; };
  pad.addEventListener('pointerup', up); pad.addEventListener('pointercancel', up);
  $('pad-clear').addEventListener('click', clear);
  $('pad-run').addEventListener('click', () => {
    const px = padPixels(pad);
    $('prediction').removeAttribute('data-class');
    if (!px) { $('inference-status').textContent = '✗ draw a digit first'; return; }
    infer(px);
  });
}
/** The pad's drawing as 28×28 uint8 pixels (255 = ink), or undefined when it is blank. */
function padPixels(pad) {
  const W = pad.width, H = pad.height, src = pad.getContext('2d').getImageData(0, 0, W, H).data;
  let x0 = W, y0 = H, x1 = -1, y1 = -1;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (src[4 * (y * W + x)] < 128) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  if (x1 < 0) return undefined;
  const w = x1 - x0 + 1, h = y1 - y0 + 1, s = 20 / Math.max(w, h);
  const box = document.createElement('canvas'); box.width = box.height = 28;
  const b = box.getContext('2d');
  b.fillStyle = '#fff'; b.fillRect(0, 0, 28, 28);
  b.imageSmoothingEnabled = true; b.imageSmoothingQuality = 'high';
  const dw = w * s, dh = h * s;
  b.drawImage(pad, x0, y0, w, h, (28 - dw) / 2, (28 - dh) / 2, dw, dh);
  const img = b.getImageData(0, 0, 28, 28).data;
  const ink = new Float64Array(784);
  let m = 0, mx = 0, my = 0;
  for (let k = 0; k < 784; k++) { ink[k] = 255 - img[4 * k]; m += ink[k]; mx += ink[k] * (k % 28); my += ink[k] * Math.floor(k / 28); }
  const dx = Math.round(13.5 - mx / m), dy = Math.round(13.5 - my / m);
  const out = new Uint8Array(784);
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) {
    const sx = x - dx, sy = y - dy;
    if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) out[y * 28 + x] = Math.round(ink[sy * 28 + sx]);
  }
  return out;
}

// ---- cluster: each gateway's head and finality votes -----------------------------------------
async function loadCluster() {
  const c = await getJson('/api/cluster');
  if (!c.enabled) return false;
  $('cluster-section').hidden = false;
  $('cluster-summary').textContent = `${c.n} super nodes, tolerating f = ${c.f}; a block is final with ${c.quorum} approvals. Our head ${c.head.height} (${short(c.head.hash)}) carries ${c.head.approvals.length}: ${c.head.approvals.join(', ')}.`;
  $('cluster').tBodies[0].replaceChildren(...c.gateways.map((g) => {
    const tr = row([g.id, [g.self ? 'this gateway' : '', g.leader ? `leader of ${c.next.height}` : ''].filter(Boolean).join(', '),
      g.head?.height ?? '?', el('td', short(g.head?.hash ?? ''), 'hash'), g.head?.known ?? 'no votes yet',
      g.lastVote ? `${g.lastVote.height} · ${short(g.lastVote.hash)}` : '', el('td', g.approvedHead ? 'yes' : 'no', g.approvedHead ? 'yes' : '')],
    { 'data-gateway': g.id, 'data-head': g.head?.height ?? '', 'data-hash': g.head?.hash ?? '' });
    if (g.self) tr.className = 'self';
    return tr;
  }));
  $('next-summary').textContent = `height ${c.next.height}, view ${c.next.view}, leader ${c.next.leader}${c.next.voted ? `; we approved ${short(c.next.voted)}` : ''}: votes so far`;
  $('tallies').tBodies[0].replaceChildren(...c.next.tallies.map((t) => row([el('td', short(t.hash), 'hash'), `${t.voters.length} / ${c.quorum}`, t.voters.join(', ')])));
  state.cluster = c;
  return true;
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
    if (state.cluster) loadCluster().catch(() => {});
  });
  const inf = await getJson('/api/inference').catch(() => ({ enabled: false }));
  if (inf.enabled) {
    $('inference-section').hidden = false;
    setupPad();
    $('digit-index').max = String(Math.max(0, inf.digits - 1));
    $('digit-run').disabled = !(inf.digits > 0);
    $('digit-run').addEventListener('click', () => runDigit(Number($('digit-index').value)));
  }
  if (await loadCluster().catch(() => false)) setInterval(() => loadCluster().catch(() => {}), 2000);
  state.ready = true;
}
start().catch((e) => { document.body.prepend(el('p', `dashboard error: ${e.message}`, 'bad')); });
