export { AuditSpanProcessor } from './audit-span-processor.js';
export type { AuditSpanProcessorOptions, CheckpointOptions, ProcessorLogger, ProcessorStats } from './types.js';
export { AuditLogRecordProcessor } from './logs/audit-log-record-processor.js';
export type { AuditLogRecordProcessorOptions, LogRecordLike, LogRecordStats } from './logs/types.js';
export { eventTypeOf, spanToEvent } from './convert/span-to-event.js';
export type { ConvertContext, ConvertedSpan } from './convert/span-to-event.js';
export { PACKAGE_VERSION } from './version.js';
