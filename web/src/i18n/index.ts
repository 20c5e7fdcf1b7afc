/** The UI language: pt-BR by default, the agent's choice remembered in this browser. */
import { createContext, useContext } from 'react';
import { ptBR, type Messages } from './pt-BR.ts';
import { en } from './en.ts';

export const languages: Record<'pt-BR' | 'en', Messages> = { 'pt-BR': ptBR, en };
export type Language = keyof typeof languages;

const STORAGE_KEY = 'atende.lang';

export function initialLanguage(): Language {
  const saved = localStorage.getItem(STORAGE_KEY);
  return saved === 'en' || saved === 'pt-BR' ? saved : 'pt-BR';
}

export function saveLanguage(l: Language): void {
  localStorage.setItem(STORAGE_KEY, l);
  document.documentElement.lang = l;
}

export interface I18n {
  t: Messages;
  lang: Language;
  setLang: (l: Language) => void;
}

export const I18nContext = createContext<I18n>({ t: ptBR, lang: 'pt-BR', setLang: () => {} });

export const useI18n = () => useContext(I18nContext);
