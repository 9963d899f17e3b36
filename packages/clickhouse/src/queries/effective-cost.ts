import { COST_CORRECTION } from '@auditrail/core';

/**
 * Cost with corrections. A `cost.correction` event names an event by its stream position and
 * states a new cost (its own `cost_usd`); the events table is never updated, so every cost query
 * takes, per event, the cost of its latest correction if it has one, else its own.
 *
 * Corrections are found through the event_type skip index (they live in streams of their own, so
 * few granules hold any) and joined on (stream_id, seq), which the `by_user` projection carries:
 * the events side of each query still reads the projection or the primary key as before, and with
 * no corrections the join adds a scan of the skip index only.
 */

/** An aggregate over an event's corrections that takes the value of the latest: by observed_at, then position. */
export function ofLatest(column: string): string {
  return `argMax(${column}, (observed_at, stream_id, seq))`;
}

/**
 * The latest correction of each corrected event: c_stream, c_seq → c_cost (Decimal), then any
 * `columns` (aggregates, each with a leading comma). `where` narrows the corrections read (it
 * starts with AND). Aliases are never column names: ClickHouse would resolve the name to the
 * alias, in argMax and in WHERE.
 */
export function latestCorrectionsSql(db: string, where = '', columns = ''): string {
  return `SELECT corrects_stream_id AS c_stream, corrects_seq AS c_seq, ${ofLatest('cost_usd')} AS c_cost${columns}
    FROM ${db}.events
    WHERE event_type = '${COST_CORRECTION}' AND corrects_stream_id != '' AND cost_usd IS NOT NULL${where}
    GROUP BY c_stream, c_seq`;
}

/**
 * `events` (a subquery aliased `e` that selects stream_id, seq and cost_usd among its columns)
 * with `effective_cost`: the latest correction's cost, or the event's own.
 */
export function withEffectiveCost(db: string, events: string, tenant: boolean, columns: readonly string[]): string {
  return `SELECT ${columns.map((c) => `e.${c} AS ${c}`).join(', ')}, if(c.c_stream = '', e.cost_usd, c.c_cost) AS effective_cost
    FROM (${events}) AS e
    LEFT JOIN (${latestCorrectionsSql(db, tenant ? ' AND tenant_id = {tenant_id:String}' : '')}) AS c ON e.stream_id = c.c_stream AND e.seq = c.c_seq`;
}
