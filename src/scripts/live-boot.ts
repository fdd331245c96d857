// Loads the "Run it here" panel only when the page was served by the project's own server, which
// writes <meta name="kb-live"> into the pages it serves (repros/lib/live/server.ts). On any other
// host there is no meta: nothing is requested and the panel keeps its one line of instructions.
const meta = document.querySelector<HTMLMetaElement>('meta[name="kb-live"]');
const panel = document.querySelector<HTMLElement>('[data-live]');
if (meta && panel) void import('./live-panel.ts').then((m) => m.mount(panel, meta.content, meta.dataset.api ?? '/_live/'));
