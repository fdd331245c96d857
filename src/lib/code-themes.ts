// The code colour themes, for Markdown code blocks (astro.config.mjs) and code read from files
// (highlight.ts). The "default" GitHub themes: every token colour keeps 4.5:1 contrast (github-light's
// orange and github-dark's comments do not).
export const CODE_THEMES = { light: 'github-light-default', dark: 'github-dark-default' } as const;
