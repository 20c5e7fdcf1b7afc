/**
 * The account's AI connection: OpenAI-compatible URL, write-only key, embeddings model and
 * the price table.
 */
import { useState } from 'react';
import { aiApi } from '../api/ai.ts';
import type { AiSettings, ModelPrice } from '../api-types.ts';
import { useI18n } from '../i18n/index.ts';
import { ModeBadge } from './AiCommon.tsx';
import { StatusLine, useStatus } from './Status.tsx';

interface PriceRow {
  model: string;
  input: string;
  output: string;
  cachedInput: string;
}

export function AiConnection({
  settings,
  canEdit,
  onSaved,
}: {
  settings: AiSettings;
  canEdit: boolean;
  onSaved: (s: AiSettings) => void;
}) {
  const { t } = useI18n();
  const [baseUrl, setBaseUrl] = useState(settings.baseUrl ?? '');
  const [apiKey, setApiKey] = useState('');
  const [embeddingModel, setEmbeddingModel] = useState(settings.embeddingModel ?? '');
  const [prices, setPrices] = useState<PriceRow[]>(() =>
    Object.entries(settings.prices).map(([model, p]) => ({
      model,
      input: String(p.input),
      output: String(p.output),
      cachedInput: p.cachedInput === undefined ? '' : String(p.cachedInput),
    })),
  );
  const { status, run } = useStatus();

  const save = (extra: { apiKey?: string } = {}) =>
    void run(async () => {
      const table: Record<string, ModelPrice> = {};
      for (const p of prices) {
        if (!p.model.trim()) continue;
        table[p.model.trim()] = {
          input: Number(p.input) || 0,
          output: Number(p.output) || 0,
          ...(p.cachedInput.trim() ? { cachedInput: Number(p.cachedInput) } : {}),
        };
      }
      const s = await aiApi.updateAiSettings({
        baseUrl: baseUrl.trim(),
        embeddingModel: embeddingModel.trim(),
        prices: table,
        ...(apiKey ? { apiKey } : {}),
        ...extra,
      });
      setApiKey('');
      onSaved(s);
    });

  return (
    <form
      className="settings-form ai-connection"
      data-testid="ai-connection"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <h3>
        {t.aiConnection} <ModeBadge mode={settings.mode} />
      </h3>
      {settings.source && (
        <p className="muted small" data-testid="ai-source" data-source={settings.source}>
          {settings.source === 'deployment' ? t.aiSourceDeployment : t.aiSourceAccount}
        </p>
      )}
      <fieldset className="plain" disabled={!canEdit}>
        <label>
          {t.aiBaseUrl}
          <input
            data-testid="ai-base-url"
            type="url"
            placeholder="https://api.openai.com/v1"
            value={baseUrl}
            onChange={(e) => setBaseUrl(e.target.value)}
          />
        </label>
        <label>
          {t.aiApiKey}
          <input
            data-testid="ai-api-key"
            type="password"
            autoComplete="off"
            value={apiKey}
            placeholder={settings.hasApiKey ? t.apiKeySaved : ''}
            onChange={(e) => setApiKey(e.target.value)}
          />
        </label>
        {settings.hasApiKey && (
          <span className="muted small" data-testid="api-key-saved">
            {t.apiKeySavedHint}{' '}
            {canEdit && (
              <button type="button" className="link" onClick={() => save({ apiKey: '' })}>
                {t.removeApiKey}
              </button>
            )}
          </span>
        )}
        <label>
          {t.embeddingModel}
          <input
            data-testid="ai-embedding-model"
            value={embeddingModel}
            onChange={(e) => setEmbeddingModel(e.target.value)}
          />
        </label>
        <table className="price-table" data-testid="price-table">
          <caption>{t.priceTable}</caption>
          <thead>
            <tr>
              <th>{t.priceModel}</th>
              <th>{t.priceInput}</th>
              <th>{t.priceOutput}</th>
              <th>{t.priceCached}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {prices.map((p, i) => {
              const set = (patch: Partial<PriceRow>) =>
                setPrices(prices.map((x, j) => (j === i ? { ...x, ...patch } : x)));
              return (
                <tr key={i} data-testid="price-row">
                  <td>
                    <input
                      aria-label={t.priceModel}
                      value={p.model}
                      onChange={(e) => set({ model: e.target.value })}
                    />
                  </td>
                  {(['input', 'output', 'cachedInput'] as const).map((k) => (
                    <td key={k}>
                      <input
                        type="number"
                        min={0}
                        step="any"
                        aria-label={
                          { input: t.priceInput, output: t.priceOutput, cachedInput: t.priceCached }[k]
                        }
                        value={p[k]}
                        onChange={(e) => set({ [k]: e.target.value })}
                      />
                    </td>
                  ))}
                  <td>
                    <button
                      type="button"
                      className="link"
                      aria-label={t.remove}
                      onClick={() => setPrices(prices.filter((_, j) => j !== i))}
                    >
                      ×
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <button
          type="button"
          className="link"
          onClick={() => setPrices([...prices, { model: '', input: '0', output: '0', cachedInput: '' }])}
        >
          + {t.addModelPrice}
        </button>
      </fieldset>
      {canEdit && (
        <div>
          <button type="submit" data-testid="save-ai-settings" disabled={status.kind === 'saving'}>
            {status.kind === 'saving' ? t.saving : t.save}
          </button>{' '}
          <StatusLine status={status} testid="ai-settings" />
        </div>
      )}
    </form>
  );
}
