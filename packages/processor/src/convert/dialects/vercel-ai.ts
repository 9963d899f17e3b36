import type { Attributes } from '@opentelemetry/api';
import type { EventType, JsonValue, Usage } from '@auditrail/core';
import { int, isRecord, jsonOrText, num, numOf, parseJson, str, stringsOf, wellFormed } from '../attribute-values.js';
import { type Message, message, messagesOfChat, type Part, partOfBlock, textPart, toolCallPart } from '../messages.js';
import { vercelProvider } from '../provider.js';
import { usageOf } from '../usage.js';
import { structured, toolCallContent } from './derived.js';
import { agentData, llmData, toolData } from './record-data.js';
import type { DerivedContent, Dialect, Normalized, SpanView } from './types.js';

const OP_ID = 'ai.operationId';
/** The calls that run a model and its tool loop: the wrappers an app calls. */
const AGENT_WRAPPERS = new Set(['ai.generateText', 'ai.streamText', 'ai.generateObject', 'ai.streamObject']);

/**
 * `ai.operationId` → event type and semconv operation. The provider-level `do*` spans are the
 * model calls; `ai.toolCall` runs a tool; the wrapper an app calls (`ai.generateText`, …) becomes
 * an `agent.invoke` without usage of its own, so its steps are not counted twice.
 */
function kindOf(a: Attributes): readonly [EventType, string] | undefined {
  const id = a[OP_ID];
  if (typeof id !== 'string') return undefined;
  if (id === 'ai.toolCall') return ['tool.call', 'execute_tool'];
  if (id.endsWith('.doGenerate') || id.endsWith('.doStream')) return ['llm.completion', 'chat'];
  if (id.endsWith('.doEmbed')) return ['llm.embedding', 'embeddings'];
  if (id.endsWith('.doRerank')) return ['retrieval', 'retrieval'];
  return ['agent.invoke', AGENT_WRAPPERS.has(id) ? 'invoke_agent' : 'invoke_workflow'];
}

/**
 * Usage of a model call. AI SDK 6 reports `inputTokens` as the total (cache reads and writes
 * included, with `inputTokenDetails`); AI SDK 5 reported Anthropic's raw `input_tokens` and only
 * the cache reads (`cachedInputTokens`), the writes being in the provider metadata.
 */
function usageOfCall(a: Attributes, type: EventType, provider: string | null): Usage | null {
  if (type === 'llm.embedding') return usageOf({ input: int(a, 'ai.usage.tokens', 'gen_ai.usage.input_tokens'), output: null, cacheRead: null, cacheWrite: null, reasoning: null });
  const v6 = a['ai.usage.inputTokenDetails.noCacheTokens'] !== undefined || a['ai.usage.inputTokenDetails.cacheReadTokens'] !== undefined;
  const v5Anthropic = !v6 && provider === 'anthropic';
  return usageOf(
    {
      input: int(a, 'ai.usage.inputTokens', 'gen_ai.usage.input_tokens', 'ai.usage.promptTokens'),
      output: int(a, 'ai.usage.outputTokens', 'gen_ai.usage.output_tokens', 'ai.usage.completionTokens'),
      cacheRead: int(a, 'ai.usage.inputTokenDetails.cacheReadTokens', 'ai.usage.cachedInputTokens'),
      cacheWrite: int(a, 'ai.usage.inputTokenDetails.cacheWriteTokens') ?? (v5Anthropic ? anthropicCacheWrites(a) : null),
      reasoning: int(a, 'ai.usage.outputTokenDetails.reasoningTokens', 'ai.usage.reasoningTokens'),
    },
    v5Anthropic,
  );
}

function anthropicCacheWrites(a: Attributes): number | null {
  const meta = parseJson(a['ai.response.providerMetadata']);
  const anthropic = isRecord(meta) && isRecord(meta['anthropic']) ? meta['anthropic'] : {};
  return int(anthropic as Attributes, 'cacheCreationInputTokens');
}

/** `ai.response.toolCalls`: `[{ toolCallId, toolName, input }]` (input as JSON text or structure). */
function toolCallParts(v: unknown): Part[] {
  const list = jsonOrText(v);
  if (!Array.isArray(list)) return [];
  return list.filter(isRecord).map((tc) => (tc['type'] === 'tool-call' ? partOfBlock(tc) : toolCallPart(tc['toolCallId'], tc['toolName'], tc['input'] ?? tc['args'])));
}

function outputMessages(a: Attributes): Message[] | undefined {
  const parts: Part[] = [];
  const reasoning = a['ai.response.reasoning'];
  if (typeof reasoning === 'string' && reasoning !== '') parts.push({ type: 'reasoning', content: wellFormed(reasoning) });
  const text = a['ai.response.text'];
  if (typeof text === 'string' && text !== '') parts.push(textPart(text));
  const object = a['ai.response.object'];
  if (typeof object === 'string') parts.push(textPart(object));
  parts.push(...toolCallParts(a['ai.response.toolCalls']));
  if (parts.length === 0 && text === undefined) return undefined;
  return [message('assistant', parts, str(a, 'ai.response.finishReason'))];
}

/** The wrapper's `ai.prompt`: `{ system?, prompt?, messages? }` as the app passed it. */
function promptMessages(v: unknown): Message[] | undefined {
  const prompt = jsonOrText(v);
  if (!isRecord(prompt)) return typeof prompt === 'string' ? [message('user', [textPart(prompt)])] : undefined;
  const out: Message[] = [];
  if (typeof prompt['system'] === 'string') out.push(message('system', [textPart(prompt['system'])]));
  if (typeof prompt['prompt'] === 'string') out.push(message('user', [textPart(prompt['prompt'])]));
  else out.push(...(messagesOfChat(prompt['prompt']) ?? []));
  out.push(...(messagesOfChat(prompt['messages']) ?? []));
  return out;
}

function derivedContent(a: Attributes, type: EventType): DerivedContent {
  if (type === 'tool.call') return toolCallContent(a, 'ai.toolCall.args', 'ai.toolCall.result');
  const content: DerivedContent = {};
  const input = a['ai.prompt.messages'] !== undefined ? messagesOfChat(jsonOrText(a['ai.prompt.messages'])) : promptMessages(a['ai.prompt']);
  if (input !== undefined) content['gen_ai.input.messages'] = input;
  const output = outputMessages(a);
  if (output !== undefined) content['gen_ai.output.messages'] = output;
  const tools = a['ai.prompt.tools'];
  if (Array.isArray(tools)) content['gen_ai.tool.definitions'] = tools.map(structured);
  return content;
}

function dataOf(type: EventType, a: Attributes): { [key: string]: JsonValue } {
  switch (type) {
    case 'llm.completion':
    case 'llm.embedding': {
      const reason = str(a, 'ai.response.finishReason');
      return llmData({
        responseId: str(a, 'gen_ai.response.id', 'ai.response.id'),
        finishReasons: stringsOf(a, 'gen_ai.response.finish_reasons') ?? (reason === null ? null : [reason]),
        temperature: num(a, 'gen_ai.request.temperature') ?? numOf(a, 'ai.settings.temperature'),
        maxTokens: int(a, 'gen_ai.request.max_tokens', 'ai.settings.maxOutputTokens', 'ai.settings.maxTokens'),
        topP: num(a, 'gen_ai.request.top_p') ?? numOf(a, 'ai.settings.topP'),
      });
    }
    case 'tool.call':
      return toolData(str(a, 'ai.toolCall.name'), str(a, 'ai.toolCall.id'), 'function');
    case 'agent.invoke':
      return agentData(str(a, 'ai.telemetry.functionId'), null);
    default:
      return {};
  }
}

/**
 * The Vercel AI SDK (`ai` with `experimental_telemetry`): `ai.*` spans named by `ai.operationId`,
 * content in `ai.prompt*` / `ai.response.*`, usage in `ai.usage.*`, and `gen_ai.*` on the model
 * calls, where `gen_ai.system` is the SDK's provider id (`openai.responses`, `anthropic.messages`).
 */
export const vercelAi: Dialect = {
  name: 'vercel-ai',
  eventType: (a) => kindOf(a)?.[0],
  owns: (span: SpanView) => typeof span.attributes[OP_ID] === 'string',
  normalize(span, type): Normalized {
    const a = span.attributes;
    const provider = vercelProvider(str(a, 'gen_ai.system', 'ai.model.provider'));
    const modelCall = type === 'llm.completion' || type === 'llm.embedding' || type === 'retrieval';
    return {
      operation: kindOf(a)?.[1] ?? null,
      provider,
      requestModel: str(a, 'gen_ai.request.model', 'ai.model.id'),
      responseModel: modelCall ? str(a, 'gen_ai.response.model', 'ai.response.model') : null,
      usage: modelCall ? usageOfCall(a, type, provider) : null,
      data: dataOf(type, a),
      content: derivedContent(a, type),
    };
  },
};
