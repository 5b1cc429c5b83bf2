// Public API of the gateway ledger (docs/ledger.md).
export { Ledger, type LedgerOptions, type AppendConsensus } from './ledger.js';
export { nodeSigner, verifySig, type Signer } from './signer.js';
export { type GenesisConfig, genesisBlock } from './genesis.js';
export { LedgerError, type LedgerReason } from './errors.js';
export type { Header, ConsensusData } from './header.js';
export { headerHash, encodeHeader, decodeHeader } from './header.js';
export { type Block, type Approval, encodeBlock, decodeBlock } from './block.js';
export * from './tx/index.js';
export { decodeAnyTx } from './tx/registry.js';
export { validateBlock, executeTxs, txRoot } from './validate.js';
export { merkleRoot, inclusionProof, verifyInclusion, type InclusionProof } from './merkle.js';
export { verifyTxProof, encodeTxProof, decodeTxProof, type TxProof } from './proofs.js';
export { FileBlobStore, MemoryBlobStore, type BlobStore, type PayloadSource } from './blobs.js';
export { checkEnvelope } from './envelope-check.js';
export type { DeviceRecord, ModelRecord, TaskRecord } from './records.js';
export type { VerifyResult } from './verify.js';
