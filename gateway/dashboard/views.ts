// What the dashboard's JSON API returns: plain, bounded JSON views of the ledger (blocks, header
// fields, transactions by kind, inclusion proofs, devices). Bytes become lowercase hex; nothing
// here is HTML — the page inserts every value as text (textContent), never as markup.
import { toHex } from '../../protocol/bytes.js';
import type { Block, Ledger } from '../ledger/index.js';
import type { RoundSummary } from '../round/summary.js';
import { getBalance, getBid, getReputation, getStanding, getTask, type TaskRecord } from '../ledger/records.js';
import { reputationZ } from '../ledger/standing.js';

/** One row of the chain list. */
export interface BlockRow { height: number; hash: string; time: number; proposer: string; engine?: string; round?: number; txs: number; kinds: Record<string, number> }

/** Largest page of the chain list, and the deepest / widest body value rendered as JSON. */
export const MAX_BLOCKS_PER_PAGE = 100;
const MAX_DEPTH = 6, MAX_ITEMS = 1100;

function kinds(b: Block): Record<string, number> {
  const k: Record<string, number> = {};
  for (const t of b.txs) k[t.type] = (k[t.type] ?? 0) + 1;
  return k;
}

export function blockRow(b: Block): BlockRow {
  return { height: b.header.height, hash: toHex(b.hash), time: b.header.time, proposer: b.header.proposer, engine: b.header.cons.engine, round: b.header.cons.round, txs: b.txs.length, kinds: kinds(b) };
}

/** A transaction body as JSON: bytes → hex, bounded in depth and width. */
export function jsonValue(v: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) return '…';
  if (v instanceof Uint8Array) return toHex(v);
  if (Array.isArray(v)) return v.slice(0, MAX_ITEMS).map((x) => jsonValue(x, depth + 1));
  if (v instanceof Map) return jsonValue(Object.fromEntries(v), depth);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).slice(0, MAX_ITEMS).map(([k, x]) => [k, jsonValue(x, depth + 1)]));
  return typeof v === 'bigint' ? String(v) : v;
}

/** A block in full: header fields, approvals, and each transaction (kind, author, hash, bytes, body). */
export function blockView(b: Block) {
  const h = b.header;
  return {
    hash: toHex(b.hash),
    header: { v: h.v, chainId: h.chainId, height: h.height, prev: toHex(h.prev), time: h.time, txRoot: toHex(h.txRoot), stateRoot: toHex(h.stateRoot), proposer: h.proposer, cons: jsonValue(h.cons) },
    sig: toHex(b.sig),
    approvals: b.approvals.map((a) => ({ id: a.id, sig: toHex(a.sig) })),
    kinds: kinds(b),
    txs: b.txs.map((t, index) => ({ index, type: t.type, author: t.author, hash: toHex(t.hash), bytes: toHex(t.bytes), body: jsonValue(t.body) })),
  };
}

/** The newest `count` blocks at or below `before` (default: the head), newest first. */
export async function blockRows(ledger: Ledger, before: number | undefined, count: number): Promise<{ head: number; rows: BlockRow[] }> {
  const head = ledger.height;
  const top = Math.min(before ?? head, head);
  const rows: BlockRow[] = [];
  for (let h = top; h >= 0 && rows.length < Math.min(count, MAX_BLOCKS_PER_PAGE); h--) {
    try { rows.push(blockRow(await ledger.block(h))); } catch { rows.push({ height: h, hash: '', time: 0, proposer: '', txs: 0, kinds: { pruned: 1 } }); }
  }
  return { head, rows };
}

/** Inclusion proof of transaction `txHash` (RFC 9162 §2.1.3.1 audit path), for the page to check
 *  against the header's tx root. Throws LedgerError('not_found' | 'pruned'). */
export async function proofView(ledger: Ledger, txHash: Uint8Array) {
  const p = await ledger.proveTx(txHash);
  return { txHash: toHex(p.txHash), height: p.header.height, txRoot: toHex(p.header.txRoot), index: p.proof.index, size: p.proof.size, path: p.proof.path.map(toHex) };
}

/** One device row: ledger record, presence, the counts seen in this gateway's rounds, and committee seat. */
export interface DeviceRow {
  id: string; online: boolean | null; status: string; counter: number; admittedAt: number; accepted: number; rejected: number; committee: boolean;
  /** 003 reputation Z = T + W in the newest task that has one (barred below its threshold), else the ledger's reputation entry. */
  reputation?: number; barred?: boolean; balance?: number;
  /** The newest task's bid: its status (bid, won, lost, returned, forfeited) and stake. */
  task?: string; bid?: string; stake?: number;
}

/** The newest published task's id (highest publishing height), scanned once per chain height:
 *  state changes only with a block, and the scan walks every state entry. */
const newestTaskAt = new WeakMap<Ledger, { height: number; id?: string }>();
function newestTask(ledger: Ledger): { id: string; t: TaskRecord } | undefined {
  let memo = newestTaskAt.get(ledger);
  if (memo?.height !== ledger.height) {
    let best: { id: string; height: number } | undefined;
    for (const [k, v] of ledger.stateEntries()) {
      if (!k.startsWith('task/')) continue;
      const h = (v as unknown as TaskRecord).height;
      if (!best || h > best.height) best = { id: k.slice(5), height: h };
    }
    memo = { height: ledger.height, id: best?.id };
    newestTaskAt.set(ledger, memo);
  }
  const t = memo.id === undefined ? undefined : getTask(ledger.stateView, memo.id);
  return t && { id: memo.id!, t };
}

export function deviceRows(ledger: Ledger, ids: readonly string[], offline: ReadonlySet<string> | undefined, rounds: readonly RoundSummary[]): DeviceRow[] {
  const acc = new Map<string, number>(), rej = new Map<string, number>();
  for (const s of rounds) {
    for (const d of s.accepted) acc.set(d, (acc.get(d) ?? 0) + 1);
    for (const r of s.rejected) if (r.device) rej.set(r.device, (rej.get(r.device) ?? 0) + 1);
  }
  const seat = new Set(rounds.at(-1)?.committee ?? []);
  const task = newestTask(ledger);
  const s = ledger.stateView;
  return ids.map((id) => {
    const rec = ledger.device(id);
    const bid = task && getBid(s, task.id, id);
    const st = task?.t.incentive && getStanding(s, task.id, id);
    const rep = task?.t.incentive ? (st ? reputationZ(task.t.incentive.rep, st) : task.t.incentive.rep.w0) : getReputation(s, id);
    return {
      id, online: offline ? !offline.has(id) : null, status: String(rec?.status ?? 'unregistered'), counter: rec?.counter ?? 0, admittedAt: rec?.height ?? -1,
      accepted: acc.get(id) ?? 0, rejected: rej.get(id) ?? 0, committee: seat.has(id), reputation: rep, barred: st ? st.barred : undefined, balance: getBalance(s, id),
      task: bid ? task.id : undefined, bid: bid?.status, stake: bid?.stake,
    };
  });
}
