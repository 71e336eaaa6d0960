/**
 * The CD scanner (shared/send/scan.ts) over a Node folder: walk it, scan every file, build the inventory and the
 * manifest summary. Symbolic links are not followed and join the skipped list with their reason.
 */
import { buildInventory, inventorySummary, type Inventory } from '../../shared/send/inventory.ts';
import { scanFiles, sendInstances } from '../../shared/send/scan.ts';
import type { ShipmentSummary } from '../../shared/format/index.ts';
import type { SendInstance } from '../../shared/send/index.ts';
import { listFolderFiles } from './node-files.ts';

export interface FolderScan {
  readonly instances: SendInstance[];
  readonly inventory: Inventory;
  /** For the manifest. */
  readonly summary: ShipmentSummary;
  /** Plaintext bytes of the instances. */
  readonly bytes: number;
}

export async function scanFolder(folder: string, options: { onProgress?(done: number, total: number): void } = {}): Promise<FolderScan> {
  const listing = await listFolderFiles(folder);
  const scan = await scanFiles(listing.files, { onProgress: options.onProgress });
  const inventory = buildInventory({ ...scan, skipped: [...scan.skipped, ...listing.ignored] });
  return { instances: sendInstances(scan, listing.files), inventory, summary: inventorySummary(inventory), bytes: scan.bytes };
}
