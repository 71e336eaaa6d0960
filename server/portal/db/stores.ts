/** Every store over one database handle: what the portal's logic receives instead of the handle itself. */
import { openDatabase, type Db } from './database.ts';
import { AuditStore } from './audit.ts';
import { LinkStore } from './links.ts';
import { ManifestFileStore } from './manifest-files.ts';
import { SettingsStore } from './settings.ts';
import { ShipmentStore } from './shipments.ts';
import { UserStore } from './users.ts';

export interface Stores {
  readonly links: LinkStore;
  readonly shipments: ShipmentStore;
  /** The manifest files (DICOM instances) of each shipment: bundle parts and their outcomes. */
  readonly manifestFiles: ManifestFileStore;
  readonly users: UserStore;
  readonly audit: AuditStore;
  readonly settings: SettingsStore;
  close(): void;
}

export function openStores(dataDir: string): Stores {
  const db: Db = openDatabase(dataDir);
  return {
    links: new LinkStore(db),
    shipments: new ShipmentStore(db),
    manifestFiles: new ManifestFileStore(db),
    users: new UserStore(db),
    audit: new AuditStore(db),
    settings: new SettingsStore(db),
    close: () => db.close(),
  };
}
