/**
 * Event kinds of DESIGN.md §3. `audit.*` kinds are written by auditrail itself.
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
  'audit.stream_open',
  'audit.load_shed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

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
