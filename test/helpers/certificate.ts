/**
 * A throw-away self-signed P-256 certificate (openssl), for DICOM over TLS tests against storescp +tls and the
 * proxy tests. By default it names IP 127.0.0.1; `san` names something else (e.g. DNS:pacs.example.test), and
 * `passphrase` encrypts the private key (PKCS#8, AES-256) with it.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export function certificate(dir: string, name: string, options: { san?: string; passphrase?: string } = {}): { key: string; cert: string } {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.pem`);
  const protection = options.passphrase === undefined ? ['-nodes'] : ['-passout', `pass:${options.passphrase}`];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', ...protection, '-keyout', key, '-out', cert,
    '-days', '1', '-subj', `/CN=${name}`, '-addext', `subjectAltName=${options.san ?? 'IP:127.0.0.1'}`], { stdio: 'ignore' });
  return { key, cert };
}
