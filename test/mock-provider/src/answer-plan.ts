import { isRecord } from './values.js';
import { tokens } from './tokens.js';
import { truncate, truncateUtf8 } from './text.js';

/** One turn of a conversation, reduced to what the answer depends on. */
export interface Turn {
  /** `user`, `assistant`, `system`/`developer`, or `tool` for a tool result. */
  role: string;
  /** Its text parts joined with newlines ('' when it has none). */
  text: string;
}

/** A function the model may call: its name and JSON-schema `parameters`. */
export interface FunctionTool {
  name: string;
  parameters: unknown;
}

/** A request in any dialect, reduced to what the answer depends on. */
export interface Conversation {
  turns: Turn[];
  tools: FunctionTool[];
  /** False when the request allows one tool call at most. */
  parallelToolCalls: boolean;
  /** The output-token budget (`max_tokens`, `max_output_tokens`…), if any. */
  maxOutputTokens: number | undefined;
  /** Reasoning tokens the model spends before answering (0 for a model that does not reason). */
  reasoningTokens: number;
}

/** A planned tool call: function name and JSON `arguments`. */
export interface PlannedCall {
  name: string;
  arguments: string;
}

/** Why the answer ends, in neutral terms each dialect maps onto its own. */
export type AnswerFinish = 'stop' | 'length' | 'tool_calls';

/** What the mock model answers, before any wire format. */
export interface Answer {
  /** The text answer, or null when the answer is tool calls. */
  text: string | null;
  toolCalls: PlannedCall[];
  finish: AnswerFinish;
  /** Output tokens billed: the visible output plus {@link reasoningTokens}. */
  outputTokens: number;
  reasoningTokens: number;
}

/** Deterministic value for one required tool parameter. */
function argumentValue(name: string, schema: unknown, userText: string): unknown {
  const s = isRecord(schema) ? schema : {};
  const choices = s['enum'];
  if (Array.isArray(choices) && choices.length > 0) return choices[0];
  const declared = s['type'];
  const type = Array.isArray(declared) ? declared.find((t) => t !== 'null') : declared;
  switch (type) {
    case 'string':
      return name === 'city' || name === 'location' ? 'Paris' : truncate(userText, 40);
    case 'number':
    case 'integer':
      return 42;
    case 'boolean':
      return true;
    default:
      return null;
  }
}

/** Arguments filling every required property of a tool's JSON-schema `parameters`. */
function toolArguments(parameters: unknown, userText: string): string {
  const entries: Array<[string, unknown]> = [];
  if (isRecord(parameters) && Array.isArray(parameters['required'])) {
    const properties = isRecord(parameters['properties']) ? parameters['properties'] : {};
    for (const name of parameters['required']) {
      if (typeof name !== 'string') continue;
      const schema = Object.hasOwn(properties, name) ? properties[name] : undefined;
      entries.push([name, argumentValue(name, schema, userText)]);
    }
  }
  // Object.fromEntries defines own properties, so a '__proto__' name stays a plain key.
  return JSON.stringify(Object.fromEntries(entries));
}

/**
 * Decide, deterministically, what the mock model answers to `conversation`:
 *
 * 1. tools offered and the last turn is the user's → call every tool named in that turn
 *    (else the first tool; only one without parallel tool calls);
 * 2. else the text `Mock answer to: <last user text, 80 chars>`, plus
 *    ` (using N tool results)` when N tool results follow that user turn;
 * 3. an output budget smaller than reasoning + text cuts the text to (budget − reasoning) × 4
 *    UTF-8 bytes and finishes with `length`.
 */
export function planAnswer(conversation: Conversation): Answer {
  const { turns, tools } = conversation;
  let lastUser = -1;
  for (let i = turns.length - 1; i >= 0; i -= 1) {
    if (turns[i]?.role === 'user') {
      lastUser = i;
      break;
    }
  }
  const userText = lastUser >= 0 ? (turns[lastUser]?.text ?? '') : '';
  const max = conversation.maxOutputTokens;
  const budget = max === undefined || max < 0 ? Number.POSITIVE_INFINITY : Math.floor(max);
  const reasoning = Math.min(conversation.reasoningTokens, budget);

  if (tools.length > 0 && lastUser >= 0 && lastUser === turns.length - 1) {
    let chosen = tools.filter((tool) => userText.includes(tool.name));
    if (chosen.length === 0) chosen = tools.slice(0, 1);
    if (!conversation.parallelToolCalls) chosen = chosen.slice(0, 1);
    const toolCalls = chosen.map((tool) => ({ name: tool.name, arguments: toolArguments(tool.parameters, userText) }));
    const visible = toolCalls.reduce((sum, call) => sum + tokens(call.arguments), 0);
    return {
      text: null,
      toolCalls,
      finish: 'tool_calls',
      outputTokens: visible + reasoning,
      reasoningTokens: reasoning,
    };
  }

  let toolResults = 0;
  for (let i = lastUser + 1; i < turns.length; i += 1) if (turns[i]?.role === 'tool') toolResults += 1;
  let text = 'Mock answer to: ' + truncate(userText, 80);
  if (toolResults > 0) text += ` (using ${toolResults} tool results)`;

  let finish: AnswerFinish = 'stop';
  const left = budget - reasoning;
  if (tokens(text) > left) {
    text = truncateUtf8(text, left * 4);
    finish = 'length';
  }
  return { text, toolCalls: [], finish, outputTokens: tokens(text) + reasoning, reasoningTokens: reasoning };
}
