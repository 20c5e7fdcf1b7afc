/**
 * Splits a knowledge-base document (text extracted from .txt, .md or .pdf) into passages for
 * retrieval (AI-4). Pure functions.
 *
 * 1. Sections: markdown headings (ATX `## Título` and setext underlines) open sections; each
 *    section keeps its heading path ("Trocas › Prazo"). A document without markdown headings
 *    may still have plain-text headings (a short line standing alone before a paragraph, as in
 *    text extracted from a PDF); those become one-level headings.
 * 2. Blocks: paragraphs are separated by blank lines. Wrapped lines are re-flowed into one line
 *    (PDF hyphenation "pagamen-\nto" is undone); lists, tables and code keep their line breaks.
 * 3. Packing: a section's blocks are packed in order into chunks of at most `maxChars`, balanced
 *    so that a section of 1,000 characters gives two of ~500 rather than 900 + 100. A block
 *    longer than `maxChars` is split between sentences; a sentence longer than `maxChars` is
 *    split between words (and a word longer than that, hard).
 * 4. Merging: consecutive small sections that are siblings (or a parent's intro and its first
 *    children) are merged while the result stays within `targetChars`; the merged chunk takes the
 *    common heading path and keeps each sub-heading as a line in its text, so that a heading
 *    always travels with its paragraphs.
 */

export interface Chunk {
  /** Position of the chunk in the document, from 0. */
  index: number;
  /** Heading path, outermost first (empty before the first heading). */
  headings: string[];
  /** Document title (if given) and heading path joined with " › ": the passage's title field. */
  title: string;
  /** Passage text, without the heading path. */
  text: string;
}

export interface ChunkOptions {
  /** Document title, prepended to every chunk's title (e.g. the file name without extension). */
  title?: string;
  /** Merged small sections stay within this size. Default 750. */
  targetChars?: number;
  /** Hard maximum size of a chunk's text. Default 900. */
  maxChars?: number;
}

interface Section {
  headings: string[];
  blocks: string[];
}

const ATX = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;
const FENCE = /^ {0,3}(```|~~~)/;
const LIST_OR_TABLE = /^\s*(?:[-*+•]\s|\d{1,3}[.)]\s|\|)/;

/** Words before a period that do not end a sentence (accent-free, lower case). */
const ABBREVIATIONS = new Set(
  (
    'sr sra srs sras dr dra drs dras prof profa profs av rua tel cel fax etc ex obs n no nº num pag pags p ' +
    'art arts inc ltda cia s.a sa vol cap min max aprox jan fev mar abr mai jun jul ago set out nov dez ' +
    'seg ter qua qui sex sab dom hr hrs vs'
  ).split(' '),
);

/** Sentences of a paragraph (Portuguese punctuation and common abbreviations). */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  const boundary = /[.!?…]+["'”’)\]]*\s+/g;
  let start = 0;
  for (const m of text.matchAll(boundary)) {
    const end = m.index + m[0].length;
    const next = text[end];
    if (next === undefined) break;
    // A lower-case continuation is not a new sentence ("R$ 1.000 ou 2 vezes", "etc. e tal").
    if (/\p{Ll}/u.test(next)) continue;
    if (m[0].startsWith('.') && m[0].trimEnd() === '.') {
      const before = /([\p{L}.]+)$/u.exec(text.slice(start, m.index))?.[1] ?? '';
      const word = before
        .normalize('NFD')
        .replace(/\p{M}+/gu, '')
        .toLowerCase();
      // Abbreviations ("Sr.", "Av.") and initials ("J. Silva") do not end a sentence.
      if (ABBREVIATIONS.has(word) || /^\p{L}$/u.test(word)) continue;
    }
    out.push(text.slice(start, end).trim());
    start = end;
  }
  const rest = text.slice(start).trim();
  if (rest) out.push(rest);
  return out;
}

/** Splits text longer than max between words (hard-cutting words longer than max). */
function splitWords(text: string, max: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/)) {
    if (!word) continue;
    if (current && current.length + 1 + word.length > max) {
      out.push(current);
      current = '';
    }
    if (word.length > max) {
      for (let i = 0; i < word.length; i += max) {
        const piece = word.slice(i, i + max);
        if (piece.length === max) out.push(piece);
        else current = piece;
      }
    } else current = current ? `${current} ${word}` : word;
  }
  if (current) out.push(current);
  return out;
}

/** Joins a block's lines: prose is re-flowed, lists/tables/code keep their line breaks. */
function joinLines(lines: string[], code: boolean): string {
  if (code || lines.some((l) => LIST_OR_TABLE.test(l))) return lines.map((l) => l.trimEnd()).join('\n');
  let out = '';
  for (const raw of lines) {
    const line = raw.trim();
    if (!out) out = line;
    else if (/\p{L}-$/u.test(out) && /^\p{Ll}/u.test(line)) out = out.slice(0, -1) + line;
    else out += ` ${line}`;
  }
  return out;
}

/** Plain-text heading: a short lone line, no sentence punctuation at its end, followed by text. */
function looksLikeHeading(block: string): boolean {
  return (
    !block.includes('\n') &&
    block.length <= 80 &&
    !/[.,;:!?…]$/.test(block) &&
    /\p{L}/u.test(block) &&
    !LIST_OR_TABLE.test(block)
  );
}

/** Sections of a document, each with its heading path and its blocks (paragraphs). */
export function parseSections(text: string): Section[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const sections: Section[] = [{ headings: [], blocks: [] }];
  const levels: { level: number; title: string }[] = [];
  let markdownHeadings = false;
  let paragraph: string[] = [];
  let inCode = false;
  let code: string[] = [];
  const current = () => sections[sections.length - 1]!;
  const flush = () => {
    if (paragraph.length) current().blocks.push(joinLines(paragraph, false));
    paragraph = [];
  };
  const open = (level: number, title: string) => {
    flush();
    markdownHeadings = true;
    while (levels.length && levels[levels.length - 1]!.level >= level) levels.pop();
    levels.push({ level, title });
    sections.push({ headings: levels.map((l) => l.title), blocks: [] });
  };
  for (const line of lines) {
    if (FENCE.test(line)) {
      if (inCode) {
        code.push(line);
        current().blocks.push(joinLines(code, true));
        code = [];
        inCode = false;
      } else {
        flush();
        inCode = true;
        code = [line];
      }
      continue;
    }
    if (inCode) {
      code.push(line);
      continue;
    }
    const atx = ATX.exec(line);
    if (atx && atx[2]!.trim()) {
      open(atx[1]!.length, atx[2]!.trim());
      continue;
    }
    const setext = SETEXT.exec(line);
    if (setext && paragraph.length === 1 && !LIST_OR_TABLE.test(paragraph[0]!)) {
      const title = paragraph[0]!.trim();
      paragraph = [];
      open(setext[1]!.startsWith('=') ? 1 : 2, title);
      continue;
    }
    if (!line.trim()) flush();
    else paragraph.push(line);
  }
  flush();
  if (inCode && code.length) current().blocks.push(joinLines(code, true));
  const nonEmpty = sections.filter((s) => s.blocks.length);
  if (markdownHeadings) return nonEmpty;
  // No markdown headings: look for plain-text headings (a short lone line before a paragraph).
  const plain: Section[] = [];
  for (const s of nonEmpty) {
    let section: Section = { headings: [], blocks: [] };
    plain.push(section);
    s.blocks.forEach((block, i) => {
      const next = s.blocks[i + 1];
      if (looksLikeHeading(block) && next !== undefined && !looksLikeHeading(next)) {
        section = { headings: [block], blocks: [] };
        plain.push(section);
      } else section.blocks.push(block);
    });
  }
  return plain.filter((s) => s.blocks.length);
}

/** Packs a section's blocks into pieces of at most max characters, balanced in size. */
function packSection(blocks: string[], max: number): string[] {
  interface Unit {
    text: string;
    /** Separator before this unit when it follows another in the same chunk. */
    sep: string;
  }
  const units: Unit[] = [];
  for (const block of blocks) {
    if (block.length <= max) {
      units.push({ text: block, sep: '\n\n' });
      continue;
    }
    let first = true;
    for (const sentence of splitSentences(block))
      for (const piece of sentence.length <= max ? [sentence] : splitWords(sentence, max)) {
        units.push({ text: piece, sep: first ? '\n\n' : ' ' });
        first = false;
      }
  }
  const total = units.reduce((n, u) => n + u.text.length + 1, 0);
  const goal = total / Math.ceil(total / max);
  const out: string[] = [];
  let current = '';
  for (const u of units) {
    if (current && current.length + u.sep.length + u.text.length > max) {
      out.push(current);
      current = '';
    }
    current = current ? current + u.sep + u.text : u.text;
    if (current.length >= goal) {
      out.push(current);
      current = '';
    }
  }
  if (current) out.push(current);
  return out;
}

const commonPrefix = (a: string[], b: string[]) => {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(0, i);
};

/** Splits a document into retrieval chunks; see the module comment for the rules. */
export function chunkDocument(text: string, options: ChunkOptions = {}): Chunk[] {
  const max = options.maxChars ?? 900;
  const target = Math.min(options.targetChars ?? 750, max);
  interface Piece {
    headings: string[];
    text: string;
    /** True when the piece is its section's whole content (it may then be merged). */
    whole: boolean;
  }
  const pieces: Piece[] = [];
  for (const s of parseSections(text)) {
    const packed = packSection(s.blocks, max);
    for (const p of packed) pieces.push({ headings: s.headings, text: p, whole: packed.length === 1 });
  }
  // Merge consecutive small whole sections that are siblings or a parent and its children.
  const merged: { headings: string[]; members: Piece[] }[] = [];
  const render = (headings: string[], members: Piece[]) =>
    members
      .map((m) => {
        const sub = m.headings.slice(headings.length);
        return sub.length ? `${sub.join(' › ')}\n${m.text}` : m.text;
      })
      .join('\n\n');
  for (const piece of pieces) {
    const group = merged[merged.length - 1];
    if (group && piece.whole && group.members.every((m) => m.whole)) {
      const headings = commonPrefix(group.headings, piece.headings);
      const members = [...group.members, piece];
      const shallow = members.every((m) => m.headings.length <= headings.length + 1);
      if (shallow && render(headings, members).length <= target) {
        group.headings = headings;
        group.members = members;
        continue;
      }
    }
    merged.push({ headings: piece.headings, members: [piece] });
  }
  return merged.map((g, index) => ({
    index,
    headings: g.headings,
    title: [...(options.title ? [options.title] : []), ...g.headings].join(' › '),
    text: render(g.headings, g.members),
  }));
}

/** Chunks as lexical-index passages, with ids `${documentId}#${index}`. */
export function chunksToPassages(
  documentId: string,
  chunks: readonly Chunk[],
): { id: string; title: string; text: string }[] {
  return chunks.map((c) => ({ id: `${documentId}#${c.index}`, title: c.title, text: c.text }));
}
