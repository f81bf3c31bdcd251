import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the simulated terminals listen: the loopback, which no real deployment allows. */
export const SIMULATOR_NETWORKS: readonly string[] = ['127.0.0.0/8', '::1/128'];

/** The register ends of the simulated serial lines (see `createPtyPair`). */
export const SIMULATOR_SERIAL_GLOB = join(tmpdir(), 'diapason-pty-*', 'register');

/**
 * The terminal allow-lists of a process that must reach the simulators (npm start, the tests): the
 * configured ones plus the simulators' loopback and pty folder, as environment variables.
 */
export function simulatorTerminalEnv(configured: { allowedNetworks: readonly string[]; serialDevices: readonly string[] }): {
  DIAPASON_TERMINAL_ALLOWED_NETWORKS: string;
  DIAPASON_SERIAL_DEVICES: string;
} {
  const merge = (base: readonly string[], extra: readonly string[]) => [...new Set([...base, ...extra])].join(',');
  return {
    DIAPASON_TERMINAL_ALLOWED_NETWORKS: merge(configured.allowedNetworks, SIMULATOR_NETWORKS),
    DIAPASON_SERIAL_DEVICES: merge(configured.serialDevices, [SIMULATOR_SERIAL_GLOB]),
  };
}
