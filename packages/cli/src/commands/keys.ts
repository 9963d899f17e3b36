import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateKeys } from '@auditrail/core';
import { CliError, type Io } from '../io.js';
import { parse } from '../options.js';

export const KEYS_HELP = `auditrail keys generate NAME [--out FILE] [--json]

Generates an Ed25519 key pair for signing checkpoints (C2SP signed notes). The signer key is
written to FILE (default ./auditrail-signer.key, readable by its owner only; an existing file is
never overwritten) and must stay secret; the verifier key is printed — give it to whoever checks
the log (auditrail verify --key, auditrail check-proof --key). NAME names the log's key, e.g.
audit.example.com/acme; it may not contain "+" or whitespace.
`;

export async function keysCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { out: { type: 'string', default: 'auditrail-signer.key' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } });
  if (values.help) return io.out(KEYS_HELP), 0;
  const [action, name, ...extra] = positionals;
  if (action !== 'generate' || name === undefined || extra.length > 0) throw new CliError(`expected: keys generate NAME\n\n${KEYS_HELP}`);
  let keys: { signerKey: string; verifierKey: string };
  try {
    keys = generateKeys(name);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  const file = resolve(values.out);
  try {
    writeFileSync(file, `${keys.signerKey}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(code === 'EEXIST' ? `${file} exists; not overwriting a signer key (choose another --out)` : `cannot write ${file}: ${(e as Error).message}`);
  }
  if (values.json) io.out(`${JSON.stringify({ name, verifier_key: keys.verifierKey, signer_key_file: file }, null, 2)}\n`);
  else io.out(`${keys.verifierKey}\n`);
  io.err(`auditrail keys: signer key written to ${file} (keep it secret); the verifier key is above\n`);
  return 0;
}
