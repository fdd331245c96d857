// The site's two code themes (light and dark) in one tokenizing pass. Shiki's dual-theme output
// (`themes: { light, dark }`) tokenizes the code once per theme and lines the two results up, which
// doubles the cost of every highlighted line. Both themes here are the same list of TextMate rules
// with different colours (the GitHub "default" pair: rule i of one has the scopes and font style of
// rule i of the other). So one theme whose rule i has a colour standing for the pair (light colour of
// rule i, dark colour of rule i) tokenizes the code exactly as both would, and each token's stand-in
// colour is written back as the pair. The tokenizing is the same as Shiki's dual-theme output, in less
// than half the time. Themes whose rules do not line up get Shiki's two passes.
//
// A token's pair is written as a class, t1 to tN, one per foreground pair the themes have (12 for the
// GitHub pair), whose rules (--shiki-light, --shiki-dark) are in src/styles/code-colors.css: "t3"
// instead of "style="--shiki-light:#CF222E;--shiki-dark:#FF7B72"" on every token takes a repro's
// source page from 370-440 KB to 188-225 KB. Font styles and the rare token background stay in the style attribute, as
// Shiki writes them. tests/site/highlight.test.ts checks that the markup, with each class written
// back as its variables, is Shiki's own dual-theme output byte for byte, and that code-colors.css is
// what these themes give.
import type { ShikiTransformer, ThemeRegistration } from 'shiki';
import { bundledThemes } from 'shiki';
import { CODE_THEMES } from './code-themes.ts';

export interface DualTheme {
  /** The theme to tokenize with, or undefined when the two themes' rules do not line up. */
  theme: ThemeRegistration | undefined;
  /** Turns the one theme's markup into the site's dual-theme markup. */
  transformer: ShikiTransformer;
  /** The token colour pairs, [light, dark]: class t1 is the first. */
  pairs: [string, string][];
}

/** The rules of src/styles/code-colors.css for these pairs. */
export function tokenClassCss(pairs: readonly [string, string][]): string {
  return pairs.map(([l, d], i) => `:is(.astro-code, .shiki) .t${i + 1} { --shiki-light: ${l}; --shiki-dark: ${d}; }`).join('\n');
}

type Rule = { scope?: string | string[]; settings: { foreground?: string; background?: string; fontStyle?: string } };

const rulesOf = (t: ThemeRegistration): Rule[] => (t.tokenColors ?? t.settings ?? []) as Rule[];

function lineUp(light: ThemeRegistration, dark: ThemeRegistration): boolean {
  const l = rulesOf(light);
  const d = rulesOf(dark);
  return (
    l.length === d.length &&
    l.every((r, i) => {
      const o = d[i] as Rule;
      return JSON.stringify(r.scope) === JSON.stringify(o.scope) && (r.settings.fontStyle ?? '') === (o.settings.fontStyle ?? '') && !!r.settings.background === !!o.settings.background && !!r.settings.foreground === !!o.settings.foreground;
    })
  );
}

let dual: Promise<DualTheme> | undefined;

export function dualTheme(): Promise<DualTheme> {
  return (dual ??= (async () => {
    const light = (await bundledThemes[CODE_THEMES.light]()).default as ThemeRegistration;
    const dark = (await bundledThemes[CODE_THEMES.dark]()).default as ThemeRegistration;
    const fg = (t: ThemeRegistration): string => String(t.colors?.['editor.foreground']);
    const bg = (t: ThemeRegistration): string => String(t.colors?.['editor.background']);
    // Shiki's dual-theme root style, as its own dual-theme output writes it.
    const rootStyle = `--shiki-light:${fg(light)};--shiki-dark:${fg(dark)};--shiki-light-bg:${bg(light)};--shiki-dark-bg:${bg(dark)}`;
    const rootClass = `shiki shiki-themes ${light.name} ${dark.name}`;
    if (!lineUp(light, dark)) return { theme: undefined, transformer: {}, pairs: [] };
    // Stand-in colours #000001, #000002, ...: one per distinct (light, dark) pair, in upper case as
    // the tokenizer reports colours, so equal pairs share one stand-in and tokens merge as they would.
    const pairOf = new Map<string, [string, string]>();
    const classOf = new Map<string, string>();
    const standIn = new Map<string, string>();
    const fgPairs: [string, string][] = [];
    const stand = (l: string, d: string, foreground = true): string => {
      const key = `${foreground ? 'fg' : 'bg'} ${l.toUpperCase()} ${d.toUpperCase()}`;
      let c = standIn.get(key);
      if (!c) {
        c = `#${(standIn.size + 1).toString(16).padStart(6, '0').toUpperCase()}`;
        standIn.set(key, c);
        pairOf.set(c, [l.toUpperCase(), d.toUpperCase()]);
        if (foreground) {
          fgPairs.push([l.toUpperCase(), d.toUpperCase()]);
          classOf.set(c, `t${fgPairs.length}`);
        }
      }
      return c;
    };
    const darkRules = rulesOf(dark);
    const theme: ThemeRegistration = {
      name: 'kb-light-dark',
      type: 'light',
      colors: { 'editor.foreground': stand(fg(light), fg(dark)), 'editor.background': stand(bg(light), bg(dark), false) },
      tokenColors: rulesOf(light).map((r, i) => {
        const d = (darkRules[i] as Rule).settings;
        const settings = { ...r.settings };
        if (r.settings.foreground && d.foreground) settings.foreground = stand(r.settings.foreground, d.foreground);
        if (r.settings.background && d.background) settings.background = stand(r.settings.background, d.background, false);
        return { ...r, settings };
      }),
    };
    const transformer: ShikiTransformer = {
      pre(node) {
        node.properties.class = rootClass;
        node.properties.style = rootStyle;
      },
      span(node) {
        const style = node.properties.style;
        if (typeof style !== 'string') return;
        // "color:#00000A;font-weight:bold" -> class "t10", style "--shiki-light-font-weight:bold;--shiki-dark-font-weight:bold";
        // a stand-in background as Shiki writes it (--shiki-light-bg, --shiki-dark-bg).
        const decls = style.split(';').filter(Boolean).map((x) => x.split(':') as [string, string]);
        const colour = decls.find(([k]) => k === 'color')?.[1]?.toUpperCase() ?? '';
        const cls = classOf.get(colour);
        const side = (i: 0 | 1, prefix: string): string[] =>
          decls.flatMap(([k, v]) => {
            if (k === 'color') return cls ? [] : [`${prefix}:${v}`];
            if (k === 'background-color') {
              const pair = pairOf.get(v.toUpperCase());
              return pair ? [`${prefix}-bg:${pair[i]}`] : [];
            }
            return [`${prefix}-${k}:${v}`];
          });
        const rest = [...side(0, '--shiki-light'), ...side(1, '--shiki-dark')].join(';');
        // Class before style, as the properties are written.
        delete node.properties.style;
        if (cls) node.properties.class = cls;
        if (rest) node.properties.style = rest;
      },
    };
    return { theme, transformer, pairs: fgPairs };
  })());
}

/** Shiki options for the site's light and dark themes: one pass when the themes line up, Shiki's two otherwise. */
export function themeOptions(d: DualTheme): { theme: ThemeRegistration; transformers: ShikiTransformer[] } | { themes: typeof CODE_THEMES; defaultColor: false; transformers: ShikiTransformer[] } {
  return d.theme ? { theme: d.theme, transformers: [d.transformer] } : { themes: CODE_THEMES, defaultColor: false, transformers: [] };
}
