/** Small inline icons (SVG: no icon font, and they render where emoji fonts are missing). */
import type { ReactElement } from 'react';

function Icon({ d, size = 18, title }: { d: string; size?: number; title?: string }): ReactElement {
  return (
    <svg
      className="icon-svg"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden={title ? undefined : true}
      role={title ? 'img' : undefined}
    >
      {title && <title>{title}</title>}
      <path d={d} />
    </svg>
  );
}

export const PaperclipIcon = (p: { size?: number }) => (
  <Icon
    {...p}
    d="M21 11.5l-8.6 8.6a5.5 5.5 0 0 1-7.8-7.8l8.6-8.6a3.7 3.7 0 0 1 5.2 5.2l-8.6 8.6a1.8 1.8 0 0 1-2.6-2.6l7.9-7.9"
  />
);
export const PinIcon = (p: { size?: number }) => (
  <Icon
    {...p}
    d="M12 22s7-6.1 7-12a7 7 0 0 0-14 0c0 5.9 7 12 7 12zM12 12.5a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5z"
  />
);
export const DocumentIcon = (p: { size?: number }) => (
  <Icon {...p} d="M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8zM14 2v6h6M8 13h8M8 17h6" />
);
export const ClockIcon = (p: { size?: number }) => (
  <Icon {...p} d="M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM12 6v6l4 2" />
);
export const AlertIcon = (p: { size?: number }) => (
  <Icon {...p} d="M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM12 7v6M12 17h.01" />
);
export const PersonIcon = (p: { size?: number }) => (
  <Icon {...p} d="M20 21v-2a4 4 0 0 0-4-4H8a4 4 0 0 0-4 4v2M12 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z" />
);
export const CartIcon = (p: { size?: number }) => (
  <Icon {...p} d="M3 3h2l2.4 12.2a2 2 0 0 0 2 1.6h8.7a2 2 0 0 0 2-1.6L22 7H6M9 21h.01M18 21h.01" />
);
export const ChatIcon = (p: { size?: number }) => (
  <Icon
    {...p}
    d="M21 11.5a8.4 8.4 0 0 1-9 8.4 9 9 0 0 1-3.8-.8L3 21l1.9-5.2A8.4 8.4 0 0 1 12 3a8.4 8.4 0 0 1 9 8.5z"
  />
);
export const ForwardIcon = (p: { size?: number }) => (
  <Icon {...p} d="M15 17l5-5-5-5M4 18v-2a4 4 0 0 1 4-4h12" />
);
export const HeadsetIcon = (p: { size?: number }) => (
  <Icon
    {...p}
    d="M3 18v-6a9 9 0 0 1 18 0v6M21 19a2 2 0 0 1-2 2h-1a2 2 0 0 1-2-2v-3a2 2 0 0 1 2-2h3zM3 19a2 2 0 0 0 2 2h1a2 2 0 0 0 2-2v-3a2 2 0 0 0-2-2H3z"
  />
);
export const BotIcon = (p: { size?: number }) => (
  <Icon
    {...p}
    d="M12 8V4H8M4 8h16a0 0 0 0 1 0 0v10a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V8zM2 14h2M20 14h2M9 13v2M15 13v2"
  />
);
export const WhatsAppIcon = (p: { size?: number }) => (
  <Icon
    {...p}
    d="M3 21l1.65-3.8a9 9 0 1 1 3.4 2.9L3 21zM9 10a.5.5 0 0 0 1 0V9a.5.5 0 0 0-1 0v1a5 5 0 0 0 5 5h1a.5.5 0 0 0 0-1h-1a.5.5 0 0 0 0 1"
  />
);
export const BellIcon = (p: { size?: number }) => (
  <Icon {...p} d="M18 8A6 6 0 0 0 6 8c0 7-3 9-3 9h18s-3-2-3-9M13.7 21a2 2 0 0 1-3.4 0" />
);
export const SearchIcon = (p: { size?: number }) => (
  <Icon {...p} d="M11 19a8 8 0 1 0 0-16 8 8 0 0 0 0 16zM21 21l-4.35-4.35" />
);
