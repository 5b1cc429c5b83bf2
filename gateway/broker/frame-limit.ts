// Per-connection limits below the MQTT parser (MQTT 3.1.1 §2.2: fixed header, then the
// "remaining length" varint of at most 4 bytes): a connection whose packet would exceed
// `maxPacketBytes` is closed before the packet is buffered, and PUBLISH packets are admitted at
// most `rate` per second (token bucket, `burst` deep) by pausing the socket, so TCP backpressure
// slows a flooding client down and nobody else (AWS IoT: 100 publishes/s per connection). The
// scan reads only headers, skipping payload bytes, so its cost is linear and it keeps no buffer.
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

export interface FrameLimits {
  /** Largest MQTT packet (fixed header + remaining length) accepted on a connection. */
  maxPacketBytes: number;
  /** PUBLISH packets per second per connection, and the bucket depth. */
  rate: number;
  burst: number;
}

/** Incremental MQTT frame scanner: feed chunks, learn each packet's type and size. */
export class FrameScanner {
  private state: 'type' | 'len' | 'body' = 'type';
  private type = 0;
  private len = 0;
  private mult = 1;
  private lenBytes = 0;
  private left = 0;

  /** Scans `b`; calls `onPacket(type, size)` at each packet's header end. Returns false (and
   *  stops) when a packet exceeds `max` or its length is malformed. */
  scan(b: Uint8Array, max: number, onPacket: (type: number, size: number) => void): boolean {
    for (let i = 0; i < b.length;) {
      if (this.state === 'body') {
        const n = Math.min(this.left, b.length - i);
        this.left -= n; i += n;
        if (this.left === 0) this.state = 'type';
        continue;
      }
      const x = b[i++];
      if (this.state === 'type') { this.type = x >> 4; this.len = 0; this.mult = 1; this.lenBytes = 0; this.state = 'len'; continue; }
      this.len += (x & 127) * this.mult; this.mult *= 128;
      if (++this.lenBytes > 4) return false;
      if (x & 128) continue;
      const size = 1 + this.lenBytes + this.len;
      if (size > max) return false;
      onPacket(this.type, size);
      this.left = this.len;
      this.state = this.len ? 'body' : 'type';
    }
    return true;
  }
}

const PUBLISH = 3;

/** A limited connection; `limits` may be raised once the client is authenticated (its role). */
export type LimitedStream = Duplex & { limits: FrameLimits };

/** Wraps an accepted socket: aedes reads and writes through the wrapper, which enforces
 *  `limits` (read on every chunk, so they can change). `onViolation` hears why a connection was cut. */
export function limitFrames(socket: Socket, limits: FrameLimits, onViolation?: (why: string) => void, now = () => Date.now()): LimitedStream {
  const scanner = new FrameScanner();
  let tokens = limits.burst, at = now(), resumeTimer: NodeJS.Timeout | undefined, backpressure = false;
  const d = new Duplex({
    read() { backpressure = false; if (!resumeTimer) socket.resume(); },
    write(chunk, _enc, cb) { socket.write(chunk, cb); },
    final(cb) { socket.end(cb); },
    destroy(err, cb) { clearTimeout(resumeTimer); socket.destroy(); cb(err); },
  }) as LimitedStream;
  d.limits = limits;
  const refill = () => { const t = now(); tokens = Math.min(d.limits.burst, tokens + ((t - at) / 1000) * d.limits.rate); at = t; };
  socket.on('data', (chunk: Buffer) => {
    let publishes = 0;
    const ok = scanner.scan(chunk, d.limits.maxPacketBytes, (type) => { if (type === PUBLISH) publishes++; });
    if (!ok) { onViolation?.(`packet larger than ${d.limits.maxPacketBytes} B or malformed length`); d.destroy(); return; }
    if (!d.push(chunk)) { backpressure = true; socket.pause(); }
    if (publishes) {
      refill();
      tokens -= publishes;
      if (tokens < 0 && !resumeTimer) {
        // over the rate: stop reading until the bucket is back to zero
        socket.pause();
        resumeTimer = setTimeout(() => { resumeTimer = undefined; refill(); if (!backpressure) socket.resume(); }, Math.ceil((-tokens / d.limits.rate) * 1000));
      }
    }
  });
  socket.on('end', () => d.push(null));
  socket.on('close', () => { clearTimeout(resumeTimer); d.destroy(); });
  socket.on('error', (e) => d.destroy(e));
  return d;
}
