import { COST_CORRECTION } from '@auditrail/core';

/**
 * Every queryable column of `events`, with the expression that derives it from the hashed record.
 * DDL (as MATERIALIZED columns), the drift check of `verify` and documentation all read this list,
 * so a column cannot exist without its derivation (DESIGN.md invariant 6).
 */
export interface DerivedColumn {
  readonly name: string;
  readonly type: string;
  readonly expr: string;
}

/**
 * The record fields the columns read, as one ClickHouse tuple type. Every column extracts the whole
 * tuple with the same `JSONExtract(record, 'Tuple(…)')` call; ClickHouse merges identical
 * sub-expressions when it computes the MATERIALIZED columns of an insert, so each record is parsed
 * once instead of once per column (measured: 59 → 26 µs per event on insert).
 */
const RECORD_TUPLE = [
  'stream_id String',
  'seq UInt64',
  'prev_hash String',
  'event_id String',
  'event_type String',
  'observed_at String',
  'started_at Nullable(String)',
  'ended_at Nullable(String)',
  'duration_ms Nullable(Float64)',
  'tenant_id String',
  'user_id Nullable(String)',
  'session_id Nullable(String)',
  'request_id Nullable(String)',
  'trace_id Nullable(String)',
  'span_id Nullable(String)',
  'parent_span_id Nullable(String)',
  'name String',
  'service Tuple(name Nullable(String))',
  'status String',
  'error_type Nullable(String)',
  'operation Nullable(String)',
  'provider Nullable(String)',
  'request_model Nullable(String)',
  'response_model Nullable(String)',
  'usage Tuple(input_tokens Nullable(UInt64), output_tokens Nullable(UInt64), cache_read_tokens Nullable(UInt64), cache_write_tokens Nullable(UInt64), reasoning_tokens Nullable(UInt64))',
  'cost_usd Nullable(String)',
  'price_source Nullable(String)',
  'payload Tuple(digest Nullable(String))',
].join(', ');

const field = (name: string) => `tupleElement(JSONExtract(record, 'Tuple(${RECORD_TUPLE})'), '${name}')`;
/** A nullable text field; absent or null is ''. */
const text = (name: string) => `ifNull(${field(name)}, '')`;
const nested = (outer: string, inner: string) => `tupleElement(${field(outer)}, '${inner}')`;
const tokens = (name: string) => `ifNull(${nested('usage', name)}, 0)`;

export const DERIVED_COLUMNS: readonly DerivedColumn[] = [
  { name: 'stream_id', type: 'String', expr: field('stream_id') },
  { name: 'seq', type: 'UInt64', expr: field('seq') },
  { name: 'prev_hash', type: 'String', expr: field('prev_hash') },
  { name: 'event_id', type: 'UUID', expr: `toUUIDOrZero(${field('event_id')})` },
  { name: 'event_type', type: 'LowCardinality(String)', expr: field('event_type') },
  { name: 'observed_at', type: `DateTime64(6, 'UTC')`, expr: `parseDateTime64BestEffortOrZero(${field('observed_at')}, 6, 'UTC')` },
  { name: 'started_at', type: `Nullable(DateTime64(9, 'UTC'))`, expr: `parseDateTime64BestEffortOrNull(${field('started_at')}, 9, 'UTC')` },
  { name: 'ended_at', type: `Nullable(DateTime64(9, 'UTC'))`, expr: `parseDateTime64BestEffortOrNull(${field('ended_at')}, 9, 'UTC')` },
  { name: 'duration_ms', type: 'Nullable(Float64)', expr: field('duration_ms') },
  { name: 'tenant_id', type: 'LowCardinality(String)', expr: field('tenant_id') },
  { name: 'user_id', type: 'String', expr: text('user_id') },
  { name: 'session_id', type: 'String', expr: text('session_id') },
  { name: 'request_id', type: 'String', expr: text('request_id') },
  { name: 'trace_id', type: 'String', expr: text('trace_id') },
  { name: 'span_id', type: 'String', expr: text('span_id') },
  { name: 'parent_span_id', type: 'String', expr: text('parent_span_id') },
  { name: 'name', type: 'String', expr: field('name') },
  { name: 'service_name', type: 'LowCardinality(String)', expr: `ifNull(${nested('service', 'name')}, '')` },
  { name: 'status', type: 'LowCardinality(String)', expr: field('status') },
  { name: 'error_type', type: 'LowCardinality(String)', expr: text('error_type') },
  { name: 'operation', type: 'LowCardinality(String)', expr: text('operation') },
  { name: 'provider', type: 'LowCardinality(String)', expr: text('provider') },
  { name: 'request_model', type: 'LowCardinality(String)', expr: text('request_model') },
  { name: 'response_model', type: 'LowCardinality(String)', expr: text('response_model') },
  { name: 'input_tokens', type: 'UInt64', expr: tokens('input_tokens') },
  { name: 'output_tokens', type: 'UInt64', expr: tokens('output_tokens') },
  { name: 'cache_read_tokens', type: 'UInt64', expr: tokens('cache_read_tokens') },
  { name: 'cache_write_tokens', type: 'UInt64', expr: tokens('cache_write_tokens') },
  { name: 'reasoning_tokens', type: 'UInt64', expr: tokens('reasoning_tokens') },
  { name: 'cost_usd', type: 'Nullable(Decimal64(12))', expr: `toDecimal64OrNull(${field('cost_usd')}, 12)` },
  { name: 'price_source', type: 'LowCardinality(String)', expr: text('price_source') },
  { name: 'payload_digest', type: 'String', expr: `ifNull(${nested('payload', 'digest')}, '')` },
];

/**
 * `derived_hash`: a hash of every derived column as computed from the record at insert. It is part
 * of the sorting key, and ClickHouse refuses to UPDATE a key column (even after REMOVE MATERIALIZED),
 * so comparing it with a hash of the stored columns finds any column changed after insert by a
 * cheap column scan, without parsing a single record. Verify's `--deep` mode compares every column
 * with its record instead (that also catches a whole table rewritten with forged values).
 */
export const DERIVED_HASH_EXPR = `cityHash64(tuple(${DERIVED_COLUMNS.map((c) => c.expr).join(', ')}))`;

/** The same hash over the stored column values. */
export const STORED_HASH_EXPR = `cityHash64(tuple(${DERIVED_COLUMNS.map((c) => c.name).join(', ')}))`;

/**
 * Columns added by migration 2: the event a `cost.correction` names, by its stream position (the
 * key the `by_user` projection also carries, so cost queries join on it without leaving the
 * projection). Derived from the record like every column, but only for corrections: other events
 * store '' and 0 (the `if` is evaluated lazily; on 10,000-event inserts of 1.3 KB records the two
 * columns cost no time beyond the noise of the measurement).
 *
 * They stay outside derived_hash, whose expression (a sorting-key column) cannot change on an
 * existing table. Queries read them on correction rows only (event_type, itself covered by
 * derived_hash, says which rows those are), and verify compares them with the record on every
 * correction row: few rows, found through the event_type skip index.
 */
export const LINK_COLUMNS: readonly DerivedColumn[] = [
  { name: 'corrects_stream_id', type: 'String', expr: `if(event_type = '${COST_CORRECTION}', JSONExtractString(record, 'data', 'corrects', 'stream_id'), '')` },
  { name: 'corrects_seq', type: 'UInt64', expr: `if(event_type = '${COST_CORRECTION}', JSONExtractUInt(record, 'data', 'corrects', 'seq'), 0)` },
];
