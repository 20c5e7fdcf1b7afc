/**
 * What a customer's message asks for, as small pure rules (pt-BR). An assistant hands the
 * conversation to people when the customer asks for a person ("quero falar com um
 * atendente"), whatever the model or the knowledge base would have answered.
 */

/** Lower case, no accents, punctuation as spaces, single spaces. */
function plain(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Who the customer may ask for. */
const PERSON =
  '(?:atendente|atendentes|humano|humana|pessoa|pessoas|alguem|operador|operadora|funcionario|funcionaria|gente de verdade|ser humano|consultor|consultora|vendedor|vendedora|agente)';
/** Ways of asking to talk to / be passed to someone. */
const ASK =
  '(?:falar|fala|conversar|converso|falo|chamar|chama|chame|quero|queria|gostaria|preciso|pode|poderia|transferir|transfere|transfira|passar|passa|passe|me coloca|coloque|encaminhar|encaminha|encaminhe|cade|cade o|cade a)';
/** Articles and fillers between the ask and the person. */
const FILL = '(?:\\s+(?:com|um|uma|o|a|os|as|para|pra|pro|me|de|ao|falar|conversar|por favor|algum|alguma))*';

const ALONE = new RegExp(`^(?:(?:um|uma|o|a)\\s+)?${PERSON}(?:\\s+por favor)?$`);
const ASKED = new RegExp(`\\b${ASK}${FILL}\\s+${PERSON}\\b`);
const HUMAN_SERVICE = /\batendimento (?:humano|humanizado|pessoal|com (?:uma )?pessoa)\b/;
/** "não quero falar com atendente", "não precisa de atendente". */
const NEGATED = new RegExp(`\\bnao\\s+(?:${ASK}|precisa|quer)${FILL}\\s+${PERSON}\\b`);

/**
 * Whether the customer asks for a person: "atendente", "quero falar com um atendente",
 * "me passa para um humano", "atendimento humano"… — not a question that merely mentions
 * one ("o atendente de ontem foi ótimo", "horário de atendimento") nor a refusal ("não
 * quero falar com atendente").
 */
export function wantsHuman(text: string | undefined): boolean {
  if (!text) return false;
  const t = plain(text);
  if (!t || NEGATED.test(t)) return false;
  return ALONE.test(t) || ASKED.test(t) || HUMAN_SERVICE.test(t);
}
