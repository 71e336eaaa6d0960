/**
 * Orthanc as a real PACS for tests: a temporary JSON configuration (storage and index in a temp dir, DICOM and
 * HTTP on free ports, no authentication, no plugins, no remote access, any calling AE may store), ready once its
 * REST API answers. Debian's package may run a system Orthanc on 4242/8042: we never use those ports.
 * Orthanc 1.10 has no bind-address option: it listens on every interface; RemoteAccessAllowed false refuses HTTP
 * from anywhere but loopback, and callers connect on 127.0.0.1 only.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { canConnect, freePort, waitUntil } from './ports.ts';
import { spawnPeer } from './child.ts';
import { makeTempDir } from './tmp.ts';

export interface OrthancOptions {
  /** Orthanc's AE title (default ORTHANC). */
  aet?: string;
  /** TCP_NODELAY=1 in Orthanc's environment (default true). False leaves Nagle on. */
  noDelay?: boolean;
  /** Extra configuration merged over ours, e.g. { OverwriteInstances: true } or { MaximumStorageMode: 'Reject' }. */
  config?: Record<string, unknown>;
  /** How long to wait for REST and DICOM to answer (default 30 s). */
  timeoutMs?: number;
}

export interface Orthanc {
  readonly aet: string;
  readonly host: string;
  readonly dicomPort: number;
  readonly httpPort: number;
  /** GET on the REST API (path like '/instances'), parsed JSON; throws on a non-2xx status. */
  get(apiPath: string): Promise<unknown>;
  /** SOP Instance UIDs of every stored instance, sorted. */
  instanceUids(): Promise<string[]>;
  log(): string;
  /** Stops Orthanc and removes its storage. Idempotent. */
  stop(): Promise<void>;
}

export async function startOrthanc(options: OrthancOptions = {}): Promise<Orthanc> {
  const aet = options.aet ?? 'ORTHANC';
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (options.noDelay ?? true) env.TCP_NODELAY = '1';
  else delete env.TCP_NODELAY;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const tmp = makeTempDir('beeldpoort-orthanc-');
    const dicomPort = await freePort();
    let httpPort = await freePort();
    while (httpPort === dicomPort) httpPort = await freePort();
    const configPath = path.join(tmp.dir, 'orthanc.json');
    const config = {
      Name: `beeldpoort-test-${dicomPort}`,
      StorageDirectory: path.join(tmp.dir, 'storage'),
      IndexDirectory: path.join(tmp.dir, 'index'),
      StorageCompression: false,
      Plugins: [],
      LuaScripts: [],
      HttpServerEnabled: true,
      HttpPort: httpPort,
      RemoteAccessAllowed: false,
      AuthenticationEnabled: false,
      SslEnabled: false,
      DicomServerEnabled: true,
      DicomAet: aet,
      DicomPort: dicomPort,
      DicomCheckCalledAet: false,
      DicomAlwaysAllowStore: true,
      DicomAlwaysAllowEcho: true,
      DicomCheckModalityHost: false,
      DicomModalities: {},
      OrthancPeers: {},
      SaveJobs: false,
      ...options.config,
    };
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    const peer = spawnPeer('/usr/sbin/Orthanc', [configPath], { env, cwd: tmp.dir });
    const base = `http://127.0.0.1:${httpPort}`;
    const get = async (apiPath: string): Promise<unknown> => {
      const response = await fetch(base + apiPath);
      if (!response.ok) throw new Error(`Orthanc GET ${apiPath}: HTTP ${response.status} ${await response.text()}`);
      return response.json();
    };
    try {
      await waitUntil(
        async () => (await get('/system').then(() => true, () => false)) && (await canConnect(dicomPort)),
        {
          what: `Orthanc on HTTP ${httpPort} / DICOM ${dicomPort}`,
          timeoutMs: options.timeoutMs ?? 30000,
          intervalMs: 100,
          failed: () => peer.exited() && `exited (${peer.exited()})`,
          describe: peer.log,
        },
      );
    } catch (error) {
      lastError = error;
      await peer.stop();
      tmp.remove();
      continue;
    }
    let stopped = false;
    return {
      aet,
      host: '127.0.0.1',
      dicomPort,
      httpPort,
      get,
      async instanceUids() {
        const instances = (await get('/instances?expand')) as Array<{ MainDicomTags: { SOPInstanceUID: string } }>;
        return instances.map((i) => i.MainDicomTags.SOPInstanceUID).sort();
      },
      log: peer.log,
      async stop() {
        if (stopped) return;
        stopped = true;
        await peer.stop(10000);
        tmp.remove();
      },
    };
  }
  throw lastError;
}
