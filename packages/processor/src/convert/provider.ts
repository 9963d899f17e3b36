import { wellFormed } from './attribute-values.js';

/** Older or vendor spellings of `gen_ai.provider.name` values, mapped to the current semconv names. */
const ALIASES: Readonly<Record<string, string>> = {
  'az.ai.openai': 'azure.ai.openai',
  'az.ai.inference': 'azure.ai.inference',
  azure: 'azure.ai.openai',
  vertex_ai: 'gcp.vertex_ai',
  vertexai: 'gcp.vertex_ai',
  gemini: 'gcp.gemini',
  google: 'gcp.gemini',
  mistralai: 'mistral_ai',
  mistral: 'mistral_ai',
  xai: 'x_ai',
  bedrock: 'aws.bedrock',
  aws: 'aws.bedrock',
  'amazon-bedrock': 'aws.bedrock',
};

/**
 * A provider name as the record keeps it: trimmed, lower case (OpenLLMetry once sent `OpenAI`),
 * older names mapped to the current semconv ones. The original stays in the attributes.
 */
export function normalizeProvider(raw: string | null): string | null {
  if (raw === null) return null;
  const p = wellFormed(raw.trim().toLowerCase());
  if (p === '') return null;
  return ALIASES[p] ?? p;
}

/** Vercel AI SDK provider ids (`openai.responses`, `anthropic.messages`, `google.vertex.chat`) by their leading segments. */
const VERCEL_PREFIXES: readonly (readonly [string, string])[] = [
  ['google.vertex', 'gcp.vertex_ai'],
  ['vertex', 'gcp.vertex_ai'],
  ['google', 'gcp.gemini'],
];

/** The provider of a Vercel AI SDK model id such as `openai.responses` → `openai`. */
export function vercelProvider(raw: string | null): string | null {
  if (raw === null) return null;
  const p = raw.trim().toLowerCase();
  for (const [prefix, provider] of VERCEL_PREFIXES) if (p === prefix || p.startsWith(`${prefix}.`)) return provider;
  const dot = p.indexOf('.');
  return normalizeProvider(dot < 0 ? p : p.slice(0, dot));
}
