import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.js';
import { isJson } from '../values.js';
import { unwrapMethod, wrapMethod, wrappedBy } from '../auto/wrap.js';
import type { MessagesPrototype } from './internal-types.js';
import { patchCreate, patchStream, type PatchSettings } from './patch-messages.js';
import type { AnthropicInstrumentationConfig } from './types.js';

/**
 * Versions of `@anthropic-ai/sdk` this instrumentation is tested with: 0.39.0 (the old layout:
 * `core.js`, node-fetch, no tracing of its own), 0.137.0 and 1.13.0 (tracing themselves). All
 * share what is patched: `Anthropic.Messages` and `Anthropic.Beta.Messages` with `create` and
 * `stream` (which calls `create`), and an `APIPromise` with a lazy `parse()`.
 * `manuallyInstrument` does not check the version.
 */
export const SUPPORTED_VERSIONS = ['>=0.39.0 <2'];

const CAPTURE_ENV = 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT';

/** The `Anthropic` client class in what `require('@anthropic-ai/sdk')` / `import * as` gives (or the class itself). */
function anthropicClass(moduleExports: unknown): unknown {
  const m = moduleExports as { Anthropic?: unknown; default?: unknown; Messages?: unknown } | undefined;
  // The class itself has `Messages`; the CommonJS module is a function too, with `Anthropic` on it.
  if (typeof moduleExports === 'function' && typeof m?.Messages === 'function') return m;
  return m?.Anthropic ?? m?.default;
}

/** `Messages.prototype` of `client.messages` and `client.beta.messages`. */
function messagesPrototypes(anthropic: unknown): MessagesPrototype[] {
  const a = anthropic as { Messages?: { prototype?: unknown }; Beta?: { Messages?: { prototype?: unknown } } } | undefined;
  const found: MessagesPrototype[] = [];
  for (const proto of [a?.Messages?.prototype, a?.Beta?.Messages?.prototype]) {
    if (isJson(proto) && typeof proto['create'] === 'function' && !found.includes(proto as unknown as MessagesPrototype)) found.push(proto as unknown as MessagesPrototype);
  }
  return found;
}

/**
 * OpenTelemetry instrumentation of `@anthropic-ai/sdk`: `messages.create` (JSON and
 * `stream: true`), `messages.stream`, `messages.parse`, and the same under `beta.messages`. Each
 * call is one GenAI `chat {model}` CLIENT span (OTel GenAI semantic conventions), ended when the
 * response is parsed or the stream ends; the app gets the SDK's own objects back, unchanged.
 *
 * @example
 * registerInstrumentations({ instrumentations: [new AnthropicInstrumentation({ captureMessageContent: true })] });
 * const Anthropic = require('@anthropic-ai/sdk'); // patched when required (ESM: with the
 * // @opentelemetry/instrumentation/hook.mjs loader hook registered, patched when imported)
 *
 * // Bundled apps, or ESM without the loader hook, where no hook sees the SDK load:
 * import * as anthropic from '@anthropic-ai/sdk';
 * new AnthropicInstrumentation().manuallyInstrument(anthropic);
 */
export class AnthropicInstrumentation extends InstrumentationBase<AnthropicInstrumentationConfig> {
  /** Modules given to `manuallyInstrument`, which `disable()` / `enable()` unpatch and patch again. */
  // Not a #private field: the base constructor calls enable() before subclass fields exist.
  private manual: Set<unknown> | undefined;

  constructor(config: AnthropicInstrumentationConfig = {}) {
    super(`${PACKAGE_NAME}/anthropic`, PACKAGE_VERSION, config);
  }

  /** Fills the defaults. `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true` turns content capture on too. */
  override setConfig(config: AnthropicInstrumentationConfig = {}): void {
    const env = process.env[CAPTURE_ENV]?.trim().toLowerCase() === 'true';
    super.setConfig({ ...config, captureMessageContent: config.captureMessageContent === true || env, sdkSpans: config.sdkSpans === 'keep' ? 'keep' : 'replace' });
  }

  protected init(): InstrumentationNodeModuleDefinition {
    return new InstrumentationNodeModuleDefinition(
      '@anthropic-ai/sdk',
      SUPPORTED_VERSIONS,
      (moduleExports) => this.patch(moduleExports),
      (moduleExports) => this.unpatch(moduleExports),
    );
  }

  /**
   * Patches an `@anthropic-ai/sdk` module the require hook cannot see: an ESM import
   * (`import * as anthropic from '@anthropic-ai/sdk'`, or its default export, the `Anthropic`
   * class) or a bundled copy. Patching twice is the same as once; a module another
   * `AnthropicInstrumentation` already patched is left to it.
   */
  manuallyInstrument(moduleExports: unknown): void {
    this._diag.debug('manually instrumenting @anthropic-ai/sdk');
    this.manual ??= new Set();
    this.manual.add(moduleExports);
    if (this.isEnabled()) this.patch(moduleExports);
  }

  override enable(): void {
    super.enable();
    // Also runs inside the base constructor, before `manual` exists.
    for (const m of this.manual ?? []) this.patch(m);
  }

  override disable(): void {
    super.disable();
    for (const m of this.manual ?? []) this.unpatch(m);
  }

  private settings(): PatchSettings {
    return {
      enabled: () => this.isEnabled(),
      tracer: () => this.tracer,
      captureContent: () => this.getConfig().captureMessageContent === true,
      replaceSdkSpans: () => this.getConfig().sdkSpans !== 'keep',
    };
  }

  private patch<T>(moduleExports: T): T {
    const prototypes = messagesPrototypes(anthropicClass(moduleExports));
    if (prototypes.length === 0) this._diag.warn('@anthropic-ai/sdk: no Messages resource found; nothing instrumented');
    const settings = this.settings();
    for (const proto of prototypes) {
      // Not InstrumentationBase's `_wrap`: it would remove another GenAI instrumentation's wrapper, or it ours (see wrapMethod).
      if (wrappedBy(proto.create) === undefined) wrapMethod(proto, 'create', patchCreate(proto.create, settings), this);
      if (typeof proto.stream === 'function' && wrappedBy(proto.stream) === undefined) wrapMethod(proto, 'stream', patchStream(proto.stream, settings), this);
    }
    return moduleExports;
  }

  private unpatch(moduleExports: unknown): void {
    for (const proto of messagesPrototypes(anthropicClass(moduleExports))) {
      unwrapMethod(proto, 'create', this);
      unwrapMethod(proto, 'stream', this);
    }
  }
}
