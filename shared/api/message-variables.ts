/**
 * MSG-2: the variables of what an agent sends, rendered from its conversation, contact,
 * the agent and the department (shared/domain/variables.ts has the rules). The department
 * is read only when the text names `{setor}`.
 */
import { renderVariables, variablesIn } from '#shared/domain/variables.ts';
import { listDepartments } from '#shared/store/catalog.ts';
import type { Conversation } from '#shared/store/types.ts';
import type { ApiDeps } from './api-deps.ts';

type Deps = Pick<ApiDeps, 'ddb' | 'tableName'>;

export async function renderMessageVariables(
  deps: Deps,
  conversation: Conversation,
  agentName: string,
  text: string,
): Promise<string>;
export async function renderMessageVariables(
  deps: Deps,
  conversation: Conversation,
  agentName: string,
  text: string | undefined,
): Promise<string | undefined>;
export async function renderMessageVariables(
  deps: Deps,
  conversation: Conversation,
  agentName: string,
  text: string | undefined,
): Promise<string | undefined> {
  if (text === undefined) return undefined;
  const used = variablesIn(text);
  if (!used.size) return text;
  const departmentName =
    used.has('setor') && conversation.departmentId
      ? (await listDepartments(deps.ddb, deps.tableName, conversation.accountId)).find(
          (d) => d.id === conversation.departmentId,
        )?.name
      : undefined;
  return renderVariables(text, {
    contactName: conversation.contactName,
    ...(conversation.protocol ? { protocol: conversation.protocol } : {}),
    agentName,
    ...(departmentName ? { departmentName } : {}),
  });
}
