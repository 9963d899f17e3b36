import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, propagation, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { createStore, type Store } from '@auditrail/clickhouse';
import { AuditSpanProcessor, type AuditSpanProcessorOptions } from '@auditrail/processor';

/** One data directory per test file (the engine allows one per process); one database per test. */
const dir = mkdtempSync(join(tmpdir(), 'auditrail-test-'));
let databases = 0;
// Each test file runs in its own process; its data directory goes when the process does.
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));

export function storeDir(): string {
  return dir;
}

export async function freshStore(): Promise<Store> {
  return createStore({ kind: 'embedded', path: dir, database: `db${++databases}` });
}

export interface AuditedApp {
  readonly processor: AuditSpanProcessor;
  readonly provider: NodeTracerProvider;
}

/**
 * Installs a real OTel SDK (NodeTracerProvider, async-hooks context) with an AuditSpanProcessor
 * writing to `sink`, as the app's global tracer provider.
 */
export function auditedApp(options: AuditSpanProcessorOptions): AuditedApp {
  const processor = new AuditSpanProcessor(options);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'test-agent', 'service.version': '2.3.4', 'deployment.environment.name': 'test' }),
    spanProcessors: [processor],
  });
  trace.disable();
  context.disable();
  propagation.disable();
  provider.register();
  return { processor, provider };
}
