import { StoreError } from '../errors.js';
import type { EventFilter } from '../types.js';

export interface Where {
  readonly sql: string;
  readonly params: Record<string, unknown>;
}

const DECIMAL = /^\d{1,6}(\.\d{1,12})?$/;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 100_000;

/** ClickHouse DateTime64 parameter text: UTC, microseconds. */
export function chTime(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new StoreError('QUERY', 'invalid date in filter');
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

export function limitOf(filter: EventFilter): number {
  const limit = filter.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new StoreError('QUERY', `limit must be an integer from 1 to ${MAX_LIMIT}, got ${limit}`);
  }
  return limit;
}

/**
 * WHERE clause for a filter. Values only ever travel as typed query parameters; the SQL text is
 * built from constants. `minCost` is left to the caller, which knows whether it applies per event
 * or per request.
 */
export function whereOf(filter: EventFilter): Where {
  const clauses: string[] = ['1'];
  const params: Record<string, unknown> = {};
  const eq = (column: string, value: string | undefined) => {
    if (value === undefined) return;
    clauses.push(`${column} = {${column}:String}`);
    params[column] = value;
  };
  eq('tenant_id', filter.tenant);
  eq('user_id', filter.user);
  eq('session_id', filter.session);
  eq('request_id', filter.requestId);
  eq('event_type', filter.type);
  if (filter.types !== undefined) {
    clauses.push('event_type IN {types:Array(String)}');
    params['types'] = [...filter.types];
  }
  if (filter.model !== undefined) {
    clauses.push('(request_model = {model:String} OR response_model = {model:String})');
    params['model'] = filter.model;
  }
  if (filter.since) {
    clauses.push(`observed_at >= {since:DateTime64(6, 'UTC')}`);
    params['since'] = chTime(filter.since);
  }
  if (filter.until) {
    clauses.push(`observed_at < {until:DateTime64(6, 'UTC')}`);
    params['until'] = chTime(filter.until);
  }
  return { sql: clauses.join(' AND '), params };
}

/** Validates a decimal USD amount from a filter. */
export function minCostOf(filter: EventFilter): string | undefined {
  if (filter.minCost === undefined) return undefined;
  if (!DECIMAL.test(filter.minCost)) throw new StoreError('QUERY', `min cost must be a decimal amount in USD, e.g. 0.10; got ${JSON.stringify(filter.minCost)}`);
  return filter.minCost;
}
