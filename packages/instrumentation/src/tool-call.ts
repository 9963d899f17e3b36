import { type Attributes, SpanKind } from '@opentelemetry/api';
import { SpanHandle } from './span-handle.js';
import { runInSpan, safely } from './run-span.js';
import { json } from './values.js';
import * as sc from './semconv.js';
import type { ToolCallOptions } from './types.js';

/** Handle on a tool call in progress. */
export class ToolCall extends SpanHandle {
  /** Records the tool's result (any JSON). Never throws. */
  setResult(result: unknown): void {
    safely(() => {
      const value = json(result);
      if (value !== undefined) this.span.setAttribute(sc.ATTR_GEN_AI_TOOL_CALL_RESULT, value);
    });
  }
}

/**
 * Runs one tool call inside an `execute_tool {name}` span. The value `fn` returns is recorded as
 * the result unless `recordResult` is false.
 *
 * @example
 * const weather = await withToolCall({ name: 'get_weather', callId: tc.id, arguments: args }, () => getWeather(args));
 */
export function withToolCall<T>(options: ToolCallOptions, fn: (call: ToolCall) => Promise<T> | T): Promise<T> {
  const attributes: Attributes = {};
  safely(() => {
    attributes[sc.ATTR_GEN_AI_OPERATION_NAME] = 'execute_tool';
    attributes[sc.ATTR_GEN_AI_TOOL_NAME] = options.name;
    attributes[sc.ATTR_GEN_AI_TOOL_TYPE] = options.type ?? 'function';
    if (options.callId !== undefined) attributes[sc.ATTR_GEN_AI_TOOL_CALL_ID] = options.callId;
    if (options.description !== undefined) attributes[sc.ATTR_GEN_AI_TOOL_DESCRIPTION] = options.description;
    const args = json(options.arguments);
    if (args !== undefined) attributes[sc.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS] = args;
  });
  return runInSpan(`execute_tool ${options.name}`, SpanKind.INTERNAL, attributes, async (span) => {
    const call = new ToolCall(span);
    const result = await fn(call);
    if (options.recordResult !== false) call.setResult(result);
    return result;
  });
}
