/**
 * The transport under an association: a TCP or TLS connection to the PACS with Nagle's algorithm off (PS3.8 §9.1
 * leaves this to us; pitfalls.md measured ~40 ms per operation with it on), and the words for an A-ASSOCIATE-RJ.
 */
import net from 'node:net';
import tls from 'node:tls';
import { DicomError, type DicomCode } from './dicom-error.ts';

export interface Destination {
  readonly calledAet: string;
  readonly host: string;
  readonly port: number;
  readonly callingAet: string;
  /** DICOM over TLS (PS3.15 B.1): true for the system trust store, or node:tls options (ca, cert, key, servername...). */
  readonly tls?: boolean | tls.ConnectionOptions;
}

/** Connects within `timeoutMs`; rejects with E_CONNECT, E_TLS (handshake or certificate) or E_TIMEOUT. */
export function connect(destination: Destination, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const { host, port } = destination;
    const useTls = destination.tls !== undefined && destination.tls !== false;
    const options = typeof destination.tls === 'object' ? destination.tls : {};
    const socket = useTls ? tls.connect({ servername: net.isIP(host) ? undefined : host, ...options, host, port }) : net.connect({ host, port });
    let tcpUp = false;
    const fail = (code: DicomCode, detail: string, cause?: unknown) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new DicomError(code, detail, { cause }));
    };
    const timer = setTimeout(() => fail('E_TIMEOUT', `no connection to ${host}:${port} within ${timeoutMs} ms`), timeoutMs);
    socket.once('connect', () => {
      tcpUp = true;
    });
    socket.once('error', (error) => fail(useTls && tcpUp ? 'E_TLS' : 'E_CONNECT', `${host}:${port}: ${error.message}`, error));
    socket.once(useTls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.setNoDelay(true); // PS3.8 makes no demand; Nagle's algorithm costs ~40 ms per operation (pitfalls.md)
      resolve(socket);
    });
  });
}

/** PS3.8 §9.3.4 (source:reason) of A-ASSOCIATE-RJ. */
const REJECT_REASONS: Readonly<Record<string, string>> = {
  '1:1': 'no reason given', '1:2': 'application context name not supported', '1:3': 'calling AE title not recognized',
  '1:7': 'called AE title not recognized', '2:1': 'no reason given', '2:2': 'protocol version not supported',
  '3:1': 'temporary congestion', '3:2': 'local limit exceeded',
};

export function describeReject(result: number, source: number, reason: number, calledAet: string): string {
  const why = REJECT_REASONS[`${source}:${reason}`] ?? `reason ${reason}`;
  const kind = result === 1 ? 'permanent' : 'transient';
  return `${kind} rejection by ${source === 1 ? 'the PACS application' : 'the PACS network layer'} (${why}; called AE "${calledAet}")`;
}

