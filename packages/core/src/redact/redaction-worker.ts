// Entry of the redaction worker thread (see RedactionThread): redacts batches of events in the wire
// form and answers each with what changed.
import { parentPort, workerData } from 'node:worker_threads';
import { redactWire } from './redact-event.js';
import type { FromWorker, ToWorker } from './redaction-thread.js';
import { type RedactionConfig, Redactor } from './redactor.js';

const port = parentPort!;
const redactor = new Redactor((workerData as { config: RedactionConfig }).config);
port.on('message', (m: ToWorker) => {
  const answer: FromWorker = { id: m.id, results: m.events.map((e) => redactWire(redactor, e)) };
  port.postMessage(answer);
});
port.postMessage({ ready: true } satisfies FromWorker);
