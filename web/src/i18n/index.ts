import { createContext, useContext } from 'react';
import { ptBR, type Messages } from './pt-BR.ts';
import { en } from './en.ts';

export const languages = { 'pt-BR': ptBR as Messages, en } as const;
export type Language = keyof typeof languages;

export function initialLanguage(): Language {
  const saved = localStorage.getItem('atende.lang');
  return saved === 'en' || saved === 'pt-BR' ? saved : 'pt-BR';
}

export const I18nContext = createContext<{ t: Messages; lang: Language; setLang: (l: Language) => void }>({
  t: ptBR,
  lang: 'pt-BR',
  setLang: () => {},
});

export const useI18n = () => useContext(I18nContext);
