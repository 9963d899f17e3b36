/** Dated snapshot appended to an OpenAI model name, as the real API reports it. */
const OPENAI_SNAPSHOT = '-2024-08-06';
/** Dated snapshot appended to an Anthropic model alias, as the real API reports it. */
const ANTHROPIC_SNAPSHOT = '-20250929';

/** Reasoning tokens a reasoning model spends per `reasoning_effort` / `reasoning.effort`. */
const REASONING_TOKENS = new Map<string, number>([
  ['none', 0],
  ['minimal', 0],
  ['low', 32],
  ['medium', 128],
  ['high', 512],
  ['xhigh', 1024],
]);
const DEFAULT_EFFORT = 'medium';

/** `model` as OpenAI reports it: `gpt-4o` → `gpt-4o-2024-08-06`; an already dated name is kept. */
export function openaiSnapshot(model: string): string {
  return /-\d{4}-\d{2}-\d{2}$/.test(model) ? model : model + OPENAI_SNAPSHOT;
}

/**
 * `model` as Anthropic reports it: `claude-sonnet-4-5` → `claude-sonnet-4-5-20250929`,
 * `claude-3-5-haiku-latest` → `claude-3-5-haiku-20250929`; an already dated name is kept.
 */
export function anthropicSnapshot(model: string): string {
  if (/-\d{8}$/.test(model)) return model;
  return model.replace(/-latest$/, '') + ANTHROPIC_SNAPSHOT;
}

/** Whether `model` is an OpenAI reasoning model (`o1`, `o3-mini`, `o4-mini`, `gpt-5`…). */
export function isReasoningModel(model: string): boolean {
  return /^(o\d|gpt-5)/.test(model);
}

/**
 * The reasoning tokens `model` spends at `effort` (default `medium`): 0 for a model that does
 * not reason; else none/minimal 0, low 32, medium 128, high 512, xhigh 1024.
 */
export function reasoningTokens(model: string, effort: unknown): number {
  if (!isReasoningModel(model)) return 0;
  const name = typeof effort === 'string' ? effort : DEFAULT_EFFORT;
  return REASONING_TOKENS.get(name) ?? (REASONING_TOKENS.get(DEFAULT_EFFORT) as number);
}
