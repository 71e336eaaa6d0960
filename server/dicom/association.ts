/**
 * One association as requestor over TCP or TLS (PS3.8 §7, §9): negotiate, then one DIMSE operation at a time
 * (we never propose an asynchronous operations window, PS3.7 D.3.3.3, so the default of one outstanding
 * operation applies), then release or abort. Timers: connect, ARTIM for the AC/RJ and the release answer (PS3.8
 * §9.1.5), and an inactivity timeout while an operation is outstanding (the DIMSE timeout). Writes respect socket
 * backpressure; PDUs are sent as they are cut, the dataset never copied.
 */
import type net from 'node:net';
import { DicomError } from './dicom-error.ts';
import { NO_DATASET, TAG, decodeCommand, type CommandSet } from './dimse.ts';
import {
  PDU, concat, decodeAbort, decodeAssociateAccept, decodeAssociateReject, decodePData, encodeAbort, encodeAssociateRequest,
  encodePdvHeader, encodeReleaseRequest, encodeReleaseResponse, type AcceptedContext, type ProposedContext,
} from './pdu.ts';
import { PduReader, type RawPdu } from './pdu-reader.ts';
import { chooseContext, type ContextKey } from './presentation-contexts.ts';
import { connect, describeReject, type Destination } from './transport.ts';

export type { Destination };


export interface Timeouts {
  /** TCP (and TLS) connection set-up. */
  readonly connectMs: number;
  /** ARTIM: waiting for A-ASSOCIATE-AC/RJ and A-RELEASE-RP (PS3.8 §9.1.5). */
  readonly associateMs: number;
  /** Longest silence of the peer while an operation is outstanding (sending or waiting for its response). */
  readonly dimseMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, associateMs: 30_000, dimseMs: 60_000 };

/** What we advertise and accept (PS3.8 D.1); responses are small, so this only bounds a misbehaving peer. */
export const OUR_MAX_PDU = 65_536;
/** Our own cap on a fragment even if the peer accepts unlimited PDUs (max length 0). */
const MAX_FRAGMENT = 1 << 20;
/** Bytes handed to the socket per corked batch: few syscalls, bounded buffering. */
const WRITE_BATCH = 256 * 1024;
/** Longest command or response dataset we assemble from fragments. */
const MAX_RESPONSE = 1 << 20;

/** What the one outstanding wait expects: a PDU (AC/RJ, RELEASE-RP) or a DIMSE response. */
type Waiter = { kind: 'pdu' | 'response'; resolve: (value: RawPdu | CommandSet) => void; reject: (error: DicomError) => void };

/**
 * Called for each response of an operation that answers more than once (C-FIND, PS3.7 §9.1.2.1.6: pending
 * responses, each with an identifier, then one final response), with the response's dataset if it has one.
 * Returns true while more responses follow; the first response it returns false for resolves request(). It may
 * throw a DicomError, which aborts the association.
 */
export type PartialResponse = (command: CommandSet, dataset: Uint8Array | undefined) => boolean;

export class Association {
  readonly proposed: readonly ProposedContext[];
  #socket: net.Socket;
  #reader = new PduReader(OUR_MAX_PDU);
  #timeouts: Timeouts;
  #accepted: readonly AcceptedContext[] = [];
  #peerMaxPdu = 0;
  #waiter: Waiter | undefined;
  #closed = false;
  #messageId = 0;
  #command: Uint8Array[] = [];
  #response: { command: CommandSet; data: Uint8Array[] } | undefined;
  #received = 0;
  #partial: PartialResponse | undefined;

  private constructor(socket: net.Socket, proposed: readonly ProposedContext[], timeouts: Timeouts) {
    this.#socket = socket;
    this.proposed = proposed;
    this.#timeouts = timeouts;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (error) => this.#fail(new DicomError(isTlsAlert(error) ? 'E_TLS' : 'E_ASSOCIATION_DROPPED', error.message, { cause: error })));
    socket.on('close', () => this.#fail(new DicomError('E_ASSOCIATION_DROPPED', 'connection closed by the peer')));
    socket.on('timeout', () => this.abort(new DicomError('E_TIMEOUT', `no answer within ${this.#timeouts.dimseMs} ms`)));
  }

  /** Connects and negotiates; rejects with E_CONNECT, E_TLS, E_ASSOCIATION_REJECTED/ABORTED, E_TIMEOUT. */
  static async open(destination: Destination, proposed: readonly ProposedContext[], timeouts: Timeouts = DEFAULT_TIMEOUTS): Promise<Association> {
    const socket = await connect(destination, timeouts.connectMs);
    const association = new Association(socket, proposed, timeouts);
    await association.#negotiate(destination);
    return association;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The peer's maximum PDU length (0: unlimited). */
  get peerMaxPdu(): number {
    return this.#peerMaxPdu;
  }

  get accepted(): readonly AcceptedContext[] {
    return this.#accepted;
  }

  /** The accepted context id for this SOP class in exactly this transfer syntax, if any. */
  contextFor(key: ContextKey): number | undefined {
    return chooseContext(this.proposed, this.#accepted, key);
  }

  nextMessageId(): number {
    this.#messageId = (this.#messageId % 0xffff) + 1;
    return this.#messageId;
  }

  async #negotiate(destination: Destination): Promise<void> {
    const answer = this.#expect('pdu', this.#timeouts.associateMs, 'A-ASSOCIATE-AC');
    this.#socket.write(encodeAssociateRequest({
      calledAet: destination.calledAet, callingAet: destination.callingAet, contexts: this.proposed, maxPduLength: OUR_MAX_PDU,
    }));
    const pdu = (await answer) as RawPdu;
    if (pdu.type === PDU.ASSOCIATE_AC) {
      const accept = decodeAssociateAccept(pdu.body);
      this.#accepted = accept.contexts;
      this.#peerMaxPdu = accept.maxPduLength;
      return;
    }
    if (pdu.type === PDU.ASSOCIATE_RJ) {
      const rj = decodeAssociateReject(pdu.body);
      this.#destroy();
      throw new DicomError('E_ASSOCIATION_REJECTED', describeReject(rj.result, rj.source, rj.reason, destination.calledAet));
    }
    this.abort(new DicomError('E_PROTOCOL', `PDU type ${pdu.type} instead of A-ASSOCIATE-AC`));
    throw new DicomError('E_PROTOCOL', `PDU type ${pdu.type} instead of A-ASSOCIATE-AC`);
  }

  /**
   * Sends one request (command, then its dataset, PS3.7 §9.3.1: the command is complete before the first dataset
   * fragment) and resolves with the response's command set. With `partial`, responses it says are not the last
   * (C-FIND pending) are handed to it with their datasets, and the call resolves with the final one.
   */
  async request(contextId: number, command: Uint8Array, dataset?: Uint8Array, partial?: PartialResponse): Promise<CommandSet> {
    if (this.#closed) throw new DicomError('E_ASSOCIATION_DROPPED', 'association already closed');
    if (this.#waiter) throw new Error('Association.request: an operation is already outstanding');
    this.#response = undefined;
    this.#partial = partial;
    const response = this.#expect('response', 0, 'DIMSE response') as Promise<CommandSet>;
    this.#socket.setTimeout(this.#timeouts.dimseMs);
    try {
      try {
        await this.#writeFragments(contextId, command, true);
        if (dataset) await this.#writeFragments(contextId, dataset, false);
      } catch (error) {
        await response; // rejects with the reason the connection went (abort, timeout), more precise than ours
        throw error;
      }
      return await response;
    } finally {
      this.#partial = undefined;
      if (!this.#closed) this.#socket.setTimeout(0);
    }
  }

  /** Orderly release (PS3.8 §7.2); aborts if the peer does not answer within the ARTIM time. */
  async release(): Promise<void> {
    if (this.#closed) return;
    const answer = this.#expect('pdu', this.#timeouts.associateMs, 'A-RELEASE-RP');
    this.#socket.write(encodeReleaseRequest());
    try {
      await answer;
    } catch {
      // A peer that closes instead of answering has released too; nothing is outstanding.
    }
    this.#destroy();
  }

  /** A-ABORT (PS3.8 §7.3) and close; anything outstanding fails with `error`. */
  abort(error = new DicomError('E_ASSOCIATION_ABORTED', 'aborted by us')): void {
    if (this.#closed) return;
    if (this.#socket.writable) this.#socket.end(encodeAbort());
    this.#fail(error);
  }

  async #writeFragments(contextId: number, bytes: Uint8Array, command: boolean): Promise<void> {
    // Fragments keep even lengths (PS3.8 E.2), so an odd peer maximum is rounded down.
    const max = this.#peerMaxPdu === 0 ? MAX_FRAGMENT : Math.max(2, Math.min(MAX_FRAGMENT, this.#peerMaxPdu - 6) & ~1);
    let offset = 0;
    do {
      this.#socket.cork();
      let batch = 0;
      do {
        const length = Math.min(max, bytes.length - offset);
        const last = offset + length === bytes.length;
        this.#socket.write(encodePdvHeader(contextId, length, command, last));
        this.#socket.write(bytes.subarray(offset, offset + length));
        offset += length;
        batch += length;
      } while (offset < bytes.length && batch < WRITE_BATCH);
      this.#socket.uncork();
      if (this.#closed) throw new DicomError('E_ASSOCIATION_DROPPED', 'connection lost while sending');
      if (this.#socket.writableNeedDrain) await this.#drain();
    } while (offset < bytes.length);
  }

  #drain(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.#socket.off('drain', done);
        this.#socket.off('close', done);
        resolve();
      };
      this.#socket.on('drain', done);
      this.#socket.on('close', done);
    });
  }

  #expect(kind: Waiter['kind'], timeoutMs: number, what: string): Promise<RawPdu | CommandSet> {
    const promise = new Promise<RawPdu | CommandSet>((resolve, reject) => {
      const timer = timeoutMs > 0
        ? setTimeout(() => this.abort(new DicomError('E_TIMEOUT', `no ${what} within ${timeoutMs} ms`)), timeoutMs)
        : undefined;
      const settle = <T>(fn: (value: T) => void) => (value: T) => {
        clearTimeout(timer);
        this.#waiter = undefined;
        fn(value);
      };
      this.#waiter = { kind, resolve: settle(resolve), reject: settle(reject) };
    });
    promise.catch(() => {}); // observed by the caller; this keeps an early failure from being "unhandled"
    return promise;
  }

  #onData(chunk: Buffer): void {
    try {
      for (const pdu of this.#reader.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length))) this.#onPdu(pdu);
    } catch (error) {
      this.abort(error instanceof DicomError ? error : new DicomError('E_PROTOCOL', String(error)));
    }
  }

  #onPdu(pdu: RawPdu): void {
    switch (pdu.type) {
      case PDU.P_DATA_TF:
        for (const pdv of decodePData(pdu.body)) this.#onPdv(pdv.command, pdv.last, pdv.data);
        return;
      case PDU.ABORT: {
        const { source, reason } = decodeAbort(pdu.body);
        this.#fail(new DicomError('E_ASSOCIATION_ABORTED', `A-ABORT from the PACS (source ${source}, reason ${reason})`));
        return;
      }
      case PDU.RELEASE_RQ:
        // Only the requestor may release (PS3.8 §7.2); answer anyway and close, failing what is outstanding.
        this.#socket.end(encodeReleaseResponse());
        this.#fail(new DicomError('E_ASSOCIATION_DROPPED', 'the PACS released the association'));
        return;
      default:
        if (this.#waiter?.kind === 'pdu') this.#waiter.resolve(pdu);
        else this.abort(new DicomError('E_PROTOCOL', `unexpected PDU type ${pdu.type}`));
    }
  }

  #onPdv(command: boolean, last: boolean, data: Uint8Array): void {
    this.#received += data.length;
    if (this.#received > MAX_RESPONSE) throw new DicomError('E_PDU_TOO_LARGE', 'response larger than 1 MiB');
    if (command) {
      this.#command.push(data);
      if (!last) return;
      const parts = this.#command;
      this.#command = [];
      const command = decodeCommand(concat(parts));
      this.#response = { command, data: [] };
      if (command.get(TAG.DATASET_TYPE) === NO_DATASET) this.#complete();
      return;
    }
    if (!this.#response) throw new DicomError('E_PROTOCOL', 'dataset fragment before its command');
    this.#response.data.push(data);
    if (last) this.#complete();
  }

  #complete(): void {
    const command = this.#response!.command;
    this.#received = 0;
    const field = command.get(TAG.COMMAND_FIELD);
    if (typeof field !== 'number' || (field & 0x8000) === 0) throw new DicomError('E_PROTOCOL', `unexpected command ${field} from the PACS`);
    if (command.get(TAG.MESSAGE_ID_RESPONDED) !== this.#messageId) throw new DicomError('E_PROTOCOL', 'response to another message');
    if (this.#waiter?.kind !== 'response') throw new DicomError('E_PROTOCOL', 'response without a request');
    const data = this.#response!.data;
    // More responses follow to the same request: consumed here, synchronously, so none can overtake it.
    if (this.#partial?.(command, data.length > 0 ? concat(data) : undefined)) return;
    this.#waiter.resolve(command);
  }

  #fail(error: DicomError): void {
    const waiter = this.#waiter;
    this.#destroy();
    waiter?.reject(error);
  }

  #destroy(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.setTimeout(0);
    // Let a pending A-ABORT or A-RELEASE-RP leave before the socket goes.
    if (this.#socket.writableEnded) setTimeout(() => this.#socket.destroy(), 1000).unref();
    else this.#socket.destroy();
  }
}

/**
 * TLS 1.3 (RFC 8446 §4.4.2.4): the PACS judges our client certificate after our side of the handshake is done, so its
 * refusal arrives on the open connection as an OpenSSL alert (Node's ERR_SSL_* codes). That is a TLS failure the
 * operator can fix, not a dropped association; both are retriable, so no outcome is ever taken for granted.
 */
function isTlsAlert(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' && code.startsWith('ERR_SSL_');
}
