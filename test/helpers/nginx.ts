/**
 * Debian's nginx in front of a test portal, configured by docs/nginx.conf itself: only its listen address, upstream
 * port and certificate paths are replaced (each must be found exactly once, so an edit of the documented file that
 * the test no longer follows fails loudly). Runs in the foreground under a temp prefix; stop() removes it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnPeer } from './child.ts';
import { certificate } from './certificate.ts';
import { canConnect, freePort, waitUntil } from './ports.ts';
import { makeTempDir } from './tmp.ts';

export const DOCUMENTED_CONFIG = fileURLToPath(new URL('../../docs/nginx.conf', import.meta.url));

export interface Nginx {
  /** https://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** The proxy's self-signed certificate (PEM path): the CA a client must trust. */
  readonly cert: string;
  log(): string;
  stop(): Promise<void>;
}

/** Reserves the proxy's port first: the portal's public URL must name it before the portal starts. */
export async function reserveProxyPort(): Promise<{ port: number; url: string }> {
  const port = await freePort();
  return { port, url: `https://127.0.0.1:${port}` };
}

function replaceOnce(text: string, from: string, to: string): string {
  const count = text.split(from).length - 1;
  if (count !== 1) throw new Error(`docs/nginx.conf: expected "${from}" once, found it ${count} times`);
  return text.replace(from, to);
}

/** `edit` changes the documented server block further (a test of what a wrong setting does). */
export async function startNginx(port: number, portalPort: number, edit: (server: string) => string = (server) => server): Promise<Nginx> {
  const tmp = makeTempDir('beeldpoort-nginx-');
  const { cert, key } = certificate(tmp.dir, 'proxy');
  let server = readFileSync(DOCUMENTED_CONFIG, 'utf8');
  server = replaceOnce(server, 'listen 443 ssl http2;', `listen 127.0.0.1:${port} ssl http2;`);
  server = replaceOnce(server, 'proxy_pass http://127.0.0.1:8080;', `proxy_pass http://127.0.0.1:${portalPort};`);
  server = replaceOnce(server, 'ssl_certificate /etc/ssl/beeldpoort/fullchain.pem;', `ssl_certificate ${cert};`);
  server = edit(replaceOnce(server, 'ssl_certificate_key /etc/ssl/beeldpoort/privkey.pem;', `ssl_certificate_key ${key};`));
  // Every path nginx writes lies under the temp prefix; run as root, its worker keeps root's rights to them.
  for (const dir of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(tmp.dir, dir));
  const main = [
    ...(process.getuid?.() === 0 ? ['user root;'] : []),
    'daemon off;', 'worker_processes 1;', `pid ${tmp.dir}/nginx.pid;`, `error_log ${tmp.dir}/error.log warn;`,
    'events { worker_connections 256; }',
    'http {', '  access_log off;',
    ...['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((dir) => `  ${dir === 'body' ? 'client_body' : dir}_temp_path ${tmp.dir}/${dir};`),
    server, '}',
  ].join('\n');
  const conf = path.join(tmp.dir, 'nginx.conf');
  writeFileSync(conf, main);
  const peer = spawnPeer('nginx', ['-p', tmp.dir, '-e', `${tmp.dir}/error.log`, '-c', conf], {});
  const stop = async () => {
    await peer.stop();
    tmp.remove();
  };
  try {
    await waitUntil(() => canConnect(port), {
      timeoutMs: 15_000, what: 'nginx', failed: peer.exited,
      describe: () => `${peer.log()}\n${readLog(tmp.dir)}`,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `https://127.0.0.1:${port}`, port, cert, log: () => `${peer.log()}\n${readLog(tmp.dir)}`, stop };
}

function readLog(dir: string): string {
  try {
    return readFileSync(path.join(dir, 'error.log'), 'utf8');
  } catch {
    return '';
  }
}
