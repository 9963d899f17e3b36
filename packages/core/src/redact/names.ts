import { createRequire } from 'node:module';
import type { FunctionDetector } from './detectors.js';

/** The part of `compromise` this uses. */
type Nlp = ((text: string) => { people(): { out(format: 'offset'): { offset: { start: number; length: number } }[] } }) & {
  model(): { one: { lexicon: Record<string, string | string[]> } };
};

/** Lexicon tags of words that start or make a person's name. */
const NAME_TAGS = /^(?:MaleName|FemaleName|FirstName|LastName|Person|Honorific)$/;
/** A capitalized word (any script with case), not inside another word. */
const CAPITALIZED = /(?<![\p{L}\p{N}_])\p{Lu}[\p{Ll}\p{M}'’-]{1,40}/gu;
/** What a window around a candidate stops at: a string's quotes, a line, markup. */
const SEGMENT_END = /["\n\r\t{}[\]<>|\\]/;
/** Characters on each side of a candidate given to the tagger (it needs the sentence, not the text). */
const WINDOW = 160;
/**
 * Characters of one text the tagger reads at most (~0.5 s of its time). Past that, a lexicon name
 * and the capitalized words right after it are taken as a name without asking the tagger: hostile
 * or huge input costs linear time, and over-redacts rather than lets names through.
 */
const TAGGER_BUDGET = 65_536;
/** A capitalized word and those that follow it (`Maria Garcia Lopez`). */
const CAPITALIZED_RUN = /\p{Lu}[\p{Ll}\p{M}'’-]{1,40}(?: \p{Lu}[\p{Ll}\p{M}'’-]{1,40}){0,3}/uy;
/** What a person's name is made of: letters, marks, spaces, dots, apostrophes and hyphens. */
const NAME_CHARS = /^[\p{L}\p{M} .'’-]+$/u;

let loaded: { nlp: Nlp; words: ReadonlySet<string> } | undefined;

function load(): { nlp: Nlp; words: ReadonlySet<string> } {
  if (loaded === undefined) {
    const nlp = createRequire(import.meta.url)('compromise') as Nlp;
    const words = new Set<string>();
    for (const [word, tags] of Object.entries(nlp.model().one.lexicon)) {
      if ((Array.isArray(tags) ? tags : [tags]).some((t) => NAME_TAGS.test(t))) words.add(word);
    }
    loaded = { nlp, words };
  }
  return loaded;
}

/**
 * Person names (`PERSON`), found by the `compromise` part-of-speech tagger, offline. The tagger
 * reads about 0.13 MB/s on one core, so it only sees the sentence around a capitalized word that
 * its lexicon knows as a first name, surname or title (about 4,400 words; a scan for them runs at
 * hundreds of MB/s): most texts never reach it. Slow all the same where names are common — the
 * redaction worker (off the app's thread) is where it belongs.
 *
 * The tagger reads at most TAGGER_BUDGET characters of one text; past that, lexicon names are
 * taken as they are (see there). A found name is replaced from its first to its last letter, and only if it is made of letters,
 * spaces, dots, apostrophes and hyphens (so a replacement never cuts into JSON syntax around it).
 */
export function personNames(): FunctionDetector {
  const { nlp, words } = load();
  return {
    kind: 'PERSON',
    category: 'pii',
    *find(text) {
      let doneTo = 0;
      let tagged = 0;
      CAPITALIZED.lastIndex = 0;
      for (let m = CAPITALIZED.exec(text); m !== null; m = CAPITALIZED.exec(text)) {
        if (m.index < doneTo || !words.has(m[0].toLowerCase())) continue;
        const [from, to] = windowAround(text, m.index, m.index + m[0].length);
        if ((tagged += to - from) > TAGGER_BUDGET) {
          CAPITALIZED_RUN.lastIndex = m.index;
          const run = CAPITALIZED_RUN.exec(text)!;
          yield [m.index, m.index + run[0].length] as const;
          doneTo = m.index + run[0].length;
          CAPITALIZED.lastIndex = doneTo;
          continue;
        }
        const window = text.slice(from, to);
        for (const { offset } of nlp(window).people().out('offset')) {
          const range = trimName(window, offset.start, offset.start + offset.length);
          if (range !== undefined) yield [from + range[0], from + range[1]] as const;
        }
        doneTo = to;
        CAPITALIZED.lastIndex = Math.max(CAPITALIZED.lastIndex, to);
      }
    },
  };
}

/** [from, to): up to WINDOW characters each side of [start, end), within one segment of text. */
function windowAround(text: string, start: number, end: number): [number, number] {
  let from = start;
  while (from > 0 && start - from < WINDOW && !SEGMENT_END.test(text[from - 1]!)) from--;
  let to = end;
  while (to < text.length && to - end < WINDOW && !SEGMENT_END.test(text[to]!)) to++;
  return [from, to];
}

/** The name without what the tagger kept around it (a sentence's full stop, a comma), if it is one. */
function trimName(s: string, start: number, end: number): [number, number] | undefined {
  while (end > start && /[\s.,'’-]/.test(s[end - 1]!)) end--;
  while (start < end && /[\s'’-]/.test(s[start]!)) start++;
  if (end - start < 2 || !NAME_CHARS.test(s.slice(start, end))) return undefined;
  return [start, end];
}
