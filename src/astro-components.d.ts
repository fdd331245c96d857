// `tsc` reads TypeScript only; Astro's own checker is what types an .astro import. A body module
// (src/components/<slug>/body.ts) imports the components of its page's parts, so here an .astro
// import is an Astro component. Its props are not visible to tsc, and Astro does not check them when it
// renders: a part's props are checked by the page's tests, which read what the part shows.
declare module '*.astro' {
  import type { AstroComponentFactory } from 'astro/runtime/server/index.js';
  const Component: AstroComponentFactory;
  export default Component;
}
