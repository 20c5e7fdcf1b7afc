/**
 * Text on a colour someone chose (a WhatsApp number's colour): dark ink on light colours,
 * white on dark ones, whichever has the higher WCAG contrast.
 */
function luminance(hex: string): number | undefined {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return undefined;
  const n = parseInt(m[1]!, 16);
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin((n >> 16) & 255) + 0.7152 * lin((n >> 8) & 255) + 0.0722 * lin(n & 255);
}

const INK = '#1d2b2a';

export function inkOn(background: string | undefined): string {
  const l = background ? luminance(background) : undefined;
  if (l === undefined) return '#fff';
  const ink = luminance(INK)!;
  return 1.05 / (l + 0.05) >= (l + 0.05) / (ink + 0.05) ? '#fff' : INK;
}
