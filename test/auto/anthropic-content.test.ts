import { describe, expect, it } from 'vitest';
import { inputMessages, systemInstructions, toolDefinitions } from '../../packages/instrumentation/src/anthropic/content.ts';
import { MessageAccumulator } from '../../packages/instrumentation/src/anthropic/message-accumulator.ts';
import { callOptions, extraRequestAttributes } from '../../packages/instrumentation/src/anthropic/request.ts';
import { recordedMessage } from '../../packages/instrumentation/src/anthropic/response.ts';

// What the mock cannot send (documents, files, thinking, server tools, a 1-hour cache, thinking
// tokens), checked on the conversion alone: whole outputs for whole inputs.

describe('Anthropic request → semconv', () => {
  it('converts every kind of block, never copying image or document bytes', () => {
    const messages = [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare these', cache_control: { type: 'ephemeral' } },
          { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQSkZJRg==' } },
          { type: 'image', source: { type: 'file', file_id: 'file_011' } },
          { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjQK' } },
          { type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' } },
          { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'plain text doc' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'Look at both first.', signature: 'sig' },
          { type: 'redacted_thinking', data: 'opaque' },
          { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'pdf' } },
          { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [{ type: 'web_search_result', encrypted_content: 'x', url: 'https://a', title: 'A' }] },
          { type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { id: 7 } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'found' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0=' } }], is_error: false },
          { type: 'tool_result', tool_use_id: 'toolu_2' },
        ],
      },
      { role: 'user', content: 'plain string' },
    ];
    expect(inputMessages(messages)).toEqual([
      {
        role: 'user',
        parts: [
          { type: 'text', content: 'Compare these' },
          { type: 'blob', modality: 'image', mime_type: 'image/jpeg' },
          { type: 'file', modality: 'image', file_id: 'file_011' },
          { type: 'blob', modality: 'document', mime_type: 'application/pdf' },
          { type: 'uri', modality: 'document', uri: 'https://example.com/a.pdf' },
          { type: 'blob', modality: 'document', mime_type: 'text/plain' },
        ],
      },
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', content: 'Look at both first.' },
          { type: 'redacted_thinking' },
          { type: 'tool_call', id: 'srvtoolu_1', name: 'web_search', arguments: { query: 'pdf' } },
          { type: 'tool_call_response', id: 'srvtoolu_1', response: { type: 'web_search_tool_result' } },
          { type: 'tool_call', id: 'toolu_1', name: 'lookup', arguments: { id: 7 } },
        ],
      },
      {
        role: 'user',
        parts: [
          { type: 'tool_call_response', id: 'toolu_1', response: [{ type: 'text', content: 'found' }, { type: 'blob', modality: 'image', mime_type: 'image/png' }] },
          { type: 'tool_call_response', id: 'toolu_2', response: undefined },
        ],
      },
      { role: 'user', parts: [{ type: 'text', content: 'plain string' }] },
    ]);
    expect(JSON.stringify(inputMessages(messages))).not.toMatch(/4AAQ|JVBER|iVBOR|opaque|encrypted|sig/);
  });

  it('converts system blocks, client and server tools; request parameters', () => {
    expect(systemInstructions([{ type: 'text', text: 'a' }, { type: 'text', text: 'b', cache_control: { type: 'ephemeral', ttl: '1h' } }])).toEqual([
      { type: 'text', content: 'a' },
      { type: 'text', content: 'b' },
    ]);
    expect(systemInstructions(undefined)).toBeUndefined();
    expect(
      toolDefinitions([
        { name: 'f', description: 'does f', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' } },
        { type: 'custom', name: 'g', input_schema: { type: 'object', properties: {} } },
        { type: 'web_search_20250305', name: 'web_search', max_uses: 3 },
      ]),
    ).toEqual([
      { type: 'function', name: 'f', description: 'does f', parameters: { type: 'object' } },
      { type: 'function', name: 'g', description: undefined, parameters: { type: 'object', properties: {} } },
      { type: 'web_search_20250305', name: 'web_search' },
    ]);
    const params = { model: 'claude-opus-4-6', max_tokens: 10, temperature: 1, top_p: 0.5, top_k: 3, stop_sequences: ['\n\nHuman:'], messages: [], system: 's', tools: [] };
    expect(callOptions(params, { openTelemetry: { conversationId: 'conv-9' } }, 'anthropic', false)).toEqual({
      provider: 'anthropic',
      model: 'claude-opus-4-6',
      maxTokens: 10,
      temperature: 1,
      topP: 0.5,
      conversationId: 'conv-9',
    });
    expect(extraRequestAttributes(params)).toEqual({ 'gen_ai.request.top_k': 3, 'gen_ai.request.stop_sequences': ['\n\nHuman:'] });
    expect(extraRequestAttributes({ stop_sequences: [] })).toEqual({});
  });
});

describe('Anthropic response → semconv', () => {
  const usage = {
    input_tokens: 12,
    cache_read_input_tokens: 2000,
    cache_creation_input_tokens: 300,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 300 },
    output_tokens: 90,
    output_tokens_details: { thinking_tokens: 64 },
    service_tier: 'priority',
    speed: 'fast',
    inference_geo: 'us',
  };
  const message = {
    id: 'msg_1',
    model: 'claude-opus-4-6-20260101',
    role: 'assistant',
    content: [
      { type: 'thinking', thinking: 'hmm', signature: 's' },
      { type: 'text', text: 'Done.', citations: null },
    ],
    stop_reason: 'end_turn',
    usage,
  };
  Object.defineProperty(message, '_request_id', { value: 'req_1', enumerable: false });
  Object.defineProperty(message, '_workspace_id', { value: 'wrkspc_1', enumerable: false });

  it('sums the semconv input tokens, keeps the API figures beside them', () => {
    expect(recordedMessage(message, true)).toEqual({
      response: {
        id: 'msg_1',
        model: 'claude-opus-4-6-20260101',
        finishReasons: ['end_turn'],
        usage: { inputTokens: 2312, cacheReadTokens: 2000, cacheWriteTokens: 300, outputTokens: 90, reasoningTokens: 64 },
        outputMessages: [{ role: 'assistant', parts: [{ type: 'reasoning', content: 'hmm' }, { type: 'text', content: 'Done.' }], finish_reason: 'end_turn' }],
      },
      attributes: {
        'anthropic.usage.input_tokens': 12,
        'anthropic.usage.cache_read_input_tokens': 2000,
        'anthropic.usage.cache_creation_input_tokens': 300,
        'anthropic.usage.cache_creation.ephemeral_5m_input_tokens': 0,
        'anthropic.usage.cache_creation.ephemeral_1h_input_tokens': 300,
        'anthropic.response.service_tier': 'priority',
        'anthropic.response.speed': 'fast',
        'anthropic.response.inference_geo': 'us',
        'anthropic.request.id': 'req_1',
        'anthropic.workspace.id': 'wrkspc_1',
      },
    });
    // Without content capture: no output messages, nothing else changes.
    expect(recordedMessage(message, false).response.outputMessages).toBeUndefined();
    // A usage without cache figures (older API versions) is input alone.
    expect(recordedMessage({ usage: { input_tokens: 5, output_tokens: 1 } }, false).response.usage).toEqual({ inputTokens: 5, outputTokens: 1 });
  });

  it('rebuilds a streamed message; a stream cut before message_delta keeps input usage and partial content, not the placeholders', () => {
    const events = [
      { type: 'message_start', message: { id: 'msg_2', model: 'claude-opus-4-6-20260101', role: 'assistant', content: [], stop_reason: null, usage: { ...usage, output_tokens: 1, output_tokens_details: null } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'let me ' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'see' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'abc' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_9', name: 'lookup', input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"id": ' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '7}' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { input_tokens: null, cache_read_input_tokens: null, output_tokens: 40, output_tokens_details: { thinking_tokens: 20 } } },
      { type: 'message_stop' },
    ];
    const whole = new MessageAccumulator(true);
    for (const e of events) whole.add(e);
    expect(whole.stopped).toBe(true);
    expect(whole.response().response).toEqual({
      id: 'msg_2',
      model: 'claude-opus-4-6-20260101',
      finishReasons: ['tool_use'],
      usage: { inputTokens: 2312, cacheReadTokens: 2000, cacheWriteTokens: 300, outputTokens: 40, reasoningTokens: 20 },
      outputMessages: [
        {
          role: 'assistant',
          parts: [
            { type: 'reasoning', content: 'let me see' },
            { type: 'tool_call', id: 'toolu_9', name: 'lookup', arguments: { id: 7 } },
          ],
          finish_reason: 'tool_use',
        },
      ],
    });

    const cut = new MessageAccumulator(true);
    for (const e of events.slice(0, 9)) cut.add(e);
    expect(cut.stopped).toBe(false);
    expect(cut.response().response).toEqual({
      id: 'msg_2',
      model: 'claude-opus-4-6-20260101',
      usage: { inputTokens: 2312, cacheReadTokens: 2000, cacheWriteTokens: 300 },
      outputMessages: [
        {
          role: 'assistant',
          parts: [
            { type: 'reasoning', content: 'let me see' },
            { type: 'tool_call', id: 'toolu_9', name: 'lookup', arguments: '{"id": ' },
          ],
        },
      ],
    });

    // Without content capture the accumulator keeps no blocks at all.
    const blind = new MessageAccumulator(false);
    for (const e of events) blind.add(e);
    expect(blind.response().response).toEqual({ ...whole.response().response, outputMessages: undefined });
  });
});
