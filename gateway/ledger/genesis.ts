// The genesis block: built deterministically from a GenesisConfig, so opening an existing
// directory with the same config proves it is the same chain.
import { LedgerError } from './errors.js';
import { ZERO32 } from '../../protocol/bytes.js';
import { StateDb } from './state.js';
import { makeUnsignedTx } from './tx/envelope.js';
import { genesisKind } from './tx/genesis.js';
import { HEADER_VERSION, headerHash, type Header } from './header.js';
import { executeTxs, txRoot } from './validate.js';
import type { Block } from './block.js';
import type { GenesisConfig } from '../../protocol/genesis.js';

export type { GenesisConfig };

/** Block 0 for `cfg`. Throws LedgerError('malformed') on an invalid config. */
export function genesisBlock(cfg: GenesisConfig): Block {
  if (!Number.isSafeInteger(cfg.timestamp) || cfg.timestamp < 0) throw new LedgerError('malformed', 'genesis timestamp must be an unsigned integer');
  const tx = makeUnsignedTx(genesisKind, { chainId: cfg.chainId, managers: cfg.managers, params: cfg.params, balances: cfg.balances ?? {} });
  const ex = executeTxs(new StateDb(), [tx], { height: 0, time: cfg.timestamp, chainId: cfg.chainId });
  const header: Header = {
    v: HEADER_VERSION, chainId: cfg.chainId, height: 0, prev: ZERO32, time: cfg.timestamp,
    txRoot: txRoot([tx]), stateRoot: ex.stateRoot, proposer: '', cons: { engine: 'genesis' },
  };
  return { header, hash: headerHash(header), sig: new Uint8Array(0), approvals: [], txs: [tx] };
}
