// The code colour themes, for Markdown code blocks (astro.config.mjs) and code read from files
// (highlight.ts). github-dark-default rather than github-dark: its comment colour keeps 4.5:1 contrast.
export const CODE_THEMES = { light: 'github-light', dark: 'github-dark-default' } as const;
