// Content-addressed payload store (hash → bytes) beside the chain: model blobs and device
// envelopes live here, blocks carry only their SHA-256 (BFLC's storage optimisation, 002 §IV).
// Files are written to a temp name and renamed, so a crash never leaves a partial blob under
// its hash; `get` re-hashes on read, so a corrupted file is never served.
import { mkdir, readFile, writeFile, rename, unlink, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256, toHex, bytesEqual } from '../../protocol/bytes.js';
import { LedgerError } from './errors.js';

/** Largest payload accepted (a model of a few MB fits with margin). */
export const MAX_BLOB_BYTES = 64 * 1024 * 1024;

/** A content-addressed store. */
export interface BlobStore {
  put(bytes: Uint8Array): Promise<Uint8Array>;
  get(hash: Uint8Array): Promise<Uint8Array | undefined>;
  has(hash: Uint8Array): Promise<boolean>;
  delete(hash: Uint8Array): Promise<void>;
  /** Hashes of all stored blobs (for pruning). */
  list(): Promise<Uint8Array[]>;
}

/** Where a node fetches payloads it does not hold (pruned or never received): a peer gateway.
 *  Results are untrusted and checked against their hash by the ledger. */
export interface PayloadSource {
  getBlob(hash: Uint8Array): Promise<Uint8Array | undefined>;
  getBody(height: number): Promise<Uint8Array | undefined>;
}

/** Files under `dir/ab/abcdef…`. */
export class FileBlobStore implements BlobStore {
  private seq = 0;
  /** Fan-out directories known to exist (one mkdir each, not one per put). */
  private readonly made = new Set<string>();
  constructor(private readonly dir: string) {}

  private path(hash: Uint8Array): string {
    const h = toHex(hash);
    return join(this.dir, h.slice(0, 2), h);
  }

  async put(bytes: Uint8Array): Promise<Uint8Array> {
    if (bytes.length > MAX_BLOB_BYTES) throw new LedgerError('too_large', `blob of ${bytes.length} B`);
    const hash = sha256(bytes);
    const p = this.path(hash);
    const d = join(p, '..');
    if (!this.made.has(d)) { await mkdir(d, { recursive: true }); this.made.add(d); }
    const tmp = `${p}.${process.pid}.${this.seq++}.tmp`;
    try { await writeFile(tmp, bytes); } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      await mkdir(d, { recursive: true });   // the directory was removed under us
      await writeFile(tmp, bytes);
    }
    await rename(tmp, p);
    return hash;
  }

  async get(hash: Uint8Array): Promise<Uint8Array | undefined> {
    if (hash.length !== 32) return undefined;
    let b: Uint8Array;
    try { b = new Uint8Array(await readFile(this.path(hash))); } catch { return undefined; }
    return bytesEqual(sha256(b), hash) ? b : undefined;
  }

  async has(hash: Uint8Array): Promise<boolean> { return (await this.get(hash)) !== undefined; }

  async delete(hash: Uint8Array): Promise<void> {
    try { await unlink(this.path(hash)); } catch { /* already gone */ }
  }

  /** Hashes of all stored blobs (for pruning). */
  async list(): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    let dirs: string[];
    try { dirs = await readdir(this.dir); } catch { return out; }
    for (const d of dirs) for (const f of await readdir(join(this.dir, d))) if (/^[0-9a-f]{64}$/.test(f)) out.push(new Uint8Array(Buffer.from(f, 'hex')));
    return out;
  }
}

/** The same store in memory (in-process runs and fast tests). */
export class MemoryBlobStore implements BlobStore {
  private readonly m = new Map<string, Uint8Array>();
  async put(bytes: Uint8Array): Promise<Uint8Array> {
    if (bytes.length > MAX_BLOB_BYTES) throw new LedgerError('too_large', `blob of ${bytes.length} B`);
    const hash = sha256(bytes);
    this.m.set(toHex(hash), bytes.slice());
    return hash;
  }
  async get(hash: Uint8Array): Promise<Uint8Array | undefined> { return this.m.get(toHex(hash))?.slice(); }
  async has(hash: Uint8Array): Promise<boolean> { return this.m.has(toHex(hash)); }
  async delete(hash: Uint8Array): Promise<void> { this.m.delete(toHex(hash)); }
  async list(): Promise<Uint8Array[]> { return [...this.m.keys()].map((h) => new Uint8Array(Buffer.from(h, 'hex'))); }
}
