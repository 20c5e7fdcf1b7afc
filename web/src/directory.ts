/** Who and what the inbox names: the account's users and departments, and the signed-in user. */
import { createContext, useContext } from 'react';
import type { Department, Me, User, WhatsAppNumber } from './api-types.ts';

export interface Directory {
  me?: Me;
  users: User[];
  departments: Department[];
  /** The account's numbers: a chat shows its number's current colour (NUM-1). */
  numbers?: Pick<WhatsAppNumber, 'id' | 'color'>[];
}

export const DirectoryContext = createContext<Directory>({ users: [], departments: [] });

export function useDirectory() {
  const d = useContext(DirectoryContext);
  return {
    ...d,
    userName: (id: string | undefined) => (id ? d.users.find((u) => u.id === id)?.name : undefined),
    deptName: (id: string | undefined) => (id ? d.departments.find((x) => x.id === id)?.name : undefined),
    /** The number's colour as it is now (a chat keeps the one it had when it opened). */
    colorOf: (c: { numberId?: string; numberColor: string }) =>
      d.numbers?.find((n) => n.id === c.numberId)?.color ?? c.numberColor,
  };
}
