import { randomUUID } from 'node:crypto';
import { recordDecision, type SpanReference, withAgentInvocation, withLlmCall, withRequestContext, withToolCall } from '@auditrail/instrumentation';
import type OpenAI from 'openai';
import { toLlmResponse, toSemconvMessages } from './openai-mapping.js';

type Param = OpenAI.Chat.Completions.ChatCompletionMessageParam;

const TOOLS: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_order',
      description: 'Look up an order by id',
      parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] },
    },
  },
  {
    type: 'function',
    function: {
      name: 'get_refund_policy',
      description: 'The refund policy for a product category',
      parameters: { type: 'object', properties: { category: { type: 'string' } }, required: ['category'] },
    },
  },
];

/** The support agent's own tools: deterministic and local. */
function runTool(name: string, args: Record<string, unknown>): unknown {
  if (name === 'get_order') {
    const id = String(args['order_id'] ?? '');
    return { order_id: id.slice(0, 40), status: 'delivered', amount_usd: 40 + (id.length % 7) * 10, category: 'electronics', days_since_delivery: id.length % 40 };
  }
  if (name === 'get_refund_policy') return { category: String(args['category'] ?? ''), window_days: 30, requires_receipt: false };
  return { error: `unknown tool ${name}` };
}

export interface DemoUser {
  userId: string;
  tenantId: string;
  model: string;
}

export interface DemoRequest {
  requestId: string;
  userId: string;
  tenantId: string;
  answer: string;
}

/**
 * One support request: the model asks for the order and the policy (parallel tool calls), the
 * agent runs both tools, the model answers, and the agent decides on the refund.
 */
export async function handleRequest(client: OpenAI, user: DemoUser, question: string, sessionId: string): Promise<DemoRequest> {
  const requestId = `req_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  return withRequestContext({ requestId, userId: user.userId, sessionId, tenantId: user.tenantId }, () =>
    withAgentInvocation({ name: 'support-agent' }, async () => {
      const messages: Param[] = [
        { role: 'system', content: 'You are a support agent. Use get_order and get_refund_policy before answering.' },
        { role: 'user', content: question },
      ];
      const basedOn: SpanReference[] = [];
      const first = await withLlmCall({ provider: 'openai', model: user.model, inputMessages: toSemconvMessages(messages), tools: TOOLS, temperature: 0 }, async (call) => {
        basedOn.push(call);
        const res = await client.chat.completions.create({ model: user.model, messages, tools: TOOLS, temperature: 0 });
        call.setResponse(toLlmResponse(res));
        return res;
      });
      const assistant = first.choices[0]!.message;
      messages.push(assistant as Param);
      let eligible = true;
      for (const tc of assistant.tool_calls ?? []) {
        if (tc.type !== 'function') continue;
        const args = JSON.parse(tc.function.arguments) as Record<string, unknown>;
        const result = await withToolCall({ name: tc.function.name, callId: tc.id, arguments: args }, (call) => {
          basedOn.push(call);
          return runTool(tc.function.name, args);
        });
        const r = result as Record<string, unknown>;
        if (typeof r['days_since_delivery'] === 'number' && r['days_since_delivery'] > 30) eligible = false;
        messages.push({ role: 'tool', tool_call_id: tc.id, content: JSON.stringify(result) });
      }
      const second = await withLlmCall({ provider: 'openai', model: user.model, inputMessages: toSemconvMessages(messages), temperature: 0 }, async (call) => {
        basedOn.push(call);
        // Streamed, as chat UIs do: the usage arrives in the last chunk.
        const stream = await client.chat.completions.create({ model: user.model, messages, temperature: 0, stream: true, stream_options: { include_usage: true } });
        let text = '';
        let id = '';
        let model = '';
        let finish = 'stop';
        let usage: OpenAI.Completions.CompletionUsage | undefined;
        for await (const chunk of stream) {
          id = chunk.id;
          model = chunk.model;
          text += chunk.choices[0]?.delta.content ?? '';
          finish = chunk.choices[0]?.finish_reason ?? finish;
          usage = chunk.usage ?? usage;
        }
        call.setResponse({
          id,
          model,
          finishReasons: [finish],
          outputMessages: [{ role: 'assistant', parts: [{ type: 'text', content: text }], finish_reason: finish }],
          ...(usage ? { usage: { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens } } : {}),
        });
        return text;
      });
      recordDecision({
        name: 'refund',
        outcome: eligible ? 'approved' : 'denied',
        basedOn,
        inputs: { question },
        policyVersion: 'refunds-v3',
        confidence: eligible ? 0.93 : 0.88,
      });
      return { requestId, userId: user.userId, tenantId: user.tenantId, answer: second };
    }),
  );
}
