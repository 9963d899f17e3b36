import { describe, expect, it } from 'vitest';
import { canonicalJson, type ChainRow, type Finding, leafHash, StreamSequencer, StreamVerifier } from '../src/index.ts';
import { unsealed } from './fixtures.ts';

type RecordRow = Extract<ChainRow, { record: unknown }>;

/** Ten chained records as the store would hand them to verify. */
function stream(n = 10): RecordRow[] {
  const seq = new StreamSequencer({ streamId: 's1' });
  return Array.from({ length: n }, (_, i) => {
    const { record, canonical } = seq.seal(unsealed({ request_id: `req-${i}` }));
    return { seq: record.seq, prevHash: record.prev_hash, record: canonical };
  });
}

/** A stored row whose record was rewritten (the columns follow the record, as MATERIALIZED columns do). */
function rewrite(row: RecordRow, change: (r: Record<string, unknown>) => void): RecordRow {
  const r = JSON.parse(row.record as string) as Record<string, unknown>;
  change(r);
  return { seq: r['seq'] as number, prevHash: r['prev_hash'] as string, record: canonicalJson(r) };
}

function verify(rows: ChainRow[]): Finding[] {
  const v = new StreamVerifier('s1');
  for (const row of [...rows].sort((a, b) => a.seq - b.seq)) v.push(row);
  return v.finish();
}

const kinds = (f: Finding[]) => f.map((x) => [x.seq, x.kind]);

describe('StreamVerifier', () => {
  it('finds nothing wrong in an untouched stream', () => {
    expect(verify(stream())).toEqual([]);
  });

  it('reports a modified record at its own seq', () => {
    const rows = stream();
    rows[4] = rewrite(rows[4]!, (r) => (r['cost_usd'] = '0'));
    expect(kinds(verify(rows))).toEqual([[4, 'modified']]);
  });

  it('reports a record whose content and prev_hash were both forged at its own seq', () => {
    const rows = stream();
    rows[4] = rewrite(rows[4]!, (r) => ((r['user_id'] = 'mallory'), (r['prev_hash'] = 'f'.repeat(64))));
    expect(kinds(verify(rows))).toEqual([[4, 'modified']]);
  });

  it('reports a deleted record as missing, and a run of them as one finding', () => {
    const rows = stream();
    expect(verify(rows.filter((r) => r.seq !== 3))).toEqual([{ stream_id: 's1', seq: 3, kind: 'missing', detail: 'event 3 is missing' }]);
    expect(kinds(verify(rows.filter((r) => r.seq < 2 || r.seq > 5)))).toEqual([[2, 'missing']]);
    expect(verify(rows.filter((r) => r.seq !== 0))[0]).toMatchObject({ seq: 0, kind: 'missing' });
  });

  it('reports an inserted record that claims a taken position, even when it links back correctly', () => {
    const rows = stream();
    const forged = rewrite(rows[5]!, (r) => (r['user_id'] = 'mallory'));
    expect(forged.prevHash).toBe(rows[5]!.prevHash);
    expect(kinds(verify([...rows.slice(0, 5), forged, ...rows.slice(5)]))).toEqual([[5, 'inserted']]);
    expect(kinds(verify([...rows.slice(0, 6), forged, ...rows.slice(6)]))).toEqual([[5, 'inserted']]);
  });

  it('reports two records that exchanged positions as reordered, adjacent or not', () => {
    for (const [a, b] of [[3, 4], [2, 7], [0, 1]] as const) {
      const rows = stream();
      const ra = rewrite(rows[a]!, (r) => (r['seq'] = b));
      const rb = rewrite(rows[b]!, (r) => (r['seq'] = a));
      rows[a] = rb;
      rows[b] = ra;
      expect(kinds(verify(rows))).toEqual([[a, 'reordered'], [b, 'reordered']]);
    }
  });

  it('reports each of several unrelated modifications', () => {
    const rows = stream(30);
    for (const i of [2, 11, 20]) rows[i] = rewrite(rows[i]!, (r) => (r['status'] = 'error'));
    expect(kinds(verify(rows))).toEqual([[2, 'modified'], [11, 'modified'], [20, 'modified']]);
  });

  it('takes leaf hashes computed elsewhere in place of records; without records a swap can only be called modified', () => {
    const hashed = (rows: RecordRow[]): ChainRow[] => rows.map((r) => ({ seq: r.seq, prevHash: r.prevHash, leafHash: leafHash(r.record), leaf: Buffer.from(leafHash(r.record), 'hex'), block: undefined }));
    expect(verify(hashed(stream()))).toEqual([]);
    const rows = stream();
    rows[5] = rewrite(rows[5]!, (r) => (r['status'] = 'error'));
    expect(kinds(verify(hashed(rows)))).toEqual([[5, 'modified']]);
    const swapped = stream();
    const [ra, rb] = [rewrite(swapped[3]!, (r) => (r['seq'] = 4)), rewrite(swapped[4]!, (r) => (r['seq'] = 3))];
    swapped[3] = rb;
    swapped[4] = ra;
    expect(kinds(verify(swapped))).toEqual([[3, 'reordered'], [4, 'reordered']]);
    expect(kinds(verify(hashed(swapped))).map(([, kind]) => kind)).not.toContain('reordered');
  });

  it('refuses rows that do not come in seq order', () => {
    const v = new StreamVerifier('s1');
    const rows = stream(3);
    v.push(rows[2]!);
    expect(() => v.push(rows[0]!)).toThrow(RangeError);
  });
});
