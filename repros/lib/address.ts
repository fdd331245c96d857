// The address every local server of this project listens on and every local client connects to.
// Pure (no socket code), so repro descriptions and the site may name it too.
export const HOST = '127.0.0.1';
