/**
 * Drives a real portal through its public HTTP APIs for the dashboard tests: a sender creating a shipment and
 * uploading through tus (creation-with-upload, tus 1.0), and the worker's pull API (lease, statements,
 * report, finish) — the same requests the real sender and worker make, so the dashboard sees real states.
 */
import { makeEnvelope, type TestPortal } from './helpers/portal.ts';
import type { Page } from 'playwright-core';

export const PASSWORD = 'correct horse battery staple';

function tokenOf(linkUrl: string): string {
  return linkUrl.slice(linkUrl.indexOf('#') + 1);
}

async function json(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${response.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/**
 * Creates a shipment through the link (or finds it again: the portal answers 200 for the same id and files)
 * and uploads the files from index `from` up to (not including) `to`.
 */
export async function sendShipment(portal: TestPortal, linkUrl: string, shipmentId: string, files: { fileId: string; size: number }[],
  range: { from?: number; to?: number } = {}): Promise<void> {
  const auth = { authorization: `Bearer ${tokenOf(linkUrl)}` };
  const link = await json(await fetch(`${portal.url}/api/sender/link`, { headers: auth }));
  const envelope = await makeEnvelope(link.publicKey as object);
  await json(await fetch(`${portal.url}/api/sender/shipments`, {
    method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ shipmentId, envelope, files }),
  }));
  for (const file of files.slice(range.from ?? 0, range.to ?? files.length)) {
    const metadata = `shipmentId ${Buffer.from(shipmentId).toString('base64')},fileId ${Buffer.from(file.fileId).toString('base64')}`;
    const response = await fetch(`${portal.url}/uploads`, {
      method: 'POST',
      headers: { ...auth, 'tus-resumable': '1.0.0', 'upload-length': String(file.size), 'upload-metadata': metadata, 'content-type': 'application/offset+octet-stream' },
      body: new Uint8Array(file.size).fill(7),
    });
    if (response.status !== 201) throw new Error(`tus POST answered ${response.status}: ${await response.text()}`);
  }
}

/** The import worker's side, over the worker API with the worker credential. */
export function workerApi(portal: TestPortal) {
  const call = async (path: string, body: unknown) => {
    const response = await fetch(`${portal.url}/api/worker${path}`, {
      method: 'POST', headers: { authorization: `Bearer ${portal.workerCredential}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    if (response.status === 204) return undefined;
    return json(response);
  };
  const lease = async () => (await call('/lease', { workerId: 'dashboard-test' })) as { shipmentId: string; leaseToken: string } | undefined;
  return {
    lease,
    /** Leases until `shipmentId` comes up; other shipments' leases are kept so they are not offered again. */
    async leaseOf(shipmentId: string) {
      for (let attempt = 0; attempt < 20; attempt++) {
        const next = await lease();
        if (!next || next.shipmentId === shipmentId) return next;
      }
      return undefined;
    },
    statements: (id: string, leaseToken: string, statements: object, summary: object) => call(`/shipments/${id}/statements`, { leaseToken, statements, summary }),
    report: (id: string, leaseToken: string, files: object[], studies?: object[]) => call(`/shipments/${id}/report`, { leaseToken, files, studies }),
    finish: (id: string, leaseToken: string, state: string, reason?: string) => call(`/shipments/${id}/finish`, { leaseToken, state, reason }),
    release: (id: string, leaseToken: string) => call(`/shipments/${id}/release`, { leaseToken, reason: 'test' }),
  };
}

/** Opens the dashboard in English and logs in. */
export async function logIn(page: Page, portal: TestPortal, email: string): Promise<void> {
  await page.addInitScript(() => localStorage.setItem('beeldpoort.language', 'en'));
  await page.goto(`${portal.url}/app/`);
  await page.fill('#login-email', email);
  await page.fill('#login-password', PASSWORD);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('header.top');
}

/**
 * The dashboard must be bundled (scripts/run-tests.mjs runs scripts/build-client.mjs once before any test, so no
 * test rebuilds client/dist while another test's page is loading it). Fails clearly when it is missing.
 */
export async function ensureDashboardBuilt(): Promise<void> {
  const { existsSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const dist = fileURLToPath(new URL('../client/dist/', import.meta.url));
  for (const bundle of ['dashboard.js', 'dashboard.css']) {
    if (!existsSync(`${dist}${bundle}`)) throw new Error(`client/dist/${bundle} is missing: run node scripts/build-client.mjs`);
  }
}
