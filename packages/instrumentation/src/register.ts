import type { TracerProvider } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { AnthropicInstrumentation } from './anthropic/index.js';
import { OpenAIInstrumentation } from './openai/index.js';

export interface RegisterOptions {
  /**
   * Record prompts, completions, system instructions and tool definitions. Default true: the
   * audit pipeline keeps content beside the record, where redaction and erasure apply.
   */
  captureMessageContent?: boolean;
  /** Default: the global tracer provider. */
  tracerProvider?: TracerProvider;
}

/**
 * Auto-instruments every supported GenAI SDK (`openai`, `@anthropic-ai/sdk`) with content capture
 * on. Returns a function that removes the instrumentation again. CommonJS apps call it before they
 * `require` the SDKs; ESM apps start with `node --import @auditrail/instrumentation/register`,
 * which also installs the loader hook that lets it see `import` statements.
 *
 * @example
 * import { register } from '@auditrail/instrumentation';
 * register();
 */
export function register(options: RegisterOptions = {}): () => void {
  const captureMessageContent = options.captureMessageContent ?? true;
  return registerInstrumentations({
    instrumentations: [new OpenAIInstrumentation({ captureMessageContent }), new AnthropicInstrumentation({ captureMessageContent })],
    ...(options.tracerProvider ? { tracerProvider: options.tracerProvider } : {}),
  });
}
