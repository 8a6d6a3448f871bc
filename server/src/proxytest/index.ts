/** The proxy test's public surface, for the VS Code command and the CLI. */
export { CancelledError, TimeoutError, deadlineIn } from './abort';
export { startBackend, type Backend, type BackendRequest } from './backend';
export { wsHandshake, type HandshakeError, type HandshakeErrorCode, type HandshakeOptions, type HandshakeResult } from './handshake';
export { isolationDirectives, quoteNginxString, TEST_FILES, type IsolationDirectives } from './isolation';
export {
  checkConfig,
  locateNginx,
  NginxLaunchError,
  NginxNotFoundError,
  NginxStartError,
  startNginx,
  type ConfigCheck,
  type NginxInstallation,
  type RunningNginx,
} from './nginx';
export { parseNginxErrors, parseNginxVersion, type NginxLogLevel, type NginxMessage } from './nginxOutput';
export type { OutcomeError, OutcomeErrorCode, OutcomeKind, ProxyTestOutcome, ProxyTestStage, ProxyTestTimings } from './outcome';
export { findFreePort, waitForPort } from './ports';
export { runProxyTest, type BuildContext, type BuiltConfig, type ProxyTestEvent, type ProxyTestOptions } from './run';
export { createTempDir, TEMP_DIR_PREFIX, type TempDir } from './tempdir';
