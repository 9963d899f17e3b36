import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

/** Options of `OpenAIInstrumentation`. */
export interface OpenAIInstrumentationConfig extends InstrumentationConfig {
  /**
   * Record message content: input and output messages, system instructions, tool definitions (and
   * the texts sent to embeddings). Default `false`, as in OTel's own GenAI instrumentations; the
   * environment variable `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true` also turns it on.
   * auditrail's own setup turns it on: `AuditSpanProcessor` moves content out of the record into
   * the payload store, where redaction policies apply before anything is stored.
   */
  captureMessageContent?: boolean;
}
