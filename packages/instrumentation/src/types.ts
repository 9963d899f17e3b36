/** A part of a message in the GenAI semantic-convention message structure. */
export type MessagePart =
  | { type: 'text'; content: string }
  | { type: 'tool_call'; id?: string; name: string; arguments?: unknown }
  | { type: 'tool_call_response'; id?: string; response: unknown }
  | { type: string; [key: string]: unknown };

/** A chat message as the GenAI semantic conventions structure it. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool' | string;
  parts: MessagePart[];
  /** Output messages only. */
  finish_reason?: string;
}

export interface LlmCallOptions {
  /** `gen_ai.provider.name`, e.g. `openai`, `anthropic`. */
  provider: string;
  /** Requested model. */
  model: string;
  /** `gen_ai.operation.name`. Default `chat`. */
  operation?: 'chat' | 'text_completion' | 'generate_content' | 'embeddings';
  inputMessages?: ChatMessage[];
  systemInstructions?: MessagePart[];
  /** Tool definitions offered to the model (any JSON). */
  tools?: unknown[];
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  conversationId?: string;
}

export interface LlmUsage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
}

export interface LlmResponse {
  id?: string;
  model?: string;
  finishReasons?: string[];
  usage?: LlmUsage;
  outputMessages?: ChatMessage[];
}

export interface ToolCallOptions {
  name: string;
  /** The id the model gave the call. */
  callId?: string;
  /** Default `function`. */
  type?: 'function' | 'extension' | 'datastore' | string;
  description?: string;
  arguments?: unknown;
  /** Record the value `fn` returns as the tool result. Default true. */
  recordResult?: boolean;
}

/** A span a decision rests on; LLM and tool call handles are references. */
export interface SpanReference {
  readonly traceId: string;
  readonly spanId: string;
}

export interface DecisionOptions {
  name: string;
  outcome: string;
  /** The calls the decision rests on. */
  basedOn?: readonly SpanReference[];
  /** What the decision weighed (content: stored beside the record). */
  inputs?: unknown;
  policyVersion?: string;
  modelVersion?: string;
  /** 0..1 */
  confidence?: number;
  /** Person who reviewed or made the decision. */
  reviewer?: string;
}
