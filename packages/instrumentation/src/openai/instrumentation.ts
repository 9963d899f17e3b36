import { type Attributes, diag } from '@opentelemetry/api';
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { ObservedCall } from '../auto/observed-call.js';
import { unwrapMethod, wrapMethod, wrappedBy } from '../auto/wrap.js';
import { PACKAGE_VERSION } from '../version.js';
import { chatCompletions } from './chat.js';
import { embeddings } from './embeddings.js';
import { isJson, type Json, str } from '../values.js';
import type { ClientInfo, CreateMethod, OpenAIClass, Operation, ResourceClass } from './internal-types.js';
import { observeResult } from './observe.js';
import { responses } from './responses.js';
import * as oc from './semconv.js';
import type { OpenAIInstrumentationConfig } from './types.js';

const INSTRUMENTATION_NAME = '@auditrail/instrumentation/openai';

/**
 * The `openai` versions patched through the require hook (and accepted by manuallyInstrument):
 * from 4.19, the floor OTel's own instrumentation-openai keeps, up to 7.x. Tested: 4.104, 5.23,
 * 6.49 (Node 20) and 7.57 (Node 22). The Responses API exists from 4.87 on; before, only chat
 * completions and embeddings are patched.
 */
export const SUPPORTED_VERSIONS = ['>=4.19.0 <8'];

const CAPTURE_ENV = 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT';

/** The three resource classes patched, each with how its calls are read. */
function resources(OpenAI: OpenAIClass): [ResourceClass | undefined, Operation][] {
  return [
    [OpenAI.Chat?.Completions, chatCompletions],
    [OpenAI.Responses, responses],
    [OpenAI.Embeddings, embeddings],
  ];
}

/**
 * The SDK's client class in what `require('openai')`, `import * as openai from 'openai'`, the
 * import-in-the-middle namespace or `import OpenAI from 'openai'` gives (every major has the
 * resource classes as statics of the client class: `OpenAI.Chat.Completions`, `OpenAI.Responses`).
 */
function clientClass(moduleExports: unknown): OpenAIClass | undefined {
  const m = moduleExports as { OpenAI?: unknown; default?: { OpenAI?: unknown } } | undefined;
  for (const candidate of [m?.OpenAI, m?.default?.OpenAI, m?.default, m]) {
    if ((typeof candidate === 'function' || isJson(candidate)) && (candidate as OpenAIClass).Chat?.Completions) return candidate as OpenAIClass;
  }
  return undefined;
}

/** Provider and server attributes of a client, worked out once per client instance. */
const clients = new WeakMap<object, ClientInfo>();
const UNKNOWN_CLIENT: ClientInfo = { provider: oc.PROVIDER_OPENAI, attributes: {} };

function clientInfo(resource: unknown): ClientInfo {
  const client = isJson(resource) ? resource['_client'] : undefined;
  if (!isJson(client)) return UNKNOWN_CLIENT;
  let info = clients.get(client);
  if (info) return info;
  const attributes: Attributes = {};
  let host: string | undefined;
  try {
    const url = new URL(str(client['baseURL']) ?? '');
    host = url.hostname;
    attributes[oc.ATTR_SERVER_ADDRESS] = host;
    attributes[oc.ATTR_SERVER_PORT] = url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
  } catch {
    // No usable base URL: no server attributes.
  }
  const azure = (client as { constructor?: { name?: unknown } }).constructor?.name === 'AzureOpenAI' || host?.endsWith('.openai.azure.com') === true;
  info = { provider: azure ? oc.PROVIDER_AZURE_OPENAI : oc.PROVIDER_OPENAI, attributes };
  clients.set(client, info);
  return info;
}

/**
 * OpenTelemetry instrumentation of the `openai` SDK (v4 to v7): `chat.completions.create`,
 * `responses.create` and `embeddings.create`, streamed or not — and so also the helpers built on
 * them (`chat.completions.parse/stream/runTools`, `responses.parse/stream`). Each call becomes a
 * GenAI client span `{operation} {model}` with the request, the response, token usage, and — when
 * content capture is on — the messages, system instructions and tool definitions in the
 * conventions' message structure. The app gets the SDK's own objects back (`APIPromise` with
 * `withResponse()` / `asResponse()`, `Stream` with `controller`, `tee()`, `toReadableStream()`).
 *
 * @example
 * // CommonJS apps (require hook), like any contrib instrumentation:
 * registerInstrumentations({ instrumentations: [new OpenAIInstrumentation({ captureMessageContent: true })] });
 * // ESM or bundled apps, where the require hook cannot see the import:
 * import OpenAI from 'openai';
 * new OpenAIInstrumentation({ captureMessageContent: true }).manuallyInstrument(OpenAI);
 */
export class OpenAIInstrumentation extends InstrumentationBase<OpenAIInstrumentationConfig> {
  /** Client classes patched by `manuallyInstrument`, unpatched again by `disable()`. */
  readonly #manual = new Set<OpenAIClass>();
  readonly #envCapture: boolean;

  constructor(config: OpenAIInstrumentationConfig = {}) {
    super(INSTRUMENTATION_NAME, PACKAGE_VERSION, config);
    this.#envCapture = process.env[CAPTURE_ENV]?.trim().toLowerCase() === 'true';
  }

  // Called from the base constructor, before this class's fields exist: no private state here.
  protected init(): InstrumentationNodeModuleDefinition {
    return new InstrumentationNodeModuleDefinition(
      'openai',
      SUPPORTED_VERSIONS,
      (moduleExports: unknown) => {
        this.#patch(moduleExports);
        return moduleExports;
      },
      (moduleExports: unknown) => this.#unpatch(moduleExports),
    );
  }

  /**
   * Patches an `openai` module the require hook did not see: an ESM import, a bundle, a copy
   * loaded before the instrumentation was registered. Takes the module namespace or the default
   * export (`import OpenAI from 'openai'`). Patching the same module twice has no further effect.
   */
  manuallyInstrument(moduleExports: unknown): void {
    const OpenAI = this.#patch(moduleExports);
    if (OpenAI) this.#manual.add(OpenAI);
  }

  override disable(): void {
    super.disable();
    for (const OpenAI of this.#manual) this.#unpatchClass(OpenAI);
    this.#manual.clear();
  }

  #captureContent(): boolean {
    return this.getConfig().captureMessageContent === true || this.#envCapture;
  }

  #patch(moduleExports: unknown): OpenAIClass | undefined {
    const OpenAI = clientClass(moduleExports);
    if (!OpenAI) {
      diag.warn(`${INSTRUMENTATION_NAME}: not an openai module (no OpenAI.Chat.Completions); nothing patched`);
      return undefined;
    }
    for (const [Resource, op] of resources(OpenAI)) {
      const proto = Resource?.prototype;
      if (typeof proto?.create !== 'function' || wrappedBy(proto.create) !== undefined) continue;
      wrapMethod(proto, 'create', this.#patched(proto.create, op), this);
    }
    return OpenAI;
  }

  #unpatch(moduleExports: unknown): void {
    const OpenAI = clientClass(moduleExports);
    if (OpenAI) this.#unpatchClass(OpenAI);
  }

  #unpatchClass(OpenAI: OpenAIClass): void {
    for (const [Resource] of resources(OpenAI)) {
      const proto = Resource?.prototype;
      if (proto) unwrapMethod(proto, 'create', this);
    }
  }

  /** The patched `create`: starts the span, calls the SDK inside it, observes what it returns. */
  #patched(original: CreateMethod, op: Operation): CreateMethod {
    const instrumentation = this;
    return function create(this: unknown, ...args: unknown[]): unknown {
      if (!instrumentation.isEnabled()) return original.apply(this, args);
      let call: ObservedCall | undefined;
      const capture = instrumentation.#captureContent();
      try {
        const body = isJson(args[0]) ? (args[0] as Json) : {};
        const request = op.request(body, clientInfo(this), capture);
        call = ObservedCall.start(instrumentation.tracer, request.options, capture, request.attributes);
      } catch (error) {
        diag.debug(`${INSTRUMENTATION_NAME}: span not started`, error);
      }
      if (!call) return original.apply(this, args);
      const started = call;
      let result: unknown;
      try {
        // The SDK's own request (and any HTTP instrumentation's span) runs inside the call's span.
        result = started.run(() => original.apply(this, args));
      } catch (error) {
        started.fail(error);
        throw error;
      }
      observeResult(result, started, op, capture);
      return result;
    };
  }
}
