import { type Io, main } from '@auditrail/cli';

/** Runs the CLI in-process, as the entry file does, capturing what it prints and its exit code. */
export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (s) => void (out += s), err: (s) => void (err += s), interactive: false, env: {} };
  const code = await main(argv, io);
  return { code, out, err };
}
