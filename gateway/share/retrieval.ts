// Kademlia-style multi-party retrieval (seed 001 (PoQ) §III-B, Fig. 5, Eq. 2), as a pure
// module over the registered providers' IDs (protocol/data-id.ts).
//
// - Communities: providers whose IDs share the first p bits form a community (p ≥ the category
//   bits, so members hold the same main category; p = round(log2(n / log2 n)) beyond that,
//   for communities of about log2 n members).
// - Each community keeps ⌈log2 n⌉ records towards different communities, spread over the
//   Kademlia buckets of its prefix (bucket b: communities whose prefix first differs from ours
//   in bit b), so each forward fixes at least one more bit of the target's prefix.
// - Each node stores its community's members and ⌈log2 log2 n⌉ nodes of each of its ⌈log2 n⌉
//   XOR-closest communities.
// - A lookup is recursive: the request is forwarded to the known node whose community is
//   XOR-closest to the target until no known node is closer (a hop per forward); from there
//   the nodes send it on to the communities of their tables within the relevant distance —
//   prefixes sharing ≥ q bits with the target, q lowered one bit at a time until `want`
//   providers are found — and every reached community answers with its members.
// Deterministic in the seed.
import { Rng } from '../../boards/data/rng.js';
import { CATEGORY_BITS, ID_BITS } from '../../protocol/data-id.js';

export interface RetrievalNetwork {
  n: number;
  /** Community prefix length in bits. */
  prefixBits: number;
  ids: readonly bigint[];
  /** Community prefix of each node. */
  community: bigint[];
  /** Members of each community (node indices, ascending). */
  members: Map<bigint, number[]>;
  /** Community table: ⌈log2 n⌉ nodes in other communities, by bucket. */
  communityTable: Map<bigint, number[]>;
  /** Per node: ⌈log2 log2 n⌉ nodes of each of the ⌈log2 n⌉ closest communities. */
  closeTable: number[][];
}

export interface LookupResult {
  /** Nodes found within the relevant distance, closest (XOR) to the target first. */
  found: number[];
  /** Forwards until the closest community was reached. */
  hops: number;
  /** All messages: forwards, fan-out to nearby communities, and the communities' replies. */
  messages: number;
  /** Prefix bits shared with the target by every found node's community (the relevant distance). */
  relevantBits: number;
}

const log2c = (x: number) => Math.max(1, Math.ceil(Math.log2(Math.max(2, x))));

/** The community prefix length for n providers. */
export function prefixBitsFor(n: number): number {
  return Math.max(CATEGORY_BITS, Math.min(32, Math.round(Math.log2(Math.max(2, n) / Math.log2(Math.max(2, n))))));
}

const prefixOf = (id: bigint, p: number) => id >> BigInt(ID_BITS - p);
const highBit = (x: bigint) => x.toString(2).length - 1;   // x > 0

/** Builds communities and tables for the providers `ids`. Throws RangeError on no providers. */
export function buildNetwork(ids: readonly bigint[], seed = 1): RetrievalNetwork {
  const n = ids.length;
  if (n === 0) throw new RangeError('a retrieval network needs at least one provider');
  const p = prefixBitsFor(n);
  const rng = new Rng(seed);
  const community = ids.map((id) => prefixOf(id, p));
  const members = new Map<bigint, number[]>();
  community.forEach((c, i) => (members.get(c) ?? members.set(c, []).get(c)!).push(i));
  const comms = [...members.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const L = log2c(n), LL = log2c(log2c(n));
  // community tables: buckets by the highest differing prefix bit, filled round robin to L records
  const communityTable = new Map<bigint, number[]>();
  for (const c of comms) {
    const buckets: bigint[][] = Array.from({ length: p }, () => []);
    for (const o of comms) if (o !== c) buckets[highBit(o ^ c)].push(o);
    const rec: number[] = [];
    for (let round = 0; rec.length < L && buckets.some((b) => b.length > round); round++) {
      for (let b = p - 1; b >= 0 && rec.length < L; b--) {
        if (buckets[b].length <= round) continue;
        // the closest community in the bucket first, then further ones
        const sorted = buckets[b].slice().sort((x, y) => ((x ^ c) < (y ^ c) ? -1 : 1));
        const m = members.get(sorted[round])!;
        rec.push(m[rng.int(m.length)]);
      }
    }
    communityTable.set(c, rec);
  }
  // per-node tables: LL nodes of each of the L XOR-closest other communities
  const closeTable = ids.map((_, i) => {
    const c = community[i];
    const near = comms.filter((o) => o !== c).sort((x, y) => ((x ^ c) < (y ^ c) ? -1 : 1)).slice(0, L);
    const out: number[] = [];
    for (const o of near) {
      const m = rng.shuffle(members.get(o)!.slice());
      out.push(...m.slice(0, LL));
    }
    return out;
  });
  return { n, prefixBits: p, ids, community, members, communityTable, closeTable };
}

/** Nodes a node knows of outside its community. */
const contacts = (net: RetrievalNetwork, i: number) => [...net.communityTable.get(net.community[i])!, ...net.closeTable[i]];

/** Recursive lookup of `target` from node `start`, collecting at least `want` providers (or all).
 *  Throws RangeError on a bad start node. */
export function lookup(net: RetrievalNetwork, target: bigint, start: number, want: number): LookupResult {
  if (!Number.isInteger(start) || start < 0 || start >= net.n) throw new RangeError(`start node ${start} outside [0, ${net.n})`);
  const p = net.prefixBits, tc = prefixOf(target, p);
  let cur = start, hops = 0, messages = 0;
  for (;;) {
    let best = cur;
    for (const j of contacts(net, cur)) if ((net.community[j] ^ tc) < (net.community[best] ^ tc)) best = j;
    if (best === cur) break;
    cur = best; hops++; messages++;
  }
  // Fan out from the reached community to the communities within the relevant distance.
  const reached = new Set<bigint>([net.community[cur]]);
  messages++;   // the reached community's reply
  let size = net.members.get(net.community[cur])!.length;
  let q = p - (net.community[cur] === tc ? 0 : highBit(net.community[cur] ^ tc) + 1);
  while (size < Math.min(want, net.n) && q > 0) {
    q--;
    const within = (c: bigint) => q === 0 || (c ^ tc) >> BigInt(p - q) === 0n;
    // every reached community's members forward to their contacts within the distance, recursively
    const queue = [...reached];
    while (queue.length) {
      const c = queue.shift()!;
      for (const m of net.members.get(c)!) for (const j of contacts(net, m)) {
        const cj = net.community[j];
        if (reached.has(cj) || !within(cj)) continue;
        reached.add(cj); queue.push(cj); size += net.members.get(cj)!.length;
        messages += 2;   // forward + reply
      }
    }
  }
  const found = [...reached].flatMap((c) => net.members.get(c)!);
  found.sort((a, b) => { const x = net.ids[a] ^ target, y = net.ids[b] ^ target; return x < y ? -1 : x > y ? 1 : a - b; });
  return { found, hops, messages, relevantBits: q };
}
