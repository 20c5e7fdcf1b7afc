/**
 * Message variables (MSG-2), pure: `{nome}`, `{primeiro_nome}`, `{protocolo}`,
 * `{atendente}`, `{setor}` in what an agent sends (typed or from a quick reply, MSG-7),
 * rendered on the server when the message is sent, so the customer and the chat see the
 * same text.
 *
 * - An unknown name (`{foo}`, `{ nome }`, `{NOME}`) is left exactly as typed.
 * - A variable without a value renders empty, and the text around it is tidied so it still
 *   reads well: "Olá, {primeiro_nome}!" with no name is "Olá!", not "Olá, !". A contact's
 *   name without a letter (the `+55…` placeholder the platform gives a contact with no
 *   WhatsApp profile name) is no name.
 */

export const variableNames = ['nome', 'primeiro_nome', 'protocolo', 'atendente', 'setor'] as const;
export type VariableName = (typeof variableNames)[number];

/** What the variables are rendered from; each value optional. */
export interface VariableContext {
  /** The contact's name as the conversation shows it. */
  contactName?: string;
  protocol?: string;
  /** The sending agent's name. */
  agentName?: string;
  /** The conversation's department's name. */
  departmentName?: string;
}

const pattern = /\{([a-z_]+)\}/g;
const isVariable = (name: string): name is VariableName =>
  (variableNames as readonly string[]).includes(name);

/** The known variables a text uses, once each (what the renderer needs looked up). */
export function variablesIn(text: string): Set<VariableName> {
  const found = new Set<VariableName>();
  for (const m of text.matchAll(pattern)) if (isVariable(m[1]!)) found.add(m[1]);
  return found;
}

/** A name is a name when it has a letter (not the `+5511…` placeholder). */
const personName = (name: string | undefined): string | undefined => {
  const n = name?.trim().replace(/\s+/g, ' ');
  return n && /\p{L}/u.test(n) ? n : undefined;
};

/** The value of each variable in this context; undefined when missing. */
export function variableValues(ctx: VariableContext): Record<VariableName, string | undefined> {
  const name = personName(ctx.contactName);
  const first = name?.split(' ').find((w) => /\p{L}/u.test(w));
  const clean = (v: string | undefined) => v?.trim() || undefined;
  return {
    nome: name,
    primeiro_nome: first,
    protocolo: clean(ctx.protocol),
    atendente: clean(ctx.agentName),
    setor: clean(ctx.departmentName),
  };
}

/** Placeholder for a missing value while tidying (a private-use character nobody types). */
const GAP = '\uE000';

/** Renders the known variables of `text`; unknown ones stay as typed. */
export function renderVariables(text: string, ctx: VariableContext): string {
  const values = variableValues(ctx);
  let missing = false;
  const replaced = text.replace(pattern, (whole, name: string) => {
    if (!isVariable(name)) return whole;
    const value = values[name];
    if (value !== undefined) return value;
    missing = true;
    return GAP;
  });
  return missing ? tidy(replaced) : replaced;
}

/**
 * Removes the gaps missing values left, with the separator that introduced them when
 * punctuation or the end of the line follows ("Olá, ␀!" → "Olá!", "Oi ␀, tudo bem?" →
 * "Oi, tudo bem?"), the comma after one opening a line, and the double space one in the
 * middle leaves ("com ␀ hoje" → "com hoje").
 */
function tidy(text: string): string {
  return (
    text
      // Adjacent gaps are one gap.
      .replace(new RegExp(`${GAP}(?:[ \\t]*${GAP})+`, 'g'), GAP)
      // A gap opening a line takes the comma after it ("{primeiro_nome}, tudo bem?" → "tudo bem?").
      .replace(new RegExp(`^[ \\t]*${GAP}[ \\t]*[,;:]?[ \\t]*`, 'gm'), '')
      // A gap before punctuation or the end of a line takes its separator with it.
      .replace(new RegExp(`[ \\t]*,?[ \\t]*${GAP}(?=[ \\t]*(?:[!?.,;:)]|$))`, 'gm'), '')
      // A gap between words leaves one space.
      .replace(new RegExp(`[ \\t]*${GAP}[ \\t]*`, 'g'), (m, offset: number, all: string) => {
        const before = all[offset - 1];
        const after = all[offset + m.length];
        const atEdge = before === undefined || before === '\n' || after === undefined || after === '\n';
        return atEdge ? '' : ' ';
      })
  );
}
