import { DERIVED_COLUMNS, DERIVED_HASH_EXPR, LINK_COLUMNS } from './columns.js';

/** One schema change. Statements are idempotent, so a migration interrupted half-way can run again. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: (db: string) => readonly string[];
}

/**
 * `events` is a plain MergeTree, never Replacing or Collapsing: nothing merges rows away.
 * It is ordered by (stream_id, seq) so that verify reads each stream in chain order by primary key
 * (derived_hash closes the key so that it can never be updated; see columns.ts);
 * the analytical access paths are a projection ordered by user and time, and bloom-filter indexes on
 * request_id and trace_id. `non_replicated_deduplication_window` makes a retried batch (same
 * insert_deduplication_token) a no-op.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events, payloads',
    statements: (db) => [
      `CREATE TABLE IF NOT EXISTS ${db}.events (
  record String CODEC(ZSTD(1)),
${DERIVED_COLUMNS.map((c) => `  ${c.name} ${c.type} MATERIALIZED ${c.expr},`).join('\n')}
  derived_hash UInt64 MATERIALIZED ${DERIVED_HASH_EXPR},
  INDEX idx_request_id request_id TYPE bloom_filter(0.001) GRANULARITY 1,
  INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1,
  PROJECTION by_user (
    SELECT user_id, tenant_id, observed_at, event_type, session_id, request_id, request_model, response_model, cost_usd, stream_id, seq
    ORDER BY user_id, tenant_id, observed_at
  )
) ENGINE = MergeTree
PARTITION BY toYYYYMM(observed_at)
ORDER BY (stream_id, seq, derived_hash)
SETTINGS non_replicated_deduplication_window = 10000`,
      `CREATE TABLE IF NOT EXISTS ${db}.payloads (
  digest String,
  nonce String,
  content String CODEC(ZSTD(3)),
  tenant_id LowCardinality(String),
  stream_id String,
  seq UInt64,
  observed_at DateTime64(6, 'UTC')
) ENGINE = MergeTree
PARTITION BY toYYYYMM(observed_at)
ORDER BY (tenant_id, digest)
SETTINGS non_replicated_deduplication_window = 10000`,
    ],
  },
  {
    // Cost corrections: the link columns of columns.ts, and a skip index on event_type so that the
    // few correction rows are found without reading the column of every event (corrections are
    // written in streams of their own, so they fill few granules). MATERIALIZE INDEX builds the
    // index for parts written before it (a background mutation that writes index files only).
    version: 2,
    name: 'cost corrections',
    statements: (db) => [
      ...LINK_COLUMNS.map((c) => `ALTER TABLE ${db}.events ADD COLUMN IF NOT EXISTS ${c.name} ${c.type} MATERIALIZED ${c.expr}`),
      `ALTER TABLE ${db}.events ADD INDEX IF NOT EXISTS idx_event_type event_type TYPE set(64) GRANULARITY 1`,
      `ALTER TABLE ${db}.events MATERIALIZE INDEX idx_event_type`,
    ],
  },
  {
    // Parts written by inserts are compact (all columns in one file) instead of wide (two or more
    // files per column: ~160 for an events part, ~35 for a payloads part). A writer inserts a few
    // parts per second and merges rewrite and delete them soon after: creating and unlinking those
    // files was ~10% of all CPU at 18,000 events/s (kernel time in ext4 inode allocation, `perf`),
    // and ingest with content runs ~4% faster without it (`bench/ingest.mjs`, alternating runs).
    // Merged parts past 64 MiB are wide again, so scans of large parts still read only their columns.
    version: 3,
    name: 'compact insert parts',
    statements: (db) => ['events', 'payloads'].map((t) => `ALTER TABLE ${db}.${t} MODIFY SETTING min_bytes_for_wide_part = ${COMPACT_PART_MAX_BYTES}`),
  },
  {
    // Signed checkpoints of each stream (DESIGN.md invariant 2), append-only like events: a writer
    // adds one every N events or T seconds; verify reads them per stream in size order. The note is
    // what is trusted; the other columns repeat what it states.
    version: 4,
    name: 'checkpoints',
    statements: (db) => [
      `CREATE TABLE IF NOT EXISTS ${db}.checkpoints (
  stream_id String,
  size UInt64,
  root String,
  origin String,
  note String,
  signed_at DateTime64(6, 'UTC')
) ENGINE = MergeTree
ORDER BY (stream_id, size)
SETTINGS non_replicated_deduplication_window = 10000`,
    ],
  },
];

/** Parts below this many (uncompressed) bytes are written in the compact format. */
export const COMPACT_PART_MAX_BYTES = 64 * 1024 * 1024;

export const MIGRATIONS_TABLE = (db: string) => `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations (
  version UInt32,
  name String,
  applied_at DateTime64(3, 'UTC')
) ENGINE = MergeTree
ORDER BY version
SETTINGS non_replicated_deduplication_window = 1000`;
