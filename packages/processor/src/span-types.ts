import type { Attributes, Context, HrTime, Span, SpanContext, SpanKind, SpanStatus } from '@opentelemetry/api';

/**
 * What auditrail reads of an ended span: the fields of the OTel SDK's `ReadableSpan` shared by the
 * SDK lines 1.x, 2.x and 3.x (structural, so no SDK package is a dependency and any of them works).
 */
export interface ReadableSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly attributes: Attributes;
  spanContext(): SpanContext;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: SpanStatus;
  readonly resource: { readonly attributes: Attributes };
  /** SDK 2.x and later. */
  readonly parentSpanContext?: SpanContext | undefined;
  /** SDK 1.x. */
  readonly parentSpanId?: string | undefined;
  /** SDK 2.x and later. */
  readonly instrumentationScope?: { readonly name: string } | undefined;
  /** SDK 1.x. */
  readonly instrumentationLibrary?: { readonly name: string } | undefined;
}

/** A span as a span processor's `onStart` receives it: writable, and readable as above. */
export type StartedSpan = Span & ReadableSpan;

/** The OTel SDK's `SpanProcessor` interface, structurally. */
export interface SpanProcessor {
  onStart(span: StartedSpan, parentContext: Context): void;
  onEnd(span: ReadableSpan): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}
