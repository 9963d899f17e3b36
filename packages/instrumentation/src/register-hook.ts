// `node --import @auditrail/instrumentation/register app.mjs`: installs the ESM loader hook
// (import-in-the-middle, through @opentelemetry/instrumentation) so that `import OpenAI from
// 'openai'` is seen, then registers every auditrail instrumentation with content capture on.
// The app still sets up its tracer provider with an AuditSpanProcessor, as usual.
import { register as registerLoaderHook } from 'node:module';
import { register } from './register.js';

registerLoaderHook('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
register();
