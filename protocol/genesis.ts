// A chain's genesis configuration: its identity, the managers' (gateways') keys and the chain
// parameters. The ledger builds block 0 from it; the deployment file carries it to every box.

/** Chain identity, managers' keys and parameters. */
export interface GenesisConfig {
  chainId: string;
  managers: { id: string; publicKey: Uint8Array }[];
  /** Integers or short text. Known keys: consensus (block-seal rule: "poa" | "quorum" | "work"), pow_difficulty,
   *  layout ("mixed" | "bflc"), bflc_k, task, engine / fl_consensus (round engine), rule. Others are stored for the application. */
  params: Record<string, number | string>;
  timestamp: number;
  /** Initial balances (integer units), e.g. for task publishers' deposits. */
  balances?: Record<string, number>;
}
