/** The Airlock mark: an arched door, its seam and porthole (public/favicon.svg, inline). */
export function LogoMark({ className = "size-7" }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" aria-hidden className={className}>
      <rect width="32" height="32" rx="8" fill="#4f46e5" />
      <path
        d="M8 25V12a8 8 0 0 1 16 0v13"
        fill="none"
        stroke="#fff"
        strokeWidth="2.6"
        strokeLinecap="round"
      />
      <path d="M16 6.5V25" stroke="#c7d2fe" strokeWidth="2" strokeLinecap="round" />
      <circle cx="16" cy="15" r="2.6" fill="#fff" />
      <path d="M6 25h20" stroke="#fff" strokeWidth="2.6" strokeLinecap="round" />
    </svg>
  );
}
