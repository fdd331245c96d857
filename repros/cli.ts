// npm run repro -- list
// npm run repro -- <slug> [scenario|component] [--scale F] [--json] [--port N] [repro flags]
import { COMMON_FLAGS, flagHelp, parseArgs } from './lib/flags.ts';
import { ProcessGroup } from './lib/processes.ts';
import { UsageError, type Flags, type Repro } from './lib/repro.ts';
import { loadAllRepros, loadRepro, reproSlugs } from './lib/registry.ts';
import { reportExitCode, reportJson, reportText } from './lib/report.ts';
import { makeContext, runScenario } from './lib/runner.ts';

const USAGE = `usage:
  npm run repro -- list
  npm run repro -- <repro> [scenario] [--scale <factor>] [--json] [flags]
  npm run repro -- <repro> <component> [--port <n>]
  npm run repro -- <repro> --help`;

const isTTY = process.stderr.isTTY === true;

function printRepro(repro: Repro): void {
  const lines = [`${repro.slug}: ${repro.title}`, '', repro.description, '', 'scenarios:'];
  for (const [name, s] of Object.entries(repro.scenarios)) {
    lines.push(`  ${name}${name === repro.defaultScenario ? ' (default)' : ''}: ${s.description}`);
    if (s.real) lines.push(`      --tier real: ${s.real.description} (needs ${s.real.tools.join(', ')}${s.real.root ? ', root' : ''})`);
  }
  if (repro.components && Object.keys(repro.components).length > 0) {
    lines.push('', 'components (run alone, with --port):');
    for (const [name, c] of Object.entries(repro.components)) lines.push(`  ${name}: ${c.description}`);
  }
  lines.push('', 'flags:', flagHelp([...COMMON_FLAGS, ...(repro.flags ?? [])]));
  console.log(lines.join('\n'));
}

async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  if (first === undefined || first === '--help' || first === 'help') {
    console.log(USAGE + '\n\nrepros: ' + reproSlugs().join(', '));
    return first === undefined ? 2 : 0;
  }
  if (first === 'list') {
    for (const r of await loadAllRepros()) console.log(`${r.slug.padEnd(28)} ${r.description}`);
    return 0;
  }
  const repro = await loadRepro(first);
  const { positionals, values } = parseArgs(argv.slice(1), [...COMMON_FLAGS, ...(repro.flags ?? [])]);
  if (values.help === true) {
    printRepro(repro);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`too many arguments: ${positionals.join(' ')}. ${USAGE}`);
  const name = positionals[0] ?? repro.defaultScenario;
  const json = values.json === true;
  const scale = typeof values.scale === 'number' ? values.scale : 1;
  const port = typeof values.port === 'number' ? values.port : undefined;
  const tier = values.tier === 'real' ? 'real' : 'stand-in';
  const flags: Flags = Object.fromEntries(Object.entries(values).filter(([k]) => !COMMON_FLAGS.some((c) => c.name === k)));

  const ac = new AbortController();
  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n${sig}: stopping every process this repro started\n`);
    ac.abort(new Error(`interrupted by ${sig}`));
    // If a run does not wind down in time, exit anyway: the exit hook in processes.ts kills its children.
    setTimeout(() => process.exit(130), 5000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  let progressShown = false;
  const clearProgress = (): void => {
    if (progressShown) process.stderr.write('\r\x1b[2K');
    progressShown = false;
  };
  const log = (line: string): void => {
    clearProgress();
    (json ? process.stderr : process.stdout).write(line + '\n');
  };
  const progress = (line: string): void => {
    if (json || !isTTY) return;
    process.stderr.write('\r\x1b[2K' + line.slice(0, (process.stderr.columns ?? 80) - 1));
    progressShown = true;
  };

  const component = repro.components?.[name];
  if (component) {
    if (tier !== 'stand-in') throw new UsageError(`--tier applies to scenarios; "${name}" is a component`);
    const procs = new ProcessGroup();
    try {
      await component.start(makeContext({ scale, flags, log, progress, port }, procs, ac.signal));
    } catch (err) {
      if (!interrupted) throw err;
    } finally {
      await procs.stopAll();
    }
    return interrupted ? 130 : 0;
  }
  if (!repro.scenarios[name]) {
    const comps = Object.keys(repro.components ?? {});
    throw new UsageError(
      `repro ${repro.slug} has no scenario or component "${name}". Scenarios: ${Object.keys(repro.scenarios).join(', ')}` +
        (comps.length ? `. Components: ${comps.join(', ')}` : ''),
    );
  }
  try {
    const report = await runScenario(repro, name, { scale, flags, signal: ac.signal, log, progress, tier });
    clearProgress();
    if (json) process.stdout.write(reportJson(report));
    else console.log(reportText(report));
    return reportExitCode(report);
  } catch (err) {
    clearProgress();
    if (interrupted) return 130;
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
