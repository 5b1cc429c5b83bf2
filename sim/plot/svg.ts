// Hand-written SVG line charts (no dependencies): axes with ticks, one polyline per series,
// a legend. Enough for accuracy/loss curves and sweeps in the report.

export interface Series { name: string; points: [number, number][] }
export interface ChartOptions { title: string; xLabel: string; yLabel: string; logX?: boolean; yMin?: number; yMax?: number; width?: number; height?: number }

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** "Nice" tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => (hi - lo) / s <= n) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

const fmt = (v: number) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(0) : String(+v.toPrecision(4)));

/** An SVG line chart of `series`. */
export function lineChart(series: Series[], o: ChartOptions): string {
  const W = o.width ?? 640, H = o.height ?? 400, L = 64, R = 170, T = 36, B = 50;
  const pw = W - L - R, ph = H - T - B;
  const pts = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!o.logX || x > 0));
  const tx = (x: number) => (o.logX ? Math.log10(x) : x);
  let x0 = Math.min(...pts.map((p) => tx(p[0]))), x1 = Math.max(...pts.map((p) => tx(p[0])));
  let y0 = o.yMin ?? Math.min(...pts.map((p) => p[1])), y1 = o.yMax ?? Math.max(...pts.map((p) => p[1]));
  if (!pts.length) { x0 = 0; x1 = 1; y0 = 0; y1 = 1; }
  if (x1 === x0) { x0 -= 1; x1 += 1; }
  if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
  const sx = (x: number) => L + ((tx(x) - x0) / (x1 - x0)) * pw, sy = (y: number) => T + (1 - (y - y0) / (y1 - y0)) * ph;
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`, `<text x="${L + pw / 2}" y="20" text-anchor="middle" font-size="14">${esc(o.title)}</text>`,
    `<rect x="${L}" y="${T}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`];
  const xt = o.logX ? ticks(Math.floor(x0), Math.ceil(x1), 6).filter((v) => Number.isInteger(v)).map((v) => 10 ** v) : ticks(x0, x1);
  for (const v of xt) {
    if (tx(v) < x0 - 1e-9 || tx(v) > x1 + 1e-9) continue;
    out.push(`<line x1="${sx(v)}" y1="${T + ph}" x2="${sx(v)}" y2="${T + ph + 5}" stroke="#333"/><text x="${sx(v)}" y="${T + ph + 18}" text-anchor="middle">${fmt(v)}</text>`);
  }
  for (const v of ticks(y0, y1)) {
    out.push(`<line x1="${L}" y1="${sy(v)}" x2="${L + pw}" y2="${sy(v)}" stroke="#eee"/><text x="${L - 6}" y="${sy(v) + 4}" text-anchor="end">${fmt(v)}</text>`);
  }
  out.push(`<text x="${L + pw / 2}" y="${H - 10}" text-anchor="middle">${esc(o.xLabel)}${o.logX ? ' (log)' : ''}</text>`,
    `<text transform="translate(16 ${T + ph / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`);
  series.forEach((s, k) => {
    const c = COLORS[k % COLORS.length];
    const p = s.points.filter(([x, y]) => Number.isFinite(y) && (!o.logX || x > 0)).map(([x, y]) => `${sx(x).toFixed(1)},${sy(Math.min(y1, Math.max(y0, y))).toFixed(1)}`);
    if (p.length) out.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${p.join(' ')}"/>`);
    if (p.length <= 12) for (const q of p) { const [a, b] = q.split(','); out.push(`<circle cx="${a}" cy="${b}" r="3" fill="${c}"/>`); }
    const ly = T + 10 + k * 18;
    out.push(`<line x1="${L + pw + 10}" y1="${ly}" x2="${L + pw + 30}" y2="${ly}" stroke="${c}" stroke-width="2"/><text x="${L + pw + 35}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
