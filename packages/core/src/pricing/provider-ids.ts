/**
 * OTel GenAI `gen_ai.provider.name` values (and the older `gen_ai.system` spellings still sent by
 * many instrumentations) → the provider ids of `@pydantic/genai-prices`. A provider missing here is
 * looked up by its own name, and must equal a genai-prices id exactly: a guessed provider could
 * price a call at another provider's rates, and unpriced is better than wrong.
 */
export const GENAI_PRICES_PROVIDER_IDS: Readonly<Record<string, string>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  'aws.bedrock': 'aws',
  'azure.ai.openai': 'azure',
  'azure.ai.inference': 'azure',
  'az.ai.openai': 'azure',
  'az.ai.inference': 'azure',
  'gcp.vertex_ai': 'google',
  'gcp.gemini': 'google',
  'gcp.gen_ai': 'google',
  vertex_ai: 'google',
  gemini: 'google',
  cohere: 'cohere',
  deepseek: 'deepseek',
  groq: 'groq',
  mistral_ai: 'mistral',
  perplexity: 'perplexity',
  x_ai: 'x-ai',
  xai: 'x-ai',
};
