// Small text helpers for rendering.

/** Seconds as minutes to the nearest half: 150 -> "2½", 300 -> "5". */
export const halfMinutes = (seconds: number): string => String(Math.round((seconds / 60) * 2) / 2).replace(/^(\d+)\.5$/, '$1½');

/** Text made safe for HTML, in an element or in a quoted attribute value. */
export const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A long path, identifier or JSON value as segments with a line-break opportunity between them
 * (rendered with <wbr>): after each "/" or "_" of a path ("pkg/kubelet/kuberuntime/..." wraps at its
 * slashes), after each "," and ":" of a JSON value, and where a new word starts inside a long
 * camel-case identifier ("readyEndpointThroughout", "AddOrUpdateDaemonPodTolerations"), so a table
 * column need not be wider than a phone and no word breaks in the middle. Numbers such as "65,536"
 * are left whole.
 */
export function breakable(s: string): string[] {
  const parts = /^[[{]/.test(s) ? s.split(/(?<=[,:])/) : s.split(/(?<=[/_](?=\S{4}))/);
  return parts.flatMap((p) => (/[A-Za-z]{17,}/.test(p) ? p.split(/(?<=[a-z])(?=[A-Z])/) : [p]));
}
