/** A picked File as a PlainFile: on the page (hashing) and in the cipher worker (encryption). Imports nothing of the page. */
import type { PlainFile } from '../../shared/send/index.ts';

/**
 * Files up to this size are always read whole, a part of one cut from that (see plainFile). Above it (an image that
 * travels alone in several tus chunks) a read is a File.slice, so memory stays at a chunk, not a file.
 */
const READ_WHOLE_LIMIT = 2 * 1024 * 1024;

/**
 * A browser File behind the pipeline's PlainFile interface (reads are slices: no whole-CD buffering). Most DICOM
 * files are read whole (hashing, and a file within one tus chunk): those skip File.slice, since every new Blob
 * costs Chromium a synchronous IPC to its browser process (~2 ms of the reading thread per file in bench:browser). A
 * small file that a bundle's chunk boundary cuts in two is read whole for each half too: reading half a megabyte
 * twice costs less than the slice (bench:browser-profile, 700 MB CD: File.slice took 0.39 s of the thread).
 */
export function plainFile(path: string, file: File): PlainFile {
  return {
    path,
    size: file.size,
    read: async (start, end) => {
      if ((start === 0 && end >= file.size) || file.size > READ_WHOLE_LIMIT) {
        return new Uint8Array(await (start === 0 && end >= file.size ? file : file.slice(start, end)).arrayBuffer());
      }
      const whole = await file.arrayBuffer(); // shorter than planned if the file changed: the caller checks lengths
      const from = Math.min(start, whole.byteLength);
      return new Uint8Array(whole, from, Math.max(0, Math.min(end, whole.byteLength) - from));
    },
  };
}
