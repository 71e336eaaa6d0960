/**
 * What the worker tells the portal about a shipment, derived from the manifest and the ledger. Pure.
 * The statements body carries no patient identity: the portal keeps per-study counts and descriptions only
 * (docs/architecture.md, "Processes and trust boundaries").
 */
import type { Manifest } from '../../shared/format/index.ts';
import type { FileRow } from './ledger.ts';
import type { FileReport, FinalState } from './portal-client.ts';

export function statementsBody(manifest: Manifest, urgent: boolean) {
  return {
    statements: { ...manifest.statements, urgent },
    summary: {
      studies: manifest.summary.studies.map((s) => ({
        studyInstanceUid: s.studyInstanceUid, date: s.date, modalities: s.modalities, description: s.description,
        series: s.series, instances: s.instances,
      })),
      instances: manifest.summary.instances,
      files: manifest.files.length,
    },
  };
}

export function fileReport(row: FileRow): FileReport {
  const outcome = row.state as FileReport['outcome'];
  return {
    fileId: row.fileId,
    outcome,
    ...(row.code ? { code: row.code } : {}),
    ...(row.reason ? { reason: row.reason } : {}),
    ...(row.dimseStatus !== null ? { dimseStatus: row.dimseStatus } : {}),
    ...(row.sopInstanceUid ? { sopInstanceUid: row.sopInstanceUid } : {}),
  };
}

/** imported: every file stored; failed: none stored; otherwise imported-with-failures. */
export function finalState(manifest: Manifest, rows: readonly FileRow[]): { state: FinalState; reason?: string } {
  const byId = new Map(rows.map((r) => [r.fileId, r]));
  const mine = manifest.files.map((f) => byId.get(f.fileId));
  const stored = mine.filter((r) => r?.state === 'stored' || r?.state === 'warning').length;
  const notStored = mine.filter((r) => r && r.state !== 'stored' && r.state !== 'warning');
  if (notStored.length === 0) return { state: 'imported' };
  const codes = new Map<string, number>();
  for (const row of notStored) codes.set(row!.code ?? row!.state, (codes.get(row!.code ?? row!.state) ?? 0) + 1);
  const reason = `${notStored.length} of ${manifest.files.length} file(s) not stored: ${[...codes].map(([c, n]) => `${n} ${c}`).join(', ')}`;
  return { state: stored === 0 ? 'failed' : 'imported-with-failures', reason };
}
