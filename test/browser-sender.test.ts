/**
 * The browser sender page end to end (issue 7 tests): headless Chromium against the real portal, the import
 * worker and storescp +B. A generated CD is picked through the folder input; the inventory must show what is on
 * it; after Send every instance must arrive in the PACS byte-identical. Also: the two-patient warning, the
 * consent gate of a consultation link, and plain-language messages for expired and revoked links.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestCd, type TestCd } from '../server/test-cd/make-test-cd.ts';
import { assertByteIdentical } from './helpers/import-worker.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { specsOf } from './helpers/upload-shipment.ts';
import { openLink, selectCd, startStack, waitForReceiptState, type Stack } from './browser-sender.support.ts';

let stack: Stack;
let cd: TestCd;
let twoPatients: TestCd;
const temp = makeTempDir('beeldpoort-browser-sender-');

before(async () => {
  stack = await startStack();
  cd = await makeTestCd(`${temp.dir}/cd`, { studies: 2, series: 2, images: 3, rows: 64, seed: 'browser' });
  twoPatients = await makeTestCd(`${temp.dir}/two`, { patients: 2, studies: 2, series: 1, images: 2, rows: 32, seed: 'two' });
});

after(async () => {
  await stack?.stop();
  temp.remove();
});

test('a clerk picks the CD folder, checks the inventory, sends, and every instance reaches the PACS byte-identical', async () => {
  const note = '<img src=x onerror="document.title=1"> graag vandaag';
  const link = await stack.portal.createLink({ purpose: 'transfer', sender: 'Ziekenhuis Oost', note });
  const page = await openLink(stack.chromium, link.url);
  assert.equal(await page.textContent('[data-testid="verification-code"]'), link.code);
  // Portal data is rendered as text, never as markup.
  assert.ok(((await page.textContent('#receiver')) ?? '').includes(note));
  assert.equal(await page.locator('#receiver img').count(), 0);
  const info = (await (await fetch(`${stack.portal.url}/api/sender/link`, { headers: { authorization: `Bearer ${link.token}` } })).json()) as { keyFingerprint: string };
  assert.ok(info.keyFingerprint.length >= 16);
  assert.equal(await page.textContent('[data-testid="fingerprint"]'), info.keyFingerprint);

  await selectCd(page, cd.root);
  // The inventory: one row per study, the patient, and every non-DICOM file listed as skipped.
  assert.equal(await page.locator('[data-testid="studies"] tbody tr').count(), cd.studies.length);
  const patients = (await page.textContent('[data-testid="patients"]')) ?? '';
  assert.ok(patients.includes(cd.patients[0]!.id), `patient id shown: ${patients}`);
  assert.equal(await page.locator('[data-testid="multi-patient-warning"]').count(), 0);
  const summary = (await page.textContent('[data-testid="selected-summary"]')) ?? '';
  assert.ok(summary.includes(String(cd.instances.length)), `summary "${summary}" counts ${cd.instances.length} images`);
  if (cd.junk.length > 0) assert.ok(await page.locator('[data-testid="skipped"]').isVisible());

  await page.click('#send');
  await waitForReceiptState(page, ['imported']);
  assert.equal(await page.textContent('[data-testid="receipt-instances"]'), String(cd.instances.length));
  assertByteIdentical(await stack.pacs!.files(), specsOf(cd));
  // Nothing left to resume: the state is removed once the portal confirmed every file.
  const leftovers = await page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('beeldpoort.resume.')));
  assert.deepEqual(leftovers, []);
  assert.deepEqual(stack.chromium.errors.filter((e) => !e.includes('favicon')), []);
});

test('a CD with two patients shows a loud warning; a study can be left out', async () => {
  const link = await stack.portal.createLink({ purpose: 'transfer' });
  const page = await openLink(stack.chromium, link.url);
  await selectCd(page, twoPatients.root);
  const warning = page.locator('[data-testid="multi-patient-warning"]');
  assert.ok(await warning.isVisible());
  assert.match((await warning.textContent()) ?? '', /2/);
  const before = (await page.textContent('[data-testid="selected-summary"]')) ?? '';
  await page.locator('[data-testid="studies"] tbody tr').first().locator('input[data-study]').uncheck();
  const afterText = (await page.textContent('[data-testid="selected-summary"]')) ?? '';
  assert.notEqual(afterText, before);
  assert.match(afterText, /\b1\b/); // one study left
});

test('a consultation link refuses to send without the consent statement, then sends with it and is held', async () => {
  const link = await stack.portal.createLink({ purpose: 'consult' });
  const page = await openLink(stack.chromium, link.url);
  await selectCd(page, twoPatients.root);
  assert.ok(await page.locator('#consent').isVisible());
  await page.click('#send');
  assert.ok(await page.locator('#purpose-error').isVisible());
  assert.equal(await page.locator('#consent-by').getAttribute('aria-invalid'), 'true');
  assert.ok(await page.locator('#upload').isHidden());
  assert.equal(stack.portal.portal.ctx.stores.shipments.list({ linkId: link.id }).length, 0, 'no shipment was created');

  // Filled through their labels: every field is labelled for assistive technology.
  await page.getByLabel(/Consent recorded by|Toestemming vastgelegd door/).fill('Dr. A. de Vries, huisarts');
  await page.getByLabel(/Date of consent|Datum van de toestemming/).fill('2026-11-28');
  await page.getByLabel(/Reference|Referentie/).fill('Dossier 12345, notitie 3');
  await page.getByLabel(/Comment for the radiologist|Opmerking voor de radioloog/).fill('<img src=x onerror=alert(1)> graag spoed');
  await page.click('#send');
  // A consultation waits for the receiver to verify the consent before anything is imported.
  await waitForReceiptState(page, ['held']);
});

test('a CD of 3,000 files is read completely and scanned off the main thread, with progress along the way', async () => {
  const many = await makeTestCd(`${temp.dir}/many`, { studies: 3, series: 10, images: 100, rows: 8, seed: 'many' });
  const link = await stack.portal.createLink({ purpose: 'transfer' });
  const page = await openLink(stack.chromium, link.url);
  // Count how often the scan progress is redrawn: a page frozen by the scan would draw it once, at the end.
  await page.evaluate(() => {
    const w = window as unknown as { scanDraws: number };
    w.scanDraws = 0;
    new MutationObserver(() => (w.scanDraws += 1)).observe(document.getElementById('scan-status')!, { childList: true, characterData: true, subtree: true });
  });
  await selectCd(page, many.root);
  const summary = (await page.textContent('[data-testid="selected-summary"]')) ?? '';
  const count = Number(/(\d[\d.,]*)\s+(images|beelden)/.exec(summary)?.[1]?.replace(/[.,]/g, ''));
  assert.equal(count, many.instances.length, summary);
  assert.ok(many.instances.length >= 3000);
  assert.ok((await page.evaluate(() => (window as unknown as { scanDraws: number }).scanDraws)) > 2, 'the page redrew the scan progress while scanning');
});

test('a link whose shipments are used up says so in plain words', async () => {
  const link = await stack.portal.createLink({ purpose: 'transfer', maxShipments: 1 });
  const page = await openLink(stack.chromium, link.url);
  await selectCd(page, twoPatients.root);
  await page.click('#send');
  await waitForReceiptState(page, ['received', 'importing', 'imported']);
  const again = await openLink(stack.chromium, link.url);
  assert.ok(await again.locator('#link-error').isVisible());
  assert.match((await again.textContent('#link-error-text')) ?? '', /already been used|al zo vaak gebruikt/);
  assert.ok(await again.locator('#receiver').isVisible(), 'who the link was for is still shown');
  assert.ok(await again.locator('#select').isHidden());
});

test('an expired link and a revoked link show a plain-language message, not an error dump', async () => {
  const expired = await stack.portal.createLink({ purpose: 'transfer', expires: 1 });
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const page = await openLink(stack.chromium, expired.url);
  assert.ok(await page.locator('#link-error').isVisible());
  assert.match((await page.textContent('#link-error-text')) ?? '', /expired|verlopen/);
  assert.ok(await page.locator('#select').isHidden());

  const revoked = await stack.portal.createLink({ purpose: 'transfer' });
  stack.portal.revokeLink(revoked.id);
  const second = await openLink(stack.chromium, revoked.url);
  assert.match((await second.textContent('#link-error-text')) ?? '', /withdrawn|ingetrokken/);
  // Switching language re-renders the message.
  await second.click('button[data-lang="nl"]');
  assert.match((await second.textContent('#link-error-text')) ?? '', /ingetrokken/);
});
