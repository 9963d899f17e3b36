import { type Attributes, SpanKind } from '@opentelemetry/api';
import { runInSpan, safely } from './run-span.js';
import { json } from './values.js';
import { SpanHandle } from './span-handle.js';
import * as sc from './semconv.js';

export interface RetrievalOptions {
  /** `gen_ai.data_source.id`: the index, collection or knowledge base searched. */
  dataSource: string;
  /** The query text (content: stored beside the record). */
  query?: string;
  /** How many documents were asked for. */
  topK?: number;
}

/** A retrieved document: its id and score; its text is content (stored beside the record). */
export interface RetrievedDocument {
  id: string;
  score?: number;
  content?: string;
  [key: string]: unknown;
}

/** Handle on a retrieval in progress. */
export class Retrieval extends SpanHandle {
  /** Records the documents found, in rank order. Never throws. */
  setDocuments(documents: readonly RetrievedDocument[]): void {
    safely(() => {
      const value = json(documents);
      if (value !== undefined) this.span.setAttribute(sc.ATTR_GEN_AI_RETRIEVAL_DOCUMENTS, value);
    });
  }
}

/**
 * Runs a retrieval (vector search, keyword search, a knowledge-base lookup) inside a `retrieval
 * {dataSource}` span. When `fn` returns an array of documents (objects with an `id`), they are
 * recorded; otherwise call `setDocuments` yourself.
 *
 * @example
 * const docs = await withRetrieval({ dataSource: 'kb-refunds', query: question, topK: 5 }, () => index.search(question, 5));
 */
export function withRetrieval<T>(options: RetrievalOptions, fn: (retrieval: Retrieval) => Promise<T> | T): Promise<T> {
  const attributes: Attributes = {};
  safely(() => {
    attributes[sc.ATTR_GEN_AI_OPERATION_NAME] = 'retrieval';
    attributes[sc.ATTR_GEN_AI_DATA_SOURCE_ID] = options.dataSource;
    if (options.query !== undefined) attributes[sc.ATTR_GEN_AI_RETRIEVAL_QUERY_TEXT] = options.query;
    if (options.topK !== undefined) attributes[sc.ATTR_GEN_AI_RETRIEVAL_TOP_K] = options.topK;
  });
  return runInSpan(`retrieval ${options.dataSource}`, SpanKind.CLIENT, attributes, async (span) => {
    const retrieval = new Retrieval(span);
    const result = await fn(retrieval);
    if (Array.isArray(result) && result.every((d) => typeof (d as { id?: unknown })?.id === 'string')) retrieval.setDocuments(result as RetrievedDocument[]);
    return result;
  });
}
