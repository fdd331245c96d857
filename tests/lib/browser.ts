// Finds a Chromium for the browser tests, in this order:
//   1. KB_CHROMIUM, if set (an explicit choice wins);
//   2. Playwright's own Chromium, if `npx playwright install chromium` has been run;
//   3. the system Chromium (Debian/Ubuntu package `chromium`, or chromium-browser / google-chrome);
//   4. an automatic install: `npx playwright install chromium`, then, as root on Debian/Ubuntu,
//      `apt-get install -y chromium`;
//   5. otherwise an error naming the exact command to run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { isDebianLike, isRoot } from '../../repros/lib/real/tools.ts';

const SYSTEM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export interface Browser {
  /** undefined means Playwright's own bundled Chromium. */
  executablePath: string | undefined;
  origin: string;
}

function playwrightOwn(): string | undefined {
  try {
    const p = chromium.executablePath();
    return p && existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

function system(): string | undefined {
  return SYSTEM_CANDIDATES.find((p) => existsSync(p));
}

function run(cmd: string, args: string[], log: (s: string) => void): boolean {
  log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], timeout: 15 * 60_000 });
  return r.status === 0;
}

export function findChromium(log: (s: string) => void = console.log): Browser {
  const fromEnv = process.env.KB_CHROMIUM;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`KB_CHROMIUM is set to ${fromEnv}, which does not exist. Unset it or point it at a Chromium binary.`);
    return { executablePath: fromEnv, origin: 'KB_CHROMIUM' };
  }
  const own = playwrightOwn();
  if (own) return { executablePath: undefined, origin: `Playwright's Chromium (${own})` };
  const sys = system();
  if (sys) return { executablePath: sys, origin: `system Chromium (${sys})` };

  log('No Chromium found; trying to install one.');
  if (run(process.execPath, [playwrightCli(), 'install', 'chromium'], log)) {
    const got = playwrightOwn();
    if (got) return { executablePath: undefined, origin: `Playwright's Chromium, just installed (${got})` };
  }
  if (isRoot() && isDebianLike()) {
    if (run('apt-get', ['update', '-qq'], log) && run('apt-get', ['install', '-y', '-qq', 'chromium'], log)) {
      const got = system();
      if (got) return { executablePath: got, origin: `system Chromium, just installed (${got})` };
    }
  }
  throw new Error(
    [
      'The browser tests need Chromium and none could be found or installed. Run one of:',
      '  npx playwright install chromium          (any OS with internet access)',
      '  sudo apt-get install -y chromium         (Debian / Ubuntu)',
      'or set KB_CHROMIUM=/path/to/chromium, then run npm test again.',
    ].join('\n'),
  );
}

function playwrightCli(): string {
  return new URL('../../node_modules/@playwright/test/cli.js', import.meta.url).pathname;
}

/** Flags for a headless Chromium on a machine without network access, and as root in containers. */
export function chromiumArgs(): string[] {
  const args = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-gpu'];
  if (isRoot()) args.push('--no-sandbox');
  return args;
}
