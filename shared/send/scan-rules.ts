/**
 * Path rules of the CD scanner: how a path is compared with a DICOMDIR reference (ISO 9660 names are upper case
 * and may carry a ";1" version or a trailing dot, PS3.12 Annex F), which DICOMDIR references are safe, and why a
 * file that is not DICOM is left behind (autorun, viewer, IHE PDI web content...). Pure functions over strings.
 */

/** Comparison key of a '/'-separated relative path: upper case, ISO 9660 ";1" versions and trailing dots removed. */
export function pathKey(path: string): string {
  return path
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .map((part) => part.replace(/;\d*$/, '').replace(/\.$/, '').toUpperCase())
    .join('/');
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function dirName(path: string): string {
  const at = path.lastIndexOf('/');
  return at < 0 ? '' : path.slice(0, at);
}

export function isDicomdirPath(path: string): boolean {
  return pathKey(baseName(path)) === 'DICOMDIR';
}

/**
 * The CD-relative path a DICOMDIR ReferencedFileID (0004,1500) points to, or undefined when it is unsafe. The
 * components are untrusted: PS3.10 §8.2 allows only A-Z, 0-9 and '_' (max 8 each, 8 levels); we tolerate case
 * and length but never '..', '.', empty parts, separators, drive letters or control characters, so a reference
 * can never leave the folder the DICOMDIR sits in.
 */
export function referencedPath(dicomdirDir: string, components: readonly string[]): string | undefined {
  if (components.length === 0 || components.length > 16) return undefined;
  for (const raw of components) {
    const part = raw.trim();
    if (part === '' || part === '.' || part === '..' || /[/\\:]/.test(part) || [...part].some((c) => c.charCodeAt(0) < 0x20)) return undefined;
  }
  const relative = components.map((c) => c.trim()).join('/');
  return dicomdirDir ? `${dicomdirDir}/${relative}` : relative;
}

const VIEWER_EXTENSIONS = /\.(exe|dll|ocx|msi|bat|cmd|com|sys|jar|app|dylib|so|cab|lnk|vbs|ps1|sh)$/i;
const WEB_EXTENSIONS = /\.(htm|html|css|js|xml|xsl|xslt|jpg|jpeg|png|gif|bmp|ico|svg|json)$/i;
const DOCUMENT_EXTENSIONS = /\.(txt|pdf|doc|docx|rtf|ini|cfg|log|inf|nfo)$/i;

/** Why a non-DICOM file stays behind, in words for the sender's screen and the manifest's skipped list. */
export function junkReason(path: string, size: number): string {
  const upper = path.toUpperCase();
  const name = baseName(upper);
  if (size === 0) return 'empty file';
  if (name === 'AUTORUN.INF' || name === 'AUTORUN.EXE' || name === 'AUTORUN.BAT') return 'autorun file (not DICOM)';
  if (VIEWER_EXTENSIONS.test(name) || /(^|\/)(VIEWER|VIEWERS|BIN|PROGRAM|DICOMVIEWER|VIEWER\w*)\//.test(upper)) return 'viewer software (not DICOM)';
  if (/(^|\/)IHE_PDI\//.test(upper) || WEB_EXTENSIONS.test(name)) return 'IHE PDI web content (not DICOM)';
  if (DOCUMENT_EXTENSIONS.test(name) || name.startsWith('README')) return 'document (not DICOM)';
  return 'not a DICOM file';
}
