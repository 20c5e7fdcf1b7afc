/**
 * Every page of the app has an address (pt-BR paths), so Back, reload and a shared link
 * keep the place: the open chat, the page, the AI page's tab and the selected assistant.
 * The address is the source of truth; components navigate to these paths and read their
 * place back with `placeOf`.
 */
import { matchPath } from 'react-router';

export type AppPage =
  'inbox' | 'integrations' | 'team' | 'assistants' | 'failures' | 'quickReplies' | 'templates';
export type AiTab = 'assistants' | 'knowledge' | 'test' | 'conversations';

export const paths = {
  inbox: '/conversas',
  conversation: (id: string) => `/conversas/${encodeURIComponent(id)}`,
  /** The new-chat panel (INB-12); `?target_phone=` prefills its phone. */
  newChat: '/conversas/nova',
  integrations: '/integracoes',
  team: '/equipe',
  /** Quick replies (respostas prontas, MSG-7): everyone's; proposals and approval. */
  quickReplies: '/respostas-prontas',
  /** Message templates (MSG-5): status, sync with Meta, create (settings permission). */
  templates: '/modelos',
  /** Kept from before the router: an alarm's e-mail links to it. */
  failures: '/admin/falhas',
  assistants: '/assistentes',
  assistant: (id: string) => `/assistentes/${encodeURIComponent(id)}`,
  knowledge: '/assistentes/conhecimento',
  test: '/assistentes/testar',
  aiConversations: '/assistentes/conversas',
  /** A password-reset link (`?token=`): kept from before the router. */
  resetPassword: '/redefinir-senha',
} as const;

/** The AI page's tabs and their paths. */
export const aiTabPaths: Record<AiTab, string> = {
  assistants: paths.assistants,
  knowledge: paths.knowledge,
  test: paths.test,
  conversations: paths.aiConversations,
};

export interface Place {
  page: AppPage;
  /** The open chat (/conversas/:id). */
  conversationId?: string;
  /** The new-chat panel (/conversas/nova). */
  newChat?: boolean;
  aiTab?: AiTab;
  /** The selected assistant, 'new' or 'connection' (/assistentes/:id). */
  assistantId?: string;
}

/** Where a path is; undefined for a path the app does not know. */
export function placeOf(pathname: string): Place | undefined {
  const p = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  if (p === paths.inbox) return { page: 'inbox' };
  if (p === paths.newChat) return { page: 'inbox', newChat: true };
  const chat = matchPath('/conversas/:id', p);
  if (chat?.params.id) return { page: 'inbox', conversationId: chat.params.id };
  if (p === paths.integrations) return { page: 'integrations' };
  if (p === paths.team) return { page: 'team' };
  if (p === paths.quickReplies) return { page: 'quickReplies' };
  if (p === paths.templates) return { page: 'templates' };
  if (p === paths.failures) return { page: 'failures' };
  for (const [tab, path] of Object.entries(aiTabPaths) as [AiTab, string][])
    if (p === path) return { page: 'assistants', aiTab: tab };
  const assistant = matchPath('/assistentes/:id', p);
  if (assistant?.params.id)
    return { page: 'assistants', aiTab: 'assistants', assistantId: assistant.params.id };
  return undefined;
}

/**
 * Where an entry link of the old shape goes: `?conversation=<id>` (a tapped phone
 * notification) is that chat's address. `?target_phone=` stays on the inbox, which
 * consumes it.
 */
export function entryRedirect(search: string): string | undefined {
  const params = new URLSearchParams(search);
  const id = params.get('conversation');
  if (!id) return undefined;
  params.delete('conversation');
  const rest = params.toString();
  return paths.conversation(id) + (rest ? `?${rest}` : '');
}
