import { EventEmitter } from 'node:events';

/** What a V2 session needs of a serial port or a socket. */
export interface ByteChannel extends EventEmitter {
  write(bytes: Buffer): void;
  close(): Promise<void>;
  readonly open: boolean;
}
