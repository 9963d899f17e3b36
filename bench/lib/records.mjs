// Deterministic audit records for the query benchmark: 10 tenants, 2,000 users, requests of five
// events (llm.completion, tool.call, llm.completion, tool.call, decision), spread over 30 days.
// Every value comes from a seeded PRNG, so the data set is the same in every run.
import { mulberry32 } from './common.mjs';

export const USERS = 2000;
export const TENANTS = 10;
export const EVENTS_PER_REQUEST = 5;
export const DAY_MICROS = 86_400_000_000;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const SERVICE = Object.freeze({ name: 'support-agent', version: '1.4.2', environment: 'production' });
const TOOLS = ['get_order', 'get_refund_policy', 'search_orders', 'issue_refund'];
const PRICE_SOURCE = 'auditrail-builtin@2026-11-01';
/** The model and cost fields of a record that is not an LLM call. */
const NOT_LLM = Object.freeze({ provider: null, request_model: null, response_model: null, usage: null, cost_usd: null, price_source: null });

/** `u0000`..`u1999`. @param {number} u */
export const userId = (u) => `u${String(u).padStart(4, '0')}`;
/** The tenant of user `u`: `t0`..`t9`. @param {number} u */
export const tenantOf = (u) => `t${u % TENANTS}`;
/** @param {number} stream @param {number} n */
export const requestId = (stream, n) => `req_${stream}_${n}`;
/** @param {number} stream */
export const streamIdOf = (stream) => `bench-stream-${String(stream).padStart(2, '0')}`;

/**
 * Generates the unsealed records of one stream, request by request, and the clock the stream's
 * sequencer must use: event k of the stream is observed at `startMicros + k * stepMicros`.
 */
export class StreamGenerator {
  /**
   * @param {{ stream: number, events: number, startMicros: number, stepMicros: number, seed?: number }} options
   */
  constructor({ stream, events, startMicros, stepMicros, seed = 0x5eed }) {
    if (events % EVENTS_PER_REQUEST !== 0) throw new RangeError(`events per stream must be a multiple of ${EVENTS_PER_REQUEST}`);
    this.stream = stream;
    this.events = events;
    this.startMicros = startMicros;
    this.stepMicros = stepMicros;
    this.rand = mulberry32((seed ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0);
    /** Index of the next event of the stream. */
    this.k = 0;
  }

  /** Microseconds at which event `k` is observed: the sequencer's clock reads this. */
  clock = () => Math.round(this.startMicros + this.k * this.stepMicros);

  /** @param {number} bytes */
  hex(bytes) {
    let s = '';
    for (let i = 0; i < bytes; i += 4) {
      const x = (this.rand() * 4294967296) >>> 0;
      s += HEX[x & 255] + HEX[(x >>> 8) & 255] + HEX[(x >>> 16) & 255] + HEX[x >>> 24];
    }
    return s.slice(0, bytes * 2);
  }

  /** A UUIDv7-shaped id from the event's millisecond and PRNG bits. @param {number} ms */
  uuid(ms) {
    const t = Math.floor(ms).toString(16).padStart(12, '0');
    const r = this.hex(10);
    const variant = HEX[0x80 | (parseInt(r.slice(4, 6), 16) & 0x3f)];
    return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${r.slice(0, 3)}-${variant}${r.slice(6, 8)}-${r.slice(8, 20)}`;
  }

  /**
   * The five records of request `n` of this stream, in the order they are sealed. Call `onEvent`
   * (the sequencer's seal) for each before generating the next: the clock reads `this.k`.
   * @param {number} n
   * @param {(record: import('@auditrail/core').UnsealedRecord) => void} onEvent
   */
  request(n, onEvent) {
    const u = Math.floor(this.rand() * USERS);
    const user = userId(u);
    const session = `sess_${user}_${Math.floor(this.rand() * 50)}`;
    /** What the five records of the request share. */
    const req = { tenant: tenantOf(u), user, session, request: requestId(this.stream, n), traceId: this.hex(16), rootSpan: this.hex(8) };
    /** @type {string[]} */
    const llmSpans = [];
    for (let e = 0; e < EVENTS_PER_REQUEST; e++) {
      const endMs = (this.startMicros + this.k * this.stepMicros) / 1000;
      const durationMs = Math.round(this.rand() * 2_000_000) / 1000 + 1;
      const spanId = e === 0 ? req.rootSpan : this.hex(8);
      const at = { endMs, durationMs, spanId, parentSpanId: e === 0 ? null : req.rootSpan };
      /** @type {import('@auditrail/core').UnsealedRecord} */
      let record;
      // Each kind draws its own values, then the event id, then its data and payload: the order of
      // the PRNG calls decides the data set.
      if (e === 0 || e === 2) {
        llmSpans.push(`${req.traceId}-${spanId}`);
        const input = 200 + Math.floor(this.rand() * 3000);
        const output = 20 + Math.floor(this.rand() * 600);
        // 0.0001 to 0.2 USD in whole micro-dollars: a decimal string with 6 decimals.
        const micros = 100 + Math.floor(this.rand() * 199_901);
        const llm = {
          provider: 'openai',
          request_model: 'gpt-4o-mini',
          response_model: 'gpt-4o-mini-2024-07-18',
          usage: { input_tokens: input, output_tokens: output, cache_read_tokens: null, cache_write_tokens: null, reasoning_tokens: null },
          cost_usd: `0.${String(micros).padStart(6, '0')}`,
          price_source: PRICE_SOURCE,
        };
        record = auditRecord(req, at, this.uuid(endMs), llm, {
          event_type: 'llm.completion',
          name: 'chat gpt-4o-mini',
          operation: 'chat',
          data: { response_id: `chatcmpl-${this.hex(12)}`, finish_reasons: [e === 0 ? 'tool_calls' : 'stop'], temperature: null, max_tokens: null, top_p: null },
          attributes: {
            'user.id': user,
            'session.id': session,
            'auditrail.request.id': req.request,
            'gen_ai.operation.name': 'chat',
            'gen_ai.provider.name': 'openai',
            'gen_ai.request.model': 'gpt-4o-mini',
            'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
            'gen_ai.usage.input_tokens': input,
            'gen_ai.usage.output_tokens': output,
          },
          payload: { digest: `sha256:${this.hex(32)}`, bytes: 900 + Math.floor(this.rand() * 2000) },
        });
      } else if (e === 1 || e === 3) {
        const tool = TOOLS[Math.floor(this.rand() * TOOLS.length)];
        const callId = `call_${this.hex(6)}`;
        record = auditRecord(req, at, this.uuid(endMs), NOT_LLM, {
          event_type: 'tool.call',
          name: `execute_tool ${tool}`,
          operation: 'execute_tool',
          data: { tool_name: tool, tool_call_id: callId, tool_type: 'function' },
          attributes: {
            'user.id': user,
            'session.id': session,
            'auditrail.request.id': req.request,
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': tool,
            'gen_ai.tool.call.id': callId,
            'gen_ai.tool.type': 'function',
          },
          payload: { digest: `sha256:${this.hex(32)}`, bytes: 100 + Math.floor(this.rand() * 400) },
        });
      } else {
        const outcome = this.rand() < 0.8 ? 'approved' : 'denied';
        record = auditRecord(req, at, this.uuid(endMs), NOT_LLM, {
          event_type: 'decision',
          name: 'decision refund',
          operation: null,
          data: { decision_name: 'refund', outcome, based_on: llmSpans, policy_version: 'refund-policy@2026-10', model_version: null, confidence: Math.round(this.rand() * 1000) / 1000, reviewer: null },
          attributes: {
            'user.id': user,
            'session.id': session,
            'auditrail.request.id': req.request,
            'auditrail.event_type': 'decision',
            'auditrail.decision.name': 'refund',
            'auditrail.decision.outcome': outcome,
          },
          payload: null,
        });
      }
      onEvent(record);
      this.k++;
    }
  }
}

/**
 * One record, fields in the order of the schema, from the values of its request, its event, its
 * model and cost, and its kind. One literal, no spread: spreading shared parts into each record
 * made generation several times slower.
 * @param {{ tenant: string, user: string, session: string, request: string, traceId: string, rootSpan: string }} req
 * @param {{ endMs: number, durationMs: number, spanId: string, parentSpanId: string | null }} at
 * @param {string} eventId
 * @param {typeof NOT_LLM | { provider: string, request_model: string, response_model: string, usage: object, cost_usd: string, price_source: string }} llm
 * @param {{ event_type: string, name: string, operation: string | null, data: object, attributes: object, payload: object | null }} kind
 * @returns {import('@auditrail/core').UnsealedRecord}
 */
function auditRecord(req, at, eventId, llm, kind) {
  return {
    v: 1,
    event_id: eventId,
    event_type: kind.event_type,
    started_at: new Date(at.endMs - at.durationMs).toISOString(),
    ended_at: new Date(at.endMs).toISOString(),
    duration_ms: at.durationMs,
    tenant_id: req.tenant,
    user_id: req.user,
    session_id: req.session,
    request_id: req.request,
    trace_id: req.traceId,
    span_id: at.spanId,
    parent_span_id: at.parentSpanId,
    name: kind.name,
    service: SERVICE,
    status: 'ok',
    error_type: null,
    operation: kind.operation,
    provider: llm.provider,
    request_model: llm.request_model,
    response_model: llm.response_model,
    usage: llm.usage,
    cost_usd: llm.cost_usd,
    price_source: llm.price_source,
    data: kind.data,
    attributes: kind.attributes,
    payload: kind.payload,
  };
}
