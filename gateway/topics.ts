// MQTT topic layout (docs/protocol.md §Topics). One function per topic; `+` filters for subscriptions.
const seg = (s: string): string => {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(s)) throw new RangeError(`invalid topic segment ${JSON.stringify(s)}`);
  return s;
};

/** Retained global model for a task (gateway → devices). */
export const globalTopic = (task: string): string => `fl/${seg(task)}/global`;
/** A device's signed update (device → gateway). */
export const updateTopic = (task: string, device: string): string => `fl/${seg(task)}/update/${seg(device)}`;
/** Subscription filter for all updates of a task. */
export const updateFilter = (task: string): string => `fl/${seg(task)}/update/+`;
/** Per-device verdict on its update (gateway → device). */
export const ackTopic = (task: string, device: string): string => `fl/${seg(task)}/ack/${seg(device)}`;
/** Round summaries (gateway → observers). */
export const roundTopic = (task: string): string => `fl/${seg(task)}/round`;

/** The device id in an update topic, or undefined if the topic is not one. */
export function deviceOfUpdateTopic(topic: string): string | undefined {
  const m = /^fl\/[A-Za-z0-9._-]{1,64}\/update\/([A-Za-z0-9._-]{1,64})$/.exec(topic);
  return m?.[1];
}
