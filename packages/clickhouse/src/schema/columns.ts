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

const str = (path: string) => `JSONExtractString(record, ${path})`;
const tokens = (field: string) => `JSONExtractUInt(record, 'usage', '${field}')`;

export const DERIVED_COLUMNS: readonly DerivedColumn[] = [
  { name: 'stream_id', type: 'String', expr: str(`'stream_id'`) },
  { name: 'seq', type: 'UInt64', expr: `JSONExtractUInt(record, 'seq')` },
  { name: 'prev_hash', type: 'String', expr: str(`'prev_hash'`) },
  { name: 'event_id', type: 'UUID', expr: `toUUIDOrZero(${str(`'event_id'`)})` },
  { name: 'event_type', type: 'LowCardinality(String)', expr: str(`'event_type'`) },
  { name: 'observed_at', type: `DateTime64(6, 'UTC')`, expr: `parseDateTime64BestEffortOrZero(${str(`'observed_at'`)}, 6, 'UTC')` },
  { name: 'started_at', type: `Nullable(DateTime64(9, 'UTC'))`, expr: `parseDateTime64BestEffortOrNull(${str(`'started_at'`)}, 9, 'UTC')` },
  { name: 'ended_at', type: `Nullable(DateTime64(9, 'UTC'))`, expr: `parseDateTime64BestEffortOrNull(${str(`'ended_at'`)}, 9, 'UTC')` },
  { name: 'duration_ms', type: 'Nullable(Float64)', expr: `JSONExtract(record, 'duration_ms', 'Nullable(Float64)')` },
  { name: 'tenant_id', type: 'LowCardinality(String)', expr: str(`'tenant_id'`) },
  { name: 'user_id', type: 'String', expr: str(`'user_id'`) },
  { name: 'session_id', type: 'String', expr: str(`'session_id'`) },
  { name: 'request_id', type: 'String', expr: str(`'request_id'`) },
  { name: 'trace_id', type: 'String', expr: str(`'trace_id'`) },
  { name: 'span_id', type: 'String', expr: str(`'span_id'`) },
  { name: 'parent_span_id', type: 'String', expr: str(`'parent_span_id'`) },
  { name: 'name', type: 'String', expr: str(`'name'`) },
  { name: 'service_name', type: 'LowCardinality(String)', expr: str(`'service', 'name'`) },
  { name: 'status', type: 'LowCardinality(String)', expr: str(`'status'`) },
  { name: 'error_type', type: 'LowCardinality(String)', expr: str(`'error_type'`) },
  { name: 'operation', type: 'LowCardinality(String)', expr: str(`'operation'`) },
  { name: 'provider', type: 'LowCardinality(String)', expr: str(`'provider'`) },
  { name: 'request_model', type: 'LowCardinality(String)', expr: str(`'request_model'`) },
  { name: 'response_model', type: 'LowCardinality(String)', expr: str(`'response_model'`) },
  { name: 'input_tokens', type: 'UInt64', expr: tokens('input_tokens') },
  { name: 'output_tokens', type: 'UInt64', expr: tokens('output_tokens') },
  { name: 'cache_read_tokens', type: 'UInt64', expr: tokens('cache_read_tokens') },
  { name: 'cache_write_tokens', type: 'UInt64', expr: tokens('cache_write_tokens') },
  { name: 'reasoning_tokens', type: 'UInt64', expr: tokens('reasoning_tokens') },
  { name: 'cost_usd', type: 'Nullable(Decimal64(12))', expr: `toDecimal64OrNull(${str(`'cost_usd'`)}, 12)` },
  { name: 'price_source', type: 'LowCardinality(String)', expr: str(`'price_source'`) },
  { name: 'payload_digest', type: 'String', expr: str(`'payload', 'digest'`) },
];
