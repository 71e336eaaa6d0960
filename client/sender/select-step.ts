/**
 * Step 1 (issue 7 item 2): the drop zone and the two pickers. A drop of a folder or a whole CD drive is walked
 * completely (pick-files.ts); the folder picker uses <input webkitdirectory>, the other plain multi-select.
 * Drops anywhere else on the page are swallowed so a missed drop never navigates away from a half-done upload.
 */
import { byId } from '../shared-ui/dom.ts';
import type { SenderI18n } from './messages.ts';
import { filesFromDrop, filesFromInput, type PickResult } from './pick-files.ts';

export function setUpSelect(i18n: SenderI18n, onPicked: (result: PickResult) => void): { setEnabled(enabled: boolean): void } {
  const zone = byId('dropzone');
  const folder = byId<HTMLInputElement>('pick-folder');
  const files = byId<HTMLInputElement>('pick-files');
  const status = byId('select-status');
  let enabled = true;

  for (const input of [folder, files]) {
    input.addEventListener('change', () => {
      if (!enabled || !input.files || input.files.length === 0) return;
      const result = filesFromInput(input.files);
      input.value = ''; // picking the same CD again must fire change again (resume after reload)
      deliver(result);
    });
  }

  window.addEventListener('dragover', (event) => event.preventDefault());
  window.addEventListener('drop', (event) => event.preventDefault());
  zone.addEventListener('dragenter', (event) => {
    event.preventDefault();
    if (enabled) zone.classList.add('active');
  });
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = enabled ? 'copy' : 'none';
  });
  zone.addEventListener('dragleave', (event) => {
    if (!zone.contains(event.relatedTarget as Node | null)) zone.classList.remove('active');
  });
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('active');
    if (!enabled || !event.dataTransfer) return;
    // filesFromDrop takes the entries synchronously: the item list is emptied when this handler returns.
    const walking = filesFromDrop(event.dataTransfer, (count) => {
      status.textContent = i18n.t('readingFolder', { count });
    });
    void walking.then(deliver, (error: unknown) => {
      status.textContent = i18n.t('scanFailed', { reason: error instanceof Error ? error.message : String(error) });
    });
  });

  function deliver(result: PickResult): void {
    if (result.files.length === 0) {
      status.textContent = i18n.t('noFiles');
      return;
    }
    status.textContent = '';
    onPicked(result);
  }

  return {
    setEnabled(value) {
      enabled = value;
      folder.disabled = !value;
      files.disabled = !value;
    },
  };
}
