import type { JsonValue } from '@auditrail/core';

/** A GenAI log record as the processor keeps it until its span is sealed: JSON only, copied at emit. */
export interface CapturedLog {
  /** `eventName` of the record, or its `event.name` attribute (older instrumentations). */
  readonly eventName: string;
  readonly attributes: { [key: string]: JsonValue };
  readonly body: JsonValue;
  /** The record's timestamp, RFC 3339 UTC. */
  readonly time: string;
}
