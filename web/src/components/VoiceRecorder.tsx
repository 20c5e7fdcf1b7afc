/**
 * Voice notes (MSG-3): the microphone button records with MediaRecorder (Chromium records
 * `audio/webm;codecs=opus`), the recording is remuxed to Ogg/Opus in the browser
 * (shared/media/webm-to-ogg.ts; no native binary) and handed to the composer, which sends
 * it as a WhatsApp voice message. "Confirmar antes de enviar" (this browser's setting, off
 * by default): the agent hears the recording first and sends or discards it.
 */
import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n/index.ts';
import { webmToOgg } from '../../../shared/media/webm-to-ogg.ts';

const CONFIRM_KEY = 'atende.voiceConfirm';
const WEBM_OPUS = 'audio/webm;codecs=opus';
const OGG_OPUS = 'audio/ogg;codecs=opus';

export const voiceConfirmSetting = {
  get: () => localStorage.getItem(CONFIRM_KEY) === '1',
  set: (on: boolean) => localStorage.setItem(CONFIRM_KEY, on ? '1' : '0'),
};

/** The recording as WhatsApp wants it: an Ogg/Opus file. */
export async function toVoiceFile(blob: Blob): Promise<File> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const ogg = blob.type.startsWith('audio/ogg') ? bytes : webmToOgg(bytes);
  const name = `mensagem-de-voz-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.ogg`;
  return new File([ogg as BlobPart], name, { type: 'audio/ogg' });
}

function MicIcon() {
  return (
    <svg width={22} height={22} viewBox="0 0 24 24" aria-hidden="true" fill="currentColor">
      <path d="M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3Zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.92V21h2v-3.08A7 7 0 0 0 19 11h-2Z" />
    </svg>
  );
}

const clock = (ms: number) => {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

type State =
  { kind: 'idle' } | { kind: 'recording'; startedAt: number } | { kind: 'review'; file: File; url: string };

export function VoiceRecorder({
  onRecorded,
  onError,
  disabled,
}: {
  onRecorded: (file: File) => void;
  onError: (message: string) => void;
  disabled?: boolean;
}) {
  const { t } = useI18n();
  const [state, setState] = useState<State>({ kind: 'idle' });
  const [now, setNow] = useState(Date.now());
  const [confirm, setConfirm] = useState(voiceConfirmSetting.get);
  const recorder = useRef<MediaRecorder>(undefined);
  const discard = useRef(false);

  useEffect(() => {
    if (state.kind !== 'recording') return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [state.kind]);
  useEffect(() => () => recorder.current?.stream.getTracks().forEach((tr) => tr.stop()), []);
  useEffect(() => {
    if (state.kind === 'review') return () => URL.revokeObjectURL(state.url);
  }, [state]);

  const start = async () => {
    const mimeType = [WEBM_OPUS, OGG_OPUS].find((m) => MediaRecorder.isTypeSupported?.(m));
    if (!mimeType) return onError(t.voiceUnsupported);
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      return onError(t.voiceDenied);
    }
    const rec = new MediaRecorder(stream, { mimeType });
    const chunks: Blob[] = [];
    discard.current = false;
    rec.ondataavailable = (e) => e.data.size && chunks.push(e.data);
    rec.onstop = () => {
      stream.getTracks().forEach((tr) => tr.stop());
      recorder.current = undefined;
      if (discard.current || !chunks.length) return setState({ kind: 'idle' });
      toVoiceFile(new Blob(chunks, { type: rec.mimeType }))
        .then((file) => {
          if (voiceConfirmSetting.get()) setState({ kind: 'review', file, url: URL.createObjectURL(file) });
          else {
            setState({ kind: 'idle' });
            onRecorded(file);
          }
        })
        .catch(() => {
          setState({ kind: 'idle' });
          onError(t.voiceUnsupported);
        });
    };
    recorder.current = rec;
    rec.start(250);
    setNow(Date.now());
    setState({ kind: 'recording', startedAt: Date.now() });
  };

  const stop = (drop: boolean) => {
    discard.current = drop;
    recorder.current?.stop();
  };

  if (state.kind === 'idle')
    return (
      <button
        type="button"
        className="icon"
        onClick={() => void start()}
        title={t.voiceRecord}
        aria-label={t.voiceRecord}
        data-testid="voice-record"
        disabled={disabled}
      >
        <MicIcon />
      </button>
    );

  if (state.kind === 'recording')
    return (
      <div className="voice-bar" role="group" aria-label={t.voiceRecord} data-testid="voice-recording">
        <button
          type="button"
          className="icon"
          onClick={() => stop(true)}
          title={t.voiceCancel}
          aria-label={t.voiceCancel}
          data-testid="voice-cancel"
        >
          ✕
        </button>
        <span className="voice-dot" aria-hidden="true" />
        <span className="small" aria-live="polite">
          {t.voiceRecording(clock(Math.max(0, now - state.startedAt)))}
        </span>
        <label className="small" title={t.voiceConfirmHint}>
          <input
            type="checkbox"
            data-testid="voice-confirm-setting"
            checked={confirm}
            onChange={(e) => {
              setConfirm(e.target.checked);
              voiceConfirmSetting.set(e.target.checked);
            }}
          />{' '}
          {t.voiceConfirm}
        </label>
        <button type="button" className="primary" onClick={() => stop(false)} data-testid="voice-stop">
          {confirm ? t.voiceStopReview : t.voiceStop}
        </button>
      </div>
    );

  return (
    <div className="voice-bar" role="group" aria-label={t.voiceNote} data-testid="voice-review">
      <button
        type="button"
        className="icon"
        onClick={() => setState({ kind: 'idle' })}
        title={t.voiceCancel}
        aria-label={t.voiceCancel}
        data-testid="voice-discard"
      >
        ✕
      </button>
      <audio src={state.url} controls data-testid="voice-preview" />
      <button
        type="button"
        className="primary"
        data-testid="voice-send"
        onClick={() => {
          const file = state.file;
          setState({ kind: 'idle' });
          onRecorded(file);
        }}
      >
        {t.voiceSend}
      </button>
    </div>
  );
}
