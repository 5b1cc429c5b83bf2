// Simulator control messages on top of the wire protocol (docs/protocol.md, docs/simulator.md).
// Updates and global models use the real topics and formats; these extra topics carry the
// round plan (who trains, who sits on the committee), the committee's signed scores, and the
// fleet's end-of-round marker that replaces a wall-clock deadline so runs are deterministic.
const seg = (s: string): string => {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(s)) throw new RangeError(`invalid topic segment ${JSON.stringify(s)}`);
  return s;
};

/** Round plan, coordinator → fleet (QoS 1). */
export const planTopic = (task: string): string => `fl/${seg(task)}/plan`;
/** Candidates the committee must score, coordinator → committee (QoS 1). */
export const validateTopic = (task: string): string => `fl/${seg(task)}/validate`;
/** A committee member's signed scores, member → coordinator (QoS 1). */
export const scoreTopic = (task: string, member: string): string => `fl/${seg(task)}/score/${seg(member)}`;
export const scoreFilter = (task: string): string => `fl/${seg(task)}/score/+`;
/** End-of-round marker of one fleet worker (sent after its updates, same connection, QoS 1). */
export const doneTopic = (task: string, worker: number): string => `fl/${seg(task)}/sim/done/${worker}`;
export const doneFilter = (task: string): string => `fl/${seg(task)}/sim/done/+`;

export interface PlanMsg { round: number; trainers: number[]; committee: number[]; epochs: number; done: boolean }
export interface ValidateMsg { round: number; candidates: number[] }
export interface DoneMsg { round: number; worker: number; sent: number; unavailable: number; lost: number }

/** Device id of board index i (the same id the ledger registers). */
export const deviceId = (i: number): string => `dev-${String(i).padStart(5, '0')}`;
/** Board index of a device id, or -1. */
export function deviceIndex(id: string): number {
  const m = /^dev-(\d{5,})$/.exec(id);
  return m ? Number(m[1]) : -1;
}

/** Largest control message accepted (plans list up to 100,000 indices). */
export const MAX_CONTROL_BYTES = 2 << 20;

/** Parses a JSON control message with a size limit; throws RangeError on bad input. */
export function parseControl<T>(payload: Uint8Array, fields: string[]): T {
  if (payload.byteLength > MAX_CONTROL_BYTES) throw new RangeError(`control message of ${payload.byteLength} B exceeds ${MAX_CONTROL_BYTES}`);
  const v = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
  if (typeof v !== 'object' || v === null) throw new RangeError('control message is not an object');
  for (const f of fields) if (!(f in v)) throw new RangeError(`control message lacks ${f}`);
  return v as T;
}
