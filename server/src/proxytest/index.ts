/** The proxy test's public surface, for the VS Code command and the CLI. */
export { CancelledError, TimeoutError, deadlineIn } from './abort';
export { startBackend, type Backend, type BackendRequest } from './backend';
export {
  classifyHandshakeError,
  wsHandshake,
  type HandshakeEcho,
  type HandshakeError,
  type HandshakeErrorCode,
  type HandshakeOptions,
  type HandshakeResult,
} from './handshake';
export { isolationDirectives, quoteNginxString, TEST_FILES, type IsolationDirectives } from './isolation';
export {
  checkConfig,
  locateNginx,
  nginxInstallHint,
  NginxLaunchError,
  NginxNotFoundError,
  NginxStartError,
  startNginx,
  type ConfigCheck,
  type NginxExit,
  type NginxInstallation,
  type RunningNginx,
} from './nginx';
export {
  compareVersions,
  parseNginxErrors,
  parseNginxVersion,
  type NginxLogLevel,
  type NginxMessage,
} from './nginxOutput';
export {
  classifyHandshake,
  classifyRunError,
  handshakePassed,
  type OutcomeError,
  type OutcomeErrorCode,
  type OutcomeKind,
  type ProxyTestOutcome,
  type ProxyTestStage,
  type ProxyTestTimings,
} from './outcome';
export { findFreePort, isPortFree, waitForPort } from './ports';
export { runProxyTest, type BuildContext, type BuiltConfig, type ProxyTestEvent, type ProxyTestOptions } from './run';
export { allowWorkersToEnter, createTempDir, TEMP_DIR_PREFIX, type TempDir } from './tempdir';
