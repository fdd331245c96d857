// The command check: every shell (sh, bash, shell, console) and Python block on a page, and every
// inline `kubectl ...` span, must parse and follow the placeholder convention. Each problem names the
// file, the line and what is wrong.
//
// Inline `kubectl ...` spans in prose are checked when they contain a placeholder ($ or <...>): those
// are commands for the reader to run; spans with the incident's literal names are mentions.
//
// Placeholder convention. A value the reader fills in is a shell variable in capitals, named after
// the alert label it comes from, and quoted where it is used: "$NAMESPACE", "$POD", "$CONTAINER",
// "$NODE", "$DEPLOYMENT"; plus "$SERVICE" (the Service behind the failing traffic) and "$POD_IP".
// Any other variable must be set on the page before it is used (NAME=value, export, read, for, in a
// shell block, or an inline `export NAME=...` span the prose tells the reader to paste).
// No angle-bracket placeholders (<pod>): a shell reads them as redirections. Every kubectl command
// on a namespaced object carries -n/--namespace or -A/--all-namespaces.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const PLACEHOLDERS = ['NAMESPACE', 'POD', 'CONTAINER', 'NODE', 'DEPLOYMENT', 'SERVICE', 'POD_IP'] as const;

/** Spellings seen in the wild for the same values, so a message can name the convention's one. */
const ALIASES: Readonly<Record<string, string>> = {
  NS: 'NAMESPACE', POD_NAME: 'POD', PODNAME: 'POD', NODE_NAME: 'NODE', NODENAME: 'NODE', CONTAINER_NAME: 'CONTAINER',
  SVC: 'SERVICE', SERVICE_NAME: 'SERVICE', DEPLOY: 'DEPLOYMENT', DEPLOYMENT_NAME: 'DEPLOYMENT',
};

/** Variables every shell has. */
const ENVIRONMENT = new Set(['HOME', 'PATH', 'PWD', 'USER', 'SHELL', 'TMPDIR', 'KUBECONFIG', 'EDITOR', 'LANG', 'HOSTNAME', 'RANDOM', 'SECONDS', 'OLDPWD', 'UID', 'EUID', 'BASHPID', 'PPID', 'IFS', 'REPLY']);

export interface Block {
  file: string;
  /** 1-based line of the block's first content line in the file. */
  line: number;
  lang: 'shell' | 'python';
  /** For console blocks: only the commands (prompt stripped); each entry keeps its file line. */
  lines: { line: number; text: string }[];
  console: boolean;
}

export interface Problem {
  file: string;
  line: number;
  message: string;
}

export const format = (p: Problem): string => `${p.file}:${p.line}: ${p.message}`;

const SHELL_LANGS = new Set(['sh', 'bash', 'shell', 'console', 'shell-session']);
const PYTHON_LANGS = new Set(['python', 'py', 'python3']);

/** The page files the check reads: content/**\/*.md and repros/*\/cluster/README.md. */
export function pageFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const f of readdirSync(dir).sort()) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.md$/.test(f)) out.push(relative(root, p));
    }
  };
  walk(join(root, 'content'));
  for (const d of readdirSync(join(root, 'repros')).sort()) {
    const p = join(root, 'repros', d, 'cluster', 'README.md');
    try {
      if (statSync(p).isFile()) out.push(relative(root, p));
    } catch {
      // no cluster guide for this repro
    }
  }
  return out;
}

/** Fenced code blocks (``` or ~~~, possibly indented inside a list) with a shell or Python language. */
export function extractBlocks(file: string, text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/.exec(lines[i] as string);
    if (!open) continue;
    const [, indent = '', fence = '', langRaw = ''] = open;
    const lang = langRaw.toLowerCase();
    const body: { line: number; text: string }[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j] as string;
      if (l.trim().startsWith(fence) && l.trim().replace(/[`~]/g, '') === '') break;
      body.push({ line: j + 1, text: l.startsWith(indent) ? l.slice(indent.length) : l.trimStart() });
    }
    i = j;
    if (SHELL_LANGS.has(lang)) {
      const isConsole = lang === 'console' || lang === 'shell-session';
      blocks.push({ file, line: (body[0]?.line ?? j), lang: 'shell', console: isConsole, lines: isConsole ? consoleCommands(body) : body });
    } else if (PYTHON_LANGS.has(lang)) {
      blocks.push({ file, line: (body[0]?.line ?? j), lang: 'python', console: false, lines: body });
    }
  }
  return blocks;
}

/** The commands of a console block: lines after a "$ " prompt, with their continuation lines. */
function consoleCommands(body: readonly { line: number; text: string }[]): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let continuing = false;
  for (const l of body) {
    const m = /^\$ (.*)$/.exec(l.text);
    if (m) out.push({ line: l.line, text: m[1] as string });
    else if (continuing) out.push(l);
    else continue;
    continuing = /\\$/.test(out[out.length - 1]?.text ?? '');
  }
  return out;
}

/** `bash -n`: syntax only, nothing runs. Its line numbers map back to the file. */
export function bashSyntax(block: Block): Problem[] {
  const script = block.lines.map((l) => l.text).join('\n') + '\n';
  const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  if (r.status === 0) return [];
  return (r.stderr || 'bash -n failed').trim().split('\n').filter(Boolean).map((msg) => {
    const n = Number(/line (\d+):/.exec(msg)?.[1] ?? 1);
    return { file: block.file, line: block.lines[n - 1]?.line ?? block.line, message: `shell does not parse (bash -n): ${msg.replace(/^bash: (line \d+: )?/, '')}` };
  });
}

const PY_CHECK = String.raw`
import ast, builtins, json, sys
src = sys.stdin.read()
try:
    tree = ast.parse(src)
except SyntaxError as e:
    print(json.dumps({"syntax": [e.lineno or 1, e.msg]})); sys.exit(0)
bound = set(dir(builtins)) | {"__file__", "__name__"}
for n in ast.walk(tree):
    if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)): bound.add(n.id)
    elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)): bound.add(n.name)
    elif isinstance(n, ast.arg): bound.add(n.arg)
    elif isinstance(n, (ast.Import, ast.ImportFrom)):
        for a in n.names: bound.add((a.asname or a.name).split(".")[0])
    elif isinstance(n, ast.ExceptHandler) and n.name: bound.add(n.name)
    elif isinstance(n, (ast.Global, ast.Nonlocal)): bound.update(n.names)
undefined = sorted({(n.lineno, n.id) for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in bound})
print(json.dumps({"undefined": undefined}))
`;

/** Python: it parses (ast.parse), and every name it reads is defined somewhere in the snippet or is a builtin. */
export function pythonCheck(block: Block): Problem[] {
  const src = block.lines.map((l) => l.text).join('\n') + '\n';
  const r = spawnSync('python3', ['-c', PY_CHECK], { input: src, encoding: 'utf8' });
  if (r.status !== 0) return [{ file: block.file, line: block.line, message: `python3 failed to check the block: ${r.stderr.trim()}` }];
  const out = JSON.parse(r.stdout) as { syntax?: [number, string]; undefined?: [number, string][] };
  const at = (n: number): number => block.lines[n - 1]?.line ?? block.line;
  if (out.syntax) return [{ file: block.file, line: at(out.syntax[0]), message: `Python does not parse: ${out.syntax[1]}` }];
  return (out.undefined ?? []).map(([n, name]) => ({ file: block.file, line: at(n), message: `Python reads ${name}, which the snippet never defines (NameError when run)` }));
}

/** Shell words of a command line, with quotes removed; good enough for flags and resource names. */
function words(cmd: string): string[] {
  return (cmd.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((w) => w.replace(/^["']|["']$/g, ''));
}

const CLUSTER_SCOPED = /^(nodes?|no|namespaces?|ns|pv|persistentvolumes?|storageclass(es)?|sc|clusterroles?|clusterrolebindings?|crds?|customresourcedefinitions?|apiservices?|csr|certificatesigningrequests?|priorityclass(es)?|pc|runtimeclass(es)?|ingressclass(es)?|validatingwebhookconfigurations?|mutatingwebhookconfigurations?|volumeattachments?|csinodes?|componentstatuses|cs)(\.[\w.]+)?$/i;
const NEVER_NAMESPACED_VERBS = new Set(['cordon', 'uncordon', 'drain', 'taint', 'version', 'config', 'cluster-info', 'api-resources', 'api-versions', 'explain', 'certificate', 'plugin', 'completion', 'kustomize', 'proxy', 'options', 'help', 'wait-for']);
/** Flags of kubectl that take a value, so the value is not read as a resource. */
const VALUE_FLAGS = /^(-o|--output|-l|--selector|--field-selector|-c|--container|--context|--cluster|--user|--kubeconfig|--sort-by|--since|--since-time|--tail|--timeout|--replicas|--for|--template|-p|--patch|--type|--grace-period|--image|--port)$/;

/** Problems of one kubectl command (the words after "kubectl", up to a pipe or separator). */
export function kubectlProblems(cmd: string): string[] {
  const w = words(cmd);
  const problems: string[] = [];
  const hasNs = w.some((x, i) => x === '-A' || x === '--all-namespaces' || x === '-n' || x === '--namespace' || /^-n\S+/.test(x) || x.startsWith('--namespace=') || (x === '-n' && w[i + 1]));
  const positional: string[] = [];
  for (let i = 0; i < w.length; i++) {
    const x = w[i] as string;
    if (x.startsWith('-')) {
      if (VALUE_FLAGS.test(x)) i++;
      continue;
    }
    positional.push(x);
  }
  const [verb, ...rest] = positional;
  if (!verb) return problems;
  const fromFile = w.some((x) => x === '-f' || x === '--filename' || x === '-k' || x === '--kustomize' || x.startsWith('--filename=') || x === '--raw' || x.startsWith('--raw='));
  let sub = verb;
  let objects = rest;
  if (verb === 'rollout' || verb === 'top' || verb === 'set' || verb === 'auth' || verb === 'create' && rest[0] && !rest[0].includes('/')) {
    sub = `${verb} ${rest[0] ?? ''}`;
    objects = rest.slice(1);
  }
  const type = (objects[0] ?? '').split('/')[0]?.split(',') ?? [];
  const clusterScoped = NEVER_NAMESPACED_VERBS.has(verb) || sub === 'top node' || sub === 'top nodes' || (type.length > 0 && type.every((t) => CLUSTER_SCOPED.test(t))) || (verb === 'debug' && /^node\//.test(objects[0] ?? ''));
  if (!hasNs && !fromFile && !clusterScoped) problems.push(`kubectl ${sub} acts on a namespaced object but has no -n "$NAMESPACE" (or -A)`);
  return problems;
}

/** The kubectl commands in a line of shell: from each "kubectl" word to the next |, ;, &&, || or ). */
export function kubectlCommands(line: string): string[] {
  const code = line.replace(/(^|\s)#.*$/, '');
  const out: string[] = [];
  const re = /(?:^|[\s;|&($`])kubectl\s+([^|;&)`]*)/g;
  for (let m = re.exec(code); m; m = re.exec(code)) out.push(m[1] ?? '');
  return out;
}

/** Logical lines: a line ending in a backslash continues on the next, reported at its first line. */
function logicalLines(lines: readonly { line: number; text: string }[]): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let cur: { line: number; text: string } | undefined;
  for (const l of lines) {
    if (cur) cur.text += ` ${l.text}`;
    else cur = { ...l };
    if (/\\\s*$/.test(l.text)) cur.text = cur.text.replace(/\\\s*$/, '');
    else {
      out.push(cur);
      cur = undefined;
    }
  }
  if (cur) out.push(cur);
  return out;
}

/** Variables a line sets: NAME=..., export/local/readonly NAME, read NAME..., for NAME in. */
function assigned(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|[\s;&|(])(?:export\s+|local\s+|readonly\s+|declare\s+(?:-\w+\s+)?)?([A-Za-z_]\w*)=/g)) out.push(m[1] as string);
  for (const m of text.matchAll(/\bread\s+(?:-\w+\s+)*((?:[A-Za-z_]\w*\s*)+)/g)) out.push(...(m[1] as string).trim().split(/\s+/));
  for (const m of text.matchAll(/\bfor\s+([A-Za-z_]\w*)\s+in\b/g)) out.push(m[1] as string);
  for (const m of text.matchAll(/\bexport\s+([A-Za-z_]\w*)\b/g)) out.push(m[1] as string);
  return out;
}

/**
 * The shell checks of one page: bash -n, kubectl namespaces, placeholders. Variables set in an
 * earlier block of the same page count as set (a reader runs a page's blocks in one shell).
 */
export function shellProblems(blocks: readonly Block[], inlineSets: readonly { line: number; names: string[] }[] = []): Problem[] {
  const problems: Problem[] = [];
  const set = new Set<string>();
  for (const b of blocks) {
    for (const i of inlineSets) if (i.line < b.line) for (const n of i.names) set.add(n);
    if (b.lang !== 'shell') continue;
    problems.push(...bashSyntax(b));
    for (const l of logicalLines(b.lines)) {
      const p = (message: string): void => void problems.push({ file: b.file, line: l.line, message });
      const code = l.text.replace(/(^|\s)#.*$/, '');
      for (const k of kubectlCommands(code)) for (const m of kubectlProblems(k)) p(m);
      for (const m of code.matchAll(/(?<![<\w])<([A-Za-z][\w -]*)>/g)) {
        p(`angle-bracket placeholder <${m[1]}>: a shell reads it as a redirection; use a variable such as ${suggest(m[1] as string)}`);
      }
      if (/\b(containerStatuses|containers|initContainerStatuses)\[\d+\]/.test(code)) {
        p('selects a container by position ([0]); on a pod with several containers that may be the wrong one: select by name, e.g. containerStatuses[?(@.name=="app")]');
      }
      for (const v of assigned(code)) set.add(v);
      // Single-quoted text is literal: no expansion there (jsonpath, awk programs).
      const expandable = code.replace(/'[^']*'/g, "''");
      for (const m of expandable.matchAll(/\$\{?([A-Za-z_]\w*)/g)) {
        const v = m[1] as string;
        if (set.has(v) || ENVIRONMENT.has(v) || (PLACEHOLDERS as readonly string[]).includes(v)) continue;
        const alias = ALIASES[v] ?? ALIASES[v.toUpperCase()] ?? ((PLACEHOLDERS as readonly string[]).includes(v.toUpperCase()) ? v.toUpperCase() : undefined);
        p(alias
          ? `placeholder $${v} breaks the convention: use $${alias}`
          : `$${v} is used but nothing on the page sets it; set it first (${v}=...) or use a placeholder: ${PLACEHOLDERS.map((x) => `$${x}`).join(', ')}`);
      }
    }
  }
  return problems;
}

function suggest(name: string): string {
  const n = name.toLowerCase().replace(/[^a-z]/g, '');
  if (n.includes('namespace') || n === 'ns') return '"$NAMESPACE"';
  if (n.includes('container')) return '"$CONTAINER"';
  if (n.includes('node')) return '"$NODE"';
  if (n.includes('deploy')) return '"$DEPLOYMENT"';
  if (n.includes('svc') || n.includes('service')) return '"$SERVICE"';
  if (n.includes('pid')) return `"$${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}" (set it first, e.g. with pgrep)`;
  if (n.includes('pod')) return '"$POD"';
  return `"$${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}" (set it first)`;
}

/** Inline `kubectl ...` spans in the prose (outside code blocks): the same kubectl and placeholder rules. */
export function inlineProblems(file: string, text: string): Problem[] {
  const problems: Problem[] = [];
  let fence = false;
  text.split('\n').forEach((line, i) => {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    if (fence) return;
    for (const m of line.matchAll(/`(kubectl [^`]+)`/g)) {
      const span = m[1] as string;
      // Prose names commands ("as `kubectl get pods -w` would", "`kubectl delete pod pod-0`"); a span
      // is a command for the reader to run when it has a placeholder, and only then is it checked.
      if (!/[$<]/.test(span)) continue;
      const p = (message: string): void => void problems.push({ file, line: i + 1, message: `inline \`${span}\`: ${message}` });
      for (const k of kubectlCommands(span)) for (const msg of kubectlProblems(k)) p(msg);
      for (const a of span.matchAll(/(?<![<\w])<([A-Za-z][\w -]*)>/g)) p(`angle-bracket placeholder <${a[1]}>: use ${suggest(a[1] as string)}`);
    }
  });
  return problems;
}

/**
 * Variables the prose tells the reader to set: inline spans such as `export GATEWAY=http://... DELETION=...`
 * (a line a repro prints for pasting), outside code blocks.
 */
export function inlineExports(text: string): { line: number; names: string[] }[] {
  const out: { line: number; names: string[] }[] = [];
  let fence = false;
  text.split('\n').forEach((line, i) => {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    if (fence) return;
    for (const m of line.matchAll(/`(export\s+[^`]+)`/g)) out.push({ line: i + 1, names: assigned(m[1] as string) });
  });
  return out;
}

/** Every problem of one page file. */
export function checkPage(root: string, file: string): Problem[] {
  const text = readFileSync(join(root, file), 'utf8');
  const blocks = extractBlocks(file, text);
  return [
    ...shellProblems(blocks, inlineExports(text)),
    ...blocks.filter((b) => b.lang === 'python').flatMap(pythonCheck),
    ...inlineProblems(file, text),
  ]
    .filter((p, i, all) => all.findIndex((q) => q.line === p.line && q.message === p.message) === i)
    .sort((a, b) => a.line - b.line);
}
