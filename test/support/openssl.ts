// The TLS tests need the openssl CLI (certificates are made at setup): a loud skip without it,
// a failure under CI=true (.ci/run installs it).
import { opensslAvailable } from '../../gateway/broker/certs.js';

/** true when openssl is installed; otherwise throws under CI=true, or warns and skips `t`. */
export function opensslOrSkip(t: { skip(msg: string): void }, what: string): boolean {
  if (opensslAvailable()) return true;
  if (process.env.CI === 'true') throw new Error('openssl is required under CI=true (apt-get install -y openssl)');
  console.warn(`\n*** openssl not installed: SKIPPING ${what} (apt-get install -y openssl) ***\n`);
  t.skip('openssl not installed');
  return false;
}
