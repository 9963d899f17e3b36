import { planAnswer, type Answer, type FunctionTool, type Turn } from './answer-plan.js';
import { invalidRequest } from './errors.js';
import { anthropicSnapshot } from './models.js';
import { anthropicCacheSplit, type CacheSplit, type PromptSegment } from './prompt-cache.js';
import { sumTokens, tokens } from './tokens.js';
import { isRecord, textsOf } from './values.js';

/** Block types whose `text` counts as text (in `system`, messages and `tool_result` content). */
const TEXT_PARTS = new Set(['text']);
/** The real API refuses more `cache_control` breakpoints than this. */
const MAX_BREAKPOINTS = 4;

/** Everything the JSON message and its SSE events are built from. */
export interface MessagesPlan {
  /** JSON of the body: the seed of every id. */
  key: string;
  model: string;
  answer: Answer;
  cache: CacheSplit;
}

/** The TTL of a block's `cache_control` breakpoint, if it has one. */
function breakpointOf(block: Record<string, unknown>): PromptSegment['breakpoint'] {
  const control = block['cache_control'];
  if (!isRecord(control) || control['type'] !== 'ephemeral') return undefined;
  return control['ttl'] === '1h' ? '1h' : '5m';
}

/** Prompt tokens of one content block: its text, its tool input, or its tool result's text. */
function blockTokens(block: Record<string, unknown>): number {
  switch (block['type']) {
    case 'text':
      return typeof block['text'] === 'string' ? tokens(block['text']) : 0;
    case 'tool_use':
      return tokens(JSON.stringify(block['input'] ?? {}));
    case 'tool_result':
      return sumTokens(textsOf(block['content'], TEXT_PARTS));
    default:
      return 0; // images, documents…: not counted
  }
}

/** `content` (a string or an array of blocks) as prompt segments, one per block. */
function contentSegments(content: unknown): PromptSegment[] {
  if (typeof content === 'string') return [{ tokens: tokens(content) }];
  if (!Array.isArray(content)) return [];
  return content.filter(isRecord).map((block) => ({ tokens: blockTokens(block), breakpoint: breakpointOf(block) }));
}

/** A message as turns: each `tool_result` block is a `tool` turn, each run of text blocks one turn. */
function messageTurns(role: string, content: unknown): Turn[] {
  if (typeof content === 'string') return [{ role, text: content }];
  const turns: Turn[] = [];
  let texts: string[] = [];
  const flush = (): void => {
    if (texts.length > 0) turns.push({ role, text: texts.join('\n') });
    texts = [];
  };
  for (const block of Array.isArray(content) ? content : []) {
    if (!isRecord(block)) continue;
    if (block['type'] === 'tool_result') {
      flush();
      turns.push({ role: 'tool', text: textsOf(block['content'], TEXT_PARTS).join('\n') });
    } else if (block['type'] === 'text' && typeof block['text'] === 'string') {
      texts.push(block['text']);
    }
  }
  flush();
  return turns.length > 0 ? turns : [{ role, text: '' }];
}

function parseMessages(value: unknown): { turns: Turn[]; segments: PromptSegment[] } {
  if (value === undefined) throw invalidRequest('messages: Field required', 'messages');
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidRequest('messages: at least one message is required', 'messages');
  }
  const turns: Turn[] = [];
  const segments: PromptSegment[] = [];
  value.forEach((message: unknown, i) => {
    const role = isRecord(message) ? message['role'] : undefined;
    if (role !== 'user' && role !== 'assistant') {
      throw invalidRequest(`messages.${i}.role: Input should be 'user' or 'assistant'`, `messages.${i}.role`);
    }
    const content = (message as Record<string, unknown>)['content'];
    if (content === undefined) throw invalidRequest(`messages.${i}.content: Field required`, `messages.${i}.content`);
    turns.push(...messageTurns(role, content));
    segments.push(...contentSegments(content));
  });
  return { turns, segments };
}

/** Client tools (`name` + `input_schema`); server tools (`web_search_…`) are skipped. */
function clientTools(value: unknown): Array<{ tool: FunctionTool; segment: PromptSegment }> {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).flatMap((tool) => {
    const type = tool['type'];
    if (typeof tool['name'] !== 'string' || (type !== undefined && type !== 'custom')) return [];
    const segment = { tokens: tokens(JSON.stringify(tool)), breakpoint: breakpointOf(tool) };
    return [{ tool: { name: tool['name'], parameters: tool['input_schema'] }, segment }];
  });
}

/**
 * Decide, deterministically, how to answer a `POST /v1/messages` body. The prompt is, in
 * order: every tool (tokens of its JSON), every `system` block, every message block; the
 * `cache_control` breakpoints split it into cache reads, cache writes and plain input (see
 * `anthropicCacheSplit`). Throws `MockApiError` (400) when the body is not a valid request.
 */
export function planMessages(request: unknown): MessagesPlan {
  if (!isRecord(request)) throw invalidRequest('The request body must be a JSON object.');
  const model = request['model'];
  if (typeof model !== 'string' || model.length === 0) throw invalidRequest('model: Field required', 'model');
  const maxTokens = request['max_tokens'];
  if (typeof maxTokens !== 'number') throw invalidRequest('max_tokens: Field required', 'max_tokens');
  const { turns, segments: messageSegments } = parseMessages(request['messages']);
  const tools = clientTools(request['tools']);
  const segments = [...tools.map((t) => t.segment), ...contentSegments(request['system']), ...messageSegments];
  const breakpoints = segments.filter((s) => s.breakpoint !== undefined).length;
  if (breakpoints > MAX_BREAKPOINTS) {
    throw invalidRequest(
      `A maximum of ${MAX_BREAKPOINTS} blocks with cache_control may be provided. Found ${breakpoints}.`,
    );
  }
  const choice = request['tool_choice'];
  const answer = planAnswer({
    turns,
    tools: tools.map((t) => t.tool),
    parallelToolCalls: !(isRecord(choice) && choice['disable_parallel_tool_use'] === true),
    maxOutputTokens: maxTokens,
    reasoningTokens: 0,
  });
  return {
    key: JSON.stringify(request),
    model: anthropicSnapshot(model),
    answer,
    cache: anthropicCacheSplit(segments),
  };
}
