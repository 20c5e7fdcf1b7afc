/** The failures page's records (admins; shared/api/routes/dead-letters.ts). */
import type { DeadLetter, DeadLetterList } from '../api-types.ts';
import { call } from './client.ts';

export const deadLettersApi = {
  deadLetters: () => call<DeadLetterList>('/api/dead-letters'),
  redriveDeadLetter: (d: Pick<DeadLetter, 'queue' | 'id'>) =>
    call<void>(`/api/dead-letters/${d.queue}/${encodeURIComponent(d.id)}/redrive`, { method: 'POST' }),
  discardDeadLetter: (d: Pick<DeadLetter, 'queue' | 'id'>) =>
    call<void>(`/api/dead-letters/${d.queue}/${encodeURIComponent(d.id)}`, { method: 'DELETE' }),
};
