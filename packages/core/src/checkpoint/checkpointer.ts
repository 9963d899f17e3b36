import { AuditrailError } from '../errors.js';
import { TreeChecker } from '../verify/tree-checker.js';
import { type CheckpointRecord, checkpointOrigin, signCheckpoint } from './checkpoint-record.js';
import type { Signer } from './note.js';

export interface CheckpointerOptions {
  readonly signer: Signer;
  readonly streamId: string;
  /** The log name before `/<stream_id>` in the origin line. Default: the signer's key name. */
  readonly originPrefix?: string;
  /** Sign once this many events more are durable. */
  readonly everyEvents: number;
}

/** A stream's Merkle tree at one size: what a checkpoint of that size signs. */
export interface TreeHead {
  readonly size: number;
  readonly root: Buffer;
}

/**
 * The Merkle log of one writer's stream, for signing its checkpoints: the right edge of the tree
 * (at most 64 hashes, never the leaves), fed each record's leaf hash as it is sealed.
 *
 * A checkpoint is signed only for a size whose events are durably written (`durable`), so a
 * published checkpoint never claims events a crash could still lose.
 */
export class Checkpointer {
  readonly origin: string;
  readonly #signer: Signer;
  readonly #streamId: string;
  readonly #everyEvents: number;
  /** The tree's right edge (number-sized, one-shot hashing: this runs once per sealed event). */
  readonly #tree = new TreeChecker([]);
  #signed = 0;
  #durable: TreeHead | undefined;

  constructor(options: CheckpointerOptions) {
    if (!Number.isSafeInteger(options.everyEvents) || options.everyEvents < 1) throw new AuditrailError('INVALID_CONFIG', 'checkpoints.everyEvents must be a positive integer');
    this.#signer = options.signer;
    this.#streamId = options.streamId;
    this.#everyEvents = options.everyEvents;
    this.origin = checkpointOrigin(options.originPrefix ?? options.signer.name, options.streamId);
  }

  /** The verifier key of the signer (`name+hash+base64`): what a verifier must trust. */
  get verifierKey(): string {
    return this.#signer.verifierKey;
  }

  /** Size of the last checkpoint signed (0 before the first). */
  get signedSize(): number {
    return this.#signed;
  }

  /** Appends the next record's leaf hash (hex, as the sequencer computes it). */
  append(leafHashHex: string): void {
    this.#tree.addLeaf(Buffer.from(leafHashHex, 'hex'));
  }

  /** The tree over every leaf appended so far. */
  head(): TreeHead {
    return { size: this.#tree.size, root: this.#tree.root() };
  }

  /**
   * Records that the events up to `head.size` are durable (`undefined`: nothing new since the last
   * call), and signs a checkpoint of the durable size when one is due: `everyEvents` more since the
   * last, or any new event when `force` (a timer, shutdown).
   */
  durable(head: TreeHead | undefined, force = false): CheckpointRecord | undefined {
    if (head !== undefined && (this.#durable === undefined || head.size > this.#durable.size)) this.#durable = head;
    const d = this.#durable;
    if (d === undefined || d.size <= this.#signed || (!force && d.size - this.#signed < this.#everyEvents)) return undefined;
    this.#signed = d.size;
    return signCheckpoint(this.#signer, { streamId: this.#streamId, origin: this.origin, size: d.size, root: d.root });
  }
}
