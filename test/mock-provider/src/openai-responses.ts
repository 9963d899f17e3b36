import { CREATED_AT } from './clock.js';
import { planResponse, type ResponsesPlan } from './responses-plan.js';
import type {
  FunctionCallItem,
  MessageItem,
  OutputItem,
  OutputTextPart,
  ResponseObject,
  ResponseStreamEvent,
} from './responses-types.js';
import { derivedId } from './sha256.js';
import { pieces } from './text.js';
import { isRecord } from './values.js';

/** Length of the hex part of `resp_`, `msg_`, `fc_` and `rs_` ids (the real ones are this long). */
const LONG_ID = 48;

function outputItems(plan: ResponsesPlan): OutputItem[] {
  const { key, answer } = plan;
  const items: OutputItem[] = [];
  if (plan.effort !== null) items.push({ id: derivedId('rs_', key, 'rs', LONG_ID), type: 'reasoning', summary: [] });
  answer.toolCalls.forEach((call, index) => {
    items.push({
      id: derivedId('fc_', key, `fc${index}`, LONG_ID),
      type: 'function_call',
      status: 'completed',
      arguments: call.arguments,
      call_id: derivedId('call_', key, String(index)),
      name: call.name,
    });
  });
  if (answer.text !== null) {
    items.push({
      id: derivedId('msg_', key, 'msg', LONG_ID),
      type: 'message',
      status: answer.finish === 'length' ? 'incomplete' : 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', annotations: [], logprobs: [], text: answer.text }],
    });
  }
  return items;
}

function buildResponse(request: Record<string, unknown>, plan: ResponsesPlan): ResponseObject {
  const { answer } = plan;
  const incomplete = answer.finish === 'length';
  return {
    id: derivedId('resp_', plan.key, '', LONG_ID),
    object: 'response',
    created_at: CREATED_AT,
    status: incomplete ? 'incomplete' : 'completed',
    completed_at: incomplete ? null : CREATED_AT,
    background: false,
    error: null,
    incomplete_details: incomplete ? { reason: 'max_output_tokens' } : null,
    instructions: typeof request['instructions'] === 'string' ? request['instructions'] : null,
    max_output_tokens: typeof request['max_output_tokens'] === 'number' ? request['max_output_tokens'] : null,
    model: plan.model,
    output: outputItems(plan),
    parallel_tool_calls: request['parallel_tool_calls'] !== false,
    previous_response_id: typeof request['previous_response_id'] === 'string' ? request['previous_response_id'] : null,
    reasoning: { effort: plan.effort, summary: null },
    service_tier: 'default',
    store: request['store'] !== false,
    temperature: typeof request['temperature'] === 'number' ? request['temperature'] : 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: request['tool_choice'] ?? 'auto',
    tools: Array.isArray(request['tools']) ? request['tools'] : [],
    top_p: typeof request['top_p'] === 'number' ? request['top_p'] : 1,
    truncation: 'disabled',
    usage: {
      input_tokens: plan.inputTokens,
      input_tokens_details: { cached_tokens: plan.cachedTokens },
      output_tokens: answer.outputTokens,
      output_tokens_details: { reasoning_tokens: answer.reasoningTokens },
      total_tokens: plan.inputTokens + answer.outputTokens,
    },
    metadata: isRecord(request['metadata']) ? request['metadata'] : {},
  };
}

/**
 * The `response` object answering a `POST /v1/responses` body (`input` a string or an
 * array of items, `instructions`, `tools`). Pure and deterministic; throws
 * `MockApiError` (400) for an invalid body.
 */
export function createResponse(request: unknown): ResponseObject {
  const plan = planResponse(request);
  return buildResponse(request as Record<string, unknown>, plan);
}

/** An event before its `sequence_number` is set. */
type UnnumberedEvent = Omit<ResponseStreamEvent, 'sequence_number'> & { type: string };

/** The events that stream one output item, in the real API's order (without sequence numbers). */
function itemEvents(item: OutputItem, outputIndex: number): UnnumberedEvent[] {
  const at = { output_index: outputIndex };
  if (item.type === 'reasoning') {
    return [
      { type: 'response.output_item.added', ...at, item },
      { type: 'response.output_item.done', ...at, item },
    ];
  }
  const ref = { item_id: item.id, ...at };
  if (item.type === 'function_call') {
    const added: FunctionCallItem = { ...item, status: 'in_progress', arguments: '' };
    return [
      { type: 'response.output_item.added', ...at, item: added },
      ...pieces(item.arguments).map((delta) => ({ type: 'response.function_call_arguments.delta', ...ref, delta })),
      { type: 'response.function_call_arguments.done', ...ref, name: item.name, arguments: item.arguments },
      { type: 'response.output_item.done', ...at, item },
    ];
  }
  const part = item.content[0] as OutputTextPart;
  const added: MessageItem = { ...item, status: 'in_progress', content: [] };
  const content = { ...ref, content_index: 0 };
  return [
    { type: 'response.output_item.added', ...at, item: added },
    { type: 'response.content_part.added', ...content, part: { ...part, text: '' } },
    ...pieces(part.text).map((delta) => ({ type: 'response.output_text.delta', ...content, delta, logprobs: [] })),
    { type: 'response.output_text.done', ...content, text: part.text, logprobs: [] },
    { type: 'response.content_part.done', ...content, part },
    { type: 'response.output_item.done', ...at, item },
  ];
}

/**
 * The events of the SSE answer to a streaming `POST /v1/responses` body, in order:
 * `response.created`, `response.in_progress`, each output item's events, then
 * `response.completed` (or `response.incomplete`) carrying the whole response.
 * Pure and deterministic; throws `MockApiError` (400) for an invalid body.
 */
export function createResponseEvents(request: unknown): ResponseStreamEvent[] {
  const plan = planResponse(request);
  const final = buildResponse(request as Record<string, unknown>, plan);
  const pending: ResponseObject = {
    ...final,
    status: 'in_progress',
    completed_at: null,
    incomplete_details: null,
    output: [],
    usage: null,
  };
  const events: UnnumberedEvent[] = [
    { type: 'response.created', response: pending },
    { type: 'response.in_progress', response: pending },
    ...final.output.flatMap(itemEvents),
    { type: final.status === 'incomplete' ? 'response.incomplete' : 'response.completed', response: final },
  ];
  return events.map(({ type, ...rest }, sequence) => ({ type, sequence_number: sequence, ...rest }));
}
