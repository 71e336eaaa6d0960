/**
 * Helpers for the sender's integration tests (test/send-*.test.ts): the generated CD as pipeline input (without
 * the scanner, for the pipeline-level tests), and what the worker would see: the shipment leased, its envelope
 * opened with the institution's private key, every file downloaded and decrypted, byte-compared with the CD.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../server/config.ts';
import { readPart10 } from '../server/dicom/index.ts';
import { startPortal, type RunningPortal } from '../server/portal/listen.ts';
import { startWorker, type RunningWorker } from '../server/worker/start-worker.ts';
import { freePort } from './helpers/ports.ts';
import { keyPaths } from '../server/portal/keys/key-files.ts';
import { folderFile } from '../server/send/node-files.ts';
import type { TestCd } from '../server/test-cd/make-test-cd.ts';
import { decryptFile, openEnvelope, sliceOf, type JWK, type Manifest, type ShipmentSummary } from '../shared/format/index.ts';
import type { SendInstance } from '../shared/send/index.ts';

export function instancesOf(cd: TestCd): SendInstance[] {
  return cd.instances.map((instance) => ({
    file: folderFile(instance.path, instance.relativePath, instance.size),
    dicom: {
      sopClassUid: instance.sopClassUid,
      sopInstanceUid: instance.sopInstanceUid,
      studyInstanceUid: instance.studyInstanceUid,
      seriesInstanceUid: instance.seriesInstanceUid,
      transferSyntaxUid: instance.transferSyntaxUid,
    },
  }));
}

export function summaryOf(cd: TestCd): ShipmentSummary {
  return {
    patients: cd.patients.map(({ id, name, birthDate }) => ({ id, name, birthDate })),
    studies: cd.studies.map((study) => ({ ...study, modalities: [...study.modalities] })),
    series: cd.studies.reduce((sum, study) => sum + study.series, 0),
    instances: cd.instances.length,
    skipped: [],
  };
}

async function workerCall(baseUrl: string, credential: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/**
 * Leases the shipment as a worker would, opens the envelope and decrypts every file (a file inside a bundle is
 * fetched as its slice of the upload, with a Range request: docs/format.md "Uploads and bundles"); asserts each
 * equals the CD file it came from (by path) and its manifest SHA-256. Returns the manifest.
 */
export async function assertShipmentDecryptsToCd(portal: { url: string; dataDir: string; workerCredential: string }, shipmentId: string, cd: TestCd): Promise<Manifest> {
  const lease = await workerCall(portal.url, portal.workerCredential, '/api/worker/lease', { workerId: 'test-reader' });
  assert.equal(lease.status, 200, 'the shipment can be leased');
  const leased = (await lease.json()) as { shipmentId: string; envelope: unknown; leaseToken: string };
  assert.equal(leased.shipmentId, shipmentId);
  const privateJwk = JSON.parse(readFileSync(keyPaths(portal.dataDir).institutionPrivate, 'utf8')) as JWK;
  const { secret, manifest } = await openEnvelope(leased.envelope, privateJwk);
  const byPath = new Map(cd.instances.map((instance) => [instance.relativePath, instance]));
  for (const file of manifest.files) {
    const slice = sliceOf(file);
    const range: Record<string, string> = file.upload ? { range: `bytes=${slice.offset}-${slice.offset + slice.length - 1}` } : {};
    const response = await workerCall(portal.url, portal.workerCredential, `/api/worker/shipments/${shipmentId}/files/${slice.uploadId}`, undefined, range);
    assert.equal(response.status, file.upload ? 206 : 200, `download ${file.path}`);
    const ciphertext = new Uint8Array(await response.arrayBuffer());
    const parts: Uint8Array[] = [];
    for await (const part of decryptFile({ secret, shipmentId, fileId: file.fileId }, (async function* () { yield ciphertext; })())) parts.push(part);
    const plain = new Uint8Array(Buffer.concat(parts));
    const original = byPath.get(file.path);
    assert.ok(original, `${file.path} is a file of the CD`);
    assert.ok(sameBytes(plain, new Uint8Array(readFileSync(original.path))), `${file.path} decrypts to the original bytes`);
    assert.equal(file.dicom.sopInstanceUid, original.sopInstanceUid);
  }
  await workerCall(portal.url, portal.workerCredential, `/api/worker/shipments/${shipmentId}/release`, { leaseToken: leased.leaseToken, reason: 'test read' });
  return manifest;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The data set of a Part 10 file (after the file meta group, PS3.10 §7.1), or the whole of a bare data set. */
export function datasetOf(bytes: Uint8Array): Uint8Array {
  return bytes.subarray(readPart10(bytes).datasetOffset);
}

const DEFLATED = '1.2.840.10008.1.2.1.99';

/** PS3.5 A.5: an odd-length deflated data set travels with one trailing NUL pad. */
function onTheWire(dataset: Uint8Array, transferSyntaxUid: string): Uint8Array {
  return transferSyntaxUid === DEFLATED && dataset.length % 2 === 1 ? Uint8Array.from([...dataset, 0]) : dataset;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** SHA-256 of every instance's data set on the CD (what a bit-preserving PACS must receive). */
export function cdDatasetHashes(cd: TestCd): string[] {
  return cd.instances.map((instance) => sha256(onTheWire(datasetOf(new Uint8Array(readFileSync(instance.path))), instance.transferSyntaxUid))).sort();
}

/** SHA-256 of the data set of every file a storescp +B wrote. */
export async function receivedDatasetHashes(storescp: { files(): Promise<string[]> }): Promise<string[]> {
  return (await storescp.files()).map((file) => sha256(datasetOf(new Uint8Array(readFileSync(file))))).sort();
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The last stdout line parsed as JSON (the --json summary), if it is one. */
  json: Record<string, unknown> | undefined;
}

const BIN = fileURLToPath(new URL('../server/cli/bin.js', import.meta.url));

/** Starts `beeldpoort ARGS` as a child (never a TTY); `done` resolves with its output and exit code. */
export function startCli(args: string[], env: Record<string, string>): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const done = new Promise<CliRun>((resolve) => {
    child.once('exit', (code) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      let json: Record<string, unknown> | undefined;
      try {
        json = last.startsWith('{') ? (JSON.parse(last) as Record<string, unknown>) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr, json });
    });
  });
  return { child, done };
}

export function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return startCli(args, env).done;
}

/** A portal on a FIXED port over a data dir that outlives it, so a test can cut it off and start it again. */
export interface RestartablePortal {
  readonly url: string;
  readonly dataDir: string;
  readonly workerCredential: string;
  current(): RunningPortal;
  /** Drops every connection at once (no grace): what a crash or a network cut looks like to the sender. */
  cut(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRestartablePortal(dataDir: string): Promise<RestartablePortal> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({ BEELDPOORT_DATA: dataDir, BEELDPOORT_PORT: String(port), BEELDPOORT_HOST: '127.0.0.1', BEELDPOORT_PUBLIC_URL: url, BEELDPOORT_LOG_LEVEL: 'silent' });
  let running: RunningPortal | undefined = await startPortal(config, { sweepIntervalMs: 0 });
  const workerCredential = readFileSync(keyPaths(dataDir).workerCredential, 'utf8').trim();
  const cut = async () => {
    if (!running) return;
    const stopping = running;
    running = undefined;
    await stopping.close(0);
  };
  return {
    url,
    dataDir,
    workerCredential,
    current: () => {
      if (!running) throw new Error('the portal is down');
      return running;
    },
    cut,
    async restart() {
      await cut();
      running = await startPortal(config, { sweepIntervalMs: 0 });
    },
    stop: cut,
  };
}

/** The import worker in-process, storing into `pacs` (AET@host:port), polling the portal briskly. */
export async function startTestWorker(portal: { url: string; dataDir: string }, pacs: string): Promise<RunningWorker> {
  const config = loadConfig({ BEELDPOORT_DATA: portal.dataDir, BEELDPOORT_PORTAL_URL: portal.url, BEELDPOORT_PACS: pacs, BEELDPOORT_LOG_LEVEL: 'silent' });
  return startWorker(config, { idlePollMs: 200 });
}
