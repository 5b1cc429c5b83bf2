// LevelDB storage (classic-level). One block = one atomic batch: header record, body, tx and
// envelope indexes, state writes and the head pointer, so a crash at any moment leaves either
// the old head or the new one on disk, never a mix.
import { ClassicLevel } from 'classic-level';
import { MemoryLevel } from 'memory-level';
import { encodeCanonical, decodeBounded } from '../../protocol/cbor.js';
import { u64be, readU64be, concat } from '../../protocol/bytes.js';
import { LedgerError } from './errors.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

const P_HEADER = 0x48;   // 'H' + u64 height → header record
const P_BODY = 0x42;     // 'B' + u64 height → body
const P_TX = 0x58;       // 'X' + tx hash → [height, index]
const P_ENVELOPE = 0x45; // 'E' + envelope hash → tx hash
const P_STATE = 0x53;    // 'S' + utf8 key → encoded [key, value]
const META_HEAD = enc.encode('M/head');         // [height, hash]
const META_PRUNED = enc.encode('M/pruned');     // lowest height whose body is kept
const META_CHECKPOINT = enc.encode('M/checkpoint'); // [height, [[key, value]...]] state after height-1

const key = (p: number, rest: Uint8Array) => concat(Uint8Array.of(p), rest);
const stateKey = (k: string) => key(P_STATE, enc.encode(k));

/** Canonical CBOR of [a, b] for two unsigned integers (RFC 8949 §3.1 major types 4 and 0,
 *  shortest form as §4.2.1), byte-identical to encodeCanonical([a, b]): the tx index writes one
 *  per transaction, where the generic encoder's per-call cost was ≈ 5 % of a block commit. */
export function encodeUintPair(a: number, b: number): Uint8Array {
  const out = new Uint8Array(1 + uintSize(a) + uintSize(b));
  out[0] = 0x82;
  writeUint(out, writeUint(out, 1, a), b);
  return out;
}

function uintSize(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not an unsigned safe integer: ${n}`);
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < 0x100000000 ? 5 : 9;
}

function writeUint(out: Uint8Array, at: number, n: number): number {
  const size = uintSize(n);
  if (size === 1) { out[at] = n; return at + 1; }
  out[at] = size === 2 ? 0x18 : size === 3 ? 0x19 : size === 5 ? 0x1a : 0x1b;
  const dv = new DataView(out.buffer, out.byteOffset);
  if (size === 2) dv.setUint8(at + 1, n);
  else if (size === 3) dv.setUint16(at + 1, n);
  else if (size === 5) dv.setUint32(at + 1, n);
  else dv.setBigUint64(at + 1, BigInt(n));
  return at + size;
}

/** Everything one block commit writes. */
export interface BlockWrite {
  height: number;
  hash: Uint8Array;
  headerRecord: Uint8Array;
  body: Uint8Array;
  txIndex: { hash: Uint8Array; index: number }[];
  envelopes: { envelopeHash: Uint8Array; txHash: Uint8Array }[];
  statePut: [string, Uint8Array][];
  stateDel: string[];
}

type Op = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

/** The part of the abstract-level API the store uses (classic-level on disk, memory-level in memory). */
type Db = Pick<ClassicLevel<Uint8Array, Uint8Array>, 'get' | 'put' | 'batch' | 'iterator' | 'close'>;

/** The chain database. Values are canonical CBOR. */
export class ChainStore {
  /** Logical bytes (keys + values) committed by block batches since open. */
  bytesWritten = 0;
  private constructor(private readonly db: Db, private readonly sync: boolean) {}

  /** Opens (creating) the LevelDB at `dir`. `sync` fsyncs each block (power-loss durability). */
  static async open(dir: string, sync = false): Promise<ChainStore> {
    const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
    await db.open();
    return new ChainStore(db, sync);
  }

  /** The same store in memory (memory-level; nothing survives the process). */
  static async memory(): Promise<ChainStore> {
    const db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
    await db.open();
    // memory-level and classic-level implement the same abstract-level interface
    return new ChainStore(db as unknown as Db, false);
  }

  close(): Promise<void> { return this.db.close(); }

  private async getOpt(k: Uint8Array): Promise<Uint8Array | undefined> {
    return (await this.db.get(k)) ?? undefined;
  }

  /** Head [height, hash] or undefined for an empty store. */
  async head(): Promise<{ height: number; hash: Uint8Array } | undefined> {
    const v = await this.getOpt(META_HEAD);
    if (!v) return undefined;
    const [height, hash] = decodeBounded(v, 256) as [number | bigint, Uint8Array];
    return { height: Number(height), hash: new Uint8Array(hash) };
  }

  headerRecord(height: number): Promise<Uint8Array | undefined> { return this.getOpt(key(P_HEADER, u64be(height))); }
  body(height: number): Promise<Uint8Array | undefined> { return this.getOpt(key(P_BODY, u64be(height))); }

  async txLocation(txHash: Uint8Array): Promise<{ height: number; index: number } | undefined> {
    const v = await this.getOpt(key(P_TX, txHash));
    if (!v) return undefined;
    const [height, index] = decodeBounded(v, 64) as [number | bigint, number | bigint];
    return { height: Number(height), index: Number(index) };
  }

  async txOfEnvelope(envelopeHash: Uint8Array): Promise<Uint8Array | undefined> {
    return this.getOpt(key(P_ENVELOPE, envelopeHash));
  }

  /** Lowest height whose body is stored (0 when nothing was pruned). */
  async prunedBelow(): Promise<number> {
    const v = await this.getOpt(META_PRUNED);
    return v ? readU64be(v) : 0;
  }

  /** All persisted state entries, encoded. */
  async *stateEntries(): AsyncGenerator<[string, Uint8Array]> {
    for await (const [k, v] of this.db.iterator({ gte: Uint8Array.of(P_STATE), lt: Uint8Array.of(P_STATE + 1) })) {
      yield [dec.decode(k.subarray(1)), v];
    }
  }

  /** Checkpoint written by pruning: state after block `height - 1`. */
  async checkpoint(): Promise<Uint8Array | undefined> { return this.getOpt(META_CHECKPOINT); }

  /** Commits one block atomically (one LevelDB batch). The batch is chained: abstract-level's
   *  array form clones and normalises every operation in JS (about 3× the CPU of the chained
   *  form for the ≈ 4,000 operations of a 1,000-update block; docs/performance.md). */
  async commit(w: BlockWrite): Promise<void> {
    const h = u64be(w.height);
    const b = this.db.batch();
    let bytes = 0;
    const put = (k: Uint8Array, v: Uint8Array) => { b.put(k, v); bytes += k.length + v.length; };
    put(key(P_HEADER, h), w.headerRecord);
    put(key(P_BODY, h), w.body);
    for (const t of w.txIndex) put(key(P_TX, t.hash), encodeUintPair(w.height, t.index));
    for (const e of w.envelopes) put(key(P_ENVELOPE, e.envelopeHash), e.txHash);
    for (const [k, v] of w.statePut) put(stateKey(k), v);
    for (const k of w.stateDel) { const sk = stateKey(k); b.del(sk); bytes += sk.length; }
    put(META_HEAD, encodeCanonical([w.height, w.hash]));
    await b.write({ sync: this.sync });
    this.bytesWritten += bytes;
  }

  /** Deletes bodies below `height` and records the checkpoint, atomically. */
  async prune(from: number, height: number, checkpoint: Uint8Array): Promise<void> {
    if (height < from) throw new LedgerError('bad_height', 'prune height below current prune point');
    const ops: Op[] = [];
    for (let i = from; i < height; i++) ops.push({ type: 'del', key: key(P_BODY, u64be(i)) });
    ops.push({ type: 'put', key: META_CHECKPOINT, value: checkpoint });
    ops.push({ type: 'put', key: META_PRUNED, value: u64be(height) });
    await this.db.batch(ops, { sync: this.sync });
  }

  /** Stores a body fetched from a peer (after the caller checked it against the header). */
  async restoreBody(height: number, body: Uint8Array): Promise<void> {
    await this.db.put(key(P_BODY, u64be(height)), body);
  }
}
