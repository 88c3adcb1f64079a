import type { Knex } from 'knex';
import * as coreSchema from './migrations/0001-core-schema.js';
import * as plugins from './migrations/0002-plugins.js';
import * as pluginJobs from './migrations/0003-plugin-jobs-and-secrets.js';
import * as pluginTables from './migrations/0004-plugin-tables.js';
import * as pluginLimits from './migrations/0005-plugin-limits.js';
import * as pluginEventOutbox from './migrations/0006-plugin-event-outbox.js';
import * as userDeactivation from './migrations/0007-user-deactivation.js';
import * as attachments from './migrations/0008-attachments.js';
import * as messageSearch from './migrations/0009-message-search.js';
import * as mentionsThreadsMute from './migrations/0010-mentions-threads-mute.js';
import * as push from './migrations/0011-push.js';
import * as threadReadPositions from './migrations/0012-thread-read-positions.js';
import * as attachmentReservations from './migrations/0013-attachment-reservations.js';
import * as searchPrefixIndex from './migrations/0014-search-prefix-index.js';
import * as searchByConversation from './migrations/0015-search-by-conversation.js';
import * as threadRepliesIndex from './migrations/0016-thread-replies-index.js';
import * as searchPendingList from './migrations/0017-search-pending-list.js';
import * as searchKeys from './migrations/0018-search-keys.js';
import * as sqliteSearchKeys from './migrations/0019-sqlite-search-keys.js';
import * as searchRecentWindow from './migrations/0020-search-recent-window.js';
import * as searchSegments from './migrations/0021-search-segments.js';
import * as sqliteSearchWithoutPositions from './migrations/0022-sqlite-search-without-positions.js';
import * as searchSegmentsUnkeyedIndex from './migrations/0023-search-segments-unkeyed-index.js';
import * as sqliteSearchBehindWriter from './migrations/0024-sqlite-search-behind-writer.js';
import * as searchSegmentsFromHost from './migrations/0025-search-segments-from-host.js';
import * as searchSegmentPositions from './migrations/0026-search-segment-positions.js';
import * as forwardedMessages from './migrations/0027-forwarded-messages.js';
import * as pins from './migrations/0028-pins.js';
import * as pluginKvUsage from './migrations/0029-plugin-kv-usage.js';
import * as reports from './migrations/0030-reports.js';
import * as userBlocks from './migrations/0031-user-blocks.js';
import * as archivedConversations from './migrations/0032-archived-conversations.js';

interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Migrations are imported, not globbed from disk, so they run the same under tsx and in a bundle. */
const migrations: Migration[] = [
  coreSchema,
  plugins,
  pluginJobs,
  pluginTables,
  pluginLimits,
  pluginEventOutbox,
  userDeactivation,
  attachments,
  messageSearch,
  mentionsThreadsMute,
  push,
  threadReadPositions,
  attachmentReservations,
  searchPrefixIndex,
  searchByConversation,
  threadRepliesIndex,
  searchPendingList,
  searchKeys,
  sqliteSearchKeys,
  searchRecentWindow,
  searchSegments,
  sqliteSearchWithoutPositions,
  searchSegmentsUnkeyedIndex,
  sqliteSearchBehindWriter,
  searchSegmentsFromHost,
  searchSegmentPositions,
  forwardedMessages,
  pins,
  pluginKvUsage,
  reports,
  userBlocks,
  archivedConversations,
];

const source: Knex.MigrationSource<Migration> = {
  getMigrations: () => Promise.resolve(migrations),
  getMigrationName: (m) => m.name,
  getMigration: (m) => Promise.resolve(m),
};

/** Applies every pending migration; returns the names applied. */
export async function runMigrations(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({ migrationSource: source, tableName: 'switchboard_migrations' })) as [
    number,
    string[],
  ];
  return applied;
}
