// MQTT topic layout (docs/protocol.md §Topics): one builder per topic, one grammar to parse
// them back. Every segment is an id (protocol/ids.ts); a bad one throws RangeError.
import { isId } from './ids.js';

const seg = (s: string): string => {
  if (!isId(s)) throw new RangeError(`invalid topic segment ${JSON.stringify(s)}`);
  return s;
};
const base = (task: string) => `fl/${seg(task)}`;

// ---- devices ↔ gateways ----
/** Retained, signed global-model announcement for a task (gateway → devices). */
export const globalTopic = (task: string): string => `${base(task)}/global`;
/** A device's signed update (device → gateways). */
export const updateTopic = (task: string, device: string): string => `${base(task)}/update/${seg(device)}`;
/** Subscription filter for all updates of a task. */
export const updateFilter = (task: string): string => `${base(task)}/update/+`;
/** Per-device verdict on its update (gateway → device). */
export const ackTopic = (task: string, device: string): string => `${base(task)}/ack/${seg(device)}`;
/** Round summaries (gateway → observers). */
export const roundTopic = (task: string): string => `${base(task)}/round`;
/** Candidates the round's committee must score (gateway → committee). */
export const validateTopic = (task: string): string => `${base(task)}/validate`;
/** A committee member's signed score sheet (member → gateways). */
export const scoreTopic = (task: string, member: string): string => `${base(task)}/score/${seg(member)}`;
export const scoreFilter = (task: string): string => `${base(task)}/score/+`;
/** A PoQ party's signed MAE report of its round update (party → gateways). */
export const reportTopic = (task: string, party: string): string => `${base(task)}/report/${seg(party)}`;
export const reportFilter = (task: string): string => `${base(task)}/report/+`;
/** The PoQ leader's audit request (gateway → members). */
export const auditTopic = (task: string): string => `${base(task)}/audit`;
/** A PoQ member's signed approval of the leader's block digest (member → gateways). */
export const approveTopic = (task: string, member: string): string => `${base(task)}/approve/${seg(member)}`;
export const approveFilter = (task: string): string => `${base(task)}/approve/+`;
/** Retained online status of a board or gateway, with an MQTT will that marks it offline. */
export const presenceTopic = (task: string, id: string): string => `${base(task)}/presence/${seg(id)}`;
export const presenceFilter = (task: string): string => `${base(task)}/presence/+`;

// ---- simulator control ----
/** Round plan: who trains, who sits on the committee (simulated gateway → fleet). */
export const planTopic = (task: string): string => `${base(task)}/plan`;
/** End-of-round marker of one fleet worker (sent after its updates, same connection). */
export const doneTopic = (task: string, worker: number): string => `${base(task)}/sim/done/${worker}`;
export const doneFilter = (task: string): string => `${base(task)}/sim/done/+`;
/** "Provisioned and subscribed" marker of one board process of a fleet split over processes. */
export const readyTopic = (task: string, slice: number): string => `${base(task)}/sim/ready/${slice}`;
export const readyFilter = (task: string): string => `${base(task)}/sim/ready/+`;

// ---- gateway ↔ gateway (cluster) ----
export const proposeTopic = (task: string): string => `${base(task)}/gw/propose`;
export const voteTopic = (task: string): string => `${base(task)}/gw/vote`;
export const syncTopic = (task: string): string => `${base(task)}/gw/sync`;
export const syncReplyTopic = (task: string, gateway: string): string => `${base(task)}/gw/sync/${seg(gateway)}`;
/** Retained, unsigned "I am subscribed" marker of one gateway (gates round 1 only). */
export const helloTopic = (task: string, gateway: string): string => `${base(task)}/gw/hello/${seg(gateway)}`;
export const helloFilter = (task: string): string => `${base(task)}/gw/hello/+`;

/** What a topic is. `id` is the device, member, worker or gateway segment where there is one. */
export type TopicKind = 'global' | 'update' | 'ack' | 'round' | 'validate' | 'score' | 'report' | 'audit' | 'approve' | 'presence' | 'plan' | 'done' | 'ready'
  | 'propose' | 'vote' | 'sync' | 'syncReply' | 'hello';
export interface ParsedTopic { task: string; kind: TopicKind; id?: string }

const FIXED: Record<string, TopicKind> = { global: 'global', round: 'round', validate: 'validate', audit: 'audit', plan: 'plan', 'gw/propose': 'propose', 'gw/vote': 'vote', 'gw/sync': 'sync' };
const WITH_ID: Record<string, TopicKind> = { update: 'update', ack: 'ack', score: 'score', report: 'report', approve: 'approve', presence: 'presence', 'sim/done': 'done', 'sim/ready': 'ready', 'gw/sync': 'syncReply', 'gw/hello': 'hello' };

/** Parses a topic of this layout; undefined for anything else (the caller logs and drops it).
 *  @example parseTopic('fl/mnist/update/dev-00001') → { task: 'mnist', kind: 'update', id: 'dev-00001' } */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const p = topic.split('/');
  if (p.length < 3 || p.length > 5 || p[0] !== 'fl' || !isId(p[1])) return undefined;
  const task = p[1], rest = p.slice(2);
  const fixed = FIXED[rest.join('/')];
  if (fixed) return { task, kind: fixed };
  const id = rest[rest.length - 1];
  const kind = WITH_ID[rest.slice(0, -1).join('/')];
  return kind && isId(id) ? { task, kind, id } : undefined;
}

/** The device id in an update topic, or undefined if the topic is not one. */
export function deviceOfUpdateTopic(topic: string): string | undefined {
  const t = parseTopic(topic);
  return t?.kind === 'update' ? t.id : undefined;
}
