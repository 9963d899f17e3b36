import { type CheckpointRecord, type Finding, openCheckpoint, streamOfOrigin, type Verifier } from '@auditrail/core';

/** Where a checkpoint was read: the store's `checkpoints` table, or a log published outside it. */
export type CheckpointSource = 'store' | 'published';

/** A checkpoint whose signature holds (or is not checked: no keys given), as its note states it. */
export interface TrustedHead {
  readonly size: number;
  /** Lowercase hex. */
  readonly root: string;
  readonly note: string;
  readonly sources: readonly CheckpointSource[];
}

export interface JudgedCheckpoints {
  /** Checkpoints that cannot be trusted (signature) or contradict each other (forks). */
  readonly findings: Finding[];
  /** Per stream, per size: the trusted head. A fork keeps the first head seen (the store's). */
  readonly heads: Map<string, Map<number, TrustedHead>>;
  /** Checkpoints read from each source, and those whose signature a trusted key verified. */
  readonly counts: { readonly store: number; readonly published: number; readonly verified: number };
  /** False when no keys were given: checkpoints are then taken as they are, unauthenticated. */
  readonly signaturesChecked: boolean;
}

/**
 * Reads every checkpoint's signed note and decides what may be trusted. Only the note counts: the
 * other columns of a stored row (or fields of a published line) repeat it and are never read.
 * With trusted keys, a checkpoint counts only when one of them verified it; a signature a given key
 * rejects is `bad_signature`, one by no given key `unknown_key`. Without keys, every well-formed
 * checkpoint counts (the report says signatures were not checked). Two counted checkpoints of one
 * stream and size with different roots are `forked`.
 */
export function judgeCheckpoints(sources: { store: readonly CheckpointRecord[]; published: readonly CheckpointRecord[] }, keys: readonly Verifier[]): JudgedCheckpoints {
  const findings: Finding[] = [];
  const heads = new Map<string, Map<number, TrustedHead>>();
  let verified = 0;
  const judge = (c: CheckpointRecord, source: CheckpointSource) => {
    const where = source === 'store' ? 'stored' : 'published';
    let stream = c.stream_id;
    let head: { size: number; root: string };
    try {
      const { checkpoint, signatures } = openCheckpoint(c.note, keys);
      stream = streamOfOrigin(checkpoint.origin) ?? stream;
      head = { size: Number(checkpoint.size), root: Buffer.from(checkpoint.root).toString('hex') };
      if (keys.length > 0) {
        const names = signatures.map((s) => s.name).join(', ');
        if (signatures.some((s) => s.status === 'bad_signature') && !signatures.some((s) => s.status === 'verified')) {
          findings.push({ stream_id: stream, seq: head.size - 1, kind: 'bad_signature', detail: `${where} checkpoint at size ${head.size}: the signature of ${names} does not verify` });
          return;
        }
        if (!signatures.some((s) => s.status === 'verified')) {
          findings.push({ stream_id: stream, seq: head.size - 1, kind: 'unknown_key', detail: `${where} checkpoint at size ${head.size} is signed by no trusted key (${names})` });
          return;
        }
        verified++;
      }
    } catch (e) {
      findings.push({ stream_id: stream, seq: -1, kind: 'bad_signature', detail: `${where} checkpoint (size ${c.size}) is not a well-formed signed checkpoint: ${(e as Error).message}` });
      return;
    }
    const bySize = heads.get(stream) ?? heads.set(stream, new Map()).get(stream)!;
    const seen = bySize.get(head.size);
    if (seen === undefined) {
      bySize.set(head.size, { ...head, note: c.note, sources: [source] });
    } else if (seen.root !== head.root) {
      findings.push({
        stream_id: stream,
        seq: head.size - 1,
        kind: 'forked',
        detail: `two signed checkpoints at size ${head.size} state different roots (${seen.sources.join('+')} ${seen.root.slice(0, 16)}…, ${where} ${head.root.slice(0, 16)}…)`,
      });
    } else if (!seen.sources.includes(source)) {
      bySize.set(head.size, { ...seen, sources: [...seen.sources, source] });
    }
  };
  for (const c of sources.store) judge(c, 'store');
  for (const c of sources.published) judge(c, 'published');
  return { findings, heads, counts: { store: sources.store.length, published: sources.published.length, verified }, signaturesChecked: keys.length > 0 };
}
