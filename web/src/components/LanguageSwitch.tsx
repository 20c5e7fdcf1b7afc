import { useI18n, type Language } from '../i18n/index.ts';

export function LanguageSwitch({ className = '' }: { className?: string }) {
  const { t, lang, setLang } = useI18n();
  return (
    <label className={`lang ${className}`}>
      <span>{t.language}</span>
      <select data-testid="language" value={lang} onChange={(e) => setLang(e.target.value as Language)}>
        <option value="pt-BR">{t.languagePtBR}</option>
        <option value="en">{t.languageEn}</option>
      </select>
    </label>
  );
}
