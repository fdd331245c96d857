// The live-run API of the "Run it here" panel on the dev server (`npm run dev`): the same API as
// `npm start` (repros/lib/live/api.ts, with all its guards), mounted on Astro's dev server, and the
// token the panel needs put into every page the dev server renders. `astro build` and
// `astro preview` are untouched: a built site never carries a token, so its panels stay one line.
import type { AstroIntegration } from 'astro';
import { API_PREFIX, LiveApi } from '../../repros/lib/live/api.ts';

export function liveRuns(): AstroIntegration {
  let api: LiveApi | undefined;
  return {
    name: 'runbook-repros:live',
    hooks: {
      'astro:config:setup': ({ command, injectScript }) => {
        if (command !== 'dev') return;
        api = new LiveApi();
        injectScript('head-inline', `document.head.insertAdjacentHTML('beforeend', ${JSON.stringify(api.meta())});`);
      },
      'astro:server:setup': ({ server }) => {
        const live = api;
        if (!live) return;
        server.middlewares.use((req, res, next) => {
          if (!(req.url ?? '').startsWith(API_PREFIX) || !live.handle(req, res)) next();
        });
        server.httpServer?.once('close', () => void live.close());
      },
    },
  };
}
