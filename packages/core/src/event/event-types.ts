/**
 * Event kinds of DESIGN.md §3. `audit.*` kinds and `cost.correction` (a new price for a past call,
 * written by `auditrail reprice`) are written by auditrail itself; `audit.erasure` and
 * `audit.retention_purge` name the payload rows they removed (see erasure.ts).
 */
export const EVENT_TYPES = [
  'llm.completion',
  'llm.embedding',
  'tool.call',
  'agent.invoke',
  'retrieval',
  'decision',
  'guardrail',
  'evaluation',
  'auth',
  'admin',
  'error',
  'cost.correction',
  'audit.stream_open',
  'audit.load_shed',
  'audit.erasure',
  'audit.retention_purge',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Event types only auditrail itself writes: an app span claiming one of them must not become one
 * (a forged `cost.correction` would change what cost queries report).
 */
export const OWN_EVENT_TYPES: ReadonlySet<EventType> = new Set(EVENT_TYPES.filter((t) => t.startsWith('audit.') || t === 'cost.correction'));

/** Maps an OTel GenAI `gen_ai.operation.name` to the audit event type it produces. */
export const OPERATION_EVENT_TYPES: Readonly<Record<string, EventType>> = {
  chat: 'llm.completion',
  text_completion: 'llm.completion',
  generate_content: 'llm.completion',
  embeddings: 'llm.embedding',
  execute_tool: 'tool.call',
  invoke_agent: 'agent.invoke',
  invoke_workflow: 'agent.invoke',
  create_agent: 'agent.invoke',
  retrieval: 'retrieval',
};
