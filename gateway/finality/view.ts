// A read-only view of a BFT cluster as one gateway sees it (the dashboard's cluster panel):
// each super node's head and its latest approval vote, who approved our head block, and the
// votes gathered so far for the next height (docs/consensus.md §Cluster protocol). A peer's head
// is known exactly only in-process (the simulator passes every ledger); across boxes it is
// inferred from the votes that reached us: a peer that approved the block we hold at height h has
// that head at least, and one whose newest approval is for h+1 (not final yet) holds h.
import { toHex } from '../../protocol/bytes.js';
import type { Ledger } from '../ledger/index.js';
import { finalityQuorum, faultsTolerated, type VoteBook } from './votes.js';

/** One super node's row. `head.known`: exact (its own ledger) or inferred from its votes. */
export interface GatewayView {
  id: string;
  self: boolean;
  /** Leader of the height in progress, in the current view. */
  leader: boolean;
  head?: { height: number; hash: string; known: 'exact' | 'votes' };
  lastVote?: { height: number; hash: string };
  /** Its approval is among our head block's signatures. */
  approvedHead: boolean;
}

export interface ClusterView {
  self: string;
  n: number;
  f: number;
  quorum: number;
  head: { height: number; hash: string; approvals: string[] };
  /** The height being decided: its view, leader, our own vote, and the votes per block hash. */
  next: { height: number; view: number; leader: string; voted?: string; tallies: { hash: string; voters: string[] }[] };
  gateways: GatewayView[];
}

/** What the view reads from a running BftFinality (its `status()` and `votes`). */
export interface ClusterSource {
  status(): { ids: readonly string[]; height: number; view: number; leader: string; voted?: string };
  readonly votes: Pick<VoteBook, 'at' | 'latest'>;
}

/** Builds the view. `heads` gives exact heads of other gateways when they are in this process. */
export async function clusterView(self: string, src: ClusterSource, ledger: Pick<Ledger, 'height' | 'block'>, heads?: ReadonlyMap<string, { height: number; hash: Uint8Array }>): Promise<ClusterView> {
  const st = src.status();
  const height = ledger.height;
  const headBlock = await ledger.block(height);
  const approvals = headBlock.approvals.map((a) => a.id);
  const tallies = new Map<string, string[]>();
  for (const v of src.votes.at(st.height)) {
    const k = toHex(v.hash);
    tallies.set(k, [...(tallies.get(k) ?? []), v.id]);
  }
  const ourHash = async (h: number): Promise<string | undefined> => (h <= height ? toHex((await ledger.block(h)).hash) : undefined);
  const gateways: GatewayView[] = [];
  for (const id of st.ids) {
    const lv = src.votes.latest(id);
    const lastVote = lv && { height: lv.height, hash: toHex(lv.hash) };
    let head: GatewayView['head'];
    const exact = id === self ? { height, hash: headBlock.hash } : heads?.get(id);
    if (exact) head = { height: exact.height, hash: toHex(exact.hash), known: 'exact' };
    else if (lastVote) {
      const mine = await ourHash(lastVote.height).catch(() => undefined);
      if (mine === lastVote.hash) head = { height: lastVote.height, hash: mine, known: 'votes' };   // it approved a block that became final
      else if (lastVote.height === height + 1) head = { height, hash: toHex(headBlock.hash), known: 'votes' };   // voting on the next height: it holds ours
    }
    gateways.push({ id, self: id === self, leader: id === st.leader, head, lastVote, approvedHead: approvals.includes(id) });
  }
  const n = st.ids.length;
  return {
    self, n, f: faultsTolerated(n), quorum: finalityQuorum(n),
    head: { height, hash: toHex(headBlock.hash), approvals },
    next: { height: st.height, view: st.view, leader: st.leader, voted: st.voted, tallies: [...tallies].map(([hash, voters]) => ({ hash, voters })) },
    gateways,
  };
}
