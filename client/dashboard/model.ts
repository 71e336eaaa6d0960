/**
 * The dashboard's view of links and shipments, mapped from the receiver API's JSON in one place so the views
 * never depend on wire details (times arrive as ISO 8601 strings or epoch milliseconds; both are accepted).
 */

export type Purpose = 'transfer' | 'consult' | 'internal';
export type LinkStatus = 'active' | 'expired' | 'revoked' | 'exhausted';
export type ShipmentState = 'uploading' | 'received' | 'held' | 'importing' | 'imported' | 'imported-with-failures' | 'failed';
export type FileOutcome = 'stored' | 'warning' | 'rejected' | 'failed';

export interface Me {
  id: string; email: string; name: string; role: string; csrfToken: string | undefined; institution: string;
  /** The portal can send links by e-mail (SMTP configured). */
  mail: boolean;
  /** The portal's limits for new links, when it states them. */
  policy: { linkMaxDays: number | undefined; linkMaxBytes: number | undefined };
}

export interface LinkView {
  id: string; purpose: Purpose; urgent: boolean; senderName: string; senderContact: string | null; note: string | null;
  code: string; createdAt: Date | null; expiresAt: Date | null; status: LinkStatus; revokedAt: Date | null;
  usedShipments: number; maxShipments: number; usedBytes: number; maxBytes: number; issuedBy: string | null;
  /** The upload URL again (re-signed by the portal) while the link is active. */
  url: string | null;
}

export interface OutcomeCounts { stored: number; warning: number; failed: number; reported: number }

export interface ShipmentView {
  id: string; linkId: string; purpose: Purpose; urgent: boolean; state: ShipmentState; senderName: string;
  createdAt: Date | null; updatedAt: Date | null; fileCount: number; filesComplete: number; totalBytes: number;
  bytesReceived: number; outcomes: OutcomeCounts; finishReason: string | null;
  /** DICOM files (manifest files): a bundle upload carries several, so this can exceed fileCount (uploads). */
  instances: number;
}

export interface ConsentStatement { recordedBy: string; date: string; reference: string }
export interface StudyView {
  uid: string; date: string; modalities: string; description: string; series: number; instances: number;
  /** Only when the installation lets the worker report patient identity (docs/architecture.md). */
  patient: string | null;
}
export interface FileView {
  fileId: string; size: number; received: number; complete: boolean; outcome: FileOutcome | null; code: string | null;
  reason: string | null; dimseStatus: number | null; sopInstanceUid: string | null;
}

export interface ShipmentDetail extends ShipmentView {
  statements: { consent: ConsentStatement | null; comment: string | null } | null;
  consentVerifiedAt: Date | null; consentVerifiedBy: string | null;
  studies: StudyView[]; files: FileView[];
}

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (value !== null && typeof value === 'object' ? value as Json : {});
const str = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');
const optStr = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

export function time(value: unknown): Date | null {
  if (typeof value === 'number' || (typeof value === 'string' && value !== '')) {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? null : date;
  }
  return null;
}

export function toMe(raw: unknown): Me {
  const body = obj(raw);
  const user = obj(body.user ?? body);
  return { id: str(user.id), email: str(user.email), name: str(user.name) || str(user.email), role: str(user.role),
    csrfToken: optStr(body.csrfToken) ?? undefined, institution: str(obj(body.institution).name ?? body.institution),
    mail: obj(body.features).mail === true,
    policy: { linkMaxDays: num(obj(body.policy).linkMaxDays) || undefined, linkMaxBytes: num(obj(body.policy).linkMaxBytes) || undefined } };
}

function linkStatus(link: Json, limits: Json, now: number): LinkStatus {
  const given = str(link.status);
  if (given === 'active' || given === 'expired' || given === 'revoked' || given === 'exhausted') return given;
  if (link.revokedAt) return 'revoked';
  const expires = time(link.expiresAt);
  if (expires && expires.getTime() <= now) return 'expired';
  if (num(limits.usedShipments) >= num(limits.maxShipments) && num(limits.maxShipments) > 0) return 'exhausted';
  return 'active';
}

export function toLink(raw: unknown, now = Date.now()): LinkView {
  const link = obj(raw);
  const sender = obj(link.sender);
  const limits = obj(link.limits ?? link);
  const issuedBy = obj(link.issuedBy);
  const purpose = str(link.purpose) as Purpose;
  return {
    id: str(link.id ?? link.linkId), purpose, urgent: link.urgent === true || purpose === 'transfer',
    senderName: str(sender.name ?? link.senderName), senderContact: optStr(sender.contact ?? link.senderContact), note: optStr(link.note),
    code: str(link.code ?? link.verificationCode), createdAt: time(link.createdAt), expiresAt: time(link.expiresAt),
    status: linkStatus(link, limits, now), revokedAt: time(link.revokedAt),
    usedShipments: num(limits.usedShipments), maxShipments: num(limits.maxShipments), usedBytes: num(limits.usedBytes), maxBytes: num(limits.maxBytes),
    issuedBy: optStr(issuedBy.name) ?? optStr(issuedBy.email), url: optStr(link.url),
  };
}

function toFile(raw: unknown): FileView {
  const file = obj(raw);
  const size = num(file.size);
  const complete = file.complete === true;
  const outcome = optStr(file.outcome) as FileOutcome | null;
  return {
    fileId: str(file.fileId), size, received: complete ? size : num(file.received), complete, outcome,
    code: optStr(file.code ?? file.outcomeCode), reason: optStr(file.reason ?? file.outcomeReason),
    dimseStatus: typeof file.dimseStatus === 'number' ? file.dimseStatus : null, sopInstanceUid: optStr(file.sopInstanceUid),
  };
}

function outcomeCounts(shipment: Json, files: FileView[]): OutcomeCounts {
  // The list answer carries counts only once finished (outcome.files); the detail answer has every file.
  const given = obj(obj(shipment.outcome).files ?? shipment.outcomes);
  if (files.length === 0 && Object.keys(given).length === 0 && typeof shipment.reportedFiles === 'number') {
    // While importing, the list answer only says how many files the worker has reported so far.
    return { stored: 0, warning: 0, failed: 0, reported: shipment.reportedFiles };
  }
  if (files.length === 0 && Object.keys(given).length > 0) {
    const failed = num(given.failed) + num(given.rejected);
    return { stored: num(given.stored), warning: num(given.warning), failed, reported: num(given.stored) + num(given.warning) + failed };
  }
  const count = (outcome: FileOutcome) => files.filter((f) => f.outcome === outcome).length;
  const failed = count('failed') + count('rejected');
  return { stored: count('stored'), warning: count('warning'), failed, reported: count('stored') + count('warning') + failed };
}

export function toShipment(raw: unknown): ShipmentView {
  const s = obj(raw);
  const files = Array.isArray(s.files) ? s.files.map(toFile) : [];
  // The detail answer lists uploads (upload progress) apart from files (one per DICOM file, with outcomes).
  const uploads = Array.isArray(s.uploads) ? s.uploads.map(toFile) : files;
  const progress = obj(s.progress ?? s.upload);
  const purpose = str(s.purpose) as Purpose;
  return {
    id: str(s.id ?? s.shipmentId), linkId: str(s.linkId), purpose, urgent: s.urgent === true || purpose === 'transfer',
    state: str(s.state) as ShipmentState, senderName: str(obj(s.sender).name ?? s.senderName),
    createdAt: time(s.createdAt), updatedAt: time(s.updatedAt),
    fileCount: num(s.fileCount ?? progress.files) || uploads.length,
    filesComplete: uploads.length > 0 ? uploads.filter((f) => f.complete).length : num(s.completeFiles ?? s.filesComplete ?? progress.filesComplete),
    totalBytes: num(s.totalBytes ?? progress.totalBytes) || uploads.reduce((sum, f) => sum + f.size, 0),
    bytesReceived: uploads.length > 0 ? uploads.reduce((sum, f) => sum + f.received, 0) : num(s.bytesReceived ?? progress.bytesReceived),
    instances: num(s.instances) || files.length || num(s.fileCount ?? progress.files),
    outcomes: outcomeCounts(s, files), finishReason: optStr(obj(s.outcome).reason ?? s.finishReason),
  };
}

function toStudy(raw: unknown): StudyView {
  const study = obj(raw);
  const modalities = Array.isArray(study.modalities) ? study.modalities.map(str).join(', ') : str(study.modalities ?? study.modality);
  return {
    uid: str(study.studyInstanceUid), date: str(study.date), modalities, description: str(study.description),
    series: num(study.series), instances: num(study.instances),
    patient: [optStr(study.patientName), optStr(study.patientId)].filter(Boolean).join(' · ') || null,
  };
}

export function toShipmentDetail(raw: unknown): ShipmentDetail {
  const s = obj(raw);
  const base = toShipment(raw);
  const statements = s.statements ? obj(s.statements) : null;
  const consent = statements?.consent ? obj(statements.consent) : null;
  const verification = obj(s.consent);
  const studiesRaw = Array.isArray(s.studies) ? s.studies : Array.isArray(obj(s.summary).studies) ? obj(s.summary).studies as unknown[] : [];
  return {
    ...base,
    statements: statements && {
      consent: consent && { recordedBy: str(consent.recordedBy), date: str(consent.date), reference: str(consent.reference) },
      comment: optStr(statements.comment),
    },
    consentVerifiedAt: time(s.consentVerifiedAt ?? verification.verifiedAt),
    consentVerifiedBy: optStr(verification.verifiedByName ?? verification.verifiedBy ?? s.consentVerifiedBy),
    studies: studiesRaw.map(toStudy),
    files: Array.isArray(s.files) ? s.files.map(toFile) : [],
  };
}

/** The items of a list answer, whether it is a bare array or `{ <key>: [...] }`. */
export function listOf<T>(body: unknown, key: string, map: (raw: unknown) => T): T[] {
  const items = Array.isArray(body) ? body : obj(body)[key];
  return Array.isArray(items) ? items.map((item) => map(item)) : [];
}
