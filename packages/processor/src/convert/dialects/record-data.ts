import type { JsonValue } from '@auditrail/core';

// Every object literal here lists its keys in canonical (sorted) order: records built in that order
// are encoded by one JSON.stringify call (see core's canonicalJson).

/** The `data` of an `llm.completion` or `llm.embedding` record, the same fields whatever the dialect. */
export interface LlmFields {
  readonly responseId: string | null;
  readonly finishReasons: string[] | null;
  readonly temperature: number | null;
  readonly maxTokens: number | null;
  readonly topP: number | null;
}

export function llmData(f: LlmFields): { [key: string]: JsonValue } {
  return { finish_reasons: f.finishReasons, max_tokens: f.maxTokens, response_id: f.responseId, temperature: f.temperature, top_p: f.topP };
}

/** `data` with one more field, its keys still in canonical order. */
export function withField(data: { readonly [key: string]: JsonValue }, key: string, value: JsonValue): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  for (const k of [...Object.keys(data).filter((k) => k !== key), key].sort()) out[k] = k === key ? value : data[k]!;
  return out;
}

/** The `data` of a `tool.call` record. */
export function toolData(name: string | null, callId: string | null, type: string | null): { [key: string]: JsonValue } {
  return { tool_call_id: callId, tool_name: name, tool_type: type };
}

/** The `data` of an `agent.invoke` record. */
export function agentData(name: string | null, id: string | null): { [key: string]: JsonValue } {
  return { agent_id: id, agent_name: name };
}
