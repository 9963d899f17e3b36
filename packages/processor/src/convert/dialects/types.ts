import type { Attributes } from '@opentelemetry/api';
import type { EventType, JsonValue, Usage } from '@auditrail/core';

/** What a dialect reads of a span: its attributes, name and instrumentation scope. */
export interface SpanView {
  readonly name: string;
  readonly attributes: Attributes;
  /** Instrumentation scope name (the library that made the span), when known. */
  readonly scope: string | undefined;
}

/** Semconv attribute names under which normalized content goes into the payload. */
export type ContentKey =
  | 'gen_ai.input.messages'
  | 'gen_ai.output.messages'
  | 'gen_ai.system_instructions'
  | 'gen_ai.tool.definitions'
  | 'gen_ai.tool.call.arguments'
  | 'gen_ai.tool.call.result';

/** Content a dialect derived, in the GenAI semconv structure, by the semconv attribute it stands for. */
export type DerivedContent = Partial<Record<ContentKey, JsonValue>>;

/** The normalized fields of a span, whatever dialect it spoke. */
export interface Normalized {
  /** `gen_ai.operation.name` in semconv terms (`chat`, `embeddings`, `execute_tool`, …). */
  readonly operation: string | null;
  readonly provider: string | null;
  readonly requestModel: string | null;
  readonly responseModel: string | null;
  readonly usage: Usage | null;
  /** Event-type specific fields of the record. */
  readonly data: { [key: string]: JsonValue };
  /** Content derived from the dialect's own attributes; the span's own semconv content attributes win. */
  readonly content: DerivedContent;
}

/** One way of writing GenAI spans (a semconv version, or an instrumentation library's own). */
export interface Dialect {
  readonly name: string;
  /** The event type of a span this dialect recognises, else undefined. On the app's thread: a few lookups only. */
  eventType(attributes: Attributes): EventType | undefined;
  /** Whether this dialect wrote the span (attributes and scope); decided after `eventType` matched some dialect. */
  owns(span: SpanView): boolean;
  /** The normalized fields. Never throws on odd values: span attributes are untrusted input. */
  normalize(span: SpanView, type: EventType): Normalized;
}
