import type { Attributes } from '@opentelemetry/api';
import type { JsonValue } from '@auditrail/core';
import { jsonOrText, toJsonValue } from '../attribute-values.js';
import type { DerivedContent } from './types.js';

/** A content value as structure: JSON text parsed, other text kept as text. */
export function structured(v: unknown): JsonValue {
  return toJsonValue(jsonOrText(v)) ?? null;
}

/** A tool call's arguments and result, from whichever attributes a dialect keeps them in. */
export function toolCallContent(a: Attributes, argumentsKey: string, resultKey: string): DerivedContent {
  const content: DerivedContent = {};
  if (a[argumentsKey] !== undefined) content['gen_ai.tool.call.arguments'] = structured(a[argumentsKey]);
  if (a[resultKey] !== undefined) content['gen_ai.tool.call.result'] = structured(a[resultKey]);
  return content;
}
