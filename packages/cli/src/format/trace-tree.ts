import type { AuditRecord } from '@auditrail/core';
import { type CorrectedCosts, positionKey } from './corrected-costs.js';
import { ms, sumUsd, usd } from './text.js';

const NONE: CorrectedCosts = new Map();

/** An LLM call's cost: its latest correction's if it has one (saying so), else its own. */
export function costLabel(e: AuditRecord, corrected: CorrectedCosts): string {
  const c = corrected.get(positionKey(e));
  return c === undefined ? usd(e.cost_usd) : `${usd(c)} (corrected from ${usd(e.cost_usd)})`;
}

function label(e: AuditRecord, corrected: CorrectedCosts): string {
  const d = e.data as Record<string, unknown>;
  const parts: string[] = [e.name];
  if (e.event_type === 'decision') parts[0] = `decision ${String(d['decision_name'])} → ${String(d['outcome'])}`;
  if (e.duration_ms !== null) parts.push(ms(e.duration_ms));
  if (e.response_model ?? e.request_model) parts.push(String(e.response_model ?? e.request_model));
  if (e.usage) parts.push(`${e.usage.input_tokens ?? '?'} in / ${e.usage.output_tokens ?? '?'} out tokens`);
  if (e.event_type.startsWith('llm.')) parts.push(costLabel(e, corrected));
  if (e.event_type === 'decision') {
    const basedOn = Array.isArray(d['based_on']) ? d['based_on'].length : 0;
    if (basedOn > 0) parts.push(`based on ${basedOn} call${basedOn > 1 ? 's' : ''}`);
    if (d['policy_version']) parts.push(`policy ${String(d['policy_version'])}`);
  }
  // GenAI spans leave the status unset on success; only errors are worth a word.
  if (e.status === 'error') parts.push(`ERROR ${e.error_type ?? ''}`.trim());
  return parts.join(' · ');
}

/**
 * The calls of one request as a tree: children under the span that started them, siblings in the
 * order they started. Costs are after corrections when `corrected` names them.
 */
export function traceTree(events: AuditRecord[], corrected: CorrectedCosts = NONE): string {
  const bySpan = new Map(events.filter((e) => e.span_id).map((e) => [e.span_id!, e]));
  const children = new Map<string, AuditRecord[]>();
  const roots: AuditRecord[] = [];
  for (const e of events) {
    const parent = e.parent_span_id && bySpan.has(e.parent_span_id) ? e.parent_span_id : null;
    if (parent === null) roots.push(e);
    else {
      const siblings = children.get(parent);
      if (siblings) siblings.push(e);
      else children.set(parent, [e]);
    }
  }
  const start = (e: AuditRecord) => e.started_at ?? e.observed_at;
  const order = (list: AuditRecord[]) => [...list].sort((a, b) => (start(a) < start(b) ? -1 : start(a) > start(b) ? 1 : a.seq - b.seq));
  const lines: string[] = [];
  const walk = (e: AuditRecord, prefix: string, last: boolean) => {
    lines.push(`${prefix}${last ? '└─ ' : '├─ '}${label(e, corrected)}`);
    const kids = order(children.get(e.span_id ?? '') ?? []);
    kids.forEach((k, i) => walk(k, prefix + (last ? '   ' : '│  '), i === kids.length - 1));
  };
  const top = order(roots);
  top.forEach((e, i) => walk(e, '', i === top.length - 1));
  return lines.join('\n') + '\n';
}

/** One line about the whole request; costs after corrections when `corrected` names them. */
export function traceSummary(events: AuditRecord[], corrected: CorrectedCosts = NONE): string {
  const first = events[0]!;
  const cost = (e: AuditRecord) => corrected.get(positionKey(e)) ?? e.cost_usd;
  const total = sumUsd(events.map(cost));
  const unpriced = events.filter((e) => e.event_type.startsWith('llm.') && cost(e) === null).length;
  const llm = events.filter((e) => e.event_type.startsWith('llm.')).length;
  const tools = events.filter((e) => e.event_type === 'tool.call').length;
  const who = [first.request_id ? `request ${first.request_id}` : `trace ${first.trace_id}`, `tenant ${first.tenant_id}`];
  if (first.user_id) who.push(`user ${first.user_id}`);
  if (first.session_id) who.push(`session ${first.session_id}`);
  return `${who.join(' · ')}\n${events.length} events · ${llm} LLM calls · ${tools} tool calls · cost ${usd(total)}${unpriced ? ` (+${unpriced} unpriced)` : ''}\n`;
}
