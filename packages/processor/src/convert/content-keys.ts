import { semconv as sc } from '@auditrail/instrumentation';

/**
 * Which span attributes are content — prompts, completions, tool definitions, arguments and
 * results, documents, embeddings — in every dialect auditrail reads. Content never stays in the
 * record: it moves to the payload, beside it. One predicate for all spans, whatever their dialect:
 * an attribute that is content in one library is content wherever it appears.
 */
const EXACT = new Set<string>([
  ...sc.CONTENT_ATTRIBUTES,
  // GenAI semantic conventions before messages became one attribute.
  'gen_ai.prompt',
  'gen_ai.completion',
  // OpenLLMetry (Traceloop).
  'traceloop.entity.input',
  'traceloop.entity.output',
  // OpenInference.
  'input.value',
  'output.value',
  'llm.invocation_parameters',
  'llm.prompts',
  'tool.parameters',
  'reranker.query',
  // Vercel AI SDK.
  'ai.prompt',
  'ai.response.text',
  'ai.response.reasoning',
  'ai.response.toolCalls',
  'ai.response.object',
  'ai.response.providerMetadata',
  'ai.toolCall.args',
  'ai.toolCall.result',
  'ai.value',
  'ai.values',
  'ai.embedding',
  'ai.embeddings',
  'ai.documents',
  'ai.ranking',
  'ai.schema',
  'ai.schema.description',
]);

/** Prefixes of flattened content attributes (`gen_ai.prompt.0.content`, `llm.input_messages.0.message.role`, …). */
const PREFIXES = [
  'gen_ai.prompt.',
  'gen_ai.completion.',
  'llm.request.functions.',
  'llm.input_messages.',
  'llm.output_messages.',
  'llm.tools.',
  'llm.prompts.',
  'llm.prompt_template.',
  'input.images.',
  'output.images.',
  'embedding.embeddings.',
  'retrieval.documents.',
  'reranker.input_documents.',
  'reranker.output_documents.',
  'ai.prompt.',
];

/** Decisions by key. Keys repeat from span to span, so each is classified once; bounded so that apps minting keys cannot grow it. */
const decided = new Map<string, boolean>();
const MAX_DECIDED = 8192;

function classify(key: string): boolean {
  if (EXACT.has(key)) return true;
  for (const p of PREFIXES) if (key.startsWith(p)) return true;
  return false;
}

/** True when the attribute `key` holds content (kept in the payload, never in the record). */
export function isContentKey(key: string): boolean {
  let content = decided.get(key);
  if (content === undefined) {
    content = classify(key);
    if (decided.size < MAX_DECIDED) decided.set(key, content);
  }
  return content;
}
