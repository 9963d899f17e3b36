import type { JsonValue } from '@auditrail/core';

/** The `data` of an `llm.completion` or `llm.embedding` record, the same fields whatever the dialect. */
export interface LlmFields {
  readonly responseId: string | null;
  readonly finishReasons: string[] | null;
  readonly temperature: number | null;
  readonly maxTokens: number | null;
  readonly topP: number | null;
}

export function llmData(f: LlmFields): { [key: string]: JsonValue } {
  return { response_id: f.responseId, finish_reasons: f.finishReasons, temperature: f.temperature, max_tokens: f.maxTokens, top_p: f.topP };
}

/** The `data` of a `tool.call` record. */
export function toolData(name: string | null, callId: string | null, type: string | null): { [key: string]: JsonValue } {
  return { tool_name: name, tool_call_id: callId, tool_type: type };
}

/** The `data` of an `agent.invoke` record. */
export function agentData(name: string | null, id: string | null): { [key: string]: JsonValue } {
  return { agent_name: name, agent_id: id };
}
