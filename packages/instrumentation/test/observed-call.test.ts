import { SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { describe, expect, it } from 'vitest';
import { ObservedCall, observeIteration, observePromise } from '../src/auto/observed-call.ts';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register(); // the async-hooks context manager: what makes a span active across awaits
const tracer = provider.getTracer('test');

/** An SDK-like stream: an async iterable with methods of its own. */
class FakeStream implements AsyncIterable<number> {
  constructor(private readonly items: number[], private readonly failAt = -1) {}
  label(): string {
    return 'stream';
  }
  async *[Symbol.asyncIterator](): AsyncIterator<number> {
    for (const [i, item] of this.items.entries()) {
      if (i === this.failAt) throw new TypeError('terminated');
      yield item;
    }
  }
}

function observed(stream: FakeStream) {
  const seen: string[] = [];
  observeIteration(stream, {
    item: (v) => seen.push(`item ${v}`),
    done: () => seen.push('done'),
    error: (e) => seen.push(`error ${(e as Error).message}`),
    abandoned: () => seen.push('abandoned'),
  });
  return seen;
}

describe('observeIteration', () => {
  it('reports each item and the end, once, and keeps the object and its methods', async () => {
    const stream = new FakeStream([1, 2]);
    const seen = observed(stream);
    const got: number[] = [];
    for await (const v of stream) got.push(v);
    expect([got, seen, stream.label()]).toEqual([[1, 2], ['item 1', 'item 2', 'done'], 'stream']);
  });

  it('reports an error mid-stream and rethrows it unchanged to the app', async () => {
    const stream = new FakeStream([1, 2, 3], 1);
    const seen = observed(stream);
    await expect(async () => {
      for await (const _ of stream) void _;
    }).rejects.toThrow('terminated');
    expect(seen).toEqual(['item 1', 'error terminated']);
  });

  it('reports a stream the app stopped reading as abandoned', async () => {
    const stream = new FakeStream([1, 2, 3]);
    const seen = observed(stream);
    for await (const v of stream) if (v === 1) break;
    expect(seen).toEqual(['item 1', 'abandoned']);
  });
});

describe('observePromise', () => {
  it('returns the very promise it observes, and leaves the rejection to the app', async () => {
    class SdkPromise<T> extends Promise<T> {
      withResponse() {
        return 'kept';
      }
    }
    const ok = SdkPromise.resolve(42) as SdkPromise<number>;
    const values: unknown[] = [];
    expect(observePromise(ok, (v) => values.push(v), () => {})).toBe(ok);
    expect(ok.withResponse()).toBe('kept');
    const bad = Promise.reject(new Error('429'));
    const errors: unknown[] = [];
    await expect(observePromise(bad, () => {}, (e) => errors.push((e as Error).message))).rejects.toThrow('429');
    expect([values, errors]).toEqual([[42], ['429']]);
  });
});

describe('ObservedCall', () => {
  it('names the span after operation and model, drops content unless capturing, ends once', () => {
    exporter.reset();
    const options = { provider: 'openai', model: 'gpt-4o-mini', inputMessages: [{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }] };
    for (const capture of [false, true]) {
      const call = ObservedCall.start(tracer, options, capture)!;
      expect(call.run(() => trace.getActiveSpan())).toBe(call.span);
      call.respond({ model: 'gpt-4o-mini-2024-07-18', usage: { inputTokens: 5, outputTokens: 2 }, outputMessages: [{ role: 'assistant', parts: [{ type: 'text', content: 'yo' }] }] });
      call.end();
      call.fail(new Error('late'));
    }
    const [off, on] = exporter.getFinishedSpans();
    expect(off!.name).toBe('chat gpt-4o-mini');
    expect(Object.keys(off!.attributes).filter((k) => k.includes('messages'))).toEqual([]);
    expect(Object.keys(on!.attributes).filter((k) => k.includes('messages')).sort()).toEqual(['gen_ai.input.messages', 'gen_ai.output.messages']);
    expect([off!.status.code, on!.status.code]).toEqual([SpanStatusCode.UNSET, SpanStatusCode.UNSET]);
    expect(on!.attributes['gen_ai.usage.input_tokens']).toBe(5);
  });

  it('records a failure with its error type, and an abort as such', () => {
    exporter.reset();
    const call = ObservedCall.start(tracer, { provider: 'anthropic', model: 'claude-haiku-4-5' }, true)!;
    class RateLimitError extends Error {
      override name = 'RateLimitError';
    }
    call.fail(new RateLimitError('slow down'), { aborted: true });
    const [span] = exporter.getFinishedSpans();
    expect(span!.attributes).toMatchObject({ 'error.type': 'RateLimitError', 'auditrail.call.aborted': true });
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'slow down' });
  });
});
