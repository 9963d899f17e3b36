import type { Span } from '@opentelemetry/api';
import type { SpanReference } from './types.js';

/** A call in progress, which decisions can name as something they rest on. */
export class SpanHandle implements SpanReference {
  protected readonly span: Span;

  constructor(span: Span) {
    this.span = span;
  }

  get traceId(): string {
    return this.span.spanContext().traceId;
  }

  get spanId(): string {
    return this.span.spanContext().spanId;
  }
}
