/**
 * Markdown (what knowledge-base documents and models write) as WhatsApp formats it:
 * `**negrito**` → `*negrito*`, `*itálico*` / `_itálico_` → `_itálico_`, `~~riscado~~` →
 * `~riscado~`, headings in bold, list items with •, links as "texto (url)", images by
 * their description, tables as lines, code fences kept as WhatsApp's ``` blocks.
 */

const BOLD = '\uE000B\uE000';
const ITALIC = '\uE000I\uE000';

/** Inline formatting of one line of text (not inside code). */
function inline(line: string): string {
  const codes: string[] = [];
  let s = line.replace(/`([^`\n]+)`/g, (_m, c: string) => {
    codes.push(c);
    return `\uE000C${codes.length - 1}\uE000`;
  });
  s = s
    .replace(/!\[([^\]]*)\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g, (_m, alt: string) => alt)
    .replace(/\[([^\]]+)\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g, (_m, text: string, url: string) =>
      text === url ? url : `${text} (${url})`,
    )
    .replace(/<(https?:\/\/[^>\s]+)>/g, '$1')
    .replace(/(\*\*\*|___)(?=\S)(.+?)(?<=\S)\1/g, `${BOLD}${ITALIC}$2${ITALIC}${BOLD}`)
    .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, `${BOLD}$2${BOLD}`)
    .replace(/(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])/g, `${ITALIC}$1${ITALIC}`)
    .replace(/(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])/g, `${ITALIC}$1${ITALIC}`)
    .replace(/~~(?=\S)(.+?)(?<=\S)~~/g, '~$1~')
    .split(BOLD)
    .join('*')
    .split(ITALIC)
    .join('_');
  return s.replace(/\uE000C(\d+)\uE000/g, (_m, i: string) => `\`${codes[Number(i)]}\``);
}

/** A heading's or a bold line's text in WhatsApp bold (without doubling existing bold). */
const bold = (text: string) => {
  const t = inline(text).trim();
  return /^\*[^*]+\*$/.test(t) ? t : `*${t.replace(/\*/g, '')}*`;
};

const isTableSeparator = (line: string) => /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/.test(line);
const tableCells = (line: string) =>
  line
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((c) => inline(c.trim()))
    .filter(Boolean);

/** The text with Markdown turned into WhatsApp's formatting. */
export function markdownToWhatsApp(markdown: string): string {
  const out: string[] = [];
  let fence = false;
  for (const raw of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.replace(/\s+$/, '');
    const fenceMark = /^\s*(```|~~~)/.exec(line);
    if (fenceMark) {
      fence = !fence;
      out.push('```');
      continue;
    }
    if (fence) {
      out.push(line);
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line))) out.push(bold(m[1]!));
    else if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) out.push('');
    else if (isTableSeparator(line) && line.includes('-')) continue;
    else if (/^\s*\|.*\|\s*$/.test(line)) out.push(tableCells(line).join(' — '));
    else if ((m = /^(\s*)[-*+]\s+\[([ xX])\]\s+(.*)$/.exec(line)))
      out.push(`${indent(m[1]!)}${m[2] === ' ' ? '☐' : '☑'} ${inline(m[3]!)}`);
    else if ((m = /^(\s*)[-*+]\s+(.*)$/.exec(line))) out.push(`${indent(m[1]!)}• ${inline(m[2]!)}`);
    else if ((m = /^(\s*)(\d+)[.)]\s+(.*)$/.exec(line)))
      out.push(`${indent(m[1]!)}${m[2]}. ${inline(m[3]!)}`);
    else if ((m = /^\s{0,3}>\s?(.*)$/.exec(line))) out.push(`> ${inline(m[1]!)}`);
    else out.push(inline(line));
  }
  return out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Nested list items keep a little indentation (two spaces a level). */
const indent = (spaces: string) => '  '.repeat(Math.floor(spaces.replace(/\t/g, '    ').length / 2));
