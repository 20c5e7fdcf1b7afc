/**
 * Portuguese text analysis for knowledge-base retrieval (AI-4): normalisation, tokenisation,
 * stop words and stemming. Pure functions, no dependencies.
 *
 * Pipeline (`analyze`): normalise (NFD accent folding + lower case) → tokenise → expand common
 * chat abbreviations ("vc", "pq", "zap") → drop stop words → stem.
 *
 * Accents are folded BEFORE stemming, so the stemmer below works on accent-free words. That is
 * deliberate: customers write "devolucao", "opcoes", "cartao" as often as "devolução", "opções",
 * "cartão", and both spellings must reach the same stem. The stock Snowball algorithm relies on
 * accents (ã, õ, ç…) and stems the two spellings differently, so it is adapted here:
 *
 * 0. Plural reduction (from RSLP, Orengo & Huyck 2001), for endings Snowball misses:
 *    -ões/-ães → -ão, -ns → -m, -ais → -al, -éis → -el, -óis → -ol (with exceptions).
 * 1–5. Snowball Portuguese (Porter), with every suffix written without accents:
 *    1. standard (derivational) suffixes, checked against regions R2/R1/RV; as in RSLP, -amento,
 *       -imento and -agem only need RV and a 3-letter stem, so "pagamento" and "pagar" meet;
 *    2. verb suffixes in RV (only when step 1 removed nothing);
 *    3. -i after c, when step 1 or 2 changed the word;
 *    4. residual -os -a -i -o in RV, when neither changed it;
 *    5. final -e in RV (and the u of -gue / i of -cie).
 * See https://snowballstem.org/algorithms/portuguese/stemmer.html for the regions and rules.
 */

/** Lower case, accents folded (NFD then combining marks removed): "Devolução" → "devolucao". */
export function normalize(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase();
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;
const ASCII_WORD = /[a-z0-9]+(?:-[a-z0-9]+)*/g;
const UNICODE_WORD = /[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*/gu;

/** Words of a text, normalised: runs of letters/digits; "e-mail" → "email". */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const folded = normalize(text);
  for (const word of folded.match(ASCII.test(folded) ? ASCII_WORD : UNICODE_WORD) ?? []) {
    if (!word.includes('-')) {
      out.push(word);
      continue;
    }
    const parts = word.split('-');
    // Join short prefixes ("e-mail", "e-commerce"); split compounds and enclitics ("enviá-lo").
    if (parts.length === 2 && parts[0]!.length <= 2 && /^\p{L}+$/u.test(parts[0]!)) out.push(parts.join(''));
    else out.push(...parts);
  }
  return out;
}

/** Chat abbreviations and spellings common in Brazilian WhatsApp messages → standard words. */
const ABBREVIATIONS: Record<string, string> = {
  vc: 'voce',
  vcs: 'voces',
  voceis: 'voces',
  pq: 'porque',
  q: 'que',
  oq: 'o que',
  hj: 'hoje',
  qdo: 'quando',
  qnd: 'quando',
  qto: 'quanto',
  qt: 'quanto',
  qnt: 'quanto',
  tb: 'tambem',
  tbm: 'tambem',
  msg: 'mensagem',
  msgs: 'mensagens',
  cel: 'celular',
  zap: 'whatsapp',
  zapzap: 'whatsapp',
  wpp: 'whatsapp',
  whats: 'whatsapp',
  wats: 'whatsapp',
  watsapp: 'whatsapp',
  whatsap: 'whatsapp',
  pra: 'para',
  pro: 'para o',
  pras: 'para as',
  pros: 'para os',
  ta: 'esta',
  to: 'estou',
  n: 'nao',
  nd: 'nada',
  td: 'tudo',
  tds: 'todos',
  mt: 'muito',
  mto: 'muito',
  mts: 'muitos',
  dps: 'depois',
  obg: 'obrigado',
  blz: 'beleza',
  nf: 'nota fiscal',
  nfe: 'nota fiscal',
  sab: 'sabado',
  dom: 'domingo',
  seg: 'segunda',
  info: 'informacao',
  infos: 'informacoes',
};

/**
 * Portuguese stop words, accent-folded: the Snowball list plus chat fillers (greetings, "gente",
 * "moço"). Question words that carry no topic ("como", "quando", "qual") are included too.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a ao aos aquela aquelas aquele aqueles aquilo as ate com como da das de dela delas dele deles depois do ' +
    'dos e ela elas ele eles em entre era eram eramos essa essas esse esses esta estamos estao estas estava ' +
    'estavam estavamos este esteja estejam estejamos estes esteve estive estivemos estiver estivera estiveram ' +
    'estiveramos estiverem estivermos estivesse estivessem estivessemos estou eu foi fomos for fora foram ' +
    'foramos forem formos fosse fossem fossemos fui ha haja hajam hajamos hao havemos haver hei houve houvemos ' +
    'houver houvera houveram houveramos houverao houverei houverem houveremos houveria houveriam houveriamos ' +
    'houvermos houvesse houvessem houvessemos isso isto ja lhe lhes mais mas me mesmo meu meus minha minhas ' +
    'muito na nao nas nem no nos nossa nossas nosso nossos num numa o os ou para pela pelas pelo pelos por ' +
    'qual quando que quem sao se seja sejam sejamos sem ser sera serao serei seremos seria seriam seriamos sou ' +
    'sua suas somos tambem te tem temos tenha tenham tenhamos tenho ter tera terao terei teremos teria teriam ' +
    'teriamos teu teus teve tinha tinham tinhamos tive tivemos tiver tivera tiveram tiveramos tiverem tivermos ' +
    'tivesse tivessem tivessemos tu tua tuas um uma umas uns voce voces vos ' +
    // chat fillers and politeness
    'oi ola ei opa bom boa dia tarde noite obrigado obrigada beleza gente moco moca amigo amiga ai la ne ' +
    'ok okay sim entao tipo aqui ainda so queria quero gostaria saber favor alguem consigo posso pode podem ' +
    'vou vai fazer faco preciso algum alguma cade onde porque qto quanto quanta quantos quantas'
  ).split(' '),
);

/** True for a normalised word that carries no topic. */
export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

// ---------------------------------------------------------------------------------------------
// Stemmer
// ---------------------------------------------------------------------------------------------

const isVowel = (c: string | undefined) => c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u';

/** Snowball regions: index where RV, R1 and R2 start (word length when empty). */
function regions(w: string): { rv: number; r1: number; r2: number } {
  const n = w.length;
  let rv = n;
  if (n > 3) {
    if (!isVowel(w[1])) {
      const i = w.slice(2).search(/[aeiou]/);
      if (i >= 0) rv = i + 3;
    } else if (isVowel(w[0])) {
      const i = w.slice(2).search(/[^aeiou]/);
      if (i >= 0) rv = i + 3;
    } else rv = 3;
  } else if (n === 3) rv = 3;
  const after = (from: number) => {
    for (let i = from + 1; i < n; i++) if (!isVowel(w[i]) && isVowel(w[i - 1])) return i + 1;
    return n;
  };
  const r1 = after(0);
  const r2 = r1 >= n ? n : after(r1);
  return { rv, r1, r2 };
}

/** Longest of `suffixes` that `w` ends with, or undefined. Lists are sorted longest first. */
function longest(w: string, suffixes: readonly string[]): string | undefined {
  for (const s of suffixes) if (w.endsWith(s)) return s;
  return undefined;
}
const byLength = (list: string) => list.split(' ').sort((a, b) => b.length - a.length);

const STEP1_DELETE_R2 = byLength(
  'eza ezas ico ica icos icas ismo ismos avel ivel ista istas oso osa osos osas adora ador acao adoras ' +
    'adores acoes ante antes ancia ancias',
);
const STEP1 = byLength(
  STEP1_DELETE_R2.join(' ') +
    ' logia logias ucao ucoes encia encias amente mente idade idades iva ivo ivas ivos ira iras' +
    ' amento amentos imento imentos agem',
);
const STEP2 = byLength(
  'ada ida ia aria eria iria ara era ira ava asse esse isse aste este iste ei arei erei irei am iam ariam ' +
    'eriam iriam aram eram iram avam em arem erem irem assem essem issem ado ido ando endo indo arao erao ' +
    'irao ar er ir as adas idas ias arias erias irias aras eras iras avas es ardes erdes irdes ares eres ' +
    'ires asses esses isses astes estes istes is ais eis ieis arieis erieis irieis areis ereis ireis asseis ' +
    'esseis isseis aveis ados idos amos iamos ariamos eriamos iriamos aramos eramos iramos avamos emos ' +
    'aremos eremos iremos assemos essemos issemos imos armos ermos irmos eu iu ou',
);
const STEP4 = byLength('os a i o');

const PLURAL_EXCEPTIONS = new Set([
  'mais',
  'cais',
  'pais',
  'jamais',
  'demais',
  'seis',
  'reis',
  'depois',
  'dois',
  'pois',
]);

/** Step 0: RSLP-style plural reduction for endings the Snowball steps would stem apart. */
function reducePlural(w: string): string {
  if (w.length < 4 || PLURAL_EXCEPTIONS.has(w)) return w;
  if (w.endsWith('oes') || w.endsWith('aes')) return w.slice(0, -3) + 'ao';
  if (w.endsWith('ns')) return w.slice(0, -2) + 'm';
  if (w.length >= 5) {
    if (w.endsWith('ais')) return w.slice(0, -3) + 'al';
    if (w.endsWith('eis')) return w.slice(0, -3) + 'el';
    if (w.endsWith('ois')) return w.slice(0, -3) + 'ol';
  }
  return w;
}

/** Step 1: standard suffixes. Returns the new word, or undefined when nothing was removed. */
function step1(w: string, r: { rv: number; r1: number; r2: number }): string | undefined {
  const s = longest(w, STEP1);
  if (!s) return undefined;
  const at = w.length - s.length;
  const inR2 = (i: number) => i >= r.r2;
  const cut = (word: string, suffix: string) =>
    word.endsWith(suffix) && inR2(word.length - suffix.length) ? word.slice(0, -suffix.length) : word;
  if (STEP1_DELETE_R2.includes(s)) return inR2(at) ? w.slice(0, at) : undefined;
  switch (s) {
    case 'logia':
    case 'logias':
      return inR2(at) ? w.slice(0, at) + 'log' : undefined;
    case 'ucao':
    case 'ucoes':
      return inR2(at) ? w.slice(0, at) + 'u' : undefined;
    case 'encia':
    case 'encias':
      return inR2(at) ? w.slice(0, at) + 'ente' : undefined;
    case 'amente': {
      if (at < r.r1) return undefined;
      let x = w.slice(0, at);
      if (x.endsWith('iv') && inR2(x.length - 2)) {
        x = x.slice(0, -2);
        x = cut(x, 'at');
      } else for (const p of ['os', 'ic', 'ad']) if (x.endsWith(p)) x = cut(x, p);
      return x;
    }
    case 'mente': {
      if (!inR2(at)) return undefined;
      let x = w.slice(0, at);
      for (const p of ['ante', 'avel', 'ivel']) if (x.endsWith(p)) x = cut(x, p);
      return x;
    }
    case 'idade':
    case 'idades': {
      if (!inR2(at)) return undefined;
      let x = w.slice(0, at);
      for (const p of ['abil', 'ic', 'iv']) if (x.endsWith(p)) x = cut(x, p);
      return x;
    }
    case 'iva':
    case 'ivo':
    case 'ivas':
    case 'ivos':
      return inR2(at) ? cut(w.slice(0, at), 'at') : undefined;
    case 'amento':
    case 'amentos':
    case 'imento':
    case 'imentos':
    case 'agem':
      // RSLP noun suffixes: "pagamento" → "pag" like "pagar", "montagem" → "mont" like "montar".
      return at >= r.rv && at >= 3 ? w.slice(0, at) : undefined;
    case 'ira':
    case 'iras':
      return at >= r.rv && w[at - 1] === 'e' ? w.slice(0, at) + 'ir' : undefined;
  }
  return undefined;
}

const stemCache = new Map<string, string>();

/** Portuguese stem of one normalised (accent-folded, lower-case) word. */
export function stem(word: string): string {
  const cached = stemCache.get(word);
  if (cached !== undefined) return cached;
  let w = reducePlural(word);
  if (w.length > 2 && /^[a-z]+$/.test(w)) {
    // Regions are computed once, on the word before suffix removal, as in Snowball.
    const r = regions(w);
    let changed = false;
    const s1 = step1(w, r);
    if (s1 !== undefined && s1 !== w) {
      w = s1;
      changed = true;
    } else {
      const s = longest(w, STEP2);
      if (s && w.length - s.length >= r.rv) {
        w = w.slice(0, -s.length);
        changed = true;
      }
    }
    if (changed) {
      if (w.endsWith('ci') && w.length - 1 >= r.rv) w = w.slice(0, -1);
    } else {
      const s = longest(w, STEP4);
      if (s && w.length - s.length >= r.rv) w = w.slice(0, -s.length);
    }
    // Step 5
    if (w.endsWith('e') && w.length - 1 >= r.rv) {
      w = w.slice(0, -1);
      if ((w.endsWith('gu') || w.endsWith('ci')) && w.length - 1 >= r.rv) w = w.slice(0, -1);
    }
  }
  if (stemCache.size < 50_000) stemCache.set(word, w);
  return w;
}

/** Expand chat abbreviations of a token list ("vc" → "voce", "nf" → "nota", "fiscal"). */
export function expandAbbreviations(tokens: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    const e = Object.hasOwn(ABBREVIATIONS, t) ? ABBREVIATIONS[t] : undefined;
    if (e) out.push(...e.split(' '));
    // "10x sem juros": instalments written as a multiplier.
    else if (/^\d{1,2}x$/.test(t)) out.push(t.slice(0, -1), 'vezes');
    else out.push(t);
  }
  return out;
}

/** Full analysis for indexing and queries: normalised, abbreviations expanded, stop words dropped, stemmed. */
export function analyze(text: string): string[] {
  const out: string[] = [];
  for (const t of expandAbbreviations(tokenize(text))) if (!STOP_WORDS.has(t)) out.push(stem(t));
  return out;
}
