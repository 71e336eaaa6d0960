/**
 * Stages a RUN: consecutive files of one upload whose bodies follow each other without a gap (a lone file is a run of
 * one), fetched with ONE GET (the whole upload, or a Range from the first file's offset to the last one's end) and
 * cut at the manifest's offsets into each file's own decryption (docs/format.md, "Uploads and bundles"). A bundle of
 * ~30 files thus costs the portal one request instead of ~30. Files go one after another, each decrypted, hashed,
 * validated and handed to `onStaged` before the next is read, so a run holds one file's plaintext at a time (the
 * memory rule is per file, as before); the response waits meanwhile (TCP back-pressure).
 *
 * A file whose own octets fail (E_DECRYPT, hash, size) is rejected alone and the run goes on at the next file with a
 * new request at its offset. The portal away (a restart, the network) is waited out with backoff for the outage
 * window, and the run resumes at the first file not yet staged, again from that file's first octet.
 */
import { FormatError, sliceOf, type ManifestFile } from '../../shared/format/index.ts';
import { discardPlaintext, type Plaintext } from './plaintext.ts';
import { backoffMs, isPortalOutage, pause } from './portal-retry.ts';
import { SliceReader } from './slice-reader.ts';
import type { StageAllRequest } from './stage-all.ts';
import { stageFile } from './stage-file.ts';
import { identityDifferences, type ValidatedInstance } from './validate/validate-part10.ts';
import { WorkerError } from './worker-error.ts';

/** Rejections that belong to the file (the sender's bytes), not to the moment. */
const FILE_FAULTS = new Set(['E_DECRYPT', 'E_HASH_MISMATCH', 'E_SIZE_MISMATCH', 'E_FILE_NOT_DECLARED']);

function reject(request: StageAllRequest, file: ManifestFile, code: string, reason: string): void {
  request.deps.log.warn({ shipmentId: request.lease.shipmentId, fileId: file.fileId, code }, 'file rejected');
  request.deps.ledger.record(request.lease.shipmentId, file.fileId, 'rejected', { code, reason, sopInstanceUid: file.dicom.sopInstanceUid });
  request.onRejected?.();
}

/** `run`: files of one upload, in offset order, each starting where the previous ends; `uploadSize` that upload's. */
export async function stageRun(request: StageAllRequest, run: readonly ManifestFile[], uploadSize: number): Promise<void> {
  const { deps, lease, signal } = request;
  const id = lease.shipmentId;
  const last = sliceOf(run.at(-1)!);
  const end = last.offset + last.length;
  let next = 0;
  let reader: SliceReader | undefined;
  let firstFailure: number | undefined;
  let failures = 0;
  try {
    while (next < run.length) {
      const file = run[next]!;
      const slice = sliceOf(file);
      let plaintext: Plaintext;
      try {
        if (!reader) {
          const whole = slice.offset === 0 && end === uploadSize;
          reader = new SliceReader(await deps.client.download(id, slice.uploadId, signal, whole ? undefined : { offset: slice.offset, length: end - slice.offset }));
        }
        const staging = { shipmentId: id, secret: request.secret, file, dir: request.dir, inMemory: request.inMemory(file) };
        plaintext = await stageFile(staging, reader.slice(slice.length));
      } catch (error) {
        await reader?.close();
        reader = undefined;
        const code = (error as { code?: string }).code ?? '';
        if ((error instanceof FormatError || error instanceof WorkerError) && FILE_FAULTS.has(code)) {
          reject(request, file, code, (error as Error).message);
          next += 1;
          continue;
        }
        // The portal away: this file is fetched again from its first octet with backoff while the outage window
        // lasts; the lease waits in the portal's database. Anything else stops the run.
        firstFailure ??= Date.now();
        if (!isPortalOutage(error) || signal.aborted || Date.now() - firstFailure >= deps.policy.portalRetry.windowMs) throw error;
        deps.log.warn({ shipmentId: id, fileId: file.fileId, attempt: failures + 1, err: error }, 'portal unreachable; retrying the download');
        await pause(backoffMs(failures++, deps.policy.portalRetry), signal);
        continue;
      }
      next += 1;
      // The outage window and its backoff are per file, as the comment above says: a later outage in a long run
      // gets a window of its own.
      firstFailure = undefined;
      failures = 0;
      await validateAndHandOver(request, file, plaintext);
    }
  } finally {
    await reader?.close();
  }
}

async function validateAndHandOver(request: StageAllRequest, file: ManifestFile, staged: Plaintext): Promise<void> {
  const { deps } = request;
  let plaintext = staged;
  // No ledger commit for "downloaded" or "decrypted" (nor here for "validated": the caller records it for a file that
  // waits): a state short of terminal is redone from the ciphertext after a restart whatever it says, so those
  // commits bought nothing and cost one SQLite transaction each per file.
  let instance: ValidatedInstance;
  try {
    if (plaintext.kind === 'memory') {
      const validated = await deps.validator.validateBytes(plaintext.bytes);
      plaintext = { kind: 'memory', bytes: validated.bytes };
      instance = validated.instance;
    } else {
      instance = await deps.validator.validate(plaintext.path);
    }
    const differences = identityDifferences(instance, file.dicom);
    if (differences.length > 0) throw new WorkerError('E_IDENTITY_MISMATCH', differences.join('; '));
  } catch (error) {
    await discardPlaintext(plaintext);
    if (!(error instanceof WorkerError)) throw error;
    return reject(request, file, error.code, error.message);
  }
  await request.onStaged({ file, plaintext, instance });
}
