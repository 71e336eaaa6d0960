/**
 * What `beeldpoort send` shows while uploading: on a terminal one bar redrawn in place (bytes, files, speed,
 * time left), at most five times a second; otherwise one quiet line per tenth of the bytes, so a log file or CI
 * output stays short.
 */
import type { SendProgress } from '../../shared/send/index.ts';

export interface ProgressDisplay {
  update(progress: SendProgress): void;
  /** Ends the bar (newline on a terminal). */
  done(): void;
  /** Prints a line above the bar without garbling it. */
  note(line: string): void;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const mmss = `${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

export function progressText(p: SendProgress): string {
  const percent = p.bytesTotal > 0 ? Math.floor((p.bytesDone / p.bytesTotal) * 100) : 100;
  return `${String(percent).padStart(3)}%  ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}  files ${p.filesDone}/${p.filesTotal}  ${formatBytes(p.bytesPerSecond)}/s  ${formatDuration(p.secondsLeft)} left`;
}

export function createProgressDisplay(out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, now: () => number = Date.now): ProgressDisplay {
  if (out.isTTY) {
    let last = Number.NEGATIVE_INFINITY;
    let latest: SendProgress | undefined;
    const draw = () => {
      if (!latest) return;
      const width = Math.max(20, (out.columns ?? 100) - 1);
      const text = progressText(latest);
      const barWidth = Math.max(10, width - text.length - 3);
      const filled = latest.bytesTotal > 0 ? Math.round((latest.bytesDone / latest.bytesTotal) * barWidth) : barWidth;
      out.write(`\r[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${text}`.slice(0, width + 1));
    };
    return {
      update(progress) {
        latest = progress;
        if (now() - last >= 200 || progress.bytesDone >= progress.bytesTotal) {
          last = now();
          draw();
        }
      },
      done() {
        draw();
        out.write('\n');
      },
      note(line) {
        out.write(`\r\x1b[K${line}\n`);
        draw();
      },
    };
  }
  let shownTenth = -1;
  let latest: SendProgress | undefined;
  let shown: SendProgress | undefined;
  return {
    update(progress) {
      latest = progress;
      const tenth = progress.bytesTotal > 0 ? Math.floor((progress.bytesDone / progress.bytesTotal) * 10) : 10;
      if (tenth > shownTenth) {
        shownTenth = tenth;
        shown = progress;
        out.write(`upload ${progressText(progress)}\n`);
      }
    },
    done() {
      // The last file can complete after the bytes reached 100%: end on the final count.
      if (latest && latest !== shown) out.write(`upload ${progressText(latest)}\n`);
    },
    note(line) {
      out.write(`${line}\n`);
    },
  };
}
