// What a block's proposer and its approvers sign (domain-separated, so a signature of one kind
// can never pass for the other): the ledger checks them, boards check approvals in a
// global-model announcement's finality certificate.
const BLOCK_SIG_DOMAIN = new TextEncoder().encode('edgechain/block/v1');
const APPROVAL_DOMAIN = new TextEncoder().encode('edgechain/approve/v1');

const domained = (d: Uint8Array, hash: Uint8Array): Uint8Array => {
  const out = new Uint8Array(d.length + 32);
  out.set(d); out.set(hash, d.length);
  return out;
};

/** Bytes the proposer signs for block `hash`. */
export const proposerSigningBytes = (hash: Uint8Array): Uint8Array => domained(BLOCK_SIG_DOMAIN, hash);
/** Bytes an approver (a BFT gateway, a quorum member) signs for block `hash`. */
export const approvalSigningBytes = (hash: Uint8Array): Uint8Array => domained(APPROVAL_DOMAIN, hash);

/** Approvals needed from n signers: ⌈2n/3⌉, which is 2f+1 for n = 3f+1. */
export const finalityQuorum = (n: number): number => Math.ceil((2 * n) / 3);
