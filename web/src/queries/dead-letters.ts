/** The failures page's records (admins). */
import { useQuery } from '@tanstack/react-query';
import { deadLettersApi } from '../api/dead-letters.ts';
import type { DeadLetter, DeadLetterList } from '../api-types.ts';
import { queryClient, queryKeys } from './client.ts';

export const useDeadLetters = () =>
  useQuery({ queryKey: queryKeys.deadLetters, queryFn: () => deadLettersApi.deadLetters() });

/** A record reprocessed or discarded leaves the list. */
export function dropDeadLetter(d: Pick<DeadLetter, 'id'>): void {
  queryClient.setQueryData<DeadLetterList>(queryKeys.deadLetters, (cur) =>
    cur ? { ...cur, items: cur.items.filter((x) => x.id !== d.id) } : cur,
  );
}
