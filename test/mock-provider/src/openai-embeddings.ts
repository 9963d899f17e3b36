import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { invalidRequest } from './errors.js';
import { tokens } from './tokens.js';
import { isRecord } from './values.js';

/** Number of floats in every mock embedding vector. */
const DIMENSIONS = 8;

export interface EmbeddingObject {
  object: 'embedding';
  index: number;
  /** Floats, or (for `encoding_format: 'base64'`) little-endian float32 bytes in base64. */
  embedding: number[] | string;
}

export interface EmbeddingResponseObject {
  object: 'list';
  data: EmbeddingObject[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

/**
 * The deterministic vector of `text`: the 8 big-endian uint32 words of
 * sha256(text) mapped linearly onto [-1, 1] and rounded to 6 decimals.
 */
export function embeddingVector(text: string): number[] {
  const digest = createHash('sha256').update(text, 'utf8').digest();
  const vector: number[] = [];
  for (let i = 0; i < DIMENSIONS; i += 1) {
    const word = digest.readUInt32BE(i * 4);
    const value = Math.round(((word / 0xffffffff) * 2 - 1) * 1e6) / 1e6;
    vector.push(value === 0 ? 0 : value); // no -0
  }
  return vector;
}

/** Base64 of the little-endian float32 encoding of `vector` (what the real API sends). */
function toBase64(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return bytes.toString('base64');
}

/**
 * The response to a `POST /v1/embeddings` body (`input`: a string or an array of
 * strings). Pure and deterministic; throws `MockApiError` (400) for an invalid body.
 */
export function createEmbeddingResponse(request: unknown): EmbeddingResponseObject {
  if (!isRecord(request)) throw invalidRequest('The request body must be a JSON object.', null, null);
  const model = request['model'];
  if (typeof model !== 'string' || model.length === 0) {
    throw invalidRequest('You must provide a model parameter.', 'model', 'missing_required_parameter');
  }
  const input = request['input'];
  const inputs = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((item) => typeof item === 'string')) {
    throw invalidRequest(
      "Invalid 'input': expected a string or a non-empty array of strings.",
      'input',
      'invalid_value',
    );
  }
  const format = request['encoding_format'] ?? 'float';
  if (format !== 'float' && format !== 'base64') {
    throw invalidRequest(
      "Invalid 'encoding_format': expected 'float' or 'base64'.",
      'encoding_format',
      'invalid_value',
    );
  }

  let promptTokens = 0;
  const data = (inputs as string[]).map((text, index): EmbeddingObject => {
    promptTokens += tokens(text);
    const vector = embeddingVector(text);
    return { object: 'embedding', index, embedding: format === 'base64' ? toBase64(vector) : vector };
  });
  return { object: 'list', data, model, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } };
}
