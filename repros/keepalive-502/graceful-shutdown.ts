// The application's graceful shutdown, as pure logic: what the pod answers for a request, given
// whether it has been told to go down. pod.ts wires this to a real HTTP server.
//
// The incident's app: the preStop hook sleeps 15 s, then calls `/ok.htm?down=true`; from then on the
// ok page answers 503 "halting" and the app closes that connection. Business paths keep answering.
// The fix (`--fix`): once draining, every response carries `Connection: close`, so the client's
// next request opens a new connection, which the balancer sends to a ready pod (RFC 9112 section 9.6);
// and the ok page keeps answering 200, so a gateway never sees a 503 from it.

export const OK_PAGE = '/ok.htm';

export interface AppState {
  /** Set by `ok.htm?down=true` (the preStop hook). */
  draining: boolean;
  /** The fixed build: Connection: close while draining, and an honest health page. */
  fix: boolean;
}

export interface Reply {
  status: number;
  body: string;
  /** Send `Connection: close` and close the connection after this response. */
  close: boolean;
  /** This request told the app to go down. */
  startsDraining: boolean;
}

export function reply(path: string, query: URLSearchParams, state: AppState): Reply {
  if (path === OK_PAGE && query.get('down') === 'true') {
    return { status: 200, body: 'down\n', close: state.fix, startsDraining: true };
  }
  const closing = state.draining && state.fix;
  if (path === OK_PAGE) {
    if (state.draining && !state.fix) return { status: 503, body: 'halting\n', close: true, startsDraining: false };
    return { status: 200, body: 'ok\n', close: closing, startsDraining: false };
  }
  return { status: 200, body: `served ${path}\n`, close: closing, startsDraining: false };
}
