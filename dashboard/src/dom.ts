// Small DOM helpers: elements are built with textContent, never innerHTML, so names and answers
// from functions cannot inject markup.

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K, attrs: Record<string, string> = {}, ...children: (Node | string | null)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) if (c !== null) node.append(c);
  return node;
}

export function fmt(n: number | null | undefined, digits = 1): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  return n.toFixed(digits);
}

export function ms(n: number | null | undefined): string {
  return n === null || n === undefined ? '–' : `${n < 10 ? n.toFixed(1) : n.toFixed(0)} ms`;
}
