/**
 * Progress of one send: bytes over the uploads, files (DICOM instances) over the manifest, the rate over a sliding
 * window and the time left. Pure, with the clock injected, so the CLI's bar and the browser's view show the same
 * numbers. An upload may be a bundle of several files (bundles.ts): a file counts as done once the bytes of its
 * upload reach its end, or its upload is complete.
 */

export interface SendProgress {
  /** Ciphertext bytes the portal holds or has been sent, over every upload of the shipment. */
  readonly bytesDone: number;
  readonly bytesTotal: number;
  /** Manifest files whose ciphertext the portal holds or has been sent (including those complete before a resume). */
  readonly filesDone: number;
  readonly filesTotal: number;
  /** Bytes per second over the last RATE_WINDOW_MS; 0 until measurable. */
  readonly bytesPerSecond: number;
  /** Seconds left at the current rate; undefined until measurable. */
  readonly secondsLeft: number | undefined;
}

/** One upload as the tracker sees it. */
export interface TrackedUpload {
  readonly fileId: string;
  /** Ciphertext size of the upload. */
  readonly size: number;
  /** Bytes the portal already holds. */
  readonly received: number;
  readonly complete: boolean;
  /** End offsets of the files it carries, ascending (the last is `size`); absent: one file. */
  readonly partEnds?: readonly number[];
}

const RATE_WINDOW_MS = 5000;

export class ProgressTracker {
  private readonly uploads = new Map<string, { size: number; ends: readonly number[]; bytes: number; files: number; done: boolean }>();
  private readonly samples: Array<{ at: number; bytes: number }> = [];
  private readonly bytesTotal: number = 0;
  private readonly filesTotal: number = 0;
  /** Running sums over `uploads`, kept as they change: progress is reported several times per upload. */
  private bytesDone = 0;
  private filesDone = 0;

  constructor(
    uploads: readonly TrackedUpload[],
    private readonly now: () => number = Date.now,
  ) {
    for (const upload of uploads) {
      const ends = upload.partEnds ?? [upload.size];
      this.uploads.set(upload.fileId, { size: upload.size, ends, bytes: 0, files: 0, done: false });
      this.bytesTotal += upload.size;
      this.filesTotal += ends.length;
    }
    for (const upload of uploads) {
      if (upload.complete) this.uploadDone(upload.fileId, false);
      else this.setBytes(upload.fileId, upload.received);
    }
  }

  /** Bytes of this upload sent or held so far (tus reports absolute offsets; a retry may report less again). */
  uploadBytes(uploadId: string, bytes: number): void {
    const upload = this.uploads.get(uploadId);
    if (!upload || upload.done) return;
    this.setBytes(uploadId, Math.min(bytes, upload.size));
    this.sample();
  }

  uploadDone(uploadId: string, sample = true): void {
    const upload = this.uploads.get(uploadId);
    if (!upload) return;
    this.setBytes(uploadId, upload.size);
    upload.done = true;
    if (sample) this.sample();
  }

  snapshot(): SendProgress {
    const { bytesDone, bytesTotal, filesDone, filesTotal } = this;
    const rate = this.rate();
    return {
      bytesDone,
      bytesTotal,
      filesDone,
      filesTotal,
      bytesPerSecond: rate,
      secondsLeft: rate > 0 ? Math.max(0, (bytesTotal - bytesDone) / rate) : undefined,
    };
  }

  private setBytes(uploadId: string, bytes: number): void {
    const upload = this.uploads.get(uploadId)!;
    this.bytesDone += bytes - upload.bytes;
    upload.bytes = bytes;
    const files = endsReached(upload.ends, bytes);
    this.filesDone += files - upload.files;
    upload.files = files;
  }

  private sample(): void {
    const at = this.now();
    this.samples.push({ at, bytes: this.bytesDone });
    while (this.samples.length > 2 && this.samples[0]!.at < at - RATE_WINDOW_MS) this.samples.shift();
  }

  private rate(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.at - first.at < 200) return 0;
    return Math.max(0, ((last.bytes - first.bytes) * 1000) / (last.at - first.at));
  }
}

/** How many of the ascending `ends` are <= bytes (binary search: a bundle carries hundreds of files). */
function endsReached(ends: readonly number[], bytes: number): number {
  let low = 0;
  let high = ends.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (ends[middle]! <= bytes) low = middle + 1;
    else high = middle;
  }
  return low;
}
