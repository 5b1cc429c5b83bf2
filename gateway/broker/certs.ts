// TLS material generated at setup with the openssl CLI (nothing downloaded): a self-signed
// P-256 certificate for 127.0.0.1/localhost that the broker serves and clients pin as their CA.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** True when the openssl CLI runs here. */
export function opensslAvailable(): boolean {
  return spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
}

/** PEM key and certificate for a TLS broker on loopback and `hosts` (names or IPv4). Throws when openssl is missing. */
export function loopbackCertificate(days = 7, hosts: readonly string[] = []): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'edgechain-tls-'));
  try {
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', String(days), '-subj', '/CN=edgechain-fl broker',
      '-addext', `subjectAltName=${['IP:127.0.0.1', 'DNS:localhost', ...hosts.map((h) => (/^[\d.]+$/.test(h) ? `IP:${h}` : `DNS:${h}`))].join(',')}`], { encoding: 'utf8' });
    if (r.error || r.status !== 0) throw new Error(`openssl could not make a certificate: ${r.error?.message ?? r.stderr}`);
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally { rmSync(dir, { recursive: true, force: true }); }
}
