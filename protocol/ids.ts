// Identities on the wire and on the chain: one grammar for device and gateway ids, shared by
// boards, gateways, the ledger and the simulator (docs/protocol.md §Identities).

/** Characters allowed in an id and in every topic segment: MQTT-safe, no wildcards or '/'. */
export const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** True when `s` is a legal id / topic segment. */
export const isId = (s: string): boolean => ID_PATTERN.test(s);

/** Device id of board index i in a provisioned fleet: `dev-00000` … (five digits, more past 99,999). */
export const deviceId = (i: number): string => `dev-${String(i).padStart(5, '0')}`;

/** Board index of a fleet device id, or -1 for any other id. */
export function deviceIndex(id: string): number {
  const m = /^dev-(\d{5,})$/.exec(id);
  return m ? Number(m[1]) : -1;
}

/** Gateway (super node) g's id: `gw-0`, `gw-1`, … */
export const gatewayId = (g: number): string => `gw-${g}`;
