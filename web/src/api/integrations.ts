/**
 * The integrations page's resources: WhatsApp numbers, departments, the assistants a
 * number can route to, and the account's settings (shared/api/routes/integrations.ts).
 */
import type {
  Assistant,
  CreateNumberBody,
  Department,
  Items,
  Settings,
  UpdateNumberBody,
  UpdateSettingsBody,
  WhatsAppNumber,
} from '../api-types.ts';
import { call } from './client.ts';

export const integrationsApi = {
  numbers: () => call<Items<WhatsAppNumber>>('/api/numbers'),
  createNumber: (body: CreateNumberBody) =>
    call<WhatsAppNumber>('/api/numbers', { method: 'POST', body: JSON.stringify(body) }),
  updateNumber: (id: string, body: UpdateNumberBody) =>
    call<WhatsAppNumber>(`/api/numbers/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: JSON.stringify(body),
    }),
  departments: () => call<Items<Department>>('/api/departments'),
  createDepartment: (name: string) =>
    call<Department>('/api/departments', { method: 'POST', body: JSON.stringify({ name }) }),
  renameDepartment: (id: string, name: string) =>
    call<Department>(`/api/departments/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: JSON.stringify({ name }),
    }),
  assistants: () => call<Items<Assistant>>('/api/assistants'),
  settings: () => call<Settings>('/api/settings'),
  updateSettings: (body: UpdateSettingsBody) =>
    call<Settings>('/api/settings', { method: 'PATCH', body: JSON.stringify(body) }),
};
