/**
 * Progress of one send: bytes and files, the rate over a sliding window and the time left. Pure, with the clock
 * injected, so the CLI's bar and the browser's view show the same numbers.
 */

export interface SendProgress {
  /** Ciphertext bytes the portal holds or has been sent, over every file of the shipment. */
  readonly bytesDone: number;
  readonly bytesTotal: number;
  /** Files the portal holds complete (including those already complete before a resume). */
  readonly filesDone: number;
  readonly filesTotal: number;
  /** Bytes per second over the last RATE_WINDOW_MS; 0 until measurable. */
  readonly bytesPerSecond: number;
  /** Seconds left at the current rate; undefined until measurable. */
  readonly secondsLeft: number | undefined;
}

const RATE_WINDOW_MS = 5000;

export class ProgressTracker {
  private readonly perFile = new Map<string, number>();
  private readonly doneFiles = new Set<string>();
  private readonly samples: Array<{ at: number; bytes: number }> = [];
  private readonly sizes: ReadonlyMap<string, number>;
  private readonly bytesTotal: number;
  /** The sum of perFile, kept as it changes: progress is reported several times per file, on CDs of thousands. */
  private bytesDone = 0;

  /** `files`: every file of the shipment with its ciphertext size and the bytes the portal already holds. */
  constructor(
    files: ReadonlyArray<{ fileId: string; size: number; received: number; complete: boolean }>,
    private readonly now: () => number = Date.now,
  ) {
    this.sizes = new Map(files.map((file) => [file.fileId, file.size]));
    this.bytesTotal = 0;
    for (const size of this.sizes.values()) this.bytesTotal += size;
    for (const file of files) {
      this.setBytes(file.fileId, file.complete ? file.size : file.received);
      if (file.complete) this.doneFiles.add(file.fileId);
    }
  }

  /** Bytes of this file sent or held so far (tus reports absolute offsets; a retry may report less again). */
  fileBytes(fileId: string, bytes: number): void {
    this.setBytes(fileId, Math.min(bytes, this.sizes.get(fileId) ?? bytes));
    this.sample();
  }

  fileDone(fileId: string): void {
    this.setBytes(fileId, this.sizes.get(fileId) ?? 0);
    this.doneFiles.add(fileId);
    this.sample();
  }

  snapshot(): SendProgress {
    const { bytesDone, bytesTotal } = this;
    const rate = this.rate();
    return {
      bytesDone,
      bytesTotal,
      filesDone: this.doneFiles.size,
      filesTotal: this.sizes.size,
      bytesPerSecond: rate,
      secondsLeft: rate > 0 ? Math.max(0, (bytesTotal - bytesDone) / rate) : undefined,
    };
  }

  private setBytes(fileId: string, bytes: number): void {
    this.bytesDone += bytes - (this.perFile.get(fileId) ?? 0);
    this.perFile.set(fileId, bytes);
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
