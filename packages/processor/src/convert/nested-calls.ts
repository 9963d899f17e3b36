import { type Attributes, type Context, trace } from '@opentelemetry/api';
import type { Usage } from '@auditrail/core';
import { eventTypeOf } from './dialects/detect.js';

/** What the inner spans of one model call reported, for the outer span's record. */
export interface InnerReport {
  usage: Usage | null;
  responseModel: string | null;
  responseId: string | null;
}

function isModelCall(attributes: Attributes | undefined): boolean {
  if (attributes === undefined) return false;
  const type = eventTypeOf(attributes);
  return type === 'llm.completion' || type === 'llm.embedding';
}

function add(x: number | null, y: number | null): number | null {
  return x === null ? y : y === null ? x : x + y;
}

function sumUsage(x: Usage | null, y: Usage | null): Usage | null {
  if (x === null || y === null) return x ?? y;
  return {
    input_tokens: add(x.input_tokens, y.input_tokens),
    output_tokens: add(x.output_tokens, y.output_tokens),
    cache_read_tokens: add(x.cache_read_tokens, y.cache_read_tokens),
    cache_write_tokens: add(x.cache_write_tokens, y.cache_write_tokens),
    reasoning_tokens: add(x.reasoning_tokens, y.reasoning_tokens),
  };
}

/**
 * One model call seen by two instrumentations makes two nested model-call spans: an
 * instrumentation library around an SDK that traces itself (OpenLLMetry's Anthropic
 * instrumentation around `@anthropic-ai/sdk` 1.x, whose own `anthropic.messages.create` span is on
 * by default), or a framework's LLM span around a client library's. Both are recorded — an audit
 * log drops nothing — but the call is accounted once: on the outer span, with the usage the inner
 * one measured at the wire (the outer's own when no inner reported any). The inner record names
 * the outer in `data.duplicate_of` and carries no usage or cost of its own (its numbers stay in its
 * attributes).
 *
 * Spans are tracked by object identity in WeakMaps: nothing outlives the spans.
 */
export class NestedCalls {
  /** Inner model-call span → the model-call span it started under. */
  readonly #outer = new WeakMap<object, { readonly span: object; readonly spanId: string }>();
  /** Outer span → what its inner spans reported so far. */
  readonly #reports = new WeakMap<object, InnerReport>();

  /** On the app's thread, for every span: one context lookup, and a few attribute lookups on the parent. */
  onStart(span: object, parentContext: Context): void {
    try {
      const parent = trace.getSpan(parentContext);
      if (parent === undefined || !isModelCall((parent as { attributes?: Attributes }).attributes)) return;
      this.#outer.set(span, { span: parent, spanId: parent.spanContext().spanId });
    } catch {
      // Never into the app: the call is then accounted on each span.
    }
  }

  /** The span id of the model call `span` runs inside, if it started under one. */
  outerOf(span: object): string | null {
    return this.#outer.get(span)?.spanId ?? null;
  }

  /** Records what an inner span measured, for its outer span's record. */
  report(inner: object, report: InnerReport): void {
    const outer = this.#outer.get(inner)?.span;
    if (outer === undefined) return;
    const seen = this.#reports.get(outer);
    this.#reports.set(
      outer,
      seen === undefined
        ? report
        : { usage: sumUsage(seen.usage, report.usage), responseModel: seen.responseModel ?? report.responseModel, responseId: seen.responseId ?? report.responseId },
    );
  }

  /** What the inner spans of `outer` reported (they end, and are sealed, before it). */
  reportsFor(outer: object): InnerReport | undefined {
    return this.#reports.get(outer);
  }
}
