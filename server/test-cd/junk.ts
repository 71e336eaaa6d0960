/**
 * The non-DICOM files real patient CDs carry beside the images (autorun, a Windows viewer, a readme, the IHE PDI
 * web content): the scanner must skip each of them with a reason, and senders must never upload them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Noise } from './random.ts';
import { latin1, view } from './bytes.ts';

export type JunkKind = 'autorun' | 'viewer' | 'readme' | 'web';

export interface TestCdJunk {
  /** Absolute path. */
  path: string;
  /** Relative to the CD root, `/`-separated. */
  relativePath: string;
  kind: JunkKind;
}

/** A fake PE executable: "MZ" header, the PE offset at 0x3c and "PE\0\0", then noise. Never runnable. */
function fakeExecutable(noise: Noise, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  noise.fill(bytes.subarray(0, size - (size % 4)));
  bytes.set(latin1('MZ'), 0);
  view(bytes).setUint32(0x3c, 0x80, true);
  bytes.set(latin1('PE\0\0'), 0x80);
  return bytes;
}

export function writeJunk(root: string, noise: Noise): TestCdJunk[] {
  const files: Array<[string, JunkKind, Uint8Array | string]> = [
    ['AUTORUN.INF', 'autorun', '[autorun]\r\nopen=VIEWER\\VIEWER.EXE\r\nicon=VIEWER\\VIEWER.EXE,0\r\nlabel=BEELDPOORT TEST CD\r\n'],
    ['README.TXT', 'readme', 'Synthetic patient CD written by beeldpoort make-test-cd.\r\nContains no real patient data.\r\n'],
    ['VIEWER/VIEWER.EXE', 'viewer', fakeExecutable(noise, 64 * 1024)],
    ['VIEWER/DCMVIEW.DLL', 'viewer', fakeExecutable(noise, 32 * 1024)],
    ['VIEWER/VIEWER.INI', 'viewer', '[Viewer]\r\nDicomDir=..\\DICOMDIR\r\n'],
    [
      'IHE_PDI/INDEX.HTM',
      'web',
      '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Patient CD</title></head>\n' +
        '<body><h1>Beeldpoort test CD</h1><p>Start VIEWER\\VIEWER.EXE or open the DICOMDIR.</p></body></html>\n',
    ],
  ];
  return files.map(([relativePath, kind, content]) => {
    const full = path.join(root, ...relativePath.split('/'));
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
    return { path: full, relativePath, kind };
  });
}
