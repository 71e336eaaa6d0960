/**
 * `beeldpoort make-test-cd OUT [--studies N] [--series N] [--images N] [--rows N] [--seed S] [--patients N] [--json]`:
 * writes a realistic synthetic patient CD (see server/test-cd/make-test-cd.ts) and prints a summary.
 */
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { parseCommandArgs, positiveInteger } from '../args.ts';
import { makeTestCd } from '../../test-cd/make-test-cd.ts';

export const command: Command = {
  name: 'make-test-cd',
  summary: 'write a realistic synthetic patient CD',
  usage: [
    'Usage: beeldpoort make-test-cd OUT [--studies N] [--series N] [--images N] [--rows N] [--seed S] [--patients N] [--json]',
    '',
    'Writes an IHE PDI style CD into OUT: DICOMDIR, CT/MR series (explicit, implicit VR LE, RLE lossless), a',
    'deflated secondary capture and an encapsulated PDF per study, one file without preamble, and autorun/viewer junk.',
    '  --studies N   studies (default 1)          --series N  image series per study (default 3)',
    '  --images N    images per series (default 10) --rows N   image rows = columns (default 512)',
    '  --seed S      seed for UIDs and noise (default 1); the same seed writes the same bytes',
    '  --patients N  patients on the CD, 1-3 (default 1)',
    '  --json        print the full description (every instance) as one JSON line',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      studies: { type: 'string' },
      series: { type: 'string' },
      images: { type: 'string' },
      rows: { type: 'string' },
      seed: { type: 'string' },
      patients: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UsageError('expected exactly one output folder');
    const patients = positiveInteger(values.patients, '--patients', 1);
    if (patients > 3) throw new UsageError('--patients must be 1, 2 or 3');
    const started = Date.now();
    const cd = await makeTestCd(positionals[0]!, {
      studies: positiveInteger(values.studies, '--studies', 1),
      series: positiveInteger(values.series, '--series', 3),
      images: positiveInteger(values.images, '--images', 10),
      rows: positiveInteger(values.rows, '--rows', 512),
      seed: values.seed ?? '1',
      patients,
    });
    const seconds = (Date.now() - started) / 1000;
    const mb = (cd.bytes / 1e6).toFixed(1);
    io.stdout.write(
      `${cd.root}: ${cd.patients.length} patient(s), ${cd.studies.length} studies, ${cd.instances.length} instances, ` +
        `${cd.junk.length} junk files, ${mb} MB in ${seconds.toFixed(1)} s\n`,
    );
    if (values.json) io.stdout.write(`${JSON.stringify(cd)}\n`);
    return 0;
  },
};
