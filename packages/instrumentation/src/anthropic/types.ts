import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

/** Options of `AnthropicInstrumentation`. */
export interface AnthropicInstrumentationConfig extends InstrumentationConfig {
  /**
   * Record message content: `gen_ai.input.messages`, `gen_ai.output.messages`,
   * `gen_ai.system_instructions`, `gen_ai.tool.definitions`. Default `false`, as in OTel's GenAI
   * instrumentations; the environment variable `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`
   * also turns it on (read when the config is set). auditrail's own setup turns it on: the audit
   * pipeline moves content out of the record and redacts it before it is stored.
   */
  captureMessageContent?: boolean;
  /**
   * What happens to the span `@anthropic-ai/sdk` ≥ 0.134 starts itself for a call this
   * instrumentation records (`anthropic.messages.create`, a GenAI `chat` span when the SDK's
   * native tracing is on, which it is by default):
   *
   * - `'replace'` (default): the SDK gets a non-recording span that carries this instrumentation's
   *   span context, so it still propagates `traceparent` and the HTTP spans still nest under the
   *   call, but the trace holds one GenAI span per call, not two (an audit log would otherwise
   *   record and bill every call twice).
   * - `'keep'`: leave the SDK's span alone (e.g. when the client sends its spans to another
   *   tracer provider with its `openTelemetry.tracerProvider` option).
   *
   * Spans the SDK starts for things not recorded here (tool runners, sessions, token counts) are
   * never touched.
   */
  sdkSpans?: 'replace' | 'keep';
}
