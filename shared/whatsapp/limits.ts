/**
 * Meta's limits on what may be sent (WHATSAPP.md). The simulator rejects what Meta
 * rejects with these; flows and menus check them before saving.
 */
export const LIMITS = {
  textBody: 4096,
  caption: 1024,
  interactiveBody: 1024,
  list: {
    button: 20,
    header: 60,
    footer: 60,
    sections: 10,
    rows: 10,
    rowTitle: 24,
    rowDescription: 72,
    rowId: 200,
  },
  buttons: { count: 3, title: 20, id: 256 },
} as const;

export interface Violation {
  code: string;
  /** pt-BR, shown to the person who configured or sent it. */
  message: string;
}

const len = (v: unknown) => (typeof v === 'string' ? [...v].length : 0);

export function validateOutbound(payload: Record<string, unknown>): Violation[] {
  const out: Violation[] = [];
  const over = (value: unknown, max: number, code: string, what: string) => {
    if (len(value) > max) out.push({ code, message: `${what} passa de ${max} caracteres (${len(value)}).` });
  };
  const type = payload.type;
  if (!payload.to) out.push({ code: 'MISSING_TO', message: 'Falta o destinatário (to).' });
  if (type === 'text') {
    const body = (payload.text as { body?: string } | undefined)?.body;
    if (!body) out.push({ code: 'EMPTY_TEXT', message: 'O texto da mensagem está vazio.' });
    over(body, LIMITS.textBody, 'TEXT_TOO_LONG', 'O texto');
  }
  if (['image', 'video', 'document'].includes(String(type))) {
    const media = payload[String(type)] as { caption?: string; id?: string; link?: string } | undefined;
    if (!media?.id && !media?.link)
      out.push({ code: 'MISSING_MEDIA', message: 'Falta o arquivo (id ou link).' });
    over(media?.caption, LIMITS.caption, 'CAPTION_TOO_LONG', 'A legenda');
  }
  if (type === 'contacts') {
    const cards = payload.contacts as { name?: { formatted_name?: string } }[] | undefined;
    if (!Array.isArray(cards) || !cards.length)
      out.push({ code: 'NO_CONTACTS', message: 'A mensagem de contato não tem contatos.' });
    else if (cards.some((c) => !c.name?.formatted_name))
      out.push({
        code: 'CONTACT_NAME_MISSING',
        message: 'Todo contato precisa de um nome (formatted_name).',
      });
  }
  if (type === 'interactive') {
    const i = payload.interactive as
      | {
          type?: string;
          body?: { text?: string };
          header?: { text?: string };
          footer?: { text?: string };
          action?: {
            button?: string;
            sections?: { title?: string; rows?: { id?: string; title?: string; description?: string }[] }[];
            buttons?: { reply?: { id?: string; title?: string } }[];
          };
        }
      | undefined;
    over(i?.body?.text, LIMITS.interactiveBody, 'BODY_TOO_LONG', 'O corpo da mensagem');
    if (i?.type === 'list') {
      const a = i.action ?? {};
      over(a.button, LIMITS.list.button, 'LIST_BUTTON_TOO_LONG', 'O botão da lista');
      over(i.header?.text, LIMITS.list.header, 'HEADER_TOO_LONG', 'O cabeçalho');
      over(i.footer?.text, LIMITS.list.footer, 'FOOTER_TOO_LONG', 'O rodapé');
      const sections = a.sections ?? [];
      if (sections.length > LIMITS.list.sections)
        out.push({
          code: 'TOO_MANY_SECTIONS',
          message: `A lista tem mais de ${LIMITS.list.sections} seções.`,
        });
      const rows = sections.flatMap((s) => s.rows ?? []);
      if (!rows.length) out.push({ code: 'NO_ROWS', message: 'A lista não tem opções.' });
      if (rows.length > LIMITS.list.rows)
        out.push({
          code: 'TOO_MANY_ROWS',
          message: `A lista tem ${rows.length} opções; o máximo é ${LIMITS.list.rows}.`,
        });
      for (const r of rows) {
        over(r.title, LIMITS.list.rowTitle, 'ROW_TITLE_TOO_LONG', `O título da opção "${r.title}"`);
        over(
          r.description,
          LIMITS.list.rowDescription,
          'ROW_DESCRIPTION_TOO_LONG',
          `A descrição da opção "${r.title}"`,
        );
        over(r.id, LIMITS.list.rowId, 'ROW_ID_TOO_LONG', 'O id da opção');
      }
    }
    if (i?.type === 'button') {
      const buttons = i.action?.buttons ?? [];
      if (buttons.length > LIMITS.buttons.count)
        out.push({ code: 'TOO_MANY_BUTTONS', message: `No máximo ${LIMITS.buttons.count} botões.` });
      for (const b of buttons) {
        over(
          b.reply?.title,
          LIMITS.buttons.title,
          'BUTTON_TITLE_TOO_LONG',
          `O título do botão "${b.reply?.title}"`,
        );
        over(b.reply?.id, LIMITS.buttons.id, 'BUTTON_ID_TOO_LONG', 'O id do botão');
      }
    }
  }
  return out;
}
