/** Wire shapes of the Responses API objects the mock sends (a subset of the real API's). */

export interface ResponseUsage {
  /** Includes the cached tokens. */
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  /** Includes the reasoning tokens. */
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export interface OutputTextPart {
  type: 'output_text';
  annotations: [];
  logprobs: [];
  text: string;
}

export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

export interface ReasoningItem {
  id: string;
  type: 'reasoning';
  summary: [];
}

export interface MessageItem {
  id: string;
  type: 'message';
  status: ItemStatus;
  role: 'assistant';
  content: OutputTextPart[];
}

export interface FunctionCallItem {
  id: string;
  type: 'function_call';
  status: ItemStatus;
  arguments: string;
  call_id: string;
  name: string;
}

export type OutputItem = ReasoningItem | MessageItem | FunctionCallItem;

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete';

export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  completed_at: number | null;
  background: false;
  error: null;
  incomplete_details: { reason: 'max_output_tokens' } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  model: string;
  output: OutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  reasoning: { effort: string | null; summary: null };
  service_tier: 'default';
  store: boolean;
  temperature: number;
  text: { format: { type: 'text' }; verbosity: 'medium' };
  tool_choice: unknown;
  tools: unknown[];
  top_p: number;
  truncation: 'disabled';
  usage: ResponseUsage | null;
  metadata: Record<string, unknown>;
}

/** One event of a streamed response: its `type` is also the SSE `event:` name. */
export interface ResponseStreamEvent {
  type: string;
  sequence_number: number;
  [field: string]: unknown;
}
