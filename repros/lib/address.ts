// The address every local server of this project listens on and every local client connects to.
// Pure (no socket code), so repro descriptions and the site may name it too.
export const HOST = '127.0.0.1';
/** HOST as a regular-expression source, for patterns that match an address. */
export const HOST_PATTERN = HOST.replaceAll('.', '\\.');
