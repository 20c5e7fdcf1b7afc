/** Who and what the inbox names: the account's users and departments, and the signed-in user. */
import { createContext, useContext } from 'react';
import type { Department, Me, User } from './api.ts';

export interface Directory {
  me?: Me;
  users: User[];
  departments: Department[];
}

export const DirectoryContext = createContext<Directory>({ users: [], departments: [] });

export function useDirectory() {
  const d = useContext(DirectoryContext);
  return {
    ...d,
    userName: (id: string | undefined) => (id ? d.users.find((u) => u.id === id)?.name : undefined),
    deptName: (id: string | undefined) => (id ? d.departments.find((x) => x.id === id)?.name : undefined),
  };
}
