// Small text helpers for rendering.

/**
 * A long path, identifier or JSON value as segments with a line-break opportunity between them
 * (rendered with <wbr>): after each "/" or "_" of a path ("pkg/kubelet/kuberuntime/..." wraps at its
 * slashes) and after each "," of a JSON value, so a table column need not be wider than a phone and
 * no word breaks in the middle. Numbers such as "65,536" are left whole.
 */
export function breakable(s: string): string[] {
  return /^[[{]/.test(s) ? s.split(/(?<=,)/) : s.split(/(?<=[/_](?=\S{4}))/);
}
