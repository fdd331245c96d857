// nginx.conf for the real tier: Debian's nginx run by the repro with every path under a temporary
// directory (no system files, no daemon, one process). Each server block proxies to its own upstream
// block and logs to its own error log, so one nginx measures several configurations side by side.
import { NGINX_MESSAGES } from '../constants.ts';
import { HOST } from '../../lib/address.ts';

export interface NginxServer {
  /** Short name, used in file names. */
  name: string;
  /** Port on HOST (lib/address.ts) inside the run's network namespace. */
  port: number;
  /** `host:port` of each upstream server. */
  upstreams: readonly string[];
  /** Extra parameters of every `server` line, e.g. "max_fails=1 fail_timeout=2s"; nginx's defaults when absent. */
  serverParams?: string;
  /** The proxy_next_upstream value; nginx's default ("error timeout") when absent. */
  nextUpstream?: string;
}

export function errorLogPath(dir: string, server: NginxServer): string {
  return `${dir}/error-${server.name}.log`;
}

export function nginxConf(dir: string, servers: readonly NginxServer[]): string {
  const upstreams = servers.map((s) => [
    `  upstream ${s.name} {`,
    ...s.upstreams.map((u) => `    server ${u}${s.serverParams ? ' ' + s.serverParams : ''};`),
    // Keep-alive connections to the upstream, as the incident's gateway kept to the load balancer.
    '    keepalive 8;',
    '  }',
  ].join('\n'));
  const blocks = servers.map((s) => [
    '  server {',
    `    listen ${HOST}:${s.port};`,
    `    error_log ${errorLogPath(dir, s)} warn;`,
    '    location / {',
    `      proxy_pass http://${s.name};`,
    '      proxy_http_version 1.1;',
    '      proxy_set_header Connection "";',
    ...(s.nextUpstream ? [`      proxy_next_upstream ${s.nextUpstream};`] : []),
    '    }',
    '  }',
  ].join('\n'));
  return [
    '# Written by repros/keepalive-502/real/nginx-conf.ts for one run; removed with its directory.',
    'daemon off;',
    // One process: no worker to switch users for, and nothing that outlives the process we start.
    'master_process off;',
    // Root inside the run\'s user namespace; the default user (nobody) is not mapped there, so nginx
    // could not chown its temporary directories to it.
    'user root root;',
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log warn;`,
    'events { worker_connections 64; }',
    'http {',
    '  access_log off;',
    `  client_body_temp_path ${dir}/body;`,
    `  proxy_temp_path ${dir}/proxy;`,
    `  fastcgi_temp_path ${dir}/fastcgi;`,
    `  uwsgi_temp_path ${dir}/uwsgi;`,
    `  scgi_temp_path ${dir}/scgi;`,
    ...upstreams,
    ...blocks,
    '}',
    '',
  ].join('\n');
}


/** Which of NGINX_MESSAGES a log contains, in NGINX_MESSAGES order. */
export function messagesIn(log: string): string[] {
  return NGINX_MESSAGES.filter((m) => log.includes(m));
}
