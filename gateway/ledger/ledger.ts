// The ledger facade the gateway calls: opens the LevelDB chain and the blob store, builds and
// commits blocks (rules in validate.ts, storage in store.ts), serves proofs and payloads.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LedgerError } from './errors.js';
import { bytesEqual, sha256, toHex } from '../../protocol/bytes.js';
import { StateDb, type StateReader, type StateProof } from './state.js';
import { getDevice, getManager, getBalance, getReputation, getTask, getBid, getModel, type DeviceRecord } from './records.js';
import type { Signer } from './signer.js';
import type { Tx } from './tx/kind.js';
import type { UpdateRecordBody } from './tx/update-record.js';
import { HEADER_VERSION, headerHash, type ConsensusData, type Header } from './header.js';
import {
  approvalSigningBytes, proposerSigningBytes, encodeHeaderRecord, encodeBody, decodeHeaderRecord, decodeBody, decodeBlock,
  type Block, MAX_TXS_PER_BLOCK,
} from './block.js';
import { executeTxs, txRoot, checkSealedHeader, validateBlock, type Execution } from './validate.js';
import { sealRuleFor } from './seal/index.js';
import { checkLayout } from './layout.js';
import { genesisBlock, type GenesisConfig } from './genesis.js';
import { ChainStore } from './store.js';
import { FileBlobStore, MemoryBlobStore, type BlobStore, type PayloadSource } from './blobs.js';
import { verifyChain, type VerifyResult } from './verify.js';
import { loadState } from './state-load.js';
import { checkEnvelope } from './envelope-check.js';
import { pruneChain } from './prune.js';
import { txProof, type TxProof } from './proofs.js';
import { supplyReport, type SupplyReport } from './supply.js';
import { ownSignatures, SignatureVerdicts } from './verdicts.js';
import { verifySig, type KnownSig } from './signer.js';
import { SigBatch, sigPool } from './sig-pool.js';
import { preverifyTxs } from './preverify.js';

/** Blocks with at least this many transactions have their signatures checked on the pool. */
const PARALLEL_IMPORT_TXS = 32;
/** Preverifications kept waiting for their block's import (one per proposal seen). */
const MAX_PREVERIFY = 16;

// Blocks this gateway builds itself (append, propose) skip re-verifying its own signatures;
// importBlock consults only the ledger's own verdicts; verify passes nothing and checks every one.
const knownSig = (pk: Uint8Array, msg: Uint8Array, sig: Uint8Array) => ownSignatures.known(pk, msg, sig);

/** Verdicts one ledger keeps: a 1,000-update block's signatures several times over. */
export const MAX_LEDGER_VERDICTS = 1 << 14;

export interface LedgerOptions {
  /** Required to create a new chain; when given for an existing one it must match block 0. */
  genesis?: GenesisConfig;
  /** fsync each block (durability across power loss, not only process crashes). Default false. */
  sync?: boolean;
  /** Where missing payloads (pruned bodies, blobs) are fetched from; results are hash-checked. */
  peer?: PayloadSource;
  /** Re-verify device envelopes of update records on append: "ifPresent" (default), "required", "off". */
  envelopes?: 'ifPresent' | 'required' | 'off';
}

/** Consensus data for `append`; `approvers` sign the block hash (committee engine). */
export type AppendConsensus = ConsensusData & { approvers?: Signer[] };

/** A durable, verifiable, prunable permissioned chain for federated learning.
 *  @example const l = await Ledger.open(dir, { genesis }); await l.append(gw, [tx], { round: 1 }, Date.now()) */
export class Ledger {
  private headHeader!: Header;
  private headHashValue!: Uint8Array;
  private genesisHashValue!: Uint8Array;
  private queue: Promise<unknown> = Promise.resolve();
  /** Signatures this gateway made or verified itself, kept in memory only (never stored or sent):
   *  the transactions and proposer signature of a block it proposed, and the proposal and vote
   *  signatures its finality checked (bft.ts). `importBlock` does not verify these a second time;
   *  every other signature it verifies, and `verify` verifies all. Record only signatures this
   *  process verified or made: a verdict is bound to the key, the signed bytes' hash and the
   *  signature (verdicts.ts). Per ledger, not per process, so gateways sharing a process (the
   *  benchmarks, the simulator) never vouch for each other. */
  readonly verdicts = new SignatureVerdicts(MAX_LEDGER_VERDICTS);
  private readonly knownHere: KnownSig = (pk, msg, sig) => this.verdicts.known(pk, msg, sig);
  /** Pool checks under way for proposed blocks (by block hash): their import waits for them
   *  rather than verifying the same signatures on the event loop meanwhile. */
  private readonly preverifying = new Map<string, Promise<number>>();

  private constructor(
    private readonly store: ChainStore,
    readonly blobs: BlobStore,
    private state: StateDb,
    private readonly opts: LedgerOptions,
  ) {}

  /** Opens `dir` (creating the genesis block if it is empty; otherwise checks the stored
   *  genesis matches `opts.genesis` and the persisted state matches the head's state root).
   *  Throws LedgerError('genesis_mismatch' | 'bad_state_root' | 'not_found'). */
  static async open(dir: string, opts: LedgerOptions = {}): Promise<Ledger> {
    await mkdir(dir, { recursive: true });
    const store = await ChainStore.open(join(dir, 'chain'), opts.sync ?? false);
    return Ledger.fromStores(store, new FileBlobStore(join(dir, 'blobs')), opts, dir);
  }

  /** A ledger held in memory (memory-level and an in-memory blob store): the same rules,
   *  nothing on disk. For in-process runs and fast tests. */
  static async openMemory(opts: LedgerOptions): Promise<Ledger> {
    return Ledger.fromStores(await ChainStore.memory(), new MemoryBlobStore(), opts, '(memory)');
  }

  private static async fromStores(store: ChainStore, blobs: BlobStore, opts: LedgerOptions, dir: string): Promise<Ledger> {
    try {
      const head = await store.head();
      if (!head) {
        if (!opts.genesis) throw new LedgerError('not_found', `no ledger in ${dir} and no genesis given`);
        const g = genesisBlock(opts.genesis);
        const state = new StateDb();
        const ex = validateBlock(undefined, state, g, g.header.chainId);
        const l = new Ledger(store, blobs, state, opts);
        await l.commit(g, ex);
        l.genesisHashValue = g.hash;
        return l;
      }
      if (opts.genesis && opts.genesis !== (undefined as any)) {
        const g = genesisBlock(opts.genesis);
        const rec = await store.headerRecord(0);
        if (!rec || !bytesEqual(decodeHeaderRecord(rec).hash, g.hash)) throw new LedgerError('genesis_mismatch', `${dir} holds another chain`);
      }
      const state = await loadState(store);
      const rec0 = await store.headerRecord(0);
      if (!rec0) throw new LedgerError('not_found', 'genesis header missing');
      const rec = await store.headerRecord(head.height);
      if (!rec) throw new LedgerError('not_found', `head header ${head.height} missing`);
      const r = decodeHeaderRecord(rec);
      if (!bytesEqual(r.hash, head.hash)) throw new LedgerError('bad_prev', 'head pointer does not match its header');
      if (!bytesEqual(state.root(), r.header.stateRoot)) throw new LedgerError('bad_state_root', 'persisted state does not match the head');
      const l = new Ledger(store, blobs, state, opts);
      l.headHeader = r.header;
      l.headHashValue = r.hash;
      l.genesisHashValue = decodeHeaderRecord(rec0).hash;
      return l;
    } catch (e) {
      await store.close();
      throw e;
    }
  }

  /** Height of the head block (0 = genesis only). */
  get height(): number { return this.headHeader.height; }
  /** Hash of the genesis block: the chain's identity (announcements name it). */
  genesisHash(): Uint8Array { return this.genesisHashValue; }
  /** Hash of the head block. */
  headHash(): Uint8Array { return this.headHashValue; }
  /** Header of the head block. */
  head(): Header { return this.headHeader; }
  /** Chain id from genesis. */
  get chainId(): string { return this.headHeader.chainId; }
  /** Read-only view of the current state (for rules and tests). */
  get stateView(): StateReader { return this.state; }
  /** State entries sorted by key (JSON export). */
  stateEntries() { return this.state.iter(); }
  /** The chain parameters set in genesis. */
  params(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of this.state.iter()) if (k.startsWith('param/')) out[k.slice(6)] = v;
    return out;
  }
  /** Logical bytes (keys + values) this process committed to LevelDB. */
  get bytesWritten(): number { return this.store.bytesWritten; }
  /** Current state root. */
  stateRoot(): Uint8Array { return this.state.root(); }
  /** Inclusion (or exclusion) proof of a state entry against the head's state root
   *  (verifyStateProof). @example verifyStateProof(l.head().stateRoot, l.proveState('dev/b1')) */
  proveState(key: string): StateProof { return this.state.prove(key); }

  /** An active registered device (revoked and blacklisted devices read as undefined, so
   *  callers reject their messages). */
  device(id: string): DeviceRecord | undefined {
    const d = getDevice(this.state, id);
    return d && d.status === 'active' ? d : undefined;
  }
  /** A device record whatever its status. */
  deviceRecord(id: string): DeviceRecord | undefined { return getDevice(this.state, id); }
  isManager(id: string): boolean { return getManager(this.state, id)?.status === 'active'; }
  balance(id: string): number { return getBalance(this.state, id); }
  reputation(id: string): number { return getReputation(this.state, id); }
  task(id: string) { return getTask(this.state, id); }
  /** A bidder's bid on a task (stake, status), or undefined. */
  bid(task: string, bidder: string) { return getBid(this.state, task, bidder); }
  /** The token invariant over the current state: supply = balances + escrow + pools. */
  supply(): SupplyReport { return supplyReport(this.state.iter()); }
  model(task: string) { return getModel(this.state, task); }

  /** Stores a payload in the content-addressed store; returns its SHA-256. */
  putBlob(bytes: Uint8Array): Promise<Uint8Array> { return this.blobs.put(bytes); }

  /** A payload by hash; falls back to the peer and checks the answer against the hash. */
  async getBlob(hash: Uint8Array): Promise<Uint8Array | undefined> {
    const local = await this.blobs.get(hash);
    if (local || !this.opts.peer) return local;
    const remote = await this.opts.peer.getBlob(hash);
    if (!remote) return undefined;
    if (!bytesEqual(sha256(remote), hash)) throw new LedgerError('bad_payload', 'peer sent a blob that does not match its hash');
    await this.blobs.put(remote);
    return remote;
  }

  /** Builds, validates and atomically commits a block of `txs` proposed by `proposer`.
   *  Nothing is written if any rule fails. Throws LedgerError naming the rule.
   *  @example await ledger.append(gw, [updateRecordTx(gw, rec), globalModelTx(gw, m)], { round: 3 }, Date.now()) */
  append(proposer: Signer, txs: Tx[], consensus: AppendConsensus, timestamp: number): Promise<Block> {
    const run = this.queue.then(() => this.appendNow(proposer, txs, consensus, timestamp));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async appendNow(proposer: Signer, txs: Tx[], consensus: AppendConsensus, timestamp: number): Promise<Block> {
    if (txs.length > MAX_TXS_PER_BLOCK) throw new LedgerError('too_large', `${txs.length} transactions`);
    const height = this.height + 1;
    const chainId = this.chainId;
    checkLayout(height, txs, this.state);
    const ex = executeTxs(this.state, txs, { height, time: timestamp, chainId, knownSig });
    const { approvers, ...cons } = consensus;
    let header: Header = {
      v: HEADER_VERSION, chainId, height, prev: this.headHashValue, time: timestamp,
      txRoot: txRoot(txs), stateRoot: ex.stateRoot, proposer: proposer.id, cons,
    };
    const engine = sealRuleFor(this.state);
    if (engine.seal) header = engine.seal(header);
    const hash = headerHash(header);
    const block: Block = {
      header, hash, sig: proposer.sign(proposerSigningBytes(hash)),
      approvals: (approvers ?? []).map((a) => ({ id: a.id, sig: a.sign(approvalSigningBytes(hash)) })), txs,
    };
    checkSealedHeader({ header: this.headHeader, hash: this.headHashValue }, block, this.state, chainId, knownSig);
    await this.checkEnvelopes(txs);
    await this.commit(block, ex);
    return block;
  }

  /** Builds and proposer-signs the next block over the current head without committing it
   *  and without approvals, for engines whose approvals come from other nodes (gateway
   *  cluster, issue 6): peers sign `approvalSigningBytes(block.hash)` and the block is then
   *  committed with `importBlock`. Runs the transaction rules; throws LedgerError. */
  propose(proposer: Signer, txs: Tx[], consensus: ConsensusData, timestamp: number): Promise<Block> {
    const run = this.queue.then(() => {
      if (txs.length > MAX_TXS_PER_BLOCK) throw new LedgerError('too_large', `${txs.length} transactions`);
      const height = this.height + 1;
      checkLayout(height, txs, this.state);
      // every transaction signature is now known good (own, or verified here): remembered for
      // the import of this block once it is final
      const remember: KnownSig = (pk, msg, sig) => {
        const ok = knownSig(pk, msg, sig) || verifySig(pk, msg, sig);
        if (ok) this.verdicts.record(pk, msg, sig);
        return ok;
      };
      const ex = executeTxs(this.state, txs, { height, time: timestamp, chainId: this.chainId, knownSig: remember });
      let header: Header = {
        v: HEADER_VERSION, chainId: this.chainId, height, prev: this.headHashValue, time: timestamp,
        txRoot: txRoot(txs), stateRoot: ex.stateRoot, proposer: proposer.id, cons: consensus,
      };
      const engine = sealRuleFor(this.state);
      if (engine.seal) header = engine.seal(header);
      const hash = headerHash(header);
      const msg = proposerSigningBytes(hash), sig = proposer.sign(msg);
      this.verdicts.record(proposer.publicKey, msg, sig);
      return { header, hash, sig, approvals: [], txs } as Block;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Verifies the transaction signatures of a block proposed for the next height on the
   *  worker pool, ahead of its import, and keeps those that verify as this ledger's verdicts
   *  (preverify.ts). Resolves with how many verified; never rejects, commits nothing. */
  preverify(block: Block): Promise<number> {
    // a small block's few checks cost less inline than a round trip to a busy worker
    if (block.header.height !== this.height + 1 || block.txs.length < PARALLEL_IMPORT_TXS) return Promise.resolve(0);
    const k = toHex(block.hash);
    const had = this.preverifying.get(k);
    if (had) return had;
    const p = preverifyTxs(this.state, block.txs, this.verdicts).finally(() => this.preverifying.delete(k));
    if (this.preverifying.size >= MAX_PREVERIFY) this.preverifying.delete(this.preverifying.keys().next().value!);
    this.preverifying.set(k, p);
    return p;
  }

  /** Validates and commits a block received from a peer (wire bytes or decoded). */
  importBlock(b: Block | Uint8Array): Promise<Block> {
    const run = this.queue.then(async () => {
      const block = b instanceof Uint8Array ? decodeBlock(b) : b;
      await this.preverifying.get(toHex(block.hash));
      // Every signature this gateway has not itself made or verified (verdicts) is verified; a
      // large block's go to the worker pool (sig-pool.ts) and the block is committed only if all
      // of them verify.
      const batch = block.txs.length >= PARALLEL_IMPORT_TXS ? new SigBatch() : undefined;
      const known = this.knownHere;
      const txKnown: KnownSig = batch ? (pk, msg, sig) => known(pk, msg, sig) || batch.defer(pk, msg, sig) : known;
      const ex = validateBlock({ header: this.headHeader, hash: this.headHashValue }, this.state, block, this.chainId, txKnown, known);
      if (batch) {
        const bad = await sigPool().verify(batch);
        if (bad >= 0) {
          // the batch holds only the signatures without a verdict: name the transaction itself
          const tx = block.txs.findIndex((t) => t.sig === batch.sig[bad]);
          throw new LedgerError('bad_signature', `signature of tx ${tx} in block ${block.header.height} does not verify`);
        }
      }
      await this.checkEnvelopes(block.txs);
      await this.commit(block, ex);
      return block;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  // I/O edge: the device envelopes named by update records, checked against the device key.
  private async checkEnvelopes(txs: Tx[]): Promise<void> {
    const mode = this.opts.envelopes ?? 'ifPresent';
    if (mode === 'off') return;
    for (const tx of txs) {
      if (tx.type !== 'update') continue;
      const rec = tx.body as UpdateRecordBody;
      const env = await this.blobs.get(rec.envelopeHash);
      if (!env) {
        if (mode === 'required') throw new LedgerError('not_found', `envelope of ${rec.deviceId} ctr ${rec.ctr} is not in the blob store`);
        continue;
      }
      const d = getDevice(this.state, rec.deviceId);
      if (!d) throw new LedgerError('unknown_author', `device ${rec.deviceId} is unknown`);
      checkEnvelope(d.publicKey, rec, env);
    }
  }

  private async commit(block: Block, ex: Execution): Promise<void> {
    const { put, del } = this.state.apply(ex.changes, ex.stateRoot);
    try {
      await this.store.commit({
        height: block.header.height, hash: block.hash, headerRecord: encodeHeaderRecord(block), body: encodeBody(block.txs),
        txIndex: block.txs.map((t, index) => ({ hash: t.hash, index })),
        envelopes: block.txs.filter((t) => t.type === 'update').map((t) => ({ envelopeHash: (t.body as UpdateRecordBody).envelopeHash, txHash: t.hash })),
        statePut: put, stateDel: del,
      });
    } catch (e) {
      // The batch failed as a whole: reload the state the disk still holds.
      this.state = await loadState(this.store);
      throw e;
    }
    this.headHeader = block.header;
    this.headHashValue = block.hash;
  }

  /** The block at `height`; a pruned body is fetched from the peer and checked against the
   *  header's Merkle root. Throws LedgerError('not_found' | 'pruned' | 'bad_payload'). */
  async block(height: number): Promise<Block> {
    const rec = await this.store.headerRecord(height);
    if (!rec) throw new LedgerError('not_found', `no block ${height}`);
    const r = decodeHeaderRecord(rec);
    let body = await this.store.body(height);
    if (!body) {
      if (!this.opts.peer) throw new LedgerError('pruned', `body of block ${height} was pruned and no peer is configured`);
      body = await this.opts.peer.getBody(height);
      if (!body) throw new LedgerError('pruned', `peer has no body for block ${height}`);
      const txs = decodeBody(body);
      if (!bytesEqual(txRoot(txs), r.header.txRoot)) throw new LedgerError('bad_payload', `peer body for block ${height} does not match the tx root`);
      return { ...r, txs };
    }
    return { ...r, txs: decodeBody(body) };
  }

  /** Raw stored body of a block (what a peer serves), or undefined if pruned. */
  rawBody(height: number): Promise<Uint8Array | undefined> { return this.store.body(height); }

  /** Merkle inclusion proof for a transaction (light clients, issue 5 §5). */
  proveTx(txHash: Uint8Array): Promise<TxProof> {
    return txProof(this.store, (h) => this.block(h), txHash);
  }

  /** Proof that a device's update (by the hash of its signed envelope) is on the chain. */
  async proveUpdate(envelopeHash: Uint8Array): Promise<TxProof> {
    const txHash = await this.store.txOfEnvelope(envelopeHash);
    if (!txHash) throw new LedgerError('not_found', 'no update record for that envelope');
    return this.proveTx(txHash);
  }

  /** Re-verifies the whole chain from disk. */
  verify(): Promise<VerifyResult> {
    const run = this.queue.then(() => verifyChain(this.store));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Deletes block bodies below `height` (headers stay) and blobs referenced only there.
   *  Returns how many bodies and blobs were removed. */
  prune(height: number): Promise<{ bodies: number; blobs: number }> {
    const run = this.queue.then(() => pruneChain(this.store, this.blobs, this.state, height, this.height));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Closes the database after pending operations. */
  async close(): Promise<void> {
    await this.queue;
    await this.store.close();
  }
}
