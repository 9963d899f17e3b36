import type { MessagePart } from '../types.js';
import { array, isJson, type Json, str } from '../values.js';

/**
 * A finish reason in the conventions' output-message vocabulary (`stop`, `length`,
 * `content_filter`, `tool_call`, `error`); the provider's own value is kept in
 * `gen_ai.response.finish_reasons`. A message cut short has none: `error`.
 */
export function semconvFinishReason(reason: unknown): string {
  switch (reason) {
    case 'tool_calls':
    case 'function_call':
      return 'tool_call';
    case undefined:
    case null:
      return 'error';
    default:
      return String(reason);
  }
}

const DATA_URL = /^data:([^;,]+)?(?:;[^,]*)?;base64,(.*)$/s;

/** An image given by URL: a data URL becomes a blob part, any other URL a uri part. */
function imagePart(url: unknown, modality = 'image'): MessagePart | undefined {
  if (typeof url !== 'string') return undefined;
  const data = DATA_URL.exec(url);
  if (data) return { type: 'blob', modality, ...(data[1] ? { mime_type: data[1] } : {}), content: data[2] ?? '' };
  return { type: 'uri', modality, uri: url };
}

/** The conventions' modality (`image`, `audio`, `video`) of a MIME type; none for other files (documents). */
function modalityOf(mimeType: string | undefined): { modality?: string } {
  const kind = mimeType?.split('/')[0];
  return kind === 'image' || kind === 'audio' || kind === 'video' ? { modality: kind } : {};
}

/** A file given by id, URL or inline data (chat `file` parts, Responses `input_file`). */
function filePart(file: Json): MessagePart {
  const filename = str(file['filename']) !== undefined ? { filename: file['filename'] } : {};
  const fileId = str(file['file_id']);
  if (fileId !== undefined) return { type: 'file', file_id: fileId, ...filename };
  const fileUrl = str(file['file_url']);
  if (fileUrl !== undefined) return { type: 'uri', uri: fileUrl, ...filename };
  const data = str(file['file_data']) ?? '';
  const parsed = DATA_URL.exec(data);
  const mimeType = parsed?.[1];
  return { type: 'blob', ...modalityOf(mimeType), ...(mimeType ? { mime_type: mimeType } : {}), ...filename, content: parsed ? (parsed[2] ?? '') : data };
}

/**
 * One content part of a chat message or a Responses message, in the conventions' part structure.
 * Text in all its spellings becomes `text`; images, audio and files become `blob` / `uri` / `file`
 * parts; anything else is kept as a part of its own type with its fields.
 */
export function contentPart(part: unknown): MessagePart | undefined {
  if (typeof part === 'string') return { type: 'text', content: part };
  if (!isJson(part)) return undefined;
  const type = str(part['type']);
  switch (type) {
    case 'text':
    case 'input_text':
    case 'output_text':
      return { type: 'text', content: str(part['text']) ?? '' };
    case 'refusal':
      return { type: 'refusal', content: str(part['refusal']) ?? '' };
    case 'image_url': {
      const image = part['image_url'];
      return imagePart(isJson(image) ? image['url'] : image);
    }
    case 'input_image': {
      const fileId = str(part['file_id']);
      if (fileId !== undefined) return { type: 'file', modality: 'image', file_id: fileId };
      return imagePart(part['image_url']);
    }
    case 'input_audio': {
      const audio = isJson(part['input_audio']) ? part['input_audio'] : part;
      const format = str(audio['format']);
      return { type: 'blob', modality: 'audio', ...(format ? { mime_type: `audio/${format}` } : {}), content: str(audio['data']) ?? '' };
    }
    case 'file':
      return filePart(isJson(part['file']) ? part['file'] : part);
    case 'input_file':
      return filePart(part);
    default:
      return { ...part, type: type ?? 'unknown' };
  }
}

/** The parts of a message `content`: a string, or an array of parts. */
export function contentParts(content: unknown): MessagePart[] {
  if (typeof content === 'string') return [{ type: 'text', content }];
  const parts: MessagePart[] = [];
  for (const p of array(content)) {
    const part = contentPart(p);
    if (part) parts.push(part);
  }
  return parts;
}

/** The text of a content value (tool results): a string, or its text parts joined. */
export function contentText(content: unknown): unknown {
  if (typeof content === 'string' || !Array.isArray(content)) return content;
  const parts = contentParts(content);
  return parts.every((p) => p.type === 'text') ? parts.map((p) => (p as { content: string }).content).join('') : parts;
}

/**
 * Tool definitions in the conventions' flat shape (`{ type, name, description, parameters }`):
 * chat's `{ type: 'function', function: {…} }` is flattened, Responses tools are already flat,
 * other tool types (web search, file search, MCP…) are kept as sent.
 */
export function toolDefinitions(tools: unknown): unknown[] | undefined {
  if (!Array.isArray(tools) || tools.length === 0) return undefined;
  return tools.map((t) => {
    if (!isJson(t)) return t;
    const type = str(t['type']);
    const inner = type !== undefined ? t[type] : undefined;
    if ((type === 'function' || type === 'custom') && isJson(inner)) return { type, ...inner };
    return t;
  });
}

/** The output type the app asked for, from chat `response_format` or Responses `text.format`. */
export function outputType(format: unknown): string | undefined {
  if (!isJson(format)) return undefined;
  switch (format['type']) {
    case 'text':
      return 'text';
    case 'json_object':
    case 'json_schema':
      return 'json';
    default:
      return undefined;
  }
}

/** `stop` as the conventions want it: always an array. */
export function stopSequences(stop: unknown): string[] | undefined {
  if (typeof stop === 'string') return [stop];
  if (Array.isArray(stop) && stop.every((s) => typeof s === 'string') && stop.length > 0) return stop as string[];
  return undefined;
}
