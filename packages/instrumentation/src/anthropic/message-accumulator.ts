import { isJson, type Json, str } from '../values.js';
import { type RecordedResponse, recordedMessage } from './response.js';

/** A content block being streamed, and the JSON text of its tool input so far. */
interface OpenBlock {
  block: Json;
  json: string;
}

/**
 * Rebuilds the `Message` of a Messages API stream from its events, as the app reads them:
 * `message_start` (id, model, input and cache usage), `content_block_start` / `_delta`
 * (`text_delta`, `thinking_delta`, `input_json_delta`), `message_delta` (stop reason and the final
 * usage, whose non-null figures replace those of `message_start`) and `message_stop`.
 *
 * Content blocks are kept only when content is captured: without it the accumulator does no work
 * per delta.
 */
export class MessageAccumulator {
  readonly #capture: boolean;
  #message: Json | undefined;
  #usage: Json = {};
  readonly #blocks: OpenBlock[] = [];
  #stopReason: string | undefined;
  #final = false;
  #stopped = false;

  constructor(capture: boolean) {
    this.#capture = capture;
  }

  /** The API sent `message_stop`: the message is whole. */
  get stopped(): boolean {
    return this.#stopped;
  }

  add(event: unknown): void {
    if (!isJson(event)) return;
    switch (event['type']) {
      case 'message_start': {
        const m = event['message'];
        if (!isJson(m)) return;
        this.#message = { id: m['id'], model: m['model'], role: m['role'] };
        this.#usage = isJson(m['usage']) ? { ...m['usage'] } : {};
        return;
      }
      case 'content_block_start': {
        const block = event['content_block'];
        const index = event['index'];
        if (!this.#capture || !isJson(block) || typeof index !== 'number') return;
        this.#blocks[index] = { block: { ...block }, json: '' };
        return;
      }
      case 'content_block_delta':
        if (this.#capture) this.#delta(event);
        return;
      case 'message_delta': {
        const delta = event['delta'];
        const stop = isJson(delta) ? str(delta['stop_reason']) : undefined;
        if (stop !== undefined) this.#stopReason = stop;
        const usage = event['usage'];
        if (isJson(usage)) for (const [key, value] of Object.entries(usage)) if (value !== null && value !== undefined) this.#usage[key] = value;
        this.#final = true;
        return;
      }
      case 'message_stop':
        this.#final = true;
        this.#stopped = true;
        return;
      default:
        return;
    }
  }

  #delta(event: Json): void {
    const index = event['index'];
    const delta = event['delta'];
    const open = typeof index === 'number' ? this.#blocks[index] : undefined;
    if (!open || !isJson(delta)) return;
    const b = open.block;
    switch (delta['type']) {
      case 'text_delta':
        b['text'] = (str(b['text']) ?? '') + (str(delta['text']) ?? '');
        return;
      case 'thinking_delta':
        b['thinking'] = (str(b['thinking']) ?? '') + (str(delta['thinking']) ?? '');
        return;
      case 'input_json_delta':
        open.json += str(delta['partial_json']) ?? '';
        return;
      default:
        return;
    }
  }

  /**
   * The response as far as the stream got. Before `message_delta` the output count and the stop
   * reason are placeholders, so they are left out. A tool input cut short is kept as the JSON text
   * received.
   */
  response(): RecordedResponse {
    const content = this.#capture ? this.#blocks.filter((b) => b !== undefined).map(({ block, json }) => (json === '' ? block : { ...block, input: parseJson(json) })) : undefined;
    return recordedMessage({ ...this.#message, stop_reason: this.#stopReason, usage: this.#usage, content }, this.#capture, this.#final);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
