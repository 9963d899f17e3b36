import { SpanKind, type Span } from '@opentelemetry/api';
import { runInSpan } from './run-span.js';
import * as sc from './semconv.js';

export interface AgentOptions {
  /** `gen_ai.agent.name`. */
  name: string;
  /** `gen_ai.agent.id`. */
  id?: string;
}

/**
 * Runs one agent invocation inside an `invoke_agent {name}` span; the LLM and tool calls inside
 * become its children.
 */
export function withAgentInvocation<T>(options: AgentOptions, fn: (span: Span) => Promise<T> | T): Promise<T> {
  const attributes = { [sc.ATTR_GEN_AI_OPERATION_NAME]: 'invoke_agent', 'gen_ai.agent.name': options.name, ...(options.id === undefined ? {} : { 'gen_ai.agent.id': options.id }) };
  return runInSpan(`invoke_agent ${options.name}`, SpanKind.INTERNAL, attributes, fn);
}
