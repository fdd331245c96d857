// Every command on a page is checked (issue 14): shell blocks parse (bash -n), Python blocks parse and
// define what they read, kubectl commands on namespaced objects carry -n/-A, and placeholders follow
// one convention (tests/lib/page-commands.ts). One test per page, naming each problem's file and line.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkPage, extractBlocks, format, inlineExports, inlineProblems, kubectlProblems, PLACEHOLDERS, pageFiles, pythonCheck, shellProblems } from '../lib/page-commands.ts';
import { HOST } from '../../repros/lib/address.ts';

const ROOT = join(import.meta.dirname, '..', '..');

const shell = (body: string, lang = 'sh'): string[] =>
  shellProblems(extractBlocks('page.md', `Text.\n\n\`\`\`${lang}\n${body}\n\`\`\`\n`)).map(format);

test('the checker finds a command that does not parse, and names the file line', () => {
  const msgs = shell('kubectl get pods -n "$NAMESPACE"\nif true; then echo x');
  assert.equal(msgs.length, 1);
  assert.match(msgs[0] ?? '', /^page\.md:(4|5): shell does not parse \(bash -n\): .*(unexpected end of file|syntax error)/);
});

test('kubectl on namespaced objects needs -n or -A; nodes, cordon, taint and -f manifests do not', () => {
  assert.deepEqual(kubectlProblems('get pods'), ['kubectl get acts on a namespaced object but has no -n "$NAMESPACE" (or -A)']);
  assert.deepEqual(kubectlProblems('logs "$POD" -c app --previous'), ['kubectl logs acts on a namespaced object but has no -n "$NAMESPACE" (or -A)']);
  assert.deepEqual(kubectlProblems('rollout status deployment/x'), ['kubectl rollout status acts on a namespaced object but has no -n "$NAMESPACE" (or -A)']);
  for (const ok of ['get pods -n "$NAMESPACE"', 'get pods --namespace=shop', 'get pods -A', 'get node "$NODE" -o wide', 'describe nodes', 'cordon "$NODE"',
    'taint nodes "$NODE" node.kubernetes.io/out-of-service=nodeshutdown:NoExecute', 'apply -f manifests/', 'top node', 'get --raw /healthz', 'get ns', 'version']) {
    assert.deepEqual(kubectlProblems(ok), [], ok);
  }
});

test('placeholders: angle brackets, unset variables and other spellings are named; set and conventional ones pass', () => {
  assert.match(shell('kubectl logs <pod> -n "$NAMESPACE"').join('\n'), /angle-bracket placeholder <pod>: .*use a variable such as "\$POD"/);
  assert.match(shell(`curl http://${HOST}:$GATEWAY_PORT/`).join('\n'), /\$GATEWAY_PORT is used but nothing on the page sets it/);
  assert.match(shell('kubectl get pod "$POD_NAME" -n "$NS"').join('\n'), /placeholder \$POD_NAME breaks the convention: use \$POD[\s\S]*placeholder \$NS breaks the convention: use \$NAMESPACE/);
  assert.match(shell('kubectl get pod "$pod" -n "$NAMESPACE"').join('\n'), /placeholder \$pod breaks the convention: use \$POD/);
  assert.deepEqual(shell(`PORT=8080\ncurl "http://${HOST}:$PORT/"\nfor i in 1 2; do echo "$i"; done\nkubectl get pod "$POD" -n "$NAMESPACE" -o jsonpath='{.status.phase}'`), []);
  assert.deepEqual(PLACEHOLDERS, ['NAMESPACE', 'POD', 'CONTAINER', 'NODE', 'DEPLOYMENT', 'SERVICE', 'POD_IP']);
});

test('a container picked by position is named', () => {
  assert.match(shell(`kubectl get pod "$POD" -n "$NAMESPACE" -o jsonpath='{.status.containerStatuses[0].state}'`).join('\n'), /selects a container by position/);
});

test('a variable set in an earlier block of the page counts as set', () => {
  const blocks = extractBlocks('page.md', '```sh\nNODE_IP=10.0.0.1\n```\n\ntext\n\n```bash\nping -c 1 "$NODE_IP"\n```\n');
  assert.deepEqual(shellProblems(blocks), []);
});

test('console blocks: only the commands after "$ " are checked, output is not', () => {
  assert.deepEqual(shell('$ kubectl get nodes\nNAME STATUS\nnode-a <none> NotReady', 'console'), []);
  assert.match(shell('$ kubectl get pods\nNAME READY', 'console').join('\n'), /page\.md:4: kubectl get acts on a namespaced object/);
});

test('Python blocks must parse and define every name they read', () => {
  const py = (src: string) => extractBlocks('page.md', `\`\`\`python\n${src}\n\`\`\`\n`).flatMap(pythonCheck).map(format);
  assert.match(py(`import requests\nrequests.get(f"http://${HOST}:{GATEWAY_PORT}/")`).join('\n'), /^page\.md:3: Python reads GATEWAY_PORT, which the snippet never defines/);
  assert.match(py('def f(:\n  pass').join('\n'), /Python does not parse/);
  assert.deepEqual(py('import os, sys\nport = int(os.environ.get("PORT", "8080"))\nfor i in range(3):\n    print(i, port, sys.argv)'), []);
});

test('inline kubectl commands with a placeholder are checked; mentions with literal names are not', () => {
  assert.match(inlineProblems('page.md', 'Run `kubectl logs "$POD" --previous` now.').map(format).join('\n'), /page\.md:1: inline `kubectl logs "\$POD" --previous`: kubectl logs acts on a namespaced object/);
  assert.match(inlineProblems('page.md', 'Run `kubectl describe pod <pod> -n "$NAMESPACE"`.').map(format).join('\n'), /angle-bracket placeholder <pod>/);
  assert.deepEqual(inlineProblems('page.md', 'Deleting it with `kubectl delete pod` does not help; it prints as `kubectl get pods -w` would.'), []);
});

test('an inline `export NAME=...` the prose asks the reader to paste sets NAME for later blocks', () => {
  const page = `It prints \`export GATEWAY=http://${HOST}:1 DELETION=http://${HOST}:2\`; paste it.\n\n\`\`\`sh\ncurl "$GATEWAY/ok" "$DELETION/x"\n\`\`\`\n`;
  assert.deepEqual(shellProblems(extractBlocks('page.md', page), inlineExports(page)), []);
  assert.match(shellProblems(extractBlocks('page.md', page)).map(format).join('\n'), /\$GATEWAY is used but nothing on the page sets it/);
});

for (const file of pageFiles(ROOT)) {
  test(`commands on ${file}`, () => {
    const problems = checkPage(ROOT, file);
    assert.equal(problems.length, 0, `${problems.length} command problem(s):\n${problems.map((p) => `  ${format(p)}`).join('\n')}`);
  });
}
