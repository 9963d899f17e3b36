/** Wire shapes of the Anthropic Messages API objects the mock sends (a subset of the real API's). */

export type StopReason = 'end_turn' | 'max_tokens' | 'tool_use';

export interface TextBlock {
  type: 'text';
  text: string;
}

export interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export type ContentBlock = TextBlock | ToolUseBlock;

/** Anthropic usage: `input_tokens` excludes both cache figures. */
export interface MessageUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  output_tokens: number;
  service_tier: 'standard';
}

export interface MessageObject {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ContentBlock[];
  stop_reason: StopReason | null;
  stop_sequence: null;
  usage: MessageUsage;
}

/** One event of a streamed message: its `type` is also the SSE `event:` name. */
export interface MessageStreamEvent {
  type: string;
  [field: string]: unknown;
}
