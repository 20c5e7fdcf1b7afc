/**
 * Routing of a conversation the customer starts (RT-1..6), as pure rules: what a number
 * is configured to do, and given a conversation's routing state and the customer's
 * message, what happens next. The engine (shared/engine/route.ts) carries the decision
 * out; nothing here reads a clock or a table.
 */
import { z } from 'zod';
import { LIMITS, validateOutbound, type Violation } from '#shared/whatsapp/limits.ts';
import { isWithinHours, workingHoursSchema, type WorkingHours } from './hours.ts';

const id = z.string().min(1).max(64);
/** "já vamos te atender": sent after routing to a department (RT-4), never for an assistant. */
const autoMessage = z.string().trim().min(1).max(LIMITS.textBody).optional();

export const routeTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('department'), departmentId: id, autoMessage }),
  z.object({
    kind: z.literal('assistant'),
    assistantId: id,
    /** Used when the assistant is outside its working hours (RT-2, RT-3). */
    backupDepartmentId: id,
  }),
]);
export type RouteTarget = z.infer<typeof routeTargetSchema>;

export const triageOptionSchema = z.object({
  /** Stable id sent back by WhatsApp in `list_reply.id`. */
  id: z.string().min(1).max(LIMITS.list.rowId),
  title: z.string().trim().min(1).max(LIMITS.list.rowTitle),
  description: z.string().trim().max(LIMITS.list.rowDescription).optional(),
  target: routeTargetSchema,
});
export type TriageOption = z.infer<typeof triageOptionSchema>;

export const triageMenuSchema = z.object({
  header: z.string().trim().max(LIMITS.list.header).optional(),
  body: z.string().trim().min(1).max(LIMITS.interactiveBody),
  footer: z.string().trim().max(LIMITS.list.footer).optional(),
  /** The list's button ("Ver opções"). */
  button: z.string().trim().min(1).max(LIMITS.list.button),
  options: z.array(triageOptionSchema).min(1).max(LIMITS.list.rows),
  /** Sent before the menu again when the answer is not one of its options. */
  invalidReply: z.string().trim().min(1).max(LIMITS.textBody).optional(),
});
export type TriageMenu = z.infer<typeof triageMenuSchema>;

export const numberRoutingSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('department'), departmentId: id, autoMessage }),
  z.object({ kind: z.literal('assistant'), assistantId: id, backupDepartmentId: id }),
  z.object({ kind: z.literal('menu'), menu: triageMenuSchema }),
]);
export type NumberRouting = z.infer<typeof numberRoutingSchema>;

export const activeRoutingSchema = z.object({
  enabled: z.boolean(),
  departmentId: id.optional(),
});
export type ActiveRouting = z.infer<typeof activeRoutingSchema>;

export const DEFAULT_INVALID_REPLY =
  'Desculpe, não entendi sua resposta. Por favor, escolha uma das opções do menu abaixo.';

/** Where a conversation stands (kept on the conversation item). */
export type RoutingState =
  | { stage: 'new' }
  | { stage: 'menu' }
  /** People hold it: a department, or nobody yet (routing "none"). */
  | { stage: 'people' }
  | { stage: 'assistant'; assistantId: string };

export interface AssistantAvailability {
  id: string;
  workingHours?: WorkingHours;
  enabled?: boolean;
}

export interface RoutingInput {
  routing: NumberRouting;
  active?: ActiveRouting;
  state: RoutingState;
  /** The business sent the first message of this attendance (an outbound-initiated one). */
  startedByBusiness: boolean;
  /** The customer's answer to a list or buttons, if the message is one. */
  reply?: { id: string; title?: string };
  /** Assistants the targets name, with their hours. */
  assistants: AssistantAvailability[];
  now: number;
  timeZone: string;
}

export type RoutingDecision =
  /** Nothing to do: a department (or nobody) already holds the conversation. */
  | { action: 'none' }
  | { action: 'sendMenu'; menu: TriageMenu; apology?: string }
  | { action: 'toDepartment'; departmentId: string; autoMessage?: string; reason: RoutingReason }
  | { action: 'toAssistant'; assistantId: string; reason: RoutingReason };

export type RoutingReason = 'default' | 'menu' | 'active' | 'backup' | 'assistant';

/** An assistant target, or its backup department when no assistant is working now. */
export function resolveTarget(
  target: RouteTarget,
  input: Pick<RoutingInput, 'assistants' | 'now' | 'timeZone'>,
  reason: RoutingReason,
): RoutingDecision {
  if (target.kind === 'department')
    return {
      action: 'toDepartment',
      departmentId: target.departmentId,
      ...(target.autoMessage ? { autoMessage: target.autoMessage } : {}),
      reason,
    };
  const a = input.assistants.find((x) => x.id === target.assistantId);
  const working =
    a !== undefined && a.enabled !== false && isWithinHours(a.workingHours, input.now, input.timeZone);
  return working
    ? { action: 'toAssistant', assistantId: target.assistantId, reason }
    : { action: 'toDepartment', departmentId: target.backupDepartmentId, reason: 'backup' };
}

/**
 * What a customer's message does to the routing of its conversation:
 *  - a new attendance the business started, with active routing on → its department (RT-5);
 *  - a new attendance → the number's default: department, assistant (or backup), or the menu;
 *  - waiting on the menu: a valid option routes; anything else gets the menu again, politely;
 *  - with an assistant: the assistant answers (working hours are checked when routing);
 *  - with a department: nothing (people answer).
 */
export function decideRouting(input: RoutingInput): RoutingDecision {
  const { routing, state } = input;
  if (state.stage === 'people') return { action: 'none' };
  if (state.stage === 'assistant')
    return { action: 'toAssistant', assistantId: state.assistantId, reason: 'assistant' };
  if (state.stage === 'menu') {
    if (routing.kind !== 'menu') return decideRouting({ ...input, state: { stage: 'new' } });
    const option = input.reply && routing.menu.options.find((o) => o.id === input.reply!.id);
    if (option) return resolveTarget(option.target, input, 'menu');
    return {
      action: 'sendMenu',
      menu: routing.menu,
      apology: routing.menu.invalidReply ?? DEFAULT_INVALID_REPLY,
    };
  }
  if (input.startedByBusiness && input.active?.enabled && input.active.departmentId)
    return { action: 'toDepartment', departmentId: input.active.departmentId, reason: 'active' };
  switch (routing.kind) {
    case 'none':
      return { action: 'none' };
    case 'department':
      return resolveTarget(
        { kind: 'department', departmentId: routing.departmentId, autoMessage: routing.autoMessage },
        input,
        'default',
      );
    case 'assistant':
      return resolveTarget(
        {
          kind: 'assistant',
          assistantId: routing.assistantId,
          backupDepartmentId: routing.backupDepartmentId,
        },
        input,
        'default',
      );
    case 'menu':
      return { action: 'sendMenu', menu: routing.menu };
  }
}

/** The routing state a decision leaves the conversation in. */
export function stateAfter(decision: RoutingDecision, before: RoutingState): RoutingState {
  switch (decision.action) {
    case 'none':
      return before.stage === 'new' ? { stage: 'people' } : before;
    case 'sendMenu':
      return { stage: 'menu' };
    case 'toDepartment':
      return { stage: 'people' };
    case 'toAssistant':
      return { stage: 'assistant', assistantId: decision.assistantId };
  }
}

/** The menu as a WhatsApp interactive list (the Cloud API's `interactive` object). */
export function menuInteractive(menu: TriageMenu): Record<string, unknown> {
  return {
    type: 'list',
    ...(menu.header ? { header: { type: 'text', text: menu.header } } : {}),
    body: { text: menu.body },
    ...(menu.footer ? { footer: { text: menu.footer } } : {}),
    action: {
      button: menu.button,
      sections: [
        {
          rows: menu.options.map((o) => ({
            id: o.id,
            title: o.title,
            ...(o.description ? { description: o.description } : {}),
          })),
        },
      ],
    },
  };
}

/**
 * Everything wrong with a number's routing, in pt-BR: Meta's list limits (the simulator
 * and Meta reject what breaks them), repeated option ids, and targets that do not exist.
 */
export function routingProblems(
  routing: NumberRouting,
  known: { departmentIds: string[]; assistantIds: string[] },
): Violation[] {
  const out: Violation[] = [];
  const checkTarget = (t: RouteTarget, where: string) => {
    if (t.kind === 'department' && !known.departmentIds.includes(t.departmentId))
      out.push({ code: 'UNKNOWN_DEPARTMENT', message: `${where}: o setor escolhido não existe.` });
    if (t.kind === 'assistant') {
      if (!known.assistantIds.includes(t.assistantId))
        out.push({ code: 'UNKNOWN_ASSISTANT', message: `${where}: o assistente escolhido não existe.` });
      if (!known.departmentIds.includes(t.backupDepartmentId))
        out.push({ code: 'UNKNOWN_DEPARTMENT', message: `${where}: o setor de backup não existe.` });
    }
  };
  if (routing.kind === 'department' || routing.kind === 'assistant') checkTarget(routing, 'Direcionamento');
  if (routing.kind === 'menu') {
    out.push(
      ...validateOutbound({ to: 'x', type: 'interactive', interactive: menuInteractive(routing.menu) }),
    );
    const ids = routing.menu.options.map((o) => o.id);
    if (new Set(ids).size !== ids.length)
      out.push({ code: 'DUPLICATE_OPTION', message: 'Duas opções do menu têm o mesmo identificador.' });
    routing.menu.options.forEach((o, i) => checkTarget(o.target, `Opção ${i + 1} (${o.title})`));
  }
  return out;
}

export { workingHoursSchema, type WorkingHours };
