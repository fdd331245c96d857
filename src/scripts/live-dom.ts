// DOM helpers shared by the live panel and its charts (src/scripts/live-*.ts).
export const SVG = 'http://www.w3.org/2000/svg';

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...kids: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...kids);
  return e;
}

export function s(tag: string, attrs: Record<string, string | number>, title?: string): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (title) {
    const t = document.createElementNS(SVG, 'title');
    t.textContent = title;
    e.append(t);
  }
  return e;
}

export function text(x: number, y: number, label: string, cls: string, anchor = 'start'): SVGElement {
  const t = s('text', { x, y, class: cls, 'text-anchor': anchor });
  t.textContent = label;
  return t;
}

