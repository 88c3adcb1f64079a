import { join, resolve } from 'node:path';
import type { HostConfig } from '../config/host-config.js';
import type { Database } from '../db/open-database.js';
import type { BlobStore } from './blob-store.js';
import { DatabaseBlobStore } from './database-blob-store.js';
import { DirectoryBlobStore } from './directory-blob-store.js';

/**
 * The store the database implies: an SQLite host is alone, so its files sit in a directory of its
 * own; PostgreSQL hosts may be several, so the bytes go where all of them read (the database).
 */
export function defaultBlobStore(db: Database, config: HostConfig): BlobStore {
  if (db.kind === 'postgres') return new DatabaseBlobStore(db.knex);
  return new DirectoryBlobStore(resolve(config.attachments.dir ?? join(config.dataDir, 'attachments')));
}
