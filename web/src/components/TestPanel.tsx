/**
 * "Testar" (AI-7, CH-3): chat with an assistant as a customer would, without WhatsApp. The
 * tester's messages go left, the assistant's right, each tool call inline as its own
 * record; every reply shows its cost and tokens and the header the conversation's totals.
 * Answers arrive over the WebSocket (`message.created` for the test conversation); while
 * waiting, the messages are also polled every 1.5 s. Offline mode (no AI connection) is
 * said once, by the page's banner above the tabs (Assistants.tsx), not again here.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { aiApi } from '../api/ai.ts';
import type { Assistant, Message } from '../api-types.ts';
import { useI18n } from '../i18n/index.ts';
import { onLiveEvent } from '../live.ts';
import { queryClient, queryKeys, refresh } from '../queries/client.ts';
import { useConversation } from '../queries/conversations.ts';
import { mergeTestMessages, useTestMessages } from '../queries/ai.ts';
import { useFormat } from '../format.ts';
import { useMoney } from './AiCommon.tsx';
import { errorText } from './Status.tsx';
import { ToolRecord, UsageLine } from './MessageBubble.tsx';

const POLL_MS = 1500;
const GIVE_UP_MS = 90_000;

/** The assistant's answer to the customer message `id`: a reply, or a hand-over note. */
const answers = (m: Message, id: string) => m.sender.type === 'assistant' && !m.tool && m.id > id;

export function TestPanel({ assistants, canEdit }: { assistants: Assistant[]; canEdit: boolean }) {
  const { t, lang } = useI18n();
  const f = useFormat();
  const money = useMoney();
  const [assistantId, setAssistantId] = useState(assistants[0]?.id ?? '');
  /** The test conversation, created with the first message; its totals are its cache entry's. */
  const [conversationId, setConversationId] = useState<string>();
  const conversation = useConversation(conversationId).data;
  /** The customer message waiting for its answer, and since when. */
  const [waiting, setWaiting] = useState<{ id: string; since: number }>();
  const messages = useTestMessages(conversationId, Boolean(waiting), POLL_MS);
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const [sending, setSending] = useState(false);
  const scroller = useRef<HTMLDivElement>(null);
  const convRef = useRef<string | undefined>(undefined);
  useEffect(() => {
    convRef.current = conversationId;
  });
  useEffect(() => {
    if (!assistantId && assistants[0]) setAssistantId(assistants[0].id);
  }, [assistantId, assistants]);

  const reset = () => {
    setConversationId(undefined);
    convRef.current = undefined;
    setWaiting(undefined);
    setError('');
  };

  // Live: the assistant's messages (a pushed conversation updates its cache entry: applyLiveEvent).
  useEffect(
    () =>
      onLiveEvent((e) => {
        const id = convRef.current;
        if (e.type === 'knowledge.updated' || !id || e.conversationId !== id) return;
        if (e.message) mergeTestMessages(id, [e.message]);
      }),
    [],
  );

  // Done waiting once the answer is there (and then the totals are read again).
  useEffect(() => {
    if (!waiting || !conversationId) return;
    if (messages.some((m) => answers(m, waiting.id))) {
      setWaiting(undefined);
      refresh(queryKeys.conversation(conversationId));
    }
  }, [messages, waiting, conversationId]);

  // While waiting the messages are also polled (useTestMessages); give up after a while.
  useEffect(() => {
    if (!waiting) return;
    const timer = setTimeout(
      () => {
        setWaiting(undefined);
        setError(t.testNoAnswer);
      },
      Math.max(0, waiting.since + GIVE_UP_MS - Date.now()),
    );
    return () => clearTimeout(timer);
  }, [waiting, t]);

  useEffect(() => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [messages, waiting]);

  const send = async () => {
    const body = text.trim();
    if (!body || !assistantId || sending) return;
    setSending(true);
    setError('');
    try {
      let id = convRef.current;
      if (!id) {
        const conv = (await aiApi.startTest(assistantId)).conversation;
        queryClient.setQueryData(queryKeys.conversation(conv.id), conv);
        id = conv.id;
        convRef.current = id;
        setConversationId(id);
      }
      const m: Message = await aiApi.sendTest(assistantId, id, body);
      setText('');
      mergeTestMessages(id, [m]);
      setWaiting({ id: m.id, since: Date.now() });
    } catch (err) {
      setError(errorText(err, t, lang));
    } finally {
      setSending(false);
    }
  };

  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void send();
    }
  };

  if (!canEdit) return <p className="muted pad">{t.testNeedsSettings}</p>;
  if (assistants.length === 0) return <p className="muted pad">{t.noAssistantToTest}</p>;

  const totalTokens = (conversation?.aiPromptTokens ?? 0) + (conversation?.aiCompletionTokens ?? 0);
  return (
    <div className="test-panel" data-testid="test-panel">
      <div className="test-head">
        <label>
          {t.testAssistant}{' '}
          <select
            data-testid="test-assistant"
            value={assistantId}
            onChange={(e) => {
              setAssistantId(e.target.value);
              reset();
            }}
          >
            {assistants.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        <button type="button" data-testid="test-new" onClick={reset}>
          {t.newTestConversation}
        </button>
        {conversation && (
          <span className="test-total" data-testid="test-total">
            {t.conversationTotal(money.usd(conversation.aiCostUsd ?? 0), money.count(totalTokens))}
          </span>
        )}
      </div>
      <div className="messages test-messages" data-testid="test-messages" ref={scroller}>
        {messages.length === 0 && <p className="muted center">{t.testIntro}</p>}
        {messages.map((m) =>
          m.tool ? (
            <ToolRecord key={m.id} m={m} />
          ) : (
            <div
              key={m.id}
              className={`bubble ${m.direction === 'in' ? 'in' : m.direction === 'internal' ? 'internal' : 'out'}`}
              data-testid="test-message"
              data-direction={m.direction}
              data-sender={m.sender.type}
            >
              <div className="meta">
                <span className="sender">
                  {m.direction === 'in'
                    ? t.testCustomer
                    : (m.sender.name ?? assistants.find((a) => a.id === m.sender.id)?.name ?? t.assistant)}
                </span>
              </div>
              {m.direction === 'internal' && <div className="internal-label">{t.handover}</div>}
              <p className="text">{m.text ?? ''}</p>
              <div className="footer">
                {m.usage && <UsageLine usage={m.usage} />}
                <time title={f.dateTime(m.createdAt)}>{f.clock(m.createdAt)}</time>
              </div>
            </div>
          ),
        )}
        {waiting && (
          <p className="muted center typing" data-testid="test-waiting">
            {t.testWaiting}
          </p>
        )}
      </div>
      {error && (
        <p className="error pad" role="alert" data-testid="test-error">
          {error}
        </p>
      )}
      <div className="composer">
        <div className="compose-row">
          <textarea
            data-testid="test-input"
            rows={1}
            placeholder={t.testPlaceholder}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={onKey}
          />
          <button
            className="primary"
            data-testid="test-send"
            disabled={!text.trim() || sending}
            onClick={() => void send()}
          >
            {t.send}
          </button>
        </div>
      </div>
    </div>
  );
}
