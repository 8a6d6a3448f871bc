/**
 * Directives of common third-party modules, which nginx's documentation (and so the reference)
 * does not describe: they must not be reported as unknown, nor "corrected" into a core directive.
 * Names or prefixes (`lua_` covers `lua_shared_dict`, `lua_package_path`, …). Their contexts are
 * not checked, and blocks of theirs (`rtmp { … }`) are not looked into.
 */
const NAMES = [
  // headers-more
  'more_set_headers',
  'more_clear_headers',
  'more_set_input_headers',
  'more_clear_input_headers',
  // brotli, zstd
  'brotli',
  'brotli_static',
  'brotli_types',
  'brotli_buffers',
  'brotli_comp_level',
  'brotli_window',
  'brotli_min_length',
  'zstd',
  'zstd_static',
  'zstd_types',
  'zstd_comp_level',
  'zstd_min_length',
  'zstd_buffers',
  // set-misc, echo, array-var, encrypted-session, form-input, iconv, xss, srcache, memc, redis
  'set_unescape_uri',
  'set_escape_uri',
  'set_quote_sql_str',
  'set_quote_pgsql_str',
  'set_quote_json_str',
  'set_md5',
  'set_sha1',
  'set_hmac_sha1',
  'set_hmac_sha256',
  'set_base32_padding',
  'set_encode_base32',
  'set_decode_base32',
  'set_encode_base64',
  'set_decode_base64',
  'set_encode_base64url',
  'set_decode_base64url',
  'set_encode_hex',
  'set_decode_hex',
  'set_if_empty',
  'set_random',
  'set_secure_random_alphanum',
  'set_secure_random_lcalpha',
  'set_rotate',
  'set_local_today',
  'set_formatted_gmt_time',
  'set_formatted_local_time',
  'set_hashed_upstream',
  'set_misc_base32_padding',
  'set_form_input',
  'set_form_input_multi',
  'set_iconv',
  'set_encrypt_session',
  'set_decrypt_session',
  'array_split',
  'array_join',
  'array_map',
  'array_map_op',
  // cache purge, upstream helpers, sticky, upload, misc
  'proxy_cache_purge',
  'fastcgi_cache_purge',
  'uwsgi_cache_purge',
  'scgi_cache_purge',
  'cache_purge_response_type',
  'sticky',
  'sticky_cookie_insert',
  'session_sticky',
  'jdomain',
  'fair',
  'check',
  'check_http_send',
  'check_http_expect_alive',
  'check_keepalive_requests',
  'check_shm_size',
  'check_status',
  'dynamic_upstream',
  'vod',
  'pagespeed',
  'modsecurity',
  'modsecurity_rules',
  'modsecurity_rules_file',
  'modsecurity_rules_remote',
  'modsecurity_transaction_id',
  'rtmp',
  'rtmp_auto_push',
  'rtmp_auto_push_reconnect',
  'rtmp_socket_dir',
  'rtmp_stat',
  'rtmp_stat_stylesheet',
  'rtmp_control',
  'ldap_server',
  'dav_ext_methods',
  'dav_ext_lock',
  'dav_ext_lock_zone',
  'fancyindex',
  'naxsi_json_log',
  'SecRulesEnabled',
  'SecRulesDisabled',
  'LearningMode',
  'LibInjectionSql',
  'LibInjectionXss',
  'DeniedUrl',
  'CheckRule',
  'BasicRule',
  'MainRule',
  'testcookie',
  'subs_filter',
  'subs_filter_types',
  'replace_filter',
  'replace_filter_types',
  'eval',
  'accept_language',
  'security_headers',
  'ssl_ct',
  'ssl_ct_static_scts',
  'opentracing',
  'opentracing_load_tracer',
  'opentracing_trace_locations',
  'opentracing_propagate_context',
  'opentracing_operation_name',
  'opentracing_tag',
  'geoip2',
  'ndk_set_var_value',
  'rds_json',
  'rds_json_ret',
  'drizzle_query',
  'drizzle_pass',
  'postgres_pass',
  'postgres_query',
  'postgres_server',
  'wasm_call',
  'push_stream_subscriber',
  'push_stream_publisher',
  'report_uploads',
  'track_uploads',
  'balancer_keepalive', // OpenResty
  'set_base32_alphabet', // set-misc
];

const PREFIXES = [
  'lua_', // lua-nginx-module and stream-lua: lua_shared_dict, lua_package_path, …
  'echo', // echo-nginx-module: echo, echo_before_body, …
  'vod_', // nginx-vod-module
  'nchan_', // nchan
  'push_stream_',
  'passenger_', // Phusion Passenger
  'pagespeed',
  'vhost_traffic_status', // nginx-module-vts
  'stream_server_traffic_status',
  'auth_ldap',
  'auth_pam',
  'auth_jwt_', // community auth-jwt modules (the commercial auth_jwt is in the reference)
  'upload_', // nginx-upload-module
  'geoip2_',
  'fancyindex_',
  'srcache_',
  'memc_',
  'redis2_',
  'redis_',
  'encrypted_session_',
  'xss_',
  'iconv_',
  'form_input_',
  'testcookie_',
  'opentracing_',
  'datadog_',
  'ssl_dyn_rec_',
  'ajp_',
  'dav_ext_',
  'more_',
  'headers_more_',
  'brotli_',
  'zstd_',
  'rtmp_',
  'modsecurity_',
  'wasm_',
  'sticky_',
  'check_',
  'eval_',
  'njs_',
  'secure_token', // nginx-secure-token-module (with nginx-vod-module)
  'upsync', // nginx-upsync-module
  'healthcheck_', // ngx_healthcheck_module
  'dyups_', // ngx_dyups (dynamic upstreams)
  'jwt_', // community JWT modules
  'shib_', // nginx-http-shibboleth
  'sts_', // nginx-module-sts
  'vts_',
  'waf_',
  'server_traffic_status',
  'postgres_', // ngx_postgres
  'rds_',
  'drizzle_',
  'array_', // array-var-nginx-module
  'form_input', // form-input-nginx-module
  'uploadprogress', // nginx-upload-progress-module
  'upload_progress',
];

const NAME_SET: ReadonlySet<string> = new Set(NAMES);

/** `*_by_lua`, `*_by_lua_block`, `*_by_lua_file`, `*_by_lua_no_postpone`: OpenResty's phase handlers. */
const LUA_PHASE = /_by_lua(_block|_file|_no_postpone)?$/;

/** Whether `name` is a directive of a known third-party module (or one the user declared). */
export function isThirdParty(name: string, extra: ReadonlySet<string> = EMPTY): boolean {
  if (NAME_SET.has(name) || extra.has(name) || LUA_PHASE.test(name)) return true;
  for (const prefix of PREFIXES) if (name.startsWith(prefix)) return true;
  return false;
}

const EMPTY: ReadonlySet<string> = new Set();
