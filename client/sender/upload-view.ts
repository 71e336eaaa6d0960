/**
 * One progress view for the whole upload (issue 7 item 6): bytes, files, speed and time left, from the
 * pipeline's ProgressTracker snapshots. Updates are coalesced to at most one every DRAW_INTERVAL_MS: thousands of
 * tus progress events never flood the page, and the page does not lay out, paint and format numbers (Intl) 60
 * times a second while the same CPU is needed for encrypting and uploading (bench:browser: ~2 s of main thread
 * for the 700 MB CD at one draw per animation frame).
 */
import type { SendProgress } from '../../shared/send/index.ts';
import { byId } from '../shared-ui/dom.ts';
import { formatBytes, formatDuration, formatNumber, formatRate } from '../shared-ui/format.ts';
import type { SenderI18n } from './messages.ts';

export interface UploadView {
  preparing(done: number, total: number): void;
  progress(snapshot: SendProgress): void;
  status(text: string, trouble?: boolean): void;
  notice(text: string | null): void;
}

/** Four updates a second: the bar still moves smoothly to the eye, the numbers stay readable. */
const DRAW_INTERVAL_MS = 250;

export function createUploadView(i18n: SenderI18n): UploadView {
  const bar = byId<HTMLProgressElement>('upload-progress');
  const bytes = byId('upload-bytes');
  const files = byId('upload-files');
  const speed = byId('upload-speed');
  const eta = byId('upload-eta');
  const statusLine = byId('upload-status');
  const noticeBox = byId('upload-notice');
  let latest: SendProgress | undefined;
  let scheduled = false;
  let drawnAt = -Infinity;

  const draw = () => {
    scheduled = false;
    drawnAt = performance.now();
    if (!latest) return;
    const locale = i18n.locale();
    const p = latest;
    bar.max = Math.max(1, p.bytesTotal);
    bar.value = p.bytesDone;
    bytes.textContent = i18n.t('uploadProgress', { sent: formatBytes(p.bytesDone, locale), total: formatBytes(p.bytesTotal, locale) });
    files.textContent = i18n.t('uploadFiles', { done: formatNumber(p.filesDone, locale), total: formatNumber(p.filesTotal, locale) });
    speed.textContent = p.bytesPerSecond > 0 ? formatRate(p.bytesPerSecond, locale) : '–';
    eta.textContent = p.secondsLeft === undefined ? '–' : formatDuration(p.secondsLeft);
  };

  return {
    preparing(done, total) {
      bar.removeAttribute('value'); // indeterminate while hashing
      statusLine.textContent = i18n.t('preparing', { done: formatNumber(done, i18n.locale()), total: formatNumber(total, i18n.locale()) });
    },
    progress(snapshot) {
      latest = snapshot;
      if (!scheduled) {
        scheduled = true;
        setTimeout(draw, Math.max(0, drawnAt + DRAW_INTERVAL_MS - performance.now()));
      }
    },
    status(text, trouble = false) {
      statusLine.textContent = text;
      statusLine.classList.toggle('trouble', trouble);
    },
    notice(text) {
      noticeBox.hidden = text === null;
      noticeBox.textContent = text ?? '';
    },
  };
}
