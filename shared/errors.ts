/**
 * The root of every error Beeldpoort raises on purpose. Callers branch on `code` (stable, documented,
 * machine-readable), never on the message. Each area subclasses it (FormatError, PortalError, DicomError…)
 * and keeps its own table of codes next to the code that throws them.
 */
export class BeeldpoortError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
