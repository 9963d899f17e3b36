import { describe, expect, it } from 'vitest';
import { chatCompletions } from '../../packages/instrumentation/src/openai/chat.ts';
import { responses } from '../../packages/instrumentation/src/openai/responses.ts';

/**
 * The conversions into the conventions' message structure, for the shapes the mock provider does
 * not produce (images, audio, files, refusals, custom tools, reasoning summaries, server-side tool
 * items, several choices): request bodies and responses as the OpenAI API documents them, compared
 * whole with what the span records.
 */

const CLIENT = { provider: 'openai', attributes: { 'server.address': 'api.openai.com', 'server.port': 443 } };

describe('chat completions', () => {
  it('system and developer messages become system instructions; every part and tool call keeps its place', () => {
    const request = chatCompletions.request(
      {
        model: 'gpt-4o',
        n: 2,
        stop: 'END',
        response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' } } },
        service_tier: 'flex',
        messages: [
          { role: 'developer', content: [{ type: 'text', text: 'Rule one.' }, { type: 'text', text: 'Rule two.' }] },
          { role: 'system', content: 'Be safe.' },
          {
            role: 'user',
            name: 'alice',
            content: [
              { type: 'text', text: 'What is in these?' },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
              { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
              { type: 'file', file: { file_id: 'file-abc123' } },
              { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
            ],
          },
          {
            role: 'assistant',
            content: null,
            refusal: 'I cannot.',
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"cat"}' } },
              { id: 'call_2', type: 'custom', custom: { name: 'grep', input: 'cat *.txt' } },
            ],
          },
          { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: 'a ' }, { type: 'text', text: 'cat' }] },
          { role: 'function', name: 'old_fn', content: 'legacy result' },
        ],
        tools: [
          { type: 'function', function: { name: 'lookup', description: 'Look up', parameters: { type: 'object' }, strict: true } },
          { type: 'custom', custom: { name: 'grep', description: 'Search files' } },
        ],
      },
      CLIENT,
      true,
    );
    expect(request).toEqual({
      options: {
        provider: 'openai',
        model: 'gpt-4o',
        operation: 'chat',
        systemInstructions: [
          { type: 'text', content: 'Rule one.' },
          { type: 'text', content: 'Rule two.' },
          { type: 'text', content: 'Be safe.' },
        ],
        inputMessages: [
          {
            role: 'user',
            name: 'alice',
            parts: [
              { type: 'text', content: 'What is in these?' },
              { type: 'uri', modality: 'image', uri: 'https://example.com/cat.png' },
              { type: 'blob', modality: 'image', mime_type: 'image/png', content: 'iVBORw0KGgo=' },
              { type: 'blob', modality: 'audio', mime_type: 'audio/wav', content: 'UklGRg==' },
              { type: 'file', file_id: 'file-abc123' },
              { type: 'blob', mime_type: 'application/pdf', filename: 'a.pdf', content: 'JVBERi0=' },
            ],
          },
          {
            role: 'assistant',
            parts: [
              { type: 'refusal', content: 'I cannot.' },
              { type: 'tool_call', id: 'call_1', name: 'lookup', arguments: '{"q":"cat"}' },
              { type: 'tool_call', id: 'call_2', name: 'grep', arguments: 'cat *.txt' },
            ],
          },
          { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'a cat' }] },
          { role: 'tool', name: 'old_fn', parts: [{ type: 'tool_call_response', response: 'legacy result' }] },
        ],
        tools: [
          { type: 'function', name: 'lookup', description: 'Look up', parameters: { type: 'object' }, strict: true },
          { type: 'custom', name: 'grep', description: 'Search files' },
        ],
      },
      attributes: {
        'server.address': 'api.openai.com',
        'server.port': 443,
        'gen_ai.request.choice.count': 2,
        'gen_ai.request.stop_sequences': ['END'],
        'gen_ai.output.type': 'json',
        'openai.request.service_tier': 'flex',
      },
    });
  });

  it('without content capture, the request is read for its parameters only', () => {
    const request = chatCompletions.request({ model: 'gpt-4o', temperature: 0, messages: [{ role: 'system', content: 'secret' }, { role: 'user', content: 'private' }], tools: [{ type: 'function', function: { name: 'f' } }] }, CLIENT, false);
    expect(request.options).toEqual({ provider: 'openai', model: 'gpt-4o', operation: 'chat', temperature: 0 });
  });

  it('a stream with two choices, interleaved, adds up per choice', () => {
    const acc = chatCompletions.accumulator(true);
    const chunk = (choices: unknown[], usage: unknown = null) => ({ id: 'chatcmpl-1', object: 'chat.completion.chunk', model: 'gpt-4o-2024-08-06', choices, usage });
    for (const c of [
      chunk([
        { index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null },
        { index: 1, delta: { role: 'assistant', content: 'Wor' }, finish_reason: null },
      ]),
      chunk([{ index: 1, delta: { content: 'ld' }, finish_reason: 'stop' }]),
      chunk([{ index: 0, delta: { content: 'lo' }, finish_reason: 'length' }]),
      chunk([], { prompt_tokens: 3, completion_tokens: 4, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } }),
    ]) {
      acc.add(c);
    }
    expect(acc.result().response).toEqual({
      id: 'chatcmpl-1',
      model: 'gpt-4o-2024-08-06',
      finishReasons: ['length', 'stop'],
      usage: { inputTokens: 3, outputTokens: 4, cacheReadTokens: 0, reasoningTokens: 0 },
      outputMessages: [
        { role: 'assistant', parts: [{ type: 'text', content: 'Hello' }], finish_reason: 'length' },
        { role: 'assistant', parts: [{ type: 'text', content: 'World' }], finish_reason: 'stop' },
      ],
    });
  });
});

describe('responses', () => {
  it('instructions, developer messages and every kind of input item', () => {
    const request = responses.request(
      {
        model: 'gpt-5',
        instructions: 'Top rules.',
        conversation: { id: 'conv_9' },
        text: { format: { type: 'json_schema', name: 'x', schema: {} } },
        input: [
          { role: 'developer', content: 'Dev note.' },
          {
            type: 'message',
            role: 'user',
            content: [
              { type: 'input_text', text: 'Look:' },
              { type: 'input_image', image_url: 'https://example.com/d.png', detail: 'auto' },
              { type: 'input_image', file_id: 'file-img' },
              { type: 'input_file', filename: 'r.pdf', file_data: 'data:application/pdf;base64,JVBE' },
            ],
          },
          { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Thought A' }, { type: 'summary_text', text: 'Thought B' }] },
          { type: 'web_search_call', id: 'ws_1', status: 'completed' },
          { type: 'function_call', call_id: 'call_9', name: 'lookup', arguments: '{}' },
          { type: 'function_call_output', call_id: 'call_9', output: 'found' },
          { type: 'custom_tool_call_output', call_id: 'call_8', output: [{ type: 'input_text', text: 'grep out' }] },
        ],
        tools: [{ type: 'function', name: 'lookup', parameters: {} }, { type: 'web_search' }],
      },
      CLIENT,
      true,
    );
    expect(request.options).toEqual({
      provider: 'openai',
      model: 'gpt-5',
      operation: 'chat',
      conversationId: 'conv_9',
      systemInstructions: [
        { type: 'text', content: 'Top rules.' },
        { type: 'text', content: 'Dev note.' },
      ],
      inputMessages: [
        {
          role: 'user',
          parts: [
            { type: 'text', content: 'Look:' },
            { type: 'uri', modality: 'image', uri: 'https://example.com/d.png' },
            { type: 'file', modality: 'image', file_id: 'file-img' },
            { type: 'blob', mime_type: 'application/pdf', filename: 'r.pdf', content: 'JVBE' },
          ],
        },
        {
          role: 'assistant',
          parts: [
            { type: 'reasoning', content: 'Thought A\nThought B' },
            { type: 'web_search_call', id: 'ws_1', status: 'completed' },
            { type: 'tool_call', id: 'call_9', name: 'lookup', arguments: '{}' },
          ],
        },
        { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_9', response: 'found' }] },
        { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_8', response: 'grep out' }] },
      ],
      tools: [{ type: 'function', name: 'lookup', parameters: {} }, { type: 'web_search' }],
    });
    expect(request.attributes['gen_ai.output.type']).toBe('json');
  });

  it('a response: all its output items in one assistant message; a failed one is an error', () => {
    const base = {
      id: 'resp_1',
      object: 'response',
      model: 'gpt-5-2025-08-07',
      service_tier: 'flex',
      conversation: { id: 'conv_9' },
      usage: { input_tokens: 10, output_tokens: 20, input_tokens_details: { cached_tokens: 4 }, output_tokens_details: { reasoning_tokens: 8 } },
    };
    const output = [
      { type: 'reasoning', id: 'rs_2', summary: [{ type: 'summary_text', text: 'Why' }] },
      { type: 'web_search_call', id: 'ws_2', status: 'completed' },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hi', annotations: [] }, { type: 'refusal', refusal: 'no' }] },
    ];
    expect(responses.result({ ...base, status: 'completed', output }, true)).toEqual({
      response: {
        id: 'resp_1',
        model: 'gpt-5-2025-08-07',
        finishReasons: ['stop'],
        usage: { inputTokens: 10, outputTokens: 20, cacheReadTokens: 4, reasoningTokens: 8 },
        outputMessages: [
          {
            role: 'assistant',
            parts: [
              { type: 'reasoning', content: 'Why' },
              { type: 'web_search_call', id: 'ws_2', status: 'completed' },
              { type: 'text', content: 'Hi' },
              { type: 'refusal', content: 'no' },
            ],
            finish_reason: 'stop',
          },
        ],
      },
      attributes: { 'openai.response.service_tier': 'flex', 'gen_ai.conversation.id': 'conv_9' },
    });
    const failed = responses.result({ ...base, status: 'failed', output: [], error: { code: 'server_error', message: 'boom' } }, true);
    expect([failed.response.finishReasons, failed.failure]).toEqual([['error'], { name: 'server_error', message: 'boom' }]);
  });
});
