import { parseComplexValue } from '../eval/evaluate';
import type { ConfigModel, HeaderLine, LocationModel } from '../model/effective';

/** Variables nginx itself provides by name (core, proxy, upstream, ssl, realip and common modules). */
const BUILTIN_VARIABLES = new Set([
  'args',
  'binary_remote_addr',
  'body_bytes_sent',
  'bytes_sent',
  'connection',
  'connection_requests',
  'connection_time',
  'connections_active',
  'connections_reading',
  'connections_waiting',
  'connections_writing',
  'content_length',
  'content_type',
  'document_root',
  'document_uri',
  'fastcgi_path_info',
  'fastcgi_script_name',
  'gzip_ratio',
  'host',
  'hostname',
  'https',
  'invalid_referer',
  'is_args',
  'limit_rate',
  'msec',
  'nginx_version',
  'pid',
  'pipe',
  'proxy_add_x_forwarded_for',
  'proxy_host',
  'proxy_port',
  'proxy_protocol_addr',
  'proxy_protocol_port',
  'proxy_protocol_server_addr',
  'proxy_protocol_server_port',
  'query_string',
  'realip_remote_addr',
  'realip_remote_port',
  'realpath_root',
  'remote_addr',
  'remote_port',
  'remote_user',
  'request',
  'request_body',
  'request_body_file',
  'request_completion',
  'request_filename',
  'request_id',
  'request_length',
  'request_method',
  'request_time',
  'request_uri',
  'scheme',
  'server_addr',
  'server_name',
  'server_port',
  'server_protocol',
  'status',
  'time_iso8601',
  'time_local',
  'uri',
  'upstream_addr',
  'upstream_bytes_received',
  'upstream_bytes_sent',
  'upstream_cache_status',
  'upstream_connect_time',
  'upstream_header_time',
  'upstream_response_length',
  'upstream_response_time',
  'upstream_status',
  'upstream_trailer',
  'ssl_cipher',
  'ssl_client_cert',
  'ssl_client_escaped_cert',
  'ssl_client_fingerprint',
  'ssl_client_s_dn',
  'ssl_client_i_dn',
  'ssl_client_serial',
  'ssl_client_verify',
  'ssl_protocol',
  'ssl_server_name',
  'ssl_session_id',
  'ssl_session_reused',
  'ssl_early_data',
  'ssl_preread_server_name',
  'geoip_country_code',
  'secure_link',
  'secure_link_expires',
  'date_local',
  'date_gmt',
  'http2',
  'http3',
  'tcpinfo_rtt',
  'tcpinfo_rttvar',
  'tcpinfo_snd_cwnd',
  'tcpinfo_rcv_space',
  'sent_http_',
  'auth_basic_user',
  'binary_remote_addr',
  'cookie_',
  'limit_conn_status',
  'limit_req_status',
  'upstream_queue_time',
]);
const BUILTIN_PREFIXES = [
  'http_',
  'sent_http_',
  'sent_trailer_',
  'upstream_http_',
  'upstream_trailer_',
  'upstream_cookie_',
  'cookie_',
  'arg_',
  'jwt_',
];

export function isBuiltinVariable(name: string): boolean {
  return (
    /^\d+$/.test(name) || BUILTIN_VARIABLES.has(name) || BUILTIN_PREFIXES.some((prefix) => name.startsWith(prefix))
  );
}

/** The variables a value uses, lower-cased, without `$` (the evaluator's parse, cached by text). */
export function variablesIn(value: string): string[] {
  const names: string[] = [];
  for (const part of parseComplexValue(value)) if ('variable' in part) names.push(part.variable);
  return names;
}

/** `$connection_upgrade`-style: one variable and nothing else. */
export function soleVariable(value: string): string | undefined {
  const match = /^\$\{?([A-Za-z0-9_]+)\}?$/.exec(value.trim());
  return match?.[1]?.toLowerCase();
}

export function effectiveHeader(location: LocationModel, key: string): HeaderLine | undefined {
  let found: HeaderLine | undefined;
  // nginx sends the last line for a repeated header name along with the others; the last one is what matters most.
  for (const line of location.headers.lines) if (line.key === key) found = line;
  return found;
}

export function droppedHeader(location: LocationModel, key: string): HeaderLine | undefined {
  return location.headers.dropped.find((line) => line.key === key);
}

export interface MapSummary {
  readonly source: string | undefined;
  readonly values: readonly string[];
  readonly defaultValue: string | undefined;
}

/** The source variable and result values of `map $source $name { ... }`. */
export function summarizeMap(model: ConfigModel, variable: string): MapSummary | undefined {
  const node = model.maps.get(variable);
  if (!node?.directive.block) return undefined;
  const values: string[] = [];
  let defaultValue: string | undefined;
  for (const entry of node.directive.block.children) {
    const value = entry.args[entry.args.length - 1]?.value;
    if (value === undefined || entry.args.length === 0) continue;
    if (entry.name === 'default') defaultValue = value;
    if (!['hostnames', 'volatile', 'include'].includes(entry.name)) values.push(value);
  }
  return { source: node.directive.args[0]?.value.toLowerCase(), values, defaultValue };
}

/** Whether `map $http_upgrade $x { default upgrade; ... }`: the docs' idiom, under any name. */
export function isConnectionUpgradeMap(model: ConfigModel, variable: string): boolean {
  const summary = summarizeMap(model, variable);
  return (
    !!summary &&
    /^\$\{?http_upgrade\}?$/.test(summary.source ?? '') &&
    summary.values.some((value) => value.toLowerCase() === 'upgrade')
  );
}

/** A map variable (any name) that yields `upgrade` for WebSocket requests, for reuse by fixes. */
export function findConnectionUpgradeMap(model: ConfigModel): string | undefined {
  if (isConnectionUpgradeMap(model, 'connection_upgrade')) return 'connection_upgrade';
  for (const name of model.maps.keys()) if (isConnectionUpgradeMap(model, name)) return name;
  return undefined;
}
