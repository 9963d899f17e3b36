import { readFileSync } from 'node:fs';
import { parseVerifierKey, type Verifier } from '@auditrail/core';
import { CliError } from './io.js';

const KEY_TEXT = /^[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$/;
const SIGNER_KEY = 'PRIVATE+KEY+';

/**
 * A `--key` value: a verifier key (`name+hash+base64`) or the path of a file holding one. A signer
 * key given by mistake is refused without echoing it: it must stay secret.
 */
export function readVerifierKey(value: string): Verifier {
  if (value.startsWith(SIGNER_KEY)) throw new CliError('--key was given a signer key, which must stay secret: give the verifier key (auditrail keys generate printed it)');
  let text = value;
  if (!KEY_TEXT.test(value)) {
    try {
      text = readFileSync(value, 'utf8');
    } catch (e) {
      throw new CliError(`--key ${JSON.stringify(value)} is neither a verifier key (name+hash+base64) nor a file one can read (${(e as Error).message})`);
    }
  }
  if (text.trim().startsWith(SIGNER_KEY)) throw new CliError(`--key ${JSON.stringify(value)} holds a signer key, which must stay secret: give the verifier key (auditrail keys generate printed it)`);
  try {
    return parseVerifierKey(text);
  } catch (e) {
    throw new CliError(`--key ${JSON.stringify(value)}: ${(e as Error).message}`);
  }
}
