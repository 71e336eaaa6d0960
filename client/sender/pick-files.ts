/**
 * Turning what the clerk dropped or picked into a flat list of (path, File). Directory walking must be complete:
 * Chromium's FileSystemDirectoryReader.readEntries() returns at most 100 entries per call, so we call it until
 * it returns an empty batch (the File and Directory Entries API spec says the same: "call readEntries() until
 * it returns an empty array"), or a CD with thousands of files is silently truncated. Extensionless names and
 * deep nesting (IHE PDI: DICOM/ST000000/SE000000/IM000000) are ordinary. Nothing here reads file contents.
 */

export interface PickedFile {
  /** Path relative to what was dropped or picked, "/" separated, e.g. "CD/DICOM/IM000001". */
  readonly path: string;
  readonly file: File;
}

export interface PickResult {
  readonly files: PickedFile[];
  /** Entries the browser refused to open (permissions, vanished media), with the reason. */
  readonly unreadable: { path: string; reason: string }[];
}

/** From <input type=file webkitdirectory> (webkitRelativePath) or <input type=file multiple> (name only). */
export function filesFromInput(list: FileList): PickResult {
  const files: PickedFile[] = [];
  for (const file of Array.from(list)) {
    files.push({ path: file.webkitRelativePath || file.name, file });
  }
  return { files, unreadable: [] };
}

/**
 * From a drop. Must be called synchronously inside the drop handler: the DataTransferItemList is emptied once
 * the event returns, so the entries are taken first and walked afterwards.
 */
export function filesFromDrop(transfer: DataTransfer, onProgress?: (found: number) => void): Promise<PickResult> {
  const entries: FileSystemEntry[] = [];
  const loose: File[] = [];
  for (const item of Array.from(transfer.items)) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.();
    if (entry) entries.push(entry);
    else {
      const file = item.getAsFile();
      if (file) loose.push(file);
    }
  }
  return walkEntries(entries, loose, onProgress);
}

/** Walks dropped entries depth-first (exported for the unit test with fake entries). */
export async function walkEntries(roots: FileSystemEntry[], loose: File[], onProgress?: (found: number) => void): Promise<PickResult> {
  const files: PickedFile[] = loose.map((file) => ({ path: file.name, file }));
  const unreadable: { path: string; reason: string }[] = [];
  const stack = [...roots];
  while (stack.length > 0) {
    const entry = stack.pop()!;
    const path = entry.fullPath.replace(/^\/+/, '') || entry.name;
    try {
      if (entry.isDirectory) {
        stack.push(...(await readAllEntries((entry as FileSystemDirectoryEntry).createReader())));
      } else if (entry.isFile) {
        files.push({ path, file: await fileOf(entry as FileSystemFileEntry) });
        if (onProgress && files.length % 100 === 0) onProgress(files.length);
      }
    } catch (error) {
      unreadable.push({ path, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  onProgress?.(files.length);
  return { files, unreadable };
}

/** Loops readEntries until it returns an empty batch (Chromium: at most 100 per call). */
export async function readAllEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  const all: FileSystemEntry[] = [];
  while (true) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}
